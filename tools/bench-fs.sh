#!/usr/bin/env bash
# The file benchmark (issue 10; docs/PERFORMANCE.md "Files"), alone or as
# part of tools/bench.sh:
#
#   tools/bench-fs.sh [--no-build] [--runs N] [--memory MB] [--help]
#
# The same five measurements in a Linux
# guest (tools/linux-bench/filebench.c, ext2 mounted by Linux's ext4
# driver) and in ours (the tester's hw_fs_bench, test_fs_bench.c, with the
# image as "/"), each on a fresh copy of tools/mkbenchfs.sh's image,
# instructions counted by the insncount plugin, one window each:
# 1 cold read 64 MiB, 2 warm read, 3 write 64 MiB + fsync, 4 create
# 1,000 files of 4 KiB, 5 stat 1,000 files.  N runs under -icount (default
# 3) and one under plain TCG (the guest clock: the wall-clock column),
# both sides with MB of memory (default 256).  Our file pager's cache is
# half the memory, at most 128 MiB: it holds all of /big (and the warm
# read is all hits) from 256 MiB on.
#
# Lines: "[icount] run I insn fs_NAME: N" (ours) and "linux_fs_NAME" (Linux),
# the guest-clock lines of each side, then "[icount] ratio fs_NAME /
# linux_fs_NAME" of the medians.  Ours runs with "fs utest=hw_fs_bench" and
# the image attached as a modern virtio disk; after each of our runs the
# host's e2fsck -fn checks the image.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
bench_disk_options bench-fs "$@"
bench_kind=fs bench_lines="^(bench (linux_)?fs_|filebench: )"

# One run's figures: windows 1 to 5; after ours, e2fsck -fn of the image.
bench_figures() { # side label run log insn disk
	local p=fs_
	[ "$1" = linux ] && p=linux_fs_
	bench_insn_lines "$2" "$3" "$5" "${p}read_cold=1" "${p}read_warm=2" "${p}write=3" \
		"${p}create=4" "${p}stat=5"
	[ "$1" = linux ] || bench_e2fsck "$2" "$3" "$6"
}

echo "== files ($memory MiB): 64 MiB read cold and warm, 64 MiB write + fsync, 1,000 creates, 1,000 stats"
bench_both_sides filebench.cpio read_cold read_warm write create stat
