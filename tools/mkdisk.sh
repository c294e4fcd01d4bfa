#!/usr/bin/env bash
# Make a raw disk image with a known pattern in every block, for the
# virtio-blk driver, its tests and the block benchmark.
#
#   tools/mkdisk.sh [--size MIB] [--seed N] FILE    write FILE (replacing it)
#   tools/mkdisk.sh --check [--seed N] FILE [FROM TO] check FILE holds the
#                        pattern (in bytes [FROM, TO) only, if given);
#                        prints the first difference and exits 1 if not
#   tools/mkdisk.sh --word OFFSET [--seed N]       print the pattern word
#
# The pattern (docs/drivers.md, "virtio-blk"): the 64-bit little-endian
# word at byte offset O (O a multiple of 8) is
#     0x5a17000000000000 ^ (SEED << 40) ^ O
# so every word of the image differs from every other, a block read from
# the wrong place or a byte moved within a block shows, and two disks made
# with different seeds differ everywhere.  SEED is 0..255 (default 0),
# the size a whole number of MiB (default 64).
set -euo pipefail
size=64 seed=0 mode=make word=""
while [ $# -gt 0 ]; do
	case "$1" in
	--size) size=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--check) mode=check; shift ;;
	--word) mode=word; word=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mkdisk.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $size in '' | *[!0-9]*) echo "mkdisk.sh: --size takes MiB" >&2; exit 2 ;; esac
case $seed in '' | *[!0-9]*) echo "mkdisk.sh: --seed takes 0..255" >&2; exit 2 ;; esac
[ "$seed" -le 255 ] || { echo "mkdisk.sh: --seed takes 0..255" >&2; exit 2; }
if [ $mode = word ]; then
	[ $# -eq 0 ] || { echo "mkdisk.sh: --word takes no file" >&2; exit 2; }
else
	[ $# -ge 1 ] || { echo "mkdisk.sh: no FILE (see --help)" >&2; exit 2; }
fi

exec python3 - "$mode" "$size" "$seed" "$word" "$@" <<'PY'
import os, sys
from array import array

mode, size_mib, seed, word = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
args = sys.argv[5:]
BASE = 0x5A17000000000000 ^ (seed << 40)
CHUNK = 1 << 20  # bytes per step; a multiple of 8

def chunk(k):
    """The pattern bytes of [k * CHUNK, (k + 1) * CHUNK).  CHUNK is a power
    of two, so BASE ^ (k * CHUNK + i) == (BASE ^ i) ^ (k * CHUNK): one
    big-integer XOR of chunk 0 with k * CHUNK repeated in every word."""
    if not hasattr(chunk, 'zero'):
        words = array('Q', (BASE ^ i for i in range(0, CHUNK, 8)))
        if sys.byteorder != 'little':
            words.byteswap()
        chunk.zero = int.from_bytes(words.tobytes(), 'little')
    mask = int.from_bytes((k * CHUNK).to_bytes(8, 'little') * (CHUNK // 8), 'little')
    return (chunk.zero ^ mask).to_bytes(CHUNK, 'little')

def pattern(start, length):
    """The pattern bytes of [start, start + length)."""
    out = bytearray()
    for k in range(start // CHUNK, (start + length + CHUNK - 1) // CHUNK):
        out += chunk(k)
    skip = start % CHUNK
    return bytes(out[skip:skip + length])

if mode == 'word':
    print('0x%016x' % (BASE ^ int(word, 0)))
    sys.exit(0)

path = args[0]
if mode == 'make':
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        for start in range(0, size_mib << 20, CHUNK):
            f.write(pattern(start, CHUNK))
    os.replace(tmp, path)
    sys.exit(0)

# --check [FROM TO]
total = os.path.getsize(path)
lo, hi = (int(args[1], 0), int(args[2], 0)) if len(args) >= 3 else (0, total)
if lo < 0 or hi > total or lo > hi:
    print('mkdisk.sh: range [%d, %d) outside the image (%d bytes)' % (lo, hi, total))
    sys.exit(2)
with open(path, 'rb') as f:
    pos = lo
    f.seek(pos)
    while pos < hi:
        n = min(CHUNK - pos % CHUNK, hi - pos)
        want = pattern(pos, n)
        got = f.read(n)
        if len(got) < n:
            print('mkdisk.sh: %s: ends at byte 0x%x' % (path, pos + len(got)))
            sys.exit(1)
        if got != want:
            for i in range(n):
                if got[i] != want[i]:
                    print('mkdisk.sh: %s: byte 0x%x is 0x%02x, the pattern has 0x%02x'
                          % (path, pos + i, got[i], want[i]))
                    sys.exit(1)
        pos += n
sys.exit(0)
PY
