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
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
bench_disk_options bench-map "$@"
bench_kind=map bench_lines="^(bench (linux_)?map_|mapbench: )"

# /m16 on the image as the benchmark's msync left it (tools/mkbenchfs.sh's
# image after one of our runs).
map_check_m16() { # image
	local dump
	dump=$(mktemp) || return 1
	PATH=$PATH:/sbin:/usr/sbin debugfs -R "dump /m16 $dump" "$1" > /dev/null 2>&1
	python3 - "$dump" << 'PY'
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
PY
	local rc=$?
	rm -f "$dump"
	return $rc
}

# One run's figures: windows 1, 2, 45 as they are, the medians of 3-23
# and 24-44; after ours, the image's checks.
bench_figures() { # side label run log insn disk
	local p=map_
	[ "$1" = linux ] && p=linux_map_
	bench_insn_lines "$2" "$3" "$5" "${p}read_cold=1" "${p}read_warm=2" "${p}fault_1=3-23" \
		"${p}fault_16=24-44" "${p}msync=45"
	[ "$1" = ours ] || return 0
	bench_e2fsck "$2" "$3" "$6"
	map_check_m16 "$6" || echo "[$2] ours map: run $3: /m16 on the disk is not what was stored"
}

echo "== mapped files ($memory MiB): 64 MiB mapped read cold and warm, faults of 1 and 16 pages, msync 16 MiB"
bench_both_sides mapbench.cpio read_cold read_warm fault_1 fault_16 msync
