#!/usr/bin/env python3
"""Symbol histogram of a kernel profile (see kernel/generic/include/time/prof.h).

    tools/prof.sh BENCH-SPEC [MULT]     boots bench=SPEC prof=MULT, then runs this
    tools/prof.py LOG [--top N]         reads "prof: K|U TASK PC" lines from LOG

Kernel samples are named from build/kernel/kernel.elf; user samples from
the boot module whose file name is the task's name (build/boot/recipe.txt
lists them).  Prints the share of samples per task, then per symbol.
"""
import bisect
import collections
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD_DIR", os.path.join(TOP, "build"))


def symbols(elf):
    """Sorted (address, name) of the function symbols of @elf."""
    out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                         text=True, check=False).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def modules():
    """Task name -> ELF path, from the image recipe."""
    mods = {}
    try:
        with open(os.path.join(BUILD, "boot", "recipe.txt")) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "module":
                    mods[os.path.basename(parts[1])] = parts[1]
    except OSError:
        pass
    return mods


class Namer:
    def __init__(self):
        self.tables = {}
        self.mods = modules()

    def table(self, elf):
        if elf not in self.tables:
            syms = symbols(elf) if elf and os.path.exists(elf) else []
            self.tables[elf] = ([a for a, _ in syms], [n for _, n in syms])
        return self.tables[elf]

    def name(self, user, task, pc):
        elf = self.mods.get(task) if user == "U" else os.path.join(BUILD, "kernel", "kernel.elf")
        addrs, names = self.table(elf)
        i = bisect.bisect_right(addrs, pc) - 1
        where = "user" if user == "U" else "kernel"
        return f"{where}:{names[i]}" if i >= 0 else f"{where}:{pc:#x}"


def main():
    args = sys.argv[1:]
    top = 40
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    namer = Namer()
    per_task = collections.Counter()
    per_sym = collections.Counter()
    total = 0
    with open(args[0], errors="replace") as f:
        for line in f:
            parts = line.strip().split()
            if len(parts) != 4 or parts[0] != "prof:" or parts[1] not in ("K", "U"):
                continue
            user, task, pc = parts[1], parts[2], int(parts[3], 16)
            total += 1
            per_task[(task, user)] += 1
            per_sym[(task, namer.name(user, task, pc))] += 1
    if not total:
        sys.exit("prof.py: no samples in " + args[0])
    print(f"{total} samples")
    print("-- by task (K = in the kernel on its behalf, U = its own code)")
    for (task, user), n in per_task.most_common():
        print(f"{100.0 * n / total:6.2f}%  {n:7d}  {task} {user}")
    print(f"-- top {top} symbols")
    for (task, sym), n in per_sym.most_common(top):
        print(f"{100.0 * n / total:6.2f}%  {n:7d}  {task:10s} {sym}")


if __name__ == "__main__":
    main()
