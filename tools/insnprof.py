#!/usr/bin/env python3
"""Per-function instruction counts from an insnprof run (tools/insnprof/).

    tools/insnprof.sh BENCH-SPEC          boots bench=SPEC with the plugin, then runs this
    tools/insnprof.py OUT [--per N] [--top K] [--user MODULE]

OUT has "ADDRESS COUNT" lines (every instruction address the guest
executed, and how often).  Kernel addresses are named from
build/kernel/kernel.elf, user addresses from the boot module MODULE
(default: bench; every task of that module shares its addresses).  With
--per N every count is divided by N (e.g. the number of benchmark
operations, for instructions per operation).
"""
import argparse
import bisect
import collections
import os
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--per", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--user", default="bench")
    args = ap.parse_args()
    kname = namer(symbols(os.path.join(BUILD, "kernel", "kernel.elf")), "kernel:")
    elf = modules().get(args.user)
    uname = namer(symbols(elf), "user:") if elf else (lambda a: "user:?")
    per = collections.Counter()
    calls = collections.Counter()
    total = 0
    with open(args.out) as f:
        for line in f:
            a, c = line.split()
            addr, count = int(a, 16), int(c)
            total += count
            nm = kname if addr >= KERNEL_BASE else uname
            per[nm(addr)] += count
            if getattr(nm, "is_entry", None) and nm.is_entry(addr):
                calls[nm(addr)] += count
    print(f"{total / args.per:,.0f} instructions (per {args.per:g}); "
          "columns: instructions, share, entries (calls), function")
    for sym, count in per.most_common(args.top):
        print(f"{count / args.per:12,.1f} {100.0 * count / total:6.2f}% "
              f"{calls[sym] / args.per:8,.1f}  {sym}")


if __name__ == "__main__":
    main()
