#!/usr/bin/env bash
# Run the benchmarks and print their results.  Benchmarks are not tests:
# they report numbers; docs/PERFORMANCE.md records them with this command.
#
#   tools/bench.sh            every benchmark that exists so far
#
# Now: the host B+tree benchmark (ns per insert/lookup/remove at 1,000 and
# 1,000,000 random keys; -O2, no sanitizers), the boot time of the image
# under QEMU TCG, and the in-guest microbenchmarks (uspace/app/bench: null
# syscall, thread switch) in TSC cycles, under KVM when it works on this
# machine and always under TCG; each line says which accelerator.  Then the
# same first-touch fault microbenchmark in a Linux guest (Debian's kernel and
# a static /init, tools/linux-bench/) in the same QEMU machine and
# accelerator, and the ratio of our fault cost to Linux's minor fault when
# our bench reports it ("bench fault_1page: ...", "bench fault_16page: ...").
#
# LINUX_BENCH_KVM=1 runs the Linux guest under KVM even when our kernel's KVM
# run was not usable (by default it is skipped then: same accelerator only).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install && build_all || exit 1

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

# In-guest microbenchmarks.  Under TCG the "cycles" are the emulated TSC,
# i.e. host time: they measure the emulation, not a CPU.
run_guest_bench() { # accel
	local log=$BUILD_DIR/bench-$1.log
	if "$top/tools/qemu.sh" --cmdline "bench=all" --accel "$1" --timeout 180 --log "$log" \
		> /dev/null 2>&1; then
		tr -d '\r' < "$log" | grep "^bench " | sed "s/^/[$1] /"
	else
		echo "[$1] not usable on this machine (see $log)"
	fi
}
echo "== guest microbenchmarks (uspace/app/bench)"
# Every guest line printed below also goes to $results, for the ratios.
results=$BUILD_DIR/bench-results.txt
: > "$results"
[ -e /dev/kvm ] && run_guest_bench kvm | tee -a "$results"
run_guest_bench tcg | tee -a "$results"

# The same first-touch microbenchmark in a Linux guest: Debian's kernel
# (downloaded, not installed) and an initramfs whose /init is
# tools/linux-bench/faultbench.c; same QEMU machine, memory, -cpu and
# accelerator.  Lines: "[ACCEL] bench linux_fault_write: ...".
run_linux_bench() { # accel
	local log=$BUILD_DIR/bench-linux-$1.log rc
	"$top/tools/linux-bench/run.sh" --accel "$1" --timeout 180 --log "$log" > /dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		tr -d '\r' < "$log" | grep -E "^(bench |linux: )" | grep -v "^linux: faultbench" |
			sed "s/^/[$1] /"
	else
		echo "[$1] linux: not usable on this machine (run.sh status $rc; see $log)"
	fi
}
echo "== Linux guest: the same first-touch fault benchmark (tools/linux-bench)"
if "$top/tools/linux-bench/build.sh"; then
	echo "linux: $(cat "${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}/kernel.txt" 2> /dev/null)"
	if [ -e /dev/kvm ]; then
		if grep -q "^\[kvm\] bench " "$results" || [ "${LINUX_BENCH_KVM:-0}" = 1 ]; then
			run_linux_bench kvm | tee -a "$results"
		else
			echo "[kvm] linux: skipped, as our kernel's KVM run was not usable (LINUX_BENCH_KVM=1 runs it)"
		fi
	fi
	run_linux_bench tcg | tee -a "$results"
else
	echo "linux: cannot build the Linux guest (see the messages above)"
fi

# Our cost over Linux's, per accelerator, from the medians of the lines
# above: "[ACCEL] ratio OURS / LINUX: X.XX".  Ours comes from
# uspace/app/bench; until it prints the line the ratio says so.
ratio() { # ours linux
	local accel o l
	for accel in kvm tcg; do
		l=$(awk -v k="[$accel]" -v n="$2:" '$1 == k && $2 == "bench" && $3 == n { print $5; exit }' "$results")
		[ -n "$l" ] || continue
		o=$(awk -v k="[$accel]" -v n="$1:" '$1 == k && $2 == "bench" && $3 == n { print $5; exit }' "$results")
		if [ -n "$o" ] && [ "$l" -gt 0 ] 2> /dev/null; then
			awk -v a="$accel" -v o="$o" -v l="$l" -v on="$1" -v ln="$2" \
				'BEGIN { printf "[%s] ratio %s / %s: %.2f\n", a, on, ln, o / l }'
		else
			echo "[$accel] ratio $1 / $2: no 'bench $1' line from uspace/app/bench yet"
		fi
	done
}
echo "== ours / Linux (medians)"
ratio fault_1page linux_fault_write  # a fault answered with one page
ratio fault_16page linux_fault_write # per page, 16-page runs answered
