#!/usr/bin/env python3
"""A person at the shell: types a session into the guest's serial line and
checks what comes back (the `shell` suite of tools/test.sh).

    tools/qemu.sh --disk IMG --log LOG --serial-in <(tools/shell-session.py LOG RESULTS)

The keystrokes go to standard output (qemu.sh feeds them to the serial
line); the guest's output is read from LOG as QEMU writes it.  Each step
types a line (or keys), waits until the shell's prompt is back (or until
what the step waits for is there), and checks the output since the keys
were sent against the step's patterns.  RESULTS gets TAP: one line per
step, a diagnostic with the output of each failed one, and "# session
over" at the end.  The last step is `poweroff`, which ends QEMU.

A pattern may capture a named group, (?P<NAME>...): later steps' keys
and patterns say {NAME} for what it matched (a task id the guest chose).
"""
import re
import sys
import time

PROMPT = re.compile(r" \$ $")
BOOT_TIMEOUT = 90
STEP_TIMEOUT = 20

# (what, keys, patterns the output must match, patterns it must not,
#  wait for: "prompt" or a pattern)
STEPS = [
    ("echo with quotes", "echo 'a;b' \"c&&d\" x'>'y \"e\\\"f\" \\#g\r",
     [r"\na;b c&&d x>y e\"f #g\r?\n"], [], "prompt"),
    ("arguments as they are: spaces kept, an empty one", "echo 'a  b' '' c\r",
     [r"\na  b  c\r?\n"], [], "prompt"),
    ("ls /bin: the programs are files", "ls /bin\r",
     [r"\necho\r?\n", r"\nhello\r?\n", r"\ntester\r?\n"], [], "prompt"),
    ("cat /etc/motd", "cat /etc/motd\r", [r"\nWelcome to mkernel"], [], "prompt"),
    ("a program by its path", "/bin/echo by path\r", [r"\nby path\r?\n"], [], "prompt"),
    ("export: the environment programs get", "export GREETING='hi there' ; env\r",
     [r"\nGREETING=hi there\r?\n"], [], "prompt"),
    ("the user tests from the shell", "tester task_ids\r",
     [r"\nok 1 - task_ids", r"user tests: 1 passed, 0 failed"], [], "prompt"),
    ("redirection into a file, >>, && and cat of it",
     "echo first line > /tmp/sh.txt ; echo second >> /tmp/sh.txt && cat /tmp/sh.txt\r",
     [r"\nfirst line\r?\nsecond\r?\n"], [], "prompt"),
    ("input redirection", "cat < /tmp/sh.txt\r", [r"\nfirst line\r?\nsecond\r?\n"], [], "prompt"),
    ("ls /", "ls /\r", [r"\netc\r?\nfixtures\r?\n", r"\ntmp\r?\n"], [], "prompt"),
    ("ls -l", "ls -l /fixtures\r",
     [r"\n-rw-r--r-- +1 +33 hello.txt", r"\nd[rwx-]{9} +\d+ +\d+ dir\r?\n",
      r"\nl[rwx-]{9} +1 +\d+ link -> "], [], "prompt"),
    ("cd and pwd; a program started there", "cd /fixtures ; pwd ; cat hello.txt\r",
     [r"\n/fixtures\r?\nHello from the root file system\.\r?\n/fixtures \$ $"], [], "prompt"),
    ("mkdir -p, cp, mv, rm -r",
     "mkdir -p /tmp/a/b/c && cp hello.txt /tmp/a/b && mv /tmp/a/b/hello.txt /tmp/a/h.txt"
     " && ls /tmp/a /tmp/a/b ; cat /tmp/a/h.txt ; rm -r /tmp/a && ls /tmp ; cd\r",
     [r"\n/tmp/a:\r?\nb\r?\nh\.txt\r?\n/tmp/a/b:\r?\nc\r?\nHello from",
      r"\nsh\.txt\r?\n/ \$ $"], [r"\nrm: "], "prompt"),
    ("a program with arguments", "hello world 42\r",
     [r"\nhello from task \d+: world 42 \(2 arguments\)"], [], "prompt"),
    ("hexdump", "hexdump /fixtures/hello.txt\r",
     [r"\n00000000  48 65 6c 6c 6f 20 66 72  6f 6d 20 74 68 65 20 72  \|Hello from the r\|",
      r"\n00000021\r?\n"], [], "prompt"),
    ("a program that faults: its report, then the prompt", "fault\r",
     [r"\nsh: fault \(task \d+\) faulted: .*(page fault|fault).*\n"], [], "prompt"),
    ("a looping program", "fault loop\r", [r"fault: looping"], [], r"fault: looping"),
    ("Ctrl-C stops it", "\x03", [r"\nsh: fault \(task \d+\) stopped by Ctrl-C"], [], "prompt"),
    ("backspace", "echo abcd\b\bxy\r", [r"\nabxy\r?\n"], [], "prompt"),
    ("Ctrl-U", "rm -r /fixtures\x15echo clean\r", [r"\nclean\r?\n"], [r"rm: "], "prompt"),
    ("Ctrl-C abandons the line", "rm -r /fixtures\x03", [r"\^C\r?\n/ \$ $"], [], "prompt"),
    ("history: Up runs the line before again", "\x1b[A\r", [r"echo clean\r?\nclean\r?\n"],
     [], "prompt"),
    ("history: Up twice", "\x1b[A\x1b[A\x1b[A\x1b[B\r", [r"\nabxy\r?\n"], [], "prompt"),
    ("a command that does not exist", "nosuch arg\r", [r"sh: nosuch: no such command"], [],
     "prompt"),
    ("&& after a failure; ; goes on", "cat /nonexistent && echo NOT ; echo yes\r",
     [r"cat: /nonexistent: ", r"\nyes\r?\n"], [r"\nNOT"], "prompt"),
    ("an unterminated quote", "echo 'abc\r", [r"sh: unterminated ' quote"], [], "prompt"),
    ("a redirection without a file", "cat >\r", [r"sh: > needs a file name"], [], "prompt"),
    ("help", "help\r", [r"Built-ins: cd"], [], "prompt"),
    ("mem", "mem\r", [r"frames: \d+ free of \d+", r"anon pager: \d+ objects"], [], "prompt"),
    ("ps shows the shell", "ps\r",
     [r"\n *(?P<sh>\d+) +\d+ sh +running +\d+ ", r"\n *\d+ +- +ns +running",
      r"\n\d+ tasks, \d+ threads, \d+ pages resident"], [], "prompt"),
    ("a looping program in the background", "fault loop &\r",
     [r"\[1\] fault \(task (?P<loop>\d+)\)\r?\n"], [], "prompt"),
    ("jobs and ps show it", "jobs ; ps\r",
     [r"\[1\] fault \(task {loop}\) running", r"\n *{loop} +{sh} +fault +running +1 "], [],
     "prompt"),
    ("areas of the job: its code from the file pager, its stack and heap from the anon pager",
     "areas {loop}\r",
     [r"task {loop} \(fault\):",
      r"\n[0-9a-f]{16} [0-9a-f]{16} r-x +pager +\d+  fpager \(task \d+\) object \d+ at 0x",
      r"\n[0-9a-f]{16} [0-9a-f]{16} rw- +pager +\d+  anon \(task \d+\) object \d+ at 0x",
      r"\n\d+ areas, \d+ KiB, \d+ pages resident"], [r"areas: "], "prompt"),
    ("areas of a task that is not the shell's is refused", "areas 1\r",
     [r"areas: 1 \(ns\): not permitted: only the task, its parent or a holder"], [], "prompt"),
    ("kill of a task that is not the shell's is refused", "kill 1\r",
     [r"kill: 1 \(ns\): not permitted"], [], "prompt"),
    ("kill of the job: the shell reports it", "kill {loop}\r",
     [r"task {loop} \(fault\) killed by task \d+, holding the right to it",
      r"\[1\] fault \(task {loop}\) was killed: killed by task \d+, holding the right"],
     [r"kill: "], "prompt"),
    ("the job is gone", "jobs ; ps\r", [r"\n\d+ tasks"], [r"\n *{loop} +{sh} +fault "],
     "prompt"),
    ("pagers", "pagers\r",
     [r"\nanon +\d+ +\d+ +\d+ +- +\d+ +- +-\r?\n",
      r"\nfpager +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +\d+\r?\n"], [], "prompt"),
    ("devices", "devices\r",
     [r"\n00:00\.0  8086:1237 ", r"  1af4:10(01|42)  01\.00\.00 storage +\d+ +virtio-b +\d+ +1",
      r"\n\d+ PCI functions"], [], "prompt"),
    ("exit ends the shell's jobs; init starts the shell again", "fault loop & exit\r",
     [r"\[1\] fault \(task \d+\) was killed: killed by its parent",
      r"init: sh started again as task \d+", r"sh: the mkernel shell"], [], "prompt"),
    ("Ctrl-D at an empty line ends the shell", "\x04",
     [r"exit\r?\n", r"init: sh started again as task \d+"], [], "prompt"),
    ("sync", "sync\r", [r"sync\r?\n/ \$ $"], [], "prompt"),
    ("poweroff", "poweroff\r",
     [r"poweroff: unmounting", r"kernel: power off requested by task \d+"], [],
     r"kernel: power off requested by task \d+ \(\d+ tasks\)"),
]


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r\n", "\n")
    except OSError:
        return ""


def wait_for(path, mark, until, timeout):
    """The log after @mark once @until matches it (or the time is up)."""
    deadline = time.time() + timeout
    while True:
        new = read_log(path)[mark:]
        if until(new) or time.time() > deadline:
            return new
        time.sleep(0.1)


def fill(text, found):
    """@text with each {NAME} a pattern captured replaced by its match."""
    return re.sub(r"\{(\w+)\}", lambda m: found.get(m.group(1), m.group(0)), text)


def send(keys):
    sys.stdout.write(keys)
    sys.stdout.flush()


def run(log, results):
    out = open(results, "w")
    out.write("1..%d\n" % len(STEPS))
    out.flush()
    boot = wait_for(log, 0, lambda t: "kernel: up after" in t and "\n/ $ " in t, BOOT_TIMEOUT)
    if "\n/ $ " not in boot:
        out.write("# no prompt after %d s\n" % BOOT_TIMEOUT)
    time.sleep(0.3)
    found = {}
    for n, (what, keys, want, unwanted, until) in enumerate(STEPS, 1):
        keys = fill(keys, found)
        want = [fill(w, found) for w in want]
        unwanted = [fill(u, found) for u in unwanted]
        mark = len(read_log(log))
        send(keys)
        if until == "prompt":
            done = lambda t: PROMPT.search(t) is not None and all(
                re.search(w, t) for w in want)
        else:
            done = lambda t, u=until: re.search(u, t) is not None
        new = wait_for(log, mark, done, STEP_TIMEOUT)
        if until != "prompt" and n < len(STEPS):
            time.sleep(0.5)  # what follows has time to come out
            new = read_log(log)[mark:]
        ok = (all(re.search(w, new) for w in want) and
              not any(re.search(u, new) for u in unwanted))
        for w in want:
            m = re.search(w, new)
            if m:
                found.update(m.groupdict())
        out.write("%sok %d - shell: %s\n" % ("" if ok else "not ", n, what))
        if not ok:
            for line in new.splitlines()[-15:]:
                out.write("#   %r\n" % line)
        out.flush()
    out.write("# session over\n")
    out.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: shell-session.py LOG RESULTS")
    run(sys.argv[1], sys.argv[2])
