#!/usr/bin/env bash
# Run the benchmarks and print their results.  Benchmarks are not tests:
# they report numbers; docs/PERFORMANCE.md records them with this command.
#
#   tools/bench.sh            every benchmark that exists so far
#
# In order: the build configuration measured (the one tools/run.sh boots:
# buildtype and whether assertions are compiled in); the host B+tree
# benchmark (ns per insert/lookup/remove; -O2, no sanitizers); the boot
# time of the image under QEMU TCG (wall clock); the in-guest benchmarks
# (uspace/app/bench, "bench=all"); the same fault benchmarks in a Linux
# guest (Debian's kernel and a static /init, tools/linux-bench/) in the
# same QEMU machine; the block benchmark in a Linux guest (64 MiB through
# virtio-blk with O_DIRECT, instructions counted by our insncount plugin,
# tools/insncount/insncount.c); the file, mapped-file and
# spawn benchmarks of both sides (tools/bench-fs.sh, tools/bench-map.sh,
# tools/bench-spawn.sh, which also times the boot to the shell's prompt);
# the ratios of ours to Linux's,
# the issue's targets, and a summary table.
#
# Each guest line says how it was run:
#   [icount]  the PRIMARY figure: TCG with "-icount shift=0,sleep=off"
#             (tools/qemu.sh --icount), where the guest TSC advances one
#             tick per guest instruction, so every figure is an exact count
#             of guest instructions (median = minimum, give or take a timer
#             interrupt).  Ratios and targets use these.
#   [tcg]     plain TCG: the TSC follows host time, so the "cycles" measure
#             the emulator on this machine (the wall-clock column).
#   [kvm]     KVM, when /dev/kvm exists and it works.
#
# LINUX_BENCH_KVM=1 runs the Linux guest under KVM even when our kernel's KVM
# run was not usable (by default it is skipped then: same accelerator only).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
deps_install && build_all || exit 1

# The image measured is the one build of the tree (tools/run.sh and
# tools/test.sh build and boot the same): meson.build's default options.
echo "== build measured ($BUILD_DIR, the configuration tools/run.sh boots)"
meson introspect "$BUILD_DIR" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
nd = o.get("b_ndebug")
print("build: buildtype=%s optimization=%s b_ndebug=%s: assert() %s in the kernel and libc" %
      (o.get("buildtype"), o.get("optimization"), nd,
       "ON" if nd == "false" or (nd == "if-release" and o.get("buildtype") != "release") else "OFF"))
if (o.get("buildtype"), nd) != ("debugoptimized", "false"):
    print("build: WARNING: not the shipped configuration (debugoptimized, b_ndebug=false)")
'

echo "== host: B+tree (build/tests/bench_btree), 3 runs"
for _ in 1 2 3; do "$BUILD_DIR/tests/bench_btree"; done

echo "== boot to 'up' and power-off under QEMU TCG (wall clock, 3 runs)"
"$top/tools/mkimage.sh" "$BUILD_DIR/bench-poweroff.iso" "$BUILD_DIR/boot/recipe.txt" poweroff
for _ in 1 2 3; do
	s=$(date +%s.%N)
	"$top/tools/qemu.sh" --iso "$BUILD_DIR/bench-poweroff.iso" --timeout 60 > /dev/null 2>&1 ||
		echo "boot failed"
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "boot: %.2f s\n", e - s }'
done

# QEMU options for a label: icount, kvm, tcg.
qemu_mode() {
	case $1 in
	icount) echo "--accel tcg --icount" ;;
	*) echo "--accel $1" ;;
	esac
}

run_guest_bench() { # label timeout
	local log=$BUILD_DIR/bench-$1.log
	# shellcheck disable=SC2046
	if "$top/tools/qemu.sh" --cmdline "bench=all" $(qemu_mode "$1") --timeout "$2" --log "$log" \
		> /dev/null 2>&1; then
		tr -d '\r' < "$log" | grep "^bench " | sed "s/^/[$1] /"
	else
		echo "[$1] not usable on this machine (see $log)"
	fi
}
echo "== guest benchmarks (uspace/app/bench, bench=all)"
# Every guest line printed below also goes to $results, for the ratios.
results=$BUILD_DIR/bench-results.txt
: > "$results"
run_guest_bench icount 900 | tee -a "$results"
[ -e /dev/kvm ] && run_guest_bench kvm 180 | tee -a "$results"
run_guest_bench tcg 900 | tee -a "$results"

# The same fault benchmarks in a Linux guest: Debian's kernel (downloaded,
# not installed) and an initramfs whose /init is
# tools/linux-bench/faultbench.c; same QEMU machine, memory, -cpu and mode.
# Lines: "[LABEL] bench linux_fault_write: ...".
run_linux_bench() { # label timeout
	local log=$BUILD_DIR/bench-linux-$1.log rc
	# shellcheck disable=SC2046
	"$top/tools/linux-bench/run.sh" $(qemu_mode "$1") --timeout "$2" --log "$log" > /dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		tr -d '\r' < "$log" | grep -E "^(bench |linux: )" | grep -v "^linux: faultbench" |
			sed "s/^/[$1] /"
	else
		echo "[$1] linux: not usable on this machine (run.sh status $rc; see $log)"
	fi
}
echo "== Linux guest: the same fault benchmarks (tools/linux-bench)"
if "$top/tools/linux-bench/build.sh"; then
	echo "linux: $(cat "$bench_linux_dir/kernel.txt" 2> /dev/null)"
	run_linux_bench icount 600 | tee -a "$results"
	if [ -e /dev/kvm ]; then
		if grep -q "^\[kvm\] bench " "$results" || [ "${LINUX_BENCH_KVM:-0}" = 1 ]; then
			run_linux_bench kvm 180 | tee -a "$results"
		else
			echo "[kvm] linux: skipped, as our kernel's KVM run was not usable (LINUX_BENCH_KVM=1 runs it)"
		fi
	fi
	run_linux_bench tcg 600 | tee -a "$results"
else
	echo "linux: cannot build the Linux guest (see the messages above)"
fi

# The block benchmark (issue 9), both sides on a fresh 64 MiB modern
# virtio-blk disk (tools/mkdisk.sh): a Linux guest reads and writes the
# 64 MiB with O_DIRECT, 64 KiB requests, then single 4 KiB reads
# (tools/linux-bench/blockbench.c, one request in flight); ours, the
# tester's hw_virtio_bench (uspace/app/tester/test_block.c), makes the
# same three measurements through the block protocol, 4 clients at once.
# Guest instructions are counted by the insncount QEMU plugin
# (tools/insncount/insncount.c) between the programs' markers (under
# -icount the TSC also runs through the time the CPU waits for the
# device, so a TSC difference around I/O counts timer ticks, not work);
# if the plugin does not build, the instruction rows say so.  MiB/s is
# TCG wall clock.  bench_runs (tools/bench-lib.sh) does the boots.
bench_kind=block bench_lines="^(blockbench: |bench block_)" memory=256
bench_cmdline="devman utest=hw_virtio_bench"
bench_disk() { # side disk
	"$top/tools/mkdisk.sh" "$2"
}
bench_figures() { # side label run log insn disk
	local p=block_
	[ "$1" = linux ] && p=linux_blk_
	bench_insn_lines "$2" "$3" "$5" "${p}read_64k=1" "${p}write_64k=2" "${p}read_4k=3-"
}
# Medians over the runs: instructions per 64 MiB (and per MiB), per 4 KiB read.
block_summary() { # file
	local n m
	for n in linux_blk_read_64k linux_blk_write_64k linux_blk_read_4k; do
		m=$(bench_insn_median "$n" "$1")
		if [ -z "$m" ]; then
			echo "[icount] insn $n: not measured"
		elif [ "$n" = linux_blk_read_4k ]; then
			echo "[icount] insn $n: median $m instructions per 4 KiB read"
		else
			echo "[icount] insn $n: median $m instructions per 64 MiB, $((m / 64)) per MiB"
		fi
	done
}
insncount_so > /dev/null ||
	echo "[icount] block: the insncount plugin does not build (tools/insncount/build.sh); instruction counts not measured"
echo "== block: Linux guest, 64 MiB through virtio-blk with O_DIRECT (tools/linux-bench/blockbench.c)"
if [ -s "$bench_linux_dir/blockbench.cpio" ]; then
	block_results=$BUILD_DIR/bench-block-results.txt
	bench_runs linux icount 3 | tee "$block_results"
	block_summary "$block_results"
	bench_runs linux tcg 3
else
	echo "linux block: no blockbench.cpio (tools/linux-bench/build.sh makes it)"
fi
if grep -q "/virtio-blk " "$BUILD_DIR/boot/recipe.txt"; then
	our_block=$BUILD_DIR/bench-block-ours.txt
	bench_runs ours icount 3 | tee "$our_block"
	for n in read_64k write_64k read_4k; do
		bench_ratio "block_$n" "linux_blk_$n" "$our_block" "${block_results:-/dev/null}"
	done
	bench_runs ours tcg 3
else
	echo "[icount] ours block: not measured (the image has no virtio-blk driver yet)"
fi

# The file benchmark (issue 10): tools/bench-fs.sh.
"$top/tools/bench-fs.sh" --no-build
# The mapped-file benchmark (issue 11): tools/bench-map.sh.
"$top/tools/bench-map.sh" --no-build
# The spawn benchmark and the boot to the shell's prompt (issue 12):
# tools/bench-spawn.sh.
"$top/tools/bench-spawn.sh" --no-build

# The median of benchmark NAME under LABEL, or nothing.
median() { # label name
	awk -v k="[$1]" -v n="$2:" '$1 == k && $2 == "bench" && $3 == n && $4 == "median" { print $5; exit }' "$results"
}

# "[LABEL] ratio TEXT: X.XX" for (a - as) / (b - bs), medians of LABEL;
# a name "-" stands for 0.  Says so when a figure is missing.
ratio() { # label text a as b bs
	local l=$1 text=$2 v=() n
	for n in "$3" "$4" "$5" "$6"; do
		if [ "$n" = - ]; then
			v+=(0)
		else
			v+=("$(median "$l" "$n")")
			if [ -z "${v[-1]}" ]; then
				echo "[$l] ratio $text: no 'bench $n' line"
				return
			fi
		fi
	done
	awk -v l="$l" -v t="$text" -v a="${v[0]}" -v as="${v[1]}" -v b="${v[2]}" -v bs="${v[3]}" \
		'BEGIN { if (b - bs > 0) printf "[%s] ratio %s: %.2f  (%d / %d)\n", l, t, (a - as) / (b - bs), a - as, b - bs
		         else printf "[%s] ratio %s: no positive divisor\n", l, t }'
}

# Our cost over Linux's, per label (icount first: that is the basis; the
# others measure the emulator).  "Without zeroing" takes each side's page
# zeroing out: ours is zero_4k (arch_page_zero's loop; every page a first
# touch maps was zeroed once, when the anon pager's 16-page block was
# made), Linux's linux_zero_4k (its "rep stosb", which -icount counts one
# instruction a byte).  fault_1page_steady is a fault that finds its block
# made, so it zeroes nothing.
echo "== ours / Linux (medians; [icount] is the basis)"
for l in icount kvm tcg; do
	grep -q "^\[$l\] bench linux_" "$results" || continue
	ratio "$l" "fault_1page / linux_fault_write (with zeroing)" fault_1page - linux_fault_write -
	ratio "$l" "fault_1page / linux_fault_write (without zeroing)" \
		fault_1page zero_4k linux_fault_write linux_zero_4k
	ratio "$l" "fault_1page_steady / linux_fault_write (without zeroing)" \
		fault_1page_steady - linux_fault_write linux_zero_4k
	ratio "$l" "fault_16page / linux_fault_write (with zeroing)" fault_16page - linux_fault_write -
	ratio "$l" "fault_16page / linux_fault_write (without zeroing)" \
		fault_16page zero_4k linux_fault_write linux_zero_4k
	ratio "$l" "rtw_read / linux_rtw_read" rtw_read - linux_rtw_read -
	ratio "$l" "rtw_write / linux_rtw_write (with zeroing)" rtw_write - linux_rtw_write -
	ratio "$l" "rtw_write / linux_rtw_write (without zeroing)" \
		rtw_write zero_4k linux_rtw_write linux_zero_4k
	ratio "$l" "touch_64mib / linux_touch_64mib (with zeroing)" touch_64mib - linux_touch_64mib -
	ratio "$l" "zero_4k / linux_zero_4k" zero_4k - linux_zero_4k -
	ratio "$l" "null_syscall / linux_null_syscall" null_syscall - linux_null_syscall -
done

# issue 8's targets, in instructions ([icount]).
target() { # text value limit
	if [ -z "$2" ]; then
		echo "[icount] target $1 <= $3: not measured"
	else
		awk -v t="$1" -v v="$2" -v m="$3" \
			'BEGIN { printf "[icount] target %s <= %s: %s (%s)\n", t, m, v, v <= m + 0 ? "met" : "missed" }'
	fi
}
echo "== targets (issue 8; [icount], instructions)"
target "ipc_roundtrip_fast" "$(median icount ipc_roundtrip_fast)" 1000
target "fault_1page_steady" "$(median icount fault_1page_steady)" 2700
t1=$(median icount touch_1mib) t64=$(median icount touch_64mib)
if [ -n "$t1" ] && [ -n "$t64" ]; then
	target "touch_64mib / touch_1mib" "$(awk -v a="$t64" -v b="$t1" 'BEGIN { printf "%.2f", a / b }')" 1.15
else
	target "touch_64mib / touch_1mib" "" 1.15
fi
target "spawn_exit_wait" "$(median icount spawn_exit_wait)" 120000

# Every benchmark once: instructions (icount) and TCG cycles side by side.
echo "== summary (medians): instructions under -icount | TCG cycles (emulator wall clock)"
awk '$2 == "bench" && $4 == "median" {
	l = $1; n = substr($3, 1, length($3) - 1)
	if (!(n in seen)) { seen[n] = 1; order[++count] = n }
	v[l, n] = $5
}
END {
	printf "%-26s %14s %14s\n", "benchmark", "icount", "tcg"
	for (i = 1; i <= count; i++) {
		n = order[i]
		printf "%-26s %14s %14s\n", n, ((("[icount]", n) in v) ? v["[icount]", n] : "-"),
			((("[tcg]", n) in v) ? v["[tcg]", n] : "-")
	}
}' "$results"
