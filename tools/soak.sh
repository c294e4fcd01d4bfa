#!/usr/bin/env bash
# The fuzz soak: boot the user test suite's syscall-and-IPC fuzzer
# ("utest=fuzz:...", uspace/app/tester/test_fuzz.c) for N calls and report
# the calls made, kernel panics, hangs, and the free frames and kernel
# object counts before and after (once every fuzzing task has ended).
#
#   tools/soak.sh [options]
#     --calls N          calls to make (default 10000000)
#     --seed S           the run's seed (default: from the clock; printed)
#     --workers W        fuzzing tasks at once (default 4, at most 16)
#     --threads T        fuzzing threads per task (default 4, at most 8)
#     --budget B         calls one task makes before it ends (default 20000)
#     --ms M             the longest one task runs, ms (default 8000)
#     --anon             the random calls may also use the phone to the
#                        anon pager (which pages every task, the tester
#                        included: if it breaks, the run ends)
#     --memory MB        guest RAM (default 256)
#     --pager-timeout MS the kernel's pager timeout (default: the kernel's)
#     --stall SEC        no progress for this long is a hang (default 120)
#     --timeout SEC      give up after this long (default: from N)
#
# A hang is either reported by the guest (a fuzzing task that did not end
# in time: "fuzz: HANG", with its seed) or seen here (the call count stops
# growing for --stall seconds; QEMU is then stopped).  Exit status 0 iff
# the run was clean: no panic, no hang, no frame or object lost.  The
# whole serial log is in build/soak.log.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=deps.sh
source "$top/tools/deps.sh"

calls=10000000 seed="" workers=4 threads=4 budget=20000 ms=8000 memory=256
pager_timeout="" stall=120 timeout="" anon=0
while [ $# -gt 0 ]; do
	case "$1" in
	--calls) calls=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--workers) workers=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--budget) budget=$2; shift 2 ;;
	--ms) ms=$2; shift 2 ;;
	--anon) anon=1; shift ;;
	--memory) memory=$2; shift 2 ;;
	--pager-timeout) pager_timeout=$2; shift 2 ;;
	--stall) stall=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h | --help) sed -n '2,28p' "$0"; exit 0 ;;
	*) echo "soak.sh: unknown option $1" >&2; exit 3 ;;
	esac
done
[ -n "$seed" ] || seed=$(printf '%#x' $(( ($(date +%s%N) ^ (RANDOM << 20)) & 0x7fffffffffff )))
[ -n "$timeout" ] || timeout=$((calls / 2000 + 600))

deps_install || { echo "soak.sh: could not install packages"; exit 3; }
build_all || { echo "soak.sh: build failed"; exit 3; }
log=$BUILD_DIR/soak.log
spec="fuzz:calls=$calls,seed=$seed,workers=$workers,threads=$threads,budget=$budget,ms=$ms,anon=$anon"
cmdline="utest=$spec"
[ -n "$pager_timeout" ] && cmdline="$cmdline pager_timeout=$pager_timeout"
echo "soak: seed $seed, $calls calls, $workers workers x $threads threads, ${memory} MiB"
echo "soak: cmdline \"$cmdline\", log $log"

: > "$log"
# Its own process group, so a stalled run can be stopped whole.
setsid "$top/tools/qemu.sh" --cmdline "$cmdline" --timeout "$timeout" --memory "$memory" \
	--log "$log" > /dev/null 2>&1 &
qpid=$!

# The guest prints "fuzz: progress N calls, ..." every 5 s.
progress_calls() {
	tr -d '\r\000' < "$log" | awk '/^fuzz: progress / { n = $3 } END { print n + 0 }'
}
stalled=0 last=-1 start=$(date +%s) since=$start
while kill -0 "$qpid" 2> /dev/null; do
	sleep 5
	now=$(date +%s) n=$(progress_calls)
	if [ "$n" != "$last" ]; then
		last=$n since=$now
		echo "soak: $n calls after $((now - start))s"
	elif [ $((now - since)) -ge "$stall" ]; then
		echo "soak: no progress for ${stall}s at $n calls: a hang; stopping QEMU"
		stalled=1
		kill -- "-$qpid" 2> /dev/null
		break
	fi
done
wait "$qpid"
rc=$?

text=$(tr -d '\r\000' < "$log")
panics=0
if [ $rc -eq 2 ] || grep -q -e "kernel panic at" -e "unexpected exception" <<< "$text"; then
	panics=1
fi
report=$(grep "^fuzz: seed .* calls in" <<< "$text" | tail -n 1)
frames=$(grep "^fuzz: frames free before" <<< "$text" | tail -n 1)
guest_hangs=$(grep -c "^fuzz: HANG" <<< "$text")
made=$(sed -n 's/^fuzz: seed [^:]*: \([0-9]*\) calls.*/\1/p' <<< "$report")
before=$(sed -n 's/^fuzz: frames free before \([0-9]*\) after \([0-9]*\).*/\1/p' <<< "$frames")
after=$(sed -n 's/^fuzz: frames free before \([0-9]*\) after \([0-9]*\).*/\2/p' <<< "$frames")
hangs=$((guest_hangs + stalled))

echo "--- soak report (seed $seed)"
[ -n "$report" ] && echo "${report#fuzz: }"
[ -n "$frames" ] && echo "${frames#fuzz: }"
grep "^fuzz: HANG" <<< "$text"
printf 'calls %s, panics %d, hangs %d, frames free before %s after %s (%s lost)\n' \
	"${made:-?}" $panics $hangs "${before:-?}" "${after:-?}" \
	"$([ -n "$before" ] && [ -n "$after" ] && echo $((before - after)) || echo '?')"
if [ $rc -eq 0 ] && [ $panics -eq 0 ] && [ $hangs -eq 0 ] && grep -q "^fuzz: verdict clean" <<< "$text"; then
	echo "soak: clean"
	exit 0
fi
echo "soak: NOT clean (qemu.sh status $rc; log $log)"
exit 1
