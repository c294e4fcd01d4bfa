#!/usr/bin/env bash
# Make the ext2 image of the file benchmark (ours: bench fs_*, and the
# Linux guest's tools/linux-bench/filebench.c): 256 MiB, 4 KiB blocks,
# holding /big, a 64 MiB file with tools/mkdisk.sh's pattern (seed 0).
#
#   tools/mkbenchfs.sh FILE      write FILE (replacing it)
#
# Deterministic: the same UUID, hash seed and times every time, so two
# images made from the same tree are byte-identical.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tools/mkbenchfs.sh FILE" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$1
for t in mke2fs python3; do
	command -v $t > /dev/null || [ -x /sbin/$t ] || { echo "mkbenchfs.sh: $t not found" >&2; exit 1; }
done
PATH=$PATH:/sbin:/usr/sbin
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
"$here/mkdisk.sh" --size 64 "$src/big"
touch -d @1700000000 "$src/big" "$src"
rm -f "$out"
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext2 -b 4096 -I 256 \
	-U 6d6b6572-6e65-6c00-0000-62656e636866 -E hash_seed=6d6b6572-6e65-6c00-0000-000000000001 \
	-d "$src" "$out" 256M > /dev/null
