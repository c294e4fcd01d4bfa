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
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
BUILD_DIR=${BUILD_DIR:-$top/build}
bench_disk_options bench-fs "$@"
fs_names=(read_cold read_warm write create stat)
fs_insn() { # label run insn-file prefix
	[ -s "$3" ] || return 0
	awk -F'[: ]+' '$1 == "window" { print $2, $3 }' "$3" | while read -r w v; do
		[ "$w" -ge 1 ] && [ "$w" -le 5 ] && echo "[$1] run $2 insn $4${fs_names[$((w - 1))]}: $v"
	done
}
run_fs() { # side(linux|ours) label runs
	local side=$1 l=$2 runs=$3 i disk=$BUILD_DIR/bench-fs-$1.img log insn ok
	for i in $(seq 1 "$runs"); do
		log=$BUILD_DIR/bench-fs-$side-$l-$i.log insn=$BUILD_DIR/bench-fs-$side-$l-$i.insn
		bench_disk_boot "$side" fs hw_fs_bench "$l" "$disk" "$log" "$insn" "$memory"
		ok=$?
		if [ $ok -ne 0 ]; then
			echo "[$l] $side fs: run $i failed (see $log)"
			continue
		fi
		tr -d '\r' < "$log" | grep -E "^(bench (linux_)?fs_|filebench: )" | sed "s/^/[$l] run $i /"
		fs_insn "$l" "$i" "$insn" "$([ "$side" = linux ] && echo linux_)fs_"
		if [ "$side" = ours ] && command -v e2fsck > /dev/null; then
			e2fsck -fn "$disk" > /dev/null 2>&1 || echo "[$l] ours fs: run $i: e2fsck -fn found problems"
		fi
	done
}
echo "== files ($memory MiB): 64 MiB read cold and warm, 64 MiB write + fsync, 1,000 creates, 1,000 stats"
fs_results=$BUILD_DIR/bench-fs-results.txt
: > "$fs_results"
if [ -s "${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}/filebench.cpio" ]; then
	run_fs linux icount "$runs" | tee -a "$fs_results"
	run_fs linux tcg 1 | tee -a "$fs_results"
else
	echo "linux fs: no filebench.cpio (tools/linux-bench/build.sh makes it)"
fi
if grep -q "/ext2 " "$BUILD_DIR/boot/recipe.txt"; then
	run_fs ours icount "$runs" | tee -a "$fs_results"
	run_fs ours tcg 1 | tee -a "$fs_results"
	for n in "${fs_names[@]}"; do
		ours=$(awk -v n="fs_$n:" '$1 == "[icount]" && $4 == "insn" && $5 == n { print $6 }' "$fs_results" | median_of)
		linux=$(awk -v n="linux_fs_$n:" '$1 == "[icount]" && $4 == "insn" && $5 == n { print $6 }' "$fs_results" | median_of)
		if [ -n "$ours" ] && [ -n "$linux" ]; then
			awk -v n="$n" -v a="$ours" -v b="$linux" \
				'BEGIN { printf "[icount] ratio fs_%s / linux_fs_%s: %.2f  (%d / %d instructions)\n", n, n, a / b, a, b }'
		else
			echo "[icount] ratio fs_$n / linux_fs_$n: not measured"
		fi
	done
else
	echo "[icount] ours fs: not measured (the image has no ext2 server yet)"
fi

