#!/usr/bin/env bash
# Run every test suite and print, as the last line, "N passed, N failed"
# summed over all suites.  Exits non-zero if anything failed or a suite did
# not run.  Installs missing Debian packages, configures and builds first.
#
#   tools/test.sh                  everything
#   KTEST=NAME[,NAME] tools/test.sh  only these kernel tests (plus the rest)
#   UTEST=NAME[,NAME] tools/test.sh  only these user tests (plus the rest)
#   SUITES=ext2,fs tools/test.sh     only these suites (a partial run; the
#                                    default, all of them, is the test)
#   tools/test.sh --help             print this and exit (nothing is run;
#                                    any other argument is refused at once,
#                                    exit status 2)
#
# Suites: tools (the scripts' --help and their refusal of an unknown
# option, before any build; the insncount plugin on a benchmark boot),
# format (clang-format of every C file), lockcheck (clang's lock
# analysis over the kernel), host (unit tests with
# ASan/UBSan through meson test), boot (the system boots to idle and powers
# off; the sampling profiler names samples), crash (an unexpected exception and a panic are reported and reach
# the host as the panic verdict; the kernel refuses a command line with an
# unknown word), kernel (in-kernel tests in QEMU, TAP on
# the serial port), user (the user-space test suite, uspace/app/tester),
# virtio, ext2, fs (the file API on the storage stack, two boots, the disk
# checked by e2fsck -fn after each), shell (a session typed into the shell
# through the serial line), gdb (tools/gdb.sh: GDB stops at a kernel and
# at a user breakpoint with symbolic backtraces).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
case "${1-}" in
-h | --help) sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -eq 0 ] || { echo "test.sh: unknown argument $1 (see --help)" >&2; exit 2; }
cd "$top"
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install || { echo "test.sh: could not install packages"; echo "0 passed, 1 failed"; exit 2; }
build_all || { echo "test.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }
logs=$BUILD_DIR/test-logs
mkdir -p "$logs"

total_pass=0 total_fail=0 broken=0
record() { # suite passed failed [note]
	printf '%-9s %4d passed, %d failed %s\n' "$1" "$2" "$3" "${4:-}" >> "$logs/summary"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}
: > "$logs/summary"

# Count TAP results in a log: prints "planned passed failed".
tap_count() {
	tr -d '\r' < "$1" | awk '
		/^1\.\.[0-9]+/ { split($0, a, "\\.\\."); plan += a[2] }
		/^ok [0-9]+/ { pass++ }
		/^not ok [0-9]+/ { fail++ }
		END { printf "%d %d %d\n", plan, pass, fail }'
}

# The entry scripts: --help prints the options and exits 0, an unknown
# option is refused with exit 2 (qemu.sh: 3, its 2 being the panic
# verdict), both before anything is built: a BUILD_DIR that does not
# exist stays so.
tools_check() { # description expected-status pattern command...
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(BUILD_DIR=$tools_dir/build "$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && grep -q -e "$pattern" <<< "$out" && [ ! -e "$tools_dir/build" ]; then
		tpass=$((tpass + 1))
	else
		echo "tools: $what: exit $rc (want $want), output:" >&2
		head -n 5 <<< "$out" >&2
		tfail=$((tfail + 1))
	fi
}
# The insncount plugin (tools/insncount/insncount.c, which the benchmarks
# load) built and run on a real boot: "bench=null_syscall" under -icount
# marks 101 windows of 200 system calls each; every window must be there
# with a count, and as -icount makes the TSC an instruction count, the
# median window over 200 must be the median the benchmark prints.  An
# argument other than out=FILE must keep QEMU from starting.
insncount_check() {
	local so=$logs/insncount.so out=$logs/insncount.txt log=$logs/insncount.log why=""
	rm -f "$out"
	if ! "$top/tools/insncount/build.sh" "$so" > "$log" 2>&1; then
		why="does not build"
	elif timeout 20 qemu-system-x86_64 -machine none -display none -plugin "$so,no=1" \
		>> "$log" 2>&1 || ! grep -q 'unknown argument "no=1"' "$log"; then
		why="took an unknown argument"
	elif ! "$top/tools/qemu.sh" --icount --cmdline "bench=null_syscall" --timeout 120 \
		--plugin "$so,out=$out" --log "$logs/insncount-boot.log" >> "$log" 2>&1; then
		why="the boot failed (see $logs/insncount-boot.log)"
	elif [ ! -s "$out" ]; then
		why="no window in $out"
	else
		why=$(tr -d '\r' < "$logs/insncount-boot.log" | awk -F'[: ]+' '
			FNR == NR && $1 == "window" { n++; if ($2 != n || $3 + 0 < 200) bad = $0; w[n] = $3 + 0; next }
			$1 == "bench" && $2 == "null_syscall" && $3 == "median" { printed = $4 }
			END {
				for (i = 2; i <= n; i++)
					for (j = i; j > 1 && w[j - 1] > w[j]; j--) { t = w[j]; w[j] = w[j - 1]; w[j - 1] = t }
				if (n != 101) print n " windows, not 101"
				else if (bad != "") print "a bad line: " bad
				else if (printed == "" || int(w[51] / 200) != printed + 0)
					print "median window " w[51] " / 200 is not the printed median " printed
			}' "$out" -)
	fi
	if [ -z "$why" ]; then
		tpass=$((tpass + 1))
	else
		echo "tools: insncount plugin: $why (log: $log)" >&2
		tfail=$((tfail + 1))
	fi
}
suite_tools() {
	local tpass=0 tfail=0 tools_dir
	tools_dir=$(mktemp -d "${TMPDIR:-/tmp}/test-tools.XXXXXX")
	tools_check "run.sh --help" 0 "--serial-in" "$top/tools/run.sh" --help
	tools_check "run.sh --help names its own options" 0 "--no-disk" "$top/tools/run.sh" --help
	tools_check "run.sh with an unknown option" 2 "unknown option --no-such-option" \
		"$top/tools/run.sh" --check --no-such-option
	tools_check "run.sh with a missing value" 2 "needs a value" "$top/tools/run.sh" --cmdline
	tools_check "test.sh --help" 0 "SUITES=" "$top/tools/test.sh" --help
	tools_check "test.sh with an argument" 2 "unknown argument --no-such-option" \
		"$top/tools/test.sh" --no-such-option
	tools_check "qemu.sh --help" 0 "--parse-only" "$top/tools/qemu.sh" --help
	tools_check "qemu.sh with an unknown option" 3 "unknown option --no-such-option" \
		"$top/tools/qemu.sh" --no-such-option
	tools_check "qemu.sh --parse-only with a disk's error rules" 0 "" \
		"$top/tools/qemu.sh" --parse-only --disk "d.img,modern,ioerr=8,wrerr=16,wrerr=24"
	tools_check "qemu.sh --parse-only with a bad wrerr=" 3 "wrerr=1x: a sector number" \
		"$top/tools/qemu.sh" --parse-only --disk "d.img,wrerr=1x"
	tools_check "qemu.sh --parse-only with an unknown disk option" 3 "unknown disk option wrerror=8" \
		"$top/tools/qemu.sh" --parse-only --disk "d.img,wrerror=8"
	tools_check "gdb.sh --help" 0 "--program" "$top/tools/gdb.sh" --help
	tools_check "gdb.sh with an unknown option" 2 "unknown option --no-such-option" \
		"$top/tools/gdb.sh" --no-such-option
	tools_check "gdb.sh with a missing value" 2 "needs a value" "$top/tools/gdb.sh" --program
	rm -rf "$tools_dir"
	insncount_check
	record tools "$tpass" "$tfail" "(--help, unknown options, before any build; the insncount plugin)"
}

suite_format() {
	local files bad=0 n=0
	: > "$logs/format.log"
	files=$(git ls-files '*.c' '*.h' 2>/dev/null || find kernel abi tests uspace -name '*.[ch]')
	for f in $files; do
		n=$((n + 1))
		clang-format --dry-run --Werror "$f" > /dev/null 2>> "$logs/format.log" || {
			echo "format: $f is not clang-formatted" >&2
			bad=$((bad + 1))
		}
	done
	if [ $n -eq 0 ]; then
		echo "format: no C files found to check" >&2
		broken=1
		bad=1
	fi
	record format $((n - bad)) $bad "(files)"
}

# The lock rules (kernel/generic/include/synch/lockcheck.h): every kernel C
# file is compiled by clang with -Wthread-safety -Werror, syntax and
# analysis only (GCC builds the kernel), with the flags meson gives it in
# compile_commands.json.  One count per file, plus one for a known
# violation that must be caught (the analysis is really on).  Files being
# rewritten on other branches whose lock hand-overs are not annotated yet
# are skipped and named in the summary (ipc.c needs RELEASE(box->lock) on
# ipc_box_wait_any and REQUIRES(box->lock) on ipc_box_wait_cookie).
LOCKCHECK_SKIP=()
suite_lockcheck() {
	local out pass=0 fail=0
	: > "$logs/lockcheck.log"
	if ! command -v clang > /dev/null; then
		echo "lockcheck: clang is not installed" >&2
		broken=1
		record lockcheck 0 1
		return
	fi
	out=$(python3 - "$BUILD_DIR" "$top" "${LOCKCHECK_SKIP[@]}" 2>> "$logs/lockcheck.log" <<'PY'
import json, os, shlex, subprocess, sys
build, top, skip = sys.argv[1], sys.argv[2], set(sys.argv[3:])

def clang_args(entry):
    """The GCC command of one kernel object as a clang syntax-only check."""
    args, out, drop = shlex.split(entry['command']), ['clang'], 0
    for a in args[1:]:
        if drop:
            drop -= 1
        elif a in ('-MQ', '-MF', '-o'):
            drop = 1
        elif a not in ('-MD', '-c', entry['file']) and not a.startswith('-fdiagnostics-color'):
            out.append(a)
    return out + ['-fsyntax-only', '-Wthread-safety', '-Werror']

def check(args, cwd, src=None, stdin=None):
    r = subprocess.run(args + [src or '-'], cwd=cwd, input=stdin, capture_output=True, text=True)
    return r.returncode, r.stderr

entries = [e for e in json.load(open(os.path.join(build, 'compile_commands.json')))
           if '/kernel.elf.p/' in e['command'] and e['file'].endswith('.c')]
passed = failed = 0
for e in entries:
    rel = os.path.relpath(os.path.join(e['directory'], e['file']), top)
    if rel in skip:
        continue
    rc, err = check(clang_args(e), e['directory'], e['file'])
    if rc == 0:
        passed += 1
    else:
        failed += 1
        sys.stderr.write(f"lockcheck: {rel}\n{err}")
# A violation the analysis must report: a guarded write without the lock.
probe = ('#include <synch/mutex.h>\nstatic mutex_t m;\nstatic int x GUARDED_BY(m);\n'
         'void probe(void);\nvoid probe(void) { mutex_lock(&m); mutex_unlock(&m); x = 1; }\n')
if entries:
    rc, err = check(clang_args(entries[0]) + ['-x', 'c'], entries[0]['directory'], stdin=probe)
    if rc != 0 and 'requires holding mutex' in err:
        passed += 1
    else:
        failed += 1
        sys.stderr.write("lockcheck: a write without its lock was not reported\n" + err)
print(passed, failed, len(entries))
PY
	)
	local files=0
	read -r pass fail files <<< "$out"
	if [ "${files:-0}" -eq 0 ]; then
		echo "lockcheck: no kernel C files in $BUILD_DIR/compile_commands.json" >&2
		broken=1
		fail=$((${fail:-0} + 1))
	fi
	[ "${fail:-0}" -gt 0 ] && echo "lockcheck: lock rule violations (see $logs/lockcheck.log)" >&2
	local skipped=""
	[ ${#LOCKCHECK_SKIP[@]} -gt 0 ] && skipped="; skipped: ${LOCKCHECK_SKIP[*]##*/generic/}"
	record lockcheck "${pass:-0}" "${fail:-0}" "(kernel C files + 1 probe$skipped)"
}

suite_host() {
	meson test -C "$BUILD_DIR" --suite host --print-errorlogs > "$logs/host.log" 2>&1
	local rc=$?
	python3 - "$BUILD_DIR/meson-logs/testlog.json" > "$logs/host.tap" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(f"# {t['name']}: {t['result']}")
    print(t.get('stdout', ''))
PY
	read -r plan pass fail < <(tap_count "$logs/host.tap")
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "host: suite broken (meson test exit $rc, plan $plan, ran $((pass + fail)))" >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record host "$pass" "$fail"
}

# A fresh copy of the root image (tools/mkrootfs.sh) in FILE: from a
# pristine one of the tests' own, made when it is missing or older than
# rootfs/ (tools/run.sh's build/root.img is written by the guest).
root_image() {
	local pristine=$BUILD_DIR/root-pristine.img
	"$top/tools/mkrootfs.sh" --check "$pristine" || "$top/tools/mkrootfs.sh" "$pristine" ||
		return
	cp "$pristine" "$1"
}

suite_boot() {
	local pass=0 fail=0 root=$BUILD_DIR/boot-root.img
	# The image boots as tools/run.sh boots it: with the root image (a
	# copy) as its virtio disk, which the ext2 server mounts.
	root_image "$root"
	if "$top/tools/qemu.sh" --cmdline "poweroff" --timeout 60 --log "$logs/boot.log" \
		--disk "$root" > /dev/null 2>&1 &&
		grep -q "kernel: up after" "$logs/boot.log" && grep -q "^init: started" "$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: the system did not come up (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	if grep -q "^ext2: disk0: mounted, 64 MiB, 4096-byte blocks, [0-9]* free blocks, [0-9]* free inodes" \
		"$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: the ext2 server did not mount disk0 (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	# devman lists the PCI functions at boot, the disk among them with the
	# size of its 64-bit BAR, and matches its driver.
	if grep -q "^devman: 00:0[0-9a-f].0 1af4:1001 .* mem64 0x[0-9a-f]*+0x4000" "$logs/boot.log" &&
		grep -Eq "^devman: 00:0[0-9a-f].0: (started|cannot start) virtio-blk" "$logs/boot.log"; then
		pass=$((pass + 1))
	else
		echo "boot: devman did not list the disk (see $logs/boot.log)" >&2
		fail=$((fail + 1))
	fi
	# The sampling profiler (prof=N, tools/prof.sh): samples are taken,
	# dumped at the end of the run and named by tools/prof.py.
	local prof=$logs/boot-prof.log
	if "$top/tools/qemu.sh" --cmdline "bench=null_syscall prof=20" --timeout 120 --log "$prof" \
		> /dev/null 2>&1 && "$top/tools/prof.py" "$prof" --top 100000 > "$prof.txt" &&
		awk '$2 == "samples" && $1 >= 20 { ok = 1 } END { exit !ok }' "$prof.txt" &&
		grep -q " bench *user:" "$prof.txt" && grep -q " kernel:" "$prof.txt"; then
		pass=$((pass + 1))
	else
		echo "boot: the profiler gave no named samples (see $prof, $prof.txt)" >&2
		fail=$((fail + 1))
	fi
	# A word the kernel does not know (a typo of utest=) is named at once
	# and the kernel powers off with failure instead of booting normally
	# and idling until the timeout; so is a key without its value.
	local bad=$logs/boot-cmdline.log rc
	"$top/tools/qemu.sh" --cmdline "utset=all utest" --timeout 60 --log "$bad" > /dev/null 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -aq "^kernel: unknown command-line word 'utset=all'" "$bad" &&
		grep -aq "^kernel: command-line word 'utest' needs a value" "$bad" &&
		! grep -aq "kernel: up after\|^kernel: started" "$bad"; then
		pass=$((pass + 1))
	else
		echo "boot: an unknown command-line word was not refused at once (exit $rc, see $bad)" >&2
		fail=$((fail + 1))
	fi
	record boot "$pass" "$fail"
}

# The fatal paths: an unexpected exception and a panic must each print
# their report and hand the panic verdict (qemu.sh status 2) to the host.
suite_crash() {
	local how pass=0 fail=0 rc
	for how in pf ud stack panic; do
		"$top/tools/qemu.sh" --cmdline "crash=$how" --timeout 60 --log "$logs/crash-$how.log" \
			> /dev/null 2>&1
		rc=$?
		if [ $rc -eq 2 ] && grep -aq -e "unexpected exception" -e "kernel panic at" \
			"$logs/crash-$how.log" && grep -aq "^    0xffffffff8" "$logs/crash-$how.log"; then
			pass=$((pass + 1))
		else
			echo "crash=$how: expected a report and the panic verdict, got status $rc" >&2
			fail=$((fail + 1))
		fi
	done
	record crash $pass $fail
}

# A suite that runs in QEMU and prints TAP on the serial port:
#   qemu_tap_suite NAME CMDLINE TIMEOUT [qemu.sh options...]
# A crash, a timeout or a missing result counts the missing tests as failed.
qemu_tap_suite() {
	local name=$1 cmdline=$2 timeout=$3 log=$logs/$1.log rc
	shift 3
	if [ ${#cmdline} -gt 255 ]; then # the kernel keeps 255 bytes (BOOT_CMDLINE_MAX)
		echo "$name: the kernel command line is ${#cmdline} bytes, more than 255" >&2
		broken=1
		record "$name" 0 1
		return
	fi
	"$top/tools/qemu.sh" --cmdline "$cmdline" --timeout "$timeout" --log "$log" "$@" \
		> /dev/null 2>&1
	rc=$?
	read -r plan pass fail < <(tap_count "$log")
	grep -a "^not ok\|FAIL" "$log" | tr -d '\r' >&2
	if grep -aq "^kernel: refusing the command line" "$log"; then
		grep -a "^kernel: .*command-line word" "$log" | tr -d '\r' >&2
		echo "$name: the kernel refused the command line \"$cmdline\"" >&2
		fail=$((fail + 1))
	fi
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "$name: suite broken (qemu.sh exit $rc, plan $plan, ran $((pass + fail)))" >&2
		tail -n 30 "$log" | tr -d '\r' >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record "$name" "$pass" "$fail"
}

# The kernel tests; the fixture module lets the boot-information tests
# check module parsing and that module memory is never handed out.
suite_kernel() {
	qemu_tap_suite kernel "test=${KTEST:-all}" 300 \
		--module "$top/tests/fixtures/bootmod.txt fixture-arg"
}

# The README's example program printed what the README says it prints
# (the user test readme_hello runs it with "world 42").
readme_check() { # log
	grep -aq "^ok [0-9]* - readme_hello" "$1" || return 0
	if grep -aq "^hello from task [0-9]*: world 42 (2 argument(s))" "$1"; then
		record readme 1 0 "(the README's hello printed its line)"
	else
		echo "readme: the README's hello did not print its line (see $1)" >&2
		record readme 0 1
	fi
}

# The user test suite: the kernel starts the module "tester" with the
# selection (utest=...), which prints TAP and ends; the kernel powers off
# with its verdict.  The serial line carries the console fixture, which
# the test console_serial reads back (docs/drivers.md "Console input");
# when that test ran, the host also checks that the input arrived and
# that the console server echoed the edited line.
suite_user() {
	qemu_tap_suite user "utest=${UTEST:-all}" 600 \
		--serial-in "$top/tests/fixtures/console-input.txt"
	local log=$logs/user.log pass=0 fail=0
	readme_check "$log"
	grep -aq "^ok [0-9]* - console_serial" "$log" || return 0
	if grep -aq "console_serial: no serial input" "$log"; then
		echo "console: the serial input did not reach the guest" >&2
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
	if grep -aqF "$(printf 'abc\b \bd\b \be')" "$log"; then
		pass=$((pass + 1))
	else
		echo "console: the echo of the edited line is not in $log" >&2
		fail=$((fail + 1))
	fi
	record console $pass $fail "(host checks of console_serial)"
}


# The virtio-blk driver on QEMU's disks (docs/drivers.md, "virtio-blk"):
# the guest tests hw_virtio_* (uspace/app/tester/test_block.c) read every
# block, write, misuse the protocol and run four clients at once, on a
# transitional disk0 beside a modern disk1, on a modern disk0 alone and on
# a read-only disk0.  After each run QEMU powers off and the host checks
# every byte of each image (tools/mkdisk.sh --check): the tests' writes
# exactly where they put them, the pattern everywhere else.  Fresh 4 MiB
# images each time.  The kernel word "devman" starts the device manager
# (which starts the drivers) in a test run.  Skipped, and said so, while
# the image has no driver.
virtio_check() { # image seed from to
	if "$top/tools/mkdisk.sh" --check --seed "$2" "$1" "$3" "$4" >> "$logs/virtio-host.log" 2>&1; then
		vpass=$((vpass + 1))
	else
		echo "virtio: $1 [$3, $4) does not hold seed $2's pattern (see $logs/virtio-host.log)" >&2
		vfail=$((vfail + 1))
	fi
}
suite_virtio() {
	local d=$BUILD_DIR/virtio-test vpass=0 vfail=0 i q=524288
	if ! grep -q "/virtio-blk " "$BUILD_DIR/boot/recipe.txt"; then
		echo "virtio: skipped: the image has no virtio-blk driver yet" >&2
		record virtio 0 0 "(skipped: no virtio-blk driver in the image)"
		return
	fi
	: > "$logs/virtio-host.log"
	mkdir -p "$d"
	# Transitional disk0 (seed 0) and modern disk1 (seed 3).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img" && "$top/tools/mkdisk.sh" --size 4 --seed 3 "$d/disk1.img"
	qemu_tap_suite virtio "devman utest=hw_virtio_rw,hw_virtio_clients4,hw_virtio_second" 300 \
		--disk "$d/disk0.img" --disk "$d/disk1.img,modern"
	virtio_check "$d/disk0.img" 0 0 1048576
	virtio_check "$d/disk0.img" 2 1048576 1179648 # hw_virtio_rw: blocks 2048..2303
	virtio_check "$d/disk0.img" 0 1179648 2097152
	for i in 0 1 2 3; do # hw_virtio_clients4: quarter i of blocks 4096..8191
		virtio_check "$d/disk0.img" $((16 + i * 6 + 5)) $((2097152 + i * q)) $((2097152 + (i + 1) * q))
	done
	virtio_check "$d/disk1.img" 3 0 65536
	virtio_check "$d/disk1.img" 4 65536 131072 # hw_virtio_second: blocks 128..255
	virtio_check "$d/disk1.img" 3 131072 4194304
	# A modern disk0 alone; its driver is killed in the middle of I/O and
	# started again, and made to fault until devman gives up restarting it
	# (hw_virtio_driver_killed and hw_virtio_driver_faults only read).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-modern "devman utest=hw_virtio_rw,hw_virtio_driver_killed,hw_virtio_driver_faults" 300 \
		--disk "$d/disk0.img,modern"
	virtio_check "$d/disk0.img" 0 0 1048576
	virtio_check "$d/disk0.img" 2 1048576 1179648
	virtio_check "$d/disk0.img" 0 1179648 4194304
	# Three disks: the second and third share an IRQ line (QEMU's routing).
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	"$top/tools/mkdisk.sh" --size 4 --seed 5 "$d/disk1.img"
	"$top/tools/mkdisk.sh" --size 4 --seed 6 "$d/disk2.img"
	qemu_tap_suite virtio-shared "devman utest=hw_virtio_shared_irq" 300 \
		--disk "$d/disk0.img" --disk "$d/disk1.img,modern" --disk "$d/disk2.img"
	for i in 0 1 2 3; do # quarter i of blocks 0..4095 on both: BLK_SEED_LAST(i)
		virtio_check "$d/disk1.img" $((16 + i * 6 + 5)) $((i * q)) $(((i + 1) * q))
		virtio_check "$d/disk2.img" $((16 + i * 6 + 5)) $((i * q)) $(((i + 1) * q))
	done
	virtio_check "$d/disk1.img" 5 2097152 4194304
	virtio_check "$d/disk2.img" 6 2097152 4194304
	virtio_check "$d/disk0.img" 0 0 4194304
	# A read-only disk0: not one byte changes.
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-ro "devman utest=hw_virtio_readonly" 300 --disk "$d/disk0.img,readonly"
	virtio_check "$d/disk0.img" 0 0 4194304
	# A modern disk0 whose reads of block 1000 fail in the device
	# (ioerr=, QEMU's blkdebug): hw_virtio_ioerr only reads.
	"$top/tools/mkdisk.sh" --size 4 "$d/disk0.img"
	qemu_tap_suite virtio-err "devman utest=hw_virtio_ioerr" 300 --disk "$d/disk0.img,modern,ioerr=1000"
	virtio_check "$d/disk0.img" 0 0 4194304
	record virtio-host "$vpass" "$vfail" "(image bytes checked on the host)"
}

# The ext2 server (docs/ext2.md, "The ext2 server") alone, with the tester
# as its VFS (uspace/app/tester/test_ext2srv.c), on three disks: disk0 a
# fresh copy of the root image, disk1 the same tree made as ext4 (the
# server must refuse it naming the features, and write nothing), disk2 as
# ext2 with huge_file (served read-only, nothing written).  Afterwards the
# host checks disk0 with its own tools: e2fsck -fn finds nothing, the
# volume was unmounted clean, and debugfs shows what the guest wrote, byte
# for byte; disk1 and disk2 are byte for byte what mkrootfs.sh made.
ext2_host_check() { # description command...
	host_check ext2-host "$@"
}
# debugfs -R "cat PATH" of IMAGE is exactly the bytes python3 EXPR makes
ext2_cat_is() { # image path python-expression
	debugfs -R "cat $2" "$1" 2> /dev/null | python3 -c '
import sys
got, want = sys.stdin.buffer.read(), eval(sys.argv[1])
print("%s: %d bytes, want %d, %s" % (sys.argv[2], len(got), len(want), "same" if got == want else "DIFFERENT"))
sys.exit(got != want)' "$3" "$2"
}
ext2_ls_is() { # image dir names...: the directory holds exactly these
	local img=$1 dir=$2
	shift 2
	[ "$(debugfs -R "ls -p $dir" "$img" 2> /dev/null | awk -F/ 'NF > 6 { print $6 }' |
		LC_ALL=C sort | tr '\n' ' ')" = "$(printf '%s\n' . .. "$@" | LC_ALL=C sort | tr '\n' ' ')" ]
}
suite_ext2() {
	local d=$BUILD_DIR/ext2-test log=$logs/ext2.log
	if ! grep -q "/ext2 " "$BUILD_DIR/boot/recipe.txt"; then
		echo "ext2: the image has no ext2 server" >&2
		broken=1
		record ext2 0 1
		return
	fi
	: > "$logs/ext2-host.log"
	mkdir -p "$d"
	root_image "$d/root.img" && "$top/tools/mkrootfs.sh" --type ext4 "$d/ext4.img" &&
		"$top/tools/mkrootfs.sh" --features huge_file "$d/ro.img" &&
		cp "$d/ext4.img" "$d/ext4.orig" && cp "$d/ro.img" "$d/ro.orig" ||
		{ echo "ext2: could not make the images" >&2; broken=1; record ext2 0 1; return; }
	qemu_tap_suite ext2 "devman utest=hw_ext2_server,hw_ext2_refused,hw_ext2_readonly" 300 \
		--disk "$d/root.img" --disk "$d/ext4.img" --disk "$d/ro.img"
	local r=$d/root.img
	ext2_host_check "e2fsck -fn found errors on disk0" e2fsck -fn "$r"
	ext2_host_check "disk0 was not unmounted clean, once" sh -c \
		"dumpe2fs -h '$r' 2> /dev/null | grep -q '^Filesystem state: *clean\$' &&
		 dumpe2fs -h '$r' 2> /dev/null | grep -q '^Mount count: *1\$'"
	ext2_host_check "/tmp/guest.bin differs" ext2_cat_is "$r" /tmp/guest.bin \
		'bytes((i * 131 + (i >> 11)) & 0xff for i in range(150001))'
	ext2_host_check "/tmp/holes.bin differs" ext2_cat_is "$r" /tmp/holes.bin \
		'bytes(5 * 1024 * 1024) + b"hole-end\n"'
	ext2_host_check "/tmp/kept/inner.txt differs" ext2_cat_is "$r" /tmp/kept/inner.txt 'b"kept\n"'
	ext2_host_check "/tmp/kept/b.txt differs" ext2_cat_is "$r" /tmp/kept/b.txt 'b"renamed\n"'
	ext2_host_check "/tmp/hard differs" ext2_cat_is "$r" /tmp/hard \
		'b"Hello from the root file system.\n"'
	ext2_host_check "/tmp/sym is not the symlink written" sh -c \
		"debugfs -R 'stat /tmp/sym' '$r' 2> /dev/null | grep -q 'Fast link dest: \"../fixtures/hello.txt\"'"
	ext2_host_check "/tmp holds other names" ext2_ls_is "$r" /tmp kept hard sym guest.bin holes.bin
	ext2_host_check "the ext4 volume was not refused by name" \
		grep -aq "^ext2: disk1: cannot mount: unsupported incompatible features: extent, " "$log"
	ext2_host_check "the ext4 volume changed" cmp "$d/ext4.img" "$d/ext4.orig"
	ext2_host_check "the huge_file volume was not mounted read-only" \
		grep -aq "^ext2: disk2: read-only: unsupported read-only features: huge_file" "$log"
	ext2_host_check "the read-only volume changed" cmp "$d/ro.img" "$d/ro.orig"
	host_record ext2-host "(the images checked on the host)"
}

# The file API (docs/vfs.md "libc") on the whole storage stack: the
# kernel word fs starts devman, the ext2 server of disk0 and the VFS;
# disk0 is a fresh copy of the root image.  The first boot runs the
# hw_fs_* tests (uspace/app/tester/test_fs*.c), the torture test last,
# then hw_fs_shutdown (sync, VFS_SHUTDOWN); the host checks the image
# (e2fsck -fn, unmounted clean, a file the guest wrote read back with
# debugfs).  The second boot (hw_fs_torture_check) rebuilds the torture
# test's model from the seed it left on the disk and compares the whole
# tree again; then the host checks the image once more.
FS_TESTS=hw_fs_basic,hw_fs_links_dirs,hw_fs_stdio,hw_fs_two_writers,hw_fs_append_tasks
FS_TESTS=$FS_TESTS,hw_fs_handoff,hw_fs_long_names,hw_fs_deep,hw_fs_big_file,hw_fs_sparse
FS_TESTS=$FS_TESTS,hw_fs_fill,hw_fs_hostile,hw_fs_races,hw_fs_torture,hw_fs_shutdown
# Mapped files (the file pager), on a volume of their own; the host checks
# what they wrote only through mappings (fmap_host_checks).
# Every hw_fmap_* test but the one that needs a failing disk (fmap-ioerr).
FMAP_TESTS="hw_fmap_*,-hw_fmap_wb_ioerr,hw_fs_shutdown"
# host_check SUITE DESCRIPTION COMMAND...: one check on the host of what
# a boot left on its image, logged to $logs/SUITE.log; DESCRIPTION is
# printed when it fails.  host_record SUITE NOTE records SUITE's checks.
declare -A host_pass host_fail
host_check() {
	local suite=$1 what=$2
	shift 2
	if "$@" >> "$logs/$suite.log" 2>&1; then
		host_pass[$suite]=$((${host_pass[$suite]:-0} + 1))
	else
		echo "$suite: $what (see $logs/$suite.log)" >&2
		host_fail[$suite]=$((${host_fail[$suite]:-0} + 1))
	fi
}
host_record() { # suite note
	record "$1" "${host_pass[$1]:-0}" "${host_fail[$1]:-0}" "$2"
}
fs_host_check() { # description command...
	host_check fs-host "$@"
}
fs_image_clean() { # image: e2fsck -fn finds nothing, and the volume was unmounted clean
	e2fsck -fn "$1" && dumpe2fs -h "$1" 2> /dev/null | grep -q '^Filesystem state: *clean$'
}
fs_image_repairs() { # image: e2fsck -fy corrects (exit 0 or 1), then e2fsck -fn finds nothing
	e2fsck -fy "$1"
	[ $? -le 1 ] && e2fsck -fn "$1"
}
# What hw_fmap_durable and hw_fmap_msync_race left: files written only
# through mappings (test_fmap.c fmap_byte has the same bytes).
fmap_pattern() { # seed length
	echo "bytes((((o >> 3) * 131 + $1 * 17 + (o & 7)) & 255) for o in range($2))"
}
fmap_host_checks() { # image
	local img=$1 dir=/fsapi/fmap/dur
	fs_host_check "$dir/msync (stores + msync) differs" ext2_cat_is "$img" $dir/msync \
		"$(fmap_pattern 11 16384)"
	fs_host_check "$dir/munmap (stores + munmap) differs" ext2_cat_is "$img" $dir/munmap \
		"$(fmap_pattern 12 16384)"
	fs_host_check "$dir/open (stores, mapped at the shutdown) differs" ext2_cat_is "$img" \
		$dir/open "$(fmap_pattern 13 12288)"
	fs_host_check "$dir/grown (ftruncate up, then stores) differs" ext2_cat_is "$img" \
		$dir/grown "$(fmap_pattern 14 12388)"
	fs_host_check "$dir/two (two tasks stored into one page) differs" ext2_cat_is "$img" \
		$dir/two '(0x1111).to_bytes(8, "little") + (0x2222).to_bytes(8, "little") + bytes(8176)'
	fs_host_check "/fsapi/fmap/race: the page on the disk is not the page in memory" \
		ext2_same "$img" /fsapi/fmap/race/race.bin /fsapi/fmap/race/race.expect
	fs_host_check "/fsapi/fmap/wberr/f: the stores after a failed write-back did not reach the disk" \
		ext2_cat_is "$img" /fsapi/fmap/wberr/f \
		"($(fmap_pattern 21 8192))[:4096] + ($(fmap_pattern 22 8192))[4096:]"
	fs_host_check "/fsapi/fmap/pin/f: the stores of a mapping unmapped without msync did not reach the disk" \
		ext2_cat_is "$img" /fsapi/fmap/pin/f "$(fmap_pattern 42 131072)"
	fs_host_check "/fsapi/fmap/keep/f: the stores before msync did not reach the disk" \
		ext2_cat_is "$img" /fsapi/fmap/keep/f "$(fmap_pattern 41 262144)"
	fs_host_check "/fsapi/fmap/async/f: what msync(MS_ASYNC) started did not reach the disk" \
		ext2_cat_is "$img" /fsapi/fmap/async/f "$(fmap_pattern 24 16384)"
	# hw_fmap_reuse: the file that took the number of one written through a
	# mapping and unlinked holds its own bytes only
	fs_host_check "/fsapi/fmap/reuse/b (a reused inode number) holds other bytes than its own" \
		ext2_cat_is "$img" /fsapi/fmap/reuse/b \
		"($(fmap_pattern 31 4096)) + ($(fmap_pattern 32 8192))[4096:] + bytes(4096)"
	local pages
	pages=$(debugfs -R "cat /fsapi/fmap/bound/pages" "$img" 2> /dev/null)
	fs_host_check "/fsapi/fmap/bound/dirty.bin: more dirty pages than the bound did not all reach the disk" \
		ext2_cat_is "$img" /fsapi/fmap/bound/dirty.bin \
		"b''.join(i.to_bytes(8, 'little') + bytes(4088) for i in range(${pages:-0}))"
}
# hw_fmap_wb_ioerr's image: the root image with /wberr.bin, 3 blocks less
# 100 bytes of fmap_pattern 30 written by the host (test_fmap.c
# FMAP_IOERR_SIZE); prints the block size and the file's three blocks.
WBIO_SIZE=12188
wbio_image() { # image
	local img=$1 src bs
	root_image "$img" || return
	src=$(mktemp) || return
	python3 -c "import sys; sys.stdout.buffer.write($(fmap_pattern 30 $WBIO_SIZE))" > "$src" &&
		debugfs -w -R "write $src /wberr.bin" "$img" > /dev/null 2>&1
	local rc=$?
	rm -f "$src"
	[ $rc -eq 0 ] || return
	bs=$(dumpe2fs -h "$img" 2> /dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
	echo "$bs" $(for i in 0 1 2; do debugfs -R "bmap /wberr.bin $i" "$img" 2> /dev/null; done)
}
raw_block_is() { # image block-size block length python-bytes: the device block's first bytes
	python3 -c 'import sys
with open(sys.argv[1], "rb") as f:
    f.seek(int(sys.argv[2]) * int(sys.argv[3]))
    got = f.read(int(sys.argv[4]))
want = eval(sys.argv[5])
print("block %s: %s" % (sys.argv[3], "same" if got == want else "DIFFERENT"))
sys.exit(got != want)' "$@"
}
# A write-back failing at the disk: QEMU fails the writes of /wberr.bin's
# first and last blocks (wrerr=); the guest's stores there stay dirty and
# msync says EIO, the middle block is written, other files are written;
# the guest then unlinks the file.  The host checks the blocks themselves.
suite_fmap_ioerr() { # dir
	local d=$1 img=$1/wbio.img geo bs b0 b1 b2 spb want
	if ! geo=$(wbio_image "$img") || ! read -r bs b0 b1 b2 <<< "$geo" || [ -z "$b2" ] ||
		[ "$b2" -eq 0 ]; then
		echo "fmap-ioerr: could not make the image ($geo)" >&2
		broken=1
		record fmap-ioerr 0 1
		return
	fi
	spb=$((bs / 512))
	qemu_tap_suite fmap-ioerr "fs utest=hw_fmap_wb_ioerr,hw_fs_shutdown" 300 \
		--disk "$img,wrerr=$((b0 * spb)),wrerr=$((b2 * spb))"
	fs_host_check "e2fsck -fn found errors, or not clean, after the fmap-ioerr boot" \
		fs_image_clean "$img"
	want=$(fmap_pattern 30 $WBIO_SIZE)
	fs_host_check "/wberr.bin's first block (its writes failing) changed" \
		raw_block_is "$img" "$bs" "$b0" "$bs" "($want)[:$bs]"
	fs_host_check "/wberr.bin's last block (its writes failing) changed" \
		raw_block_is "$img" "$bs" "$b2" $((WBIO_SIZE - 2 * bs)) "($want)[$((2 * bs)):]"
	fs_host_check "/wberr.bin's middle block does not hold the stores synced" \
		raw_block_is "$img" "$bs" "$b1" "$bs" "($(fmap_pattern 33 $((2 * bs))))[$bs:]"
	fs_host_check "/fsapi/fmap/wbio/ok.bin (written beside the failing file) differs" \
		ext2_cat_is "$img" /fsapi/fmap/wbio/ok.bin "$(fmap_pattern 34 $((3 * 4096 + 17)))"
	fs_host_check "/fsapi/fmap/wbio/map.bin (mapped beside the failing file) differs" \
		ext2_cat_is "$img" /fsapi/fmap/wbio/map.bin "$(fmap_pattern 35 8192)"
}
ext2_same() { # image path-a path-b: the same bytes, and not empty
	local a b
	a=$(debugfs -R "cat $2" "$1" 2> /dev/null | sha256sum)
	b=$(debugfs -R "cat $3" "$1" 2> /dev/null | sha256sum)
	echo "$2: $a; $3: $b"
	[ "$a" = "$b" ] && [ "$(debugfs -R "cat $2" "$1" 2> /dev/null | wc -c)" -gt 0 ]
}
# An ext2 image holding /big: @a mib MiB whose every 8-byte word is its
# own offset (little-endian), for hw_fpager_big_file.
big_image() { # image mib
	local dir
	dir=$(mktemp -d) || return
	python3 - "$dir/big" "$2" <<'PY' || { rm -rf "$dir"; return 1; }
import struct, sys
n = int(sys.argv[2]) << 20
with open(sys.argv[1], "wb") as f:
    chunk = 1 << 20
    for base in range(0, n, chunk):
        f.write(struct.pack("<%dQ" % (chunk // 8), *range(base, base + chunk, 8)))
PY
	rm -f "$1"
	mke2fs -q -F -t ext2 -b 4096 -d "$dir" "$1" $(($2 + 32))M
	local rc=$?
	rm -rf "$dir"
	return $rc
}
suite_fs() {
	local d=$BUILD_DIR/fs-test
	if ! grep -q "/vfs " "$BUILD_DIR/boot/recipe.txt" || ! grep -q "/ext2 " "$BUILD_DIR/boot/recipe.txt"; then
		echo "fs: the image has no VFS or no ext2 server" >&2
		broken=1
		record fs 0 1
		return
	fi
	: > "$logs/fs-host.log"
	mkdir -p "$d"
	root_image "$d/root.img" ||
		{ echo "fs: could not make the image" >&2; broken=1; record fs 0 1; return; }
	qemu_tap_suite fs "fs utest=$FS_TESTS" 900 --disk "$d/root.img"
	# the brokering of file system connections, with the test as the file
	# pager (the system's own is not started: "nofpager")
	if root_image "$d/fmap.img"; then
		qemu_tap_suite fmap "fs utest=$FMAP_TESTS" 600 --disk "$d/fmap.img"
		fs_host_check "e2fsck -fn found errors, or not clean, after the fmap boot" \
			fs_image_clean "$d/fmap.img"
		fmap_host_checks "$d/fmap.img"
	else
		echo "fmap: could not make the image" >&2
		record fmap 0 1
	fi
	suite_fmap_ioerr "$d"
	# without the system's file pager ("nofpager"): the brokering of file
	# system connections with the test as the file pager (and a child as
	# one holding the VFS's word of a removed file while its number is
	# given out again), then the test's own file pagers killed under
	# mappings and their successors taking over
	if root_image "$d/nofpager.img"; then
		qemu_tap_suite fs-nofpager "fs nofpager utest=hw_fs_pager_broker,hw_fs_reuse_window,hw_fpager_first_use,hw_fpager_binds_busy_volume,hw_fpager_restart,hw_fpager_dead_opens,hw_fs_shutdown" \
			300 --disk "$d/nofpager.img"
		fs_host_check "e2fsck -fn found errors, or not clean, after the nofpager boot" \
			fs_image_clean "$d/nofpager.img"
		# hw_fpager_restart's unsynced store (one page mapped writable when
		# the pager died), counted by the kernel and logged by the successor
		fs_host_check "the successor file pager did not log the unsynced page lost" \
			grep -aq "fpager: node [0-9]* on volume [0-9]*: 1 pages stored through mappings were lost with the previous file pager" "$logs/fs-nofpager.log"
		# hw_fpager_dead_opens: the server closed what the killed pager held
		# open, and the successor found the unlinked file gone
		fs_host_check "ext2 did not close the killed file pager's opens" \
			grep -aq "^ext2: disk0: task [0-9]* went: 1 nodes it held open closed" "$logs/fs-nofpager.log"
		fs_host_check "the successor file pager took over a mapping of a file that is gone" \
			grep -aq "fpager: cannot take over the mapping of node [0-9]* on volume [0-9]*: ENOENT (the file is gone)" "$logs/fs-nofpager.log"
	else
		echo "fs-nofpager: could not make the image" >&2
		record fs-nofpager 0 1
	fi
	# a file twice the machine's memory (64 MiB), mapped and read through
	if big_image "$d/big.img" 128; then
		qemu_tap_suite fpager-big "fs utest=hw_fpager_big_file,hw_fs_shutdown" 600 \
			--memory 64 --disk "$d/big.img"
		fs_host_check "e2fsck -fn found errors, or not clean, after the big-file boot" \
			fs_image_clean "$d/big.img"
	else
		echo "fpager-big: could not make the image" >&2
		record fpager-big 0 1
	fi
	fs_host_check "e2fsck -fn found errors, or not clean, after the first boot" \
		fs_image_clean "$d/root.img"
	fs_host_check "/fsapi/basic/hello.txt differs" ext2_cat_is "$d/root.img" \
		/fsapi/basic/hello.txt 'b"hello from the guest: mkernel wrote this file\n"'
	qemu_tap_suite fs-reboot "fs utest=hw_fs_torture_check,hw_fs_shutdown" 600 --disk "$d/root.img"
	fs_host_check "e2fsck -fn found errors, or not clean, after the second boot" \
		fs_image_clean "$d/root.img"
	# The ext2 server killed mid-write (hw_fs_server_killed; the kernel word
	# vfs: the test starts the server itself, kills it, starts it again).
	# The volume stays "not clean" (the killed server never unmounted and
	# the new one keeps the state it found): what e2fsck -fn then says goes
	# to the log as it is; e2fsck -fy must repair whatever it found, after
	# which e2fsck -fn finds nothing.
	root_image "$d/kill.img" ||
		{ echo "fs: could not make the image" >&2; broken=1; record fs-kill 0 1; return; }
	qemu_tap_suite fs-kill "vfs utest=hw_fs_server_killed" 300 --disk "$d/kill.img"
	{ echo "== fs-kill: e2fsck -fn of the killed server's volume, as it is:"
	  e2fsck -fn "$d/kill.img"; echo "== (exit $?)"; dumpe2fs -h "$d/kill.img" 2> /dev/null |
		grep '^Filesystem state'; } >> "$logs/fs-host.log" 2>&1
	fs_host_check "e2fsck -fy could not repair the killed server's volume" \
		fs_image_repairs "$d/kill.img"
	host_record fs-host "(e2fsck -fn after each boot, debugfs; the killed server's volume repaired)"
}

# The shell (uspace/app/sh) as a person uses it: an ordinary boot (init
# starts the shell on the console) with a fresh copy of the root image;
# tools/shell-session.py types a session into the serial line, line by
# line as the prompts come back, checks each answer (quotes, redirections,
# ls, cd/pwd, programs with arguments, a fault's report, Ctrl-C of a
# looping program, the line editor's keys and history, exit and Ctrl-D,
# sync) and ends with poweroff.  Then the host checks the disk: e2fsck -fn
# clean (poweroff unmounted it) and the file the session wrote.
suite_shell() {
	local d=$BUILD_DIR/shell-test log=$logs/shell.log res=$logs/shell.tap rc
	mkdir -p "$d"
	root_image "$d/root.img" ||
		{ echo "shell: could not make the image" >&2; broken=1; record shell 0 1; return; }
	: > "$log"
	: > "$res"
	"$top/tools/qemu.sh" --disk "$d/root.img" --timeout 180 --log "$log" \
		--serial-in <("$top/tools/shell-session.py" "$log" "$res") > /dev/null 2>&1
	rc=$?
	# the session's last result may come just after QEMU has gone
	for _ in $(seq 50); do
		grep -q "^# session over" "$res" && break
		sleep 0.1
	done
	read -r plan pass fail < <(tap_count "$res")
	grep -a -A15 "^not ok" "$res" >&2
	if [ "$plan" -eq 0 ] || [ $((pass + fail)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "shell: session broken (qemu.sh exit $rc, plan $plan, ran $((pass + fail)); see $log)" >&2
		broken=1
		fail=$((fail + (plan > pass + fail ? plan - pass - fail : 1)))
	fi
	record shell "$pass" "$fail" "(a session typed into the serial line)"
	: > "$logs/shell-host.log"
	host_check shell-host "e2fsck -fn found errors, or not clean, after poweroff" \
		fs_image_clean "$d/root.img"
	host_check shell-host "/tmp/sh.txt is not what the session wrote" \
		ext2_cat_is "$d/root.img" /tmp/sh.txt 'b"first line\nsecond\n"'
	host_record shell-host "(e2fsck -fn after poweroff; the file written)"
}

# The debugger: tools/gdb.sh boots the image under QEMU's gdbstub and GDB
# (in batch mode) stops at the first system call in the kernel, then at a
# function of init through ubreak (only init's task stops there; all user
# programs share the address 0x400000), each with a symbolic backtrace.
# gdb.sh's QEMU has a 60 s limit, the whole run 90 s.
suite_gdb() {
	local pass=0 fail=0 port log=$logs/gdb.log
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	timeout -k 5 90 "$top/tools/gdb.sh" --port "$port" --program init --timeout 60 \
		--serial "$logs/gdb-serial.log" --batch "break syscall_dispatch;continue;bt 2;delete
ubreak init_start_services;continue;bt 2;print cpus[0].current->task->name" > "$log" 2>&1
	if grep -q "^Breakpoint 1, syscall_dispatch (number=" "$log" &&
		grep -q "^#1 .* in syscall_entry () at .*syscall\.S:" "$log"; then
		pass=$((pass + 1))
	else
		echo "gdb: no stop at syscall_dispatch with a backtrace (see $log)" >&2
		fail=$((fail + 1))
	fi
	if grep -q "^Breakpoint 2, init_start_services () at .*init\.c:" "$log" &&
		grep -q "^#1 .*main (argc=1, argv=" "$log" && grep -q '^\$1 = "init"' "$log"; then
		pass=$((pass + 1))
	else
		echo "gdb: no stop in init's init_start_services with a backtrace (see $log)" >&2
		fail=$((fail + 1))
	fi
	record gdb "$pass" "$fail" "(tools/gdb.sh --batch: a kernel and a user breakpoint)"
}

# Programs from files (docs/loader.md): task_spawn_path through the
# loader, on a fresh copy of the root image (/bin, /test/elf): arguments as
# they are, the environment, a program's areas and handles, two instances sharing text
# with data of their own, refusals (every malformed ELF of the host test,
# with its error, nothing left behind), after a warm-up 400 spawns keeping
# not a frame, the spawn benchmark's runs of /bin/true (exit 0; its text read
# once, then run from the file pager's cache); then e2fsck -fn of the image.
LOADER_TESTS=hw_loader_args,hw_loader_env,hw_loader_areas,hw_loader_handles,hw_loader_share,hw_loader_errors,hw_loader_refusals,hw_loader_many,hw_spawn_bench
LOADER_TESTS=$LOADER_TESTS,hw_fs_shutdown
suite_loader() {
	local d=$BUILD_DIR/loader-test
	mkdir -p "$d"
	root_image "$d/root.img" ||
		{ echo "loader: could not make the image" >&2; broken=1; record loader 0 1; return; }
	qemu_tap_suite loader "fs utest=$LOADER_TESTS" 600 --disk "$d/root.img"
	: > "$logs/loader-host.log"
	host_check loader-host "e2fsck -fn found errors after the loader boot" fs_image_clean "$d/root.img"
	host_record loader-host "(e2fsck -fn after the loader boot)"
}

# SUITES=a,b runs only those (by the function's name: format, host, ...).
for name in tools format lockcheck host boot crash kernel user virtio ext2 fs loader shell gdb; do
	case ",${SUITES:-$name}," in
	*",$name,"*) "suite_$name" ;;
	esac
done

echo "--- test suites (logs in $logs)"
cat "$logs/summary"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ $broken -eq 0 ]
