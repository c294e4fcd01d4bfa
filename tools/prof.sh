#!/usr/bin/env bash
# Profile a guest benchmark: boot "bench=SPEC prof=MULT" under TCG (the
# timer interrupts MULT times per 10 ms tick and each interrupt records
# where the CPU was), then print the symbol histogram (tools/prof.py).
#
#   tools/prof.sh fault_1page        # one benchmark of uspace/app/bench
#   tools/prof.sh ipc_roundtrip 50   # 5,000 samples a second
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install && build_all || exit 1
spec=${1:?usage: tools/prof.sh BENCH-SPEC [MULT]}
mult=${2:-20}
log=$BUILD_DIR/prof-$spec.log
"$top/tools/qemu.sh" --cmdline "bench=$spec prof=$mult" --timeout 300 --log "$log" > /dev/null 2>&1
echo "qemu.sh status $? (log: $log)"
tr -d '\r' < "$log" | grep "^bench "
"$top/tools/prof.py" "$log"
