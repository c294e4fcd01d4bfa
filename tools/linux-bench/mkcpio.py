#!/usr/bin/env python3
"""Write the initramfs of the Linux fault benchmark as a cpio "newc" archive.

    mkcpio.py INIT OUTPUT [SRC=DEST ...]

The archive holds /init (the file INIT, mode 0755), the directories /dev,
/proc and /sys, and the character device /dev/console (5, 1), which the
kernel opens as PID 1's standard input and output.  No root privileges are
needed (nothing is created on the host) and no cpio binary; all times are
0 so the same INIT gives the same archive.  Each SRC=DEST adds the file SRC
as DEST (a path relative to the root; its directories are made).
"""
import stat
import sys


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: mkcpio.py INIT OUTPUT [SRC=DEST ...]")
    with open(sys.argv[1], "rb") as f:
        init = f.read()
    parts = [
        entry(1, "dev", stat.S_IFDIR | 0o755),
        entry(2, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)),
        entry(3, "proc", stat.S_IFDIR | 0o555),
        entry(4, "sys", stat.S_IFDIR | 0o555),
        entry(5, "init", stat.S_IFREG | 0o755, init),
    ]
    ino, dirs = 6, set()
    for spec in sys.argv[3:]:
        src, dest = spec.split("=", 1)
        dest = dest.strip("/")
        parent = dest.split("/")[:-1]
        for i in range(1, len(parent) + 1):
            d = "/".join(parent[:i])
            if d not in dirs:
                dirs.add(d)
                parts.append(entry(ino, d, stat.S_IFDIR | 0o755))
                ino += 1
        with open(src, "rb") as f:
            parts.append(entry(ino, dest, stat.S_IFREG | 0o644, f.read()))
        ino += 1
    parts.append(entry(0, "TRAILER!!!", 0))
    with open(sys.argv[2], "wb") as f:
        f.write(b"".join(parts))


if __name__ == "__main__":
    main()
