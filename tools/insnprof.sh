#!/usr/bin/env bash
# Exact instruction profile of a guest benchmark: boot "bench=SPEC" under
# -icount with the insnprof plugin (tools/insnprof/insnprof.c), counting
# only inside the benchmark's timed windows (bench_rdtsc() marks them with
# xchg %bx,%bx), then print instructions per function (tools/insnprof.py).
#
#   tools/insnprof.sh ipc_roundtrip_fast        # per round trip
#   tools/insnprof.sh fault_1page_steady 60     # top 60 functions
#
# The per-operation figure divides by the number of operations the
# benchmark reports ("N runs of M ops"); functions are named from the
# kernel and, in user space, from the program whose file holds the
# instruction's bytes at its address (tools/insnprof.py).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install && build_all || exit 1
spec=${1:?usage: tools/insnprof.sh BENCH [TOP]}
ntop=${2:-40}
so=$BUILD_DIR/insnprof.so
gcc -O2 -shared -fPIC -fvisibility=hidden -Wall -Wextra -o "$so" "$top/tools/insnprof/insnprof.c" || exit 1
out=$BUILD_DIR/insnprof-$spec.out log=$BUILD_DIR/insnprof-$spec.log
"$top/tools/qemu.sh" --cmdline "bench=$spec" --icount --plugin "$so,out=$out,windows=1" \
	--timeout 600 --log "$log" > /dev/null 2>&1
echo "qemu.sh status $? (log: $log)"
line=$(tr -d '\r' < "$log" | grep "^bench " | head -1)
echo "$line"
# "(R runs of N ops)": the windows are the R timed runs (and any warm-up
# windows the benchmark has), so divide by the operations they covered.
ops=$(echo "$line" | sed -n 's/.*(\([0-9]*\) runs of \([0-9]*\) ops).*/\1 \2/p' | awk '{ print $1 * $2 }')
"$top/tools/insnprof.py" "$out" --per "${ops:-1}" --top "$ntop"
