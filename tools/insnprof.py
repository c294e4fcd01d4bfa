#!/usr/bin/env python3
"""Per-function instruction counts from an insnprof run (tools/insnprof/).

    tools/insnprof.sh BENCH-SPEC          boots bench=SPEC with the plugin, then runs this
    tools/insnprof.py OUT [--per N] [--top K] [--user MODULE] [--programs]

OUT has "ADDRESS COUNT BYTES" lines (every instruction the guest executed:
its address, how often, its bytes).  Kernel addresses are named from
build/kernel/kernel.elf.  Every program is linked at the same address, so
a user instruction is named from the program whose file holds its bytes
at that address: the boot modules (build/boot/recipe.txt) and the root
image's /bin (build/boot/bin.txt): "PROGRAM:function".  When several
files hold the same bytes there (short instructions, shared libc code),
the programs that ran (that have instructions only they hold) decide: one
of them, it; several, "A|B:function" (the first one's symbol); none of
them, all of the files.  "user:?ADDRESS" when no file holds them.  A line without bytes (an older
plugin) is named from the boot module MODULE (--user, default bench), as
"user:function".  With --per N every count is divided by N (e.g. the
number of benchmark operations, for instructions per operation).
--programs adds a table of the instructions per program (the kernel as
one), before the functions.
"""
import argparse
import bisect
import collections
import os
import signal
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prof import BUILD, modules, symbols  # noqa: E402  (the same naming as the sampling profiler)

KERNEL_BASE = 0xFFFF800000000000


def namer(syms, prefix):
    addrs = [a for a, _ in syms]

    def name(addr):
        i = bisect.bisect_right(addrs, addr) - 1
        return prefix + (syms[i][1] if i >= 0 else hex(addr))

    def is_entry(addr):
        i = bisect.bisect_left(addrs, addr)
        return i < len(addrs) and addrs[i] == addr
    name.is_entry = is_entry
    return name


def load_segments(path):
    """(vaddr, bytes) of each PT_LOAD segment's file bytes of ELF64 @path."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return []
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if ptype == 1:
            segs.append((vaddr, data[off:off + filesz]))
    return segs


def programs():
    """Program name -> ELF path: the boot modules and /bin's programs."""
    progs = dict(modules())
    try:
        with open(os.path.join(BUILD, "boot", "bin.txt")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    progs.setdefault(parts[0], parts[1])
    except OSError:
        pass
    return progs


class UserNamer:
    """Names user instructions by the program whose file holds their bytes."""

    def __init__(self):
        self.progs = sorted(programs().items())
        self.segs = {n: load_segments(p) for n, p in self.progs}
        self.names = {n: namer(symbols(p), n + ":") for n, p in self.progs}
        self.cache = {}

    def holds(self, prog, addr, code):
        for vaddr, data in self.segs[prog]:
            if vaddr <= addr and addr + len(code) <= vaddr + len(data):
                return data[addr - vaddr:addr - vaddr + len(code)] == code
        return False

    def owners(self, addr, code):
        key = (addr, code)
        if key not in self.cache:
            self.cache[key] = [n for n, _ in self.progs if self.holds(n, addr, code)]
        return self.cache[key]

    def name(self, addr, code, ran=()):
        """(program label, function name, whether addr is its entry); among
        several programs holding the bytes, those in @ran if any are."""
        own = self.owners(addr, code)
        if not own:
            return "user", f"user:?{addr:#x}", False
        if len(own) > 1 and any(o in ran for o in own):
            own = [o for o in own if o in ran]
        nm = self.names[own[0]]
        label = "|".join(own)
        fn = nm(addr).split(":", 1)[1]
        return label, f"{label}:{fn}", nm.is_entry(addr)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quietly, into head
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--per", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--programs", action="store_true")
    args = ap.parse_args()
    kname = namer(symbols(os.path.join(BUILD, "kernel", "kernel.elf")), "kernel:")
    elf = modules().get(args.user)
    oldname = namer(symbols(elf), "user:") if elf else (lambda a: "user:?")
    unamer = UserNamer()
    per = collections.Counter()
    calls = collections.Counter()
    per_prog = collections.Counter()
    total = 0
    with open(args.out) as f:
        lines = [line.split() for line in f if line.strip()]
    # The programs that ran: those holding an instruction no other holds.
    ran = set()
    for parts in lines:
        if int(parts[0], 16) < KERNEL_BASE and len(parts) > 2:
            own = unamer.owners(int(parts[0], 16), bytes.fromhex(parts[2]))
            if len(own) == 1:
                ran.add(own[0])
    for parts in lines:
        addr, count = int(parts[0], 16), int(parts[1])
        total += count
        if addr >= KERNEL_BASE:
            prog, sym, entry = "kernel", kname(addr), kname.is_entry(addr)
        elif len(parts) > 2:
            prog, sym, entry = unamer.name(addr, bytes.fromhex(parts[2]), ran)
        else:
            prog, sym = "user", oldname(addr)
            entry = getattr(oldname, "is_entry", lambda a: False)(addr)
        per[sym] += count
        per_prog[prog] += count
        if entry:
            calls[sym] += count
    print(f"{total / args.per:,.0f} instructions (per {args.per:g})")
    if args.programs:
        print("-- per program: instructions, share")
        for prog, count in per_prog.most_common():
            print(f"{count / args.per:12,.1f} {100.0 * count / total:6.2f}%  {prog}")
    print("-- per function: instructions, share, entries (calls), function")
    for sym, count in per.most_common(args.top):
        print(f"{count / args.per:12,.1f} {100.0 * count / total:6.2f}% "
              f"{calls[sym] / args.per:8,.1f}  {sym}")


if __name__ == "__main__":
    main()
