#!/usr/bin/env bash
# The mapped-file benchmark (issue 11; docs/PERFORMANCE.md "Mapped files"),
# alone or as part of tools/bench.sh:
#
#   tools/bench-map.sh [--no-build] [--runs N] [--memory MB]
#
# The same measurements in a Linux guest (tools/linux-bench/mapbench.c,
# ext2 mounted by Linux's ext4 driver) and in ours (the tester's
# hw_map_bench, test_map_bench.c, with the image as "/"), each on a fresh
# copy of tools/mkbenchfs.sh's image, instructions counted by the insncount
# plugin, one window each: 1 mapped read of the 64 MiB /big cold, 2 warm,
# 3-23 a one-page fault on the cached file (21 windows), 24-44 16 pages
# (21 windows), 45 msync(MS_SYNC) of 16 MiB of dirty pages.  N runs under
# -icount (default 3) and one under plain TCG (the guest clock: the
# wall-clock column), both sides with MB of memory (default 256, the
# machine of the other benchmarks).
#
# Lines: "[icount] run I insn map_NAME: N" (ours) and "linux_map_NAME"
# (Linux; the fault lines are the median of their 21 windows, per window),
# the guest-clock lines of each side, then "[icount] ratio map_NAME /
# linux_map_NAME" of the medians.  After each of our runs the host checks
# the image: e2fsck -fn, and /m16 as the msync left it (debugfs: the
# first word of each page is what the benchmark stored, the rest zeros).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
BUILD_DIR=${BUILD_DIR:-$top/build}
bench_disk_options bench-map "$@"
map_names=(read_cold read_warm fault_1 fault_16 msync)

# The five figures of one run's insncount file: windows 1, 2, 45 as they
# are, the medians of windows 3-23 and 24-44.
map_insn() { # label run insn-file prefix
	[ -s "$3" ] || return 0
	awk -F'[: ]+' -v l="$1" -v r="$2" -v p="$4" '
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return a[int((n + 1) / 2)]
		}
		$1 == "window" { w[$2] = $3 }
		END {
			if (!(1 in w) || !(45 in w)) exit
			for (i = 3; i <= 23; i++) f1[i - 2] = w[i]
			for (i = 24; i <= 44; i++) f16[i - 23] = w[i]
			printf "[%s] run %s insn %sread_cold: %d\n", l, r, p, w[1]
			printf "[%s] run %s insn %sread_warm: %d\n", l, r, p, w[2]
			printf "[%s] run %s insn %sfault_1: %d\n", l, r, p, med(f1, 21)
			printf "[%s] run %s insn %sfault_16: %d\n", l, r, p, med(f16, 21)
			printf "[%s] run %s insn %smsync: %d\n", l, r, p, w[45]
		}' "$3"
}

# /m16 on the image as the benchmark's msync left it (tools/mkbenchfs.sh's
# image after one of our runs).
map_check_m16() { # image
	local dump
	dump=$(mktemp) || return 1
	PATH=$PATH:/sbin:/usr/sbin debugfs -R "dump /m16 $dump" "$1" > /dev/null 2>&1
	python3 - "$dump" << 'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
key = 0x6d617062656e6368
bad = len(data) != 16 << 20
for off in range(0, len(data), 4096):
    page = data[off:off + 4096]
    if struct.unpack_from("<Q", page)[0] != off ^ key or page[8:].count(0) != 4088:
        bad = True
        break
sys.exit(1 if bad else 0)
EOF
	local rc=$?
	rm -f "$dump"
	return $rc
}

run_map() { # side(linux|ours) label runs
	local side=$1 l=$2 runs=$3 i disk=$BUILD_DIR/bench-map-$1.img log insn ok
	for i in $(seq 1 "$runs"); do
		log=$BUILD_DIR/bench-map-$side-$l-$i.log insn=$BUILD_DIR/bench-map-$side-$l-$i.insn
		bench_disk_boot "$side" map hw_map_bench "$l" "$disk" "$log" "$insn" "$memory"
		ok=$?
		if [ $ok -ne 0 ]; then
			echo "[$l] $side map: run $i failed (see $log)"
			continue
		fi
		tr -d '\r' < "$log" | grep -E "^(bench (linux_)?map_|mapbench: )" | sed "s/^/[$l] run $i /"
		map_insn "$l" "$i" "$insn" "$([ "$side" = linux ] && echo linux_)map_"
		if [ "$side" = ours ]; then
			if command -v e2fsck > /dev/null || [ -x /sbin/e2fsck ]; then
				PATH=$PATH:/sbin e2fsck -fn "$disk" > /dev/null 2>&1 ||
					echo "[$l] ours map: run $i: e2fsck -fn found problems"
			fi
			map_check_m16 "$disk" || echo "[$l] ours map: run $i: /m16 on the disk is not what was stored"
		fi
	done
}
echo "== mapped files ($memory MiB): 64 MiB mapped read cold and warm, faults of 1 and 16 pages, msync 16 MiB"
map_results=$BUILD_DIR/bench-map-results.txt
: > "$map_results"
if [ -s "${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}/mapbench.cpio" ]; then
	run_map linux icount "$runs" | tee -a "$map_results"
	run_map linux tcg 1 | tee -a "$map_results"
else
	echo "linux map: no mapbench.cpio (tools/linux-bench/build.sh makes it)"
fi
run_map ours icount "$runs" | tee -a "$map_results"
run_map ours tcg 1 | tee -a "$map_results"
for n in "${map_names[@]}"; do
	ours=$(awk -v n="map_$n:" '$1 == "[icount]" && $4 == "insn" && $5 == n { print $6 }' "$map_results" | median_of)
	linux=$(awk -v n="linux_map_$n:" '$1 == "[icount]" && $4 == "insn" && $5 == n { print $6 }' "$map_results" | median_of)
	if [ -n "$ours" ] && [ -n "$linux" ]; then
		awk -v n="$n" -v a="$ours" -v b="$linux" \
			'BEGIN { printf "[icount] ratio map_%s / linux_map_%s: %.2f  (%d / %d instructions)\n", n, n, a / b, a, b }'
	else
		echo "[icount] ratio map_$n / linux_map_$n: not measured"
	fi
done
