#!/usr/bin/env bash
# Run the benchmarks and print their results.  Benchmarks are not tests:
# they report numbers; docs/PERFORMANCE.md records them with this command.
#
#   tools/bench.sh            every benchmark that exists so far
#
# Now: the host B+tree benchmark (ns per insert/lookup/remove at 1,000 and
# 1,000,000 random keys; -O2, no sanitizers) and the boot time of the image
# under QEMU TCG.
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
