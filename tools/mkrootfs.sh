#!/usr/bin/env bash
# Make the root file system image from the tree's rootfs/ directory with
# the host's mke2fs (docs/ext2.md, "The root image").
#
#   tools/mkrootfs.sh [options] OUT      write OUT (replacing it)
#     --type ext2|ext4     mke2fs -t (default ext2; ext4 is for the test of
#                          a volume the server refuses)
#     --features LIST      more mke2fs -O features (e.g. huge_file)
#     --size MIB           the image's size (default 64)
#     --check OUT          exit 0 if OUT is newer than rootfs/ and this
#                          script (nothing to do), 1 if it must be made
#
# The image is rootfs/ plus generated fixtures (not in git: large or with
# odd names), with 4 KiB blocks and Debian 12's ext2 defaults (256-byte
# inodes; ext_attr resize_inode dir_index filetype sparse_super
# large_file):
#   /fixtures/pattern.bin  300,000 bytes: the 64-bit little-endian word at
#                          byte offset O (a multiple of 8) is
#                          0x6578743200000000 ^ O
#   /fixtures/sparse.bin   6 MiB + 100 bytes, holes but for three marks:
#                          "sparse: start\n" at 0, "sparse: middle\n" at
#                          5 MiB (a block mapped through the double
#                          indirect block), "sparse: end\n" ending the file
#   /fixtures/long/NAME    a 255-byte name ("long-" and 250 x's), "255\n"
#   /tmp                   an empty directory
#   /bin/NAME              the user programs BUILD_DIR/boot/bin.txt lists
#                          ("NAME PATH" a line, written by the build; the
#                          loader starts them: docs/loader.md); without it,
#                          left out with a note
#   /test/elf/             the malformed ELF files of the host test
#                          tests/test_elf.c (and the valid one they start
#                          from) with index.txt: name, the errno a loader
#                          must return, the rule broken; copied from
#                          BUILD_DIR/tests/elf-fixtures (written by the
#                          build; without it, left out with a note)
# Owners are 0:0; modes are 0755 for directories and executables, 0644
# for other files; every time (the files', mke2fs's) is ROOTFS_TIME; the
# UUID and the directory hash seed are fixed: the same tree always gives
# the same bytes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/rootfs
elf_fixtures=${BUILD_DIR:-$top/build}/tests/elf-fixtures
bin_list=${BUILD_DIR:-$top/build}/boot/bin.txt
ROOTFS_TIME=1704067200 # 2024-01-01 00:00:00 UTC
UUID=6d6b6572-6e65-4c00-8000-00000000e2f5
HASH_SEED=6d6b6572-6e65-4c00-8000-0000000005ed
type=ext2 features="" size=64 check=0
while [ $# -gt 0 ]; do
	case "$1" in
	--type) type=$2; shift 2 ;;
	--features) features=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--check) check=1; shift ;;
	-h | --help) sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mkrootfs.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "mkrootfs.sh: no OUT (see --help)" >&2; exit 2; }
out=$1
if [ $check -eq 1 ]; then
	fixtures=()
	[ -d "$elf_fixtures" ] && fixtures=("$elf_fixtures")
	[ -f "$bin_list" ] && fixtures+=("$bin_list" $(cut -d' ' -f2 "$bin_list"))
	[ -f "$out" ] && [ -z "$(find "$src" "$0" "${fixtures[@]}" -newer "$out" -print -quit)" ]
	exit
fi
case $type in ext2 | ext4) ;; *) echo "mkrootfs.sh: --type ext2 or ext4" >&2; exit 2 ;; esac
case $size in '' | *[!0-9]*) echo "mkrootfs.sh: --size takes MiB" >&2; exit 2 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/mkrootfs.XXXXXX")
trap 'rm -rf "$work" "$out.tmp"' EXIT
stage=$work/root
mkdir "$stage"
cp -a "$src/." "$stage/"
if [ -f "$elf_fixtures/index.txt" ]; then
	mkdir -p "$stage/test/elf"
	cp "$elf_fixtures"/* "$stage/test/elf/"
	chmod 0755 "$stage"/test/elf/*.elf # programs: the loader must get to the ELF checks
else
	echo "mkrootfs.sh: no $elf_fixtures (build first): /test/elf left out" >&2
fi
if [ -f "$bin_list" ]; then
	mkdir -p "$stage/bin"
	while read -r name path; do
		cp "$path" "$stage/bin/$name"
		chmod 0755 "$stage/bin/$name"
	done < "$bin_list"
else
	echo "mkrootfs.sh: no $bin_list (build first): /bin left out" >&2
fi
python3 - "$stage" <<'PY'
import os, struct, sys
root = sys.argv[1]
fx = os.path.join(root, 'fixtures')
with open(os.path.join(fx, 'pattern.bin'), 'wb') as f:
    f.write(b''.join(struct.pack('<Q', 0x6578743200000000 ^ o) for o in range(0, 300000, 8)))
size = 6 * 1024 * 1024 + 100
with open(os.path.join(fx, 'sparse.bin'), 'wb') as f:
    f.truncate(size)
    for off, mark in ((0, b'sparse: start\n'), (5 * 1024 * 1024, b'sparse: middle\n')):
        f.seek(off)
        f.write(mark)
    f.seek(size - len(b'sparse: end\n'))
    f.write(b'sparse: end\n')
os.makedirs(os.path.join(fx, 'long'), exist_ok=True)
with open(os.path.join(fx, 'long', 'long-' + 'x' * 250), 'w') as f:
    f.write('255\n')
os.makedirs(os.path.join(root, 'tmp'), exist_ok=True)
PY
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -perm /111 -exec chmod 0755 {} +
find "$stage" -type f ! -perm /111 -exec chmod 0644 {} +

export E2FSPROGS_FAKE_TIME=$ROOTFS_TIME
mke2fs -q -F -t "$type" ${features:+-O "$features"} -b 4096 -L root -U "$UUID" \
	-E "hash_seed=$HASH_SEED,root_owner=0:0" -d "$stage" "$out.tmp" "${size}M" > /dev/null
# mke2fs -d copies each file's owner and times: make them the same on
# every machine (debugfs sif: uid, gid and the three times of each path).
(cd "$stage" && find . -print) | LC_ALL=C sort | sed 's|^\.||;s|^$|/|' |
	while IFS= read -r p; do
		for f in uid gid; do printf 'sif "%s" %s 0\n' "$p" $f; done
		for f in atime mtime ctime; do printf 'sif "%s" %s @%s\n' "$p" $f $ROOTFS_TIME; done
	done > "$work/cmds"
# debugfs echoes each request ("debugfs: sif ..."); anything else is an error
debugfs -w -f "$work/cmds" "$out.tmp" > "$work/log" 2>&1 || true
if grep -v '^debugfs' "$work/log" >&2; then
	echo "mkrootfs.sh: debugfs could not set the owners and times" >&2
	exit 1
fi
mv "$out.tmp" "$out"
