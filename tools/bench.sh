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
# machine and always under TCG; each line says which accelerator.
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
[ -e /dev/kvm ] && run_guest_bench kvm
run_guest_bench tcg
