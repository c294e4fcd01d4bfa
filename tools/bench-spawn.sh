#!/usr/bin/env bash
# The spawn benchmark (issue 12; docs/PERFORMANCE.md "Spawn from files"),
# alone or as part of tools/bench.sh:
#
#   tools/bench-spawn.sh [--no-build] [--runs N] [--memory MB]
#
# A program that does nothing, started from a file, run to its end and
# waited for.  Ours: the tester's hw_spawn_bench (test_spawn_bench.c,
# task_spawn_path("/bin/true") + task_wait) in a boot with
# "fs utest=hw_spawn_bench" on a fresh copy of tools/mkrootfs.sh's root
# image; Linux: tools/linux-bench/spawnbench.c (fork + execve of a static
# glibc /bin/true + waitpid) on a copy of the same image with /bin/true
# replaced by Linux's (tools/linux-bench/true.c), mounted as ext2.  Both
# read /etc/motd first (the volume's first use), nothing of /bin.  The
# insncount plugin counts each window: 1 the first spawn (cold: the
# directory, the inode and the text come from the disk), 2-22 the same
# again (warm: all cached; the figure is the median of the 21).  N runs
# under -icount (default 3) and one under plain TCG (the guest clock: the
# wall-clock column), both sides with MB of memory (default 256).
#
# Lines: "[icount] run I insn spawn_cold: N" and "spawn_warm" (ours) and
# "linux_spawn_*" (Linux), "[icount] run I windows ...: the 21 warm
# windows", "[tcg] run 1 time NAME: N us" (the guest clock: ours the TSC
# over the rate the kernel measured at boot, Linux CLOCK_MONOTONIC), then
# "[icount] ratio spawn_X / linux_spawn_X" of the medians and the target
# (warm spawn at most Linux's).  Last, the time from power-on to the
# shell's prompt under plain TCG (3 boots of the ordinary system, as
# tools/run.sh boots it, on a fresh copy of the root image): host wall
# clock from starting tools/qemu.sh to GRUB's "Booting" (the firmware and
# GRUB's start), to the kernel's banner (GRUB has loaded the kernel and the
# boot modules) and to the prompt "/ $ " on the serial line, then
# "poweroff" typed at it; the host's load average goes with them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench-lib.sh
source "$top/tools/bench-lib.sh"
bench_disk_options bench-spawn "$@"
bench_kind=spawn bench_lines="^(bench (linux_)?spawn_|# file pager cache)"
base=$BUILD_DIR/bench-spawn-root.img

# The two images: ours is the root image; Linux's the same with its own
# static true as /bin/true (debugfs: the old file removed, the new one
# written, mode 0755, owner 0).
spawn_images() {
	"$top/tools/mkrootfs.sh" "$base" || return 1
	[ -s "$bench_linux_dir/true" ] || return 0
	cp "$base" "$base.linux" || return 1
	PATH=$PATH:/sbin:/usr/sbin debugfs -w -f - "$base.linux" > "$BUILD_DIR/bench-spawn-debugfs.log" 2>&1 <<- EOF
		rm /bin/true
		cd /bin
		write $bench_linux_dir/true true
		sif /bin/true mode 0100755
		sif /bin/true uid 0
		sif /bin/true gid 0
	EOF
	PATH=$PATH:/sbin e2fsck -fn "$base.linux" > /dev/null 2>&1 ||
		{ echo "bench-spawn: the Linux image is damaged (see $BUILD_DIR/bench-spawn-debugfs.log)"; return 1; }
}

# The disk of one run: a fresh copy of the side's image.
bench_disk() { # side disk
	if [ "$1" = linux ]; then
		cp "$base.linux" "$2"
	else
		cp "$base" "$2"
	fi
}

# The guest-clock figures of a plain TCG run, in microseconds.
spawn_time() { # side label run log
	if [ "$1" = linux ]; then
		tr -d '\r' < "$4" | awk -v l="$2" -v r="$3" '$1 == "spawnbench:" && $3 ~ /^[0-9]+$/ {
			printf "[%s] run %s time %s %.0f us\n", l, r, $2, $3 / 1000 }'
	else
		tr -d '\r' < "$4" | awk -v l="$2" -v r="$3" '
			/^timer: .* TSC [0-9]+ MHz/ { for (i = 1; i < NF; i++) if ($(i + 1) == "MHz") mhz = $i }
			$1 == "bench" && $2 ~ /^spawn_/ && $3 == "median" && mhz > 0 {
				printf "[%s] run %s time %s %.0f us\n", l, r, $2, $4 / mhz }'
	fi
}

# One run's figures: window 1, the median of 2-22 and the 22 windows on
# one line; under plain TCG the guest clock's.
bench_figures() { # side label run log insn disk
	local p=""
	[ "$1" = linux ] && p=linux_
	bench_insn_lines "$2" "$3" "$5" "${p}spawn_cold=1" "${p}spawn_warm=2-22"
	[ -s "$5" ] && awk -F'[: ]+' -v l="$2" -v r="$3" -v p="$p" '
		$1 == "window" { w[$2 + 0] = $3 }
		END {
			if (!(1 in w) || !(22 in w)) exit
			printf "[%s] run %s windows %sspawn (1 cold, 2-22 warm):", l, r, p
			for (i = 1; i <= 22; i++) printf " %d", w[i]
			printf "\n"
		}' "$5"
	[ "$2" = tcg ] && spawn_time "$1" "$2" "$3" "$4"
	return 0
}

# Power-on to the shell's prompt: an ordinary boot (init starts the shell)
# on a fresh copy of the root image, QEMU's serial output watched by a
# script that notes when the kernel's banner and the prompt appear
# (seconds since START), then types "poweroff".
boot_watch() { # log start result
	python3 - "$1" "$2" "$3" << 'EOF'
import re, sys, time
log, start, result = sys.argv[1], float(sys.argv[2]), sys.argv[3]
marks = {"grub": r"Booting `mkernel'", "banner": r"\nmkernel [0-9.]+ \(", "prompt": r"\n/ \$ "}
seen = {}
deadline = time.time() + 120
while time.time() < deadline and "prompt" not in seen:
    try:
        data = open(log, "rb").read().decode("latin-1")
    except OSError:
        data = ""
    now = time.time() - start
    for k, text in marks.items():
        if k not in seen and re.search(text, data):
            seen[k] = now
    time.sleep(0.005)
with open(result, "w") as f:
    f.write(" ".join("%.3f" % seen[k] if k in seen else "-" for k in marks) + "\n")
sys.stdout.write("poweroff\r")
sys.stdout.flush()
EOF
}
boot_to_prompt() { # runs
	local i log res disk=$BUILD_DIR/bench-spawn-boot.img start rc grub banner prompt
	for i in $(seq 1 "$1"); do
		log=$BUILD_DIR/bench-spawn-boot-$i.log res=$BUILD_DIR/bench-spawn-boot-$i.txt
		cp "$base" "$disk" || return
		: > "$log"
		rm -f "$res"
		start=$(date +%s.%N)
		"$top/tools/qemu.sh" --accel tcg --memory "$memory" --disk "$disk" --timeout 150 --log "$log" \
			--serial-in <(boot_watch "$log" "$start" "$res") > /dev/null 2>&1
		rc=$?
		for _ in $(seq 50); do [ -s "$res" ] && break; sleep 0.1; done
		read -r grub banner prompt < "$res" 2> /dev/null || grub=- banner=- prompt=-
		if [ "$prompt" = - ]; then
			echo "[tcg] boot run $i: no prompt (qemu.sh status $rc; see $log)"
		else
			echo "[tcg] boot run $i: power-on to GRUB's \"Booting\" $grub s, to the kernel's banner $banner s, to the prompt $prompt s (qemu.sh status $rc)"
			echo "$grub $banner $prompt" >> "$BUILD_DIR/bench-spawn-boot.txt"
		fi
	done
}

echo "== spawn from a file + exit + wait ($memory MiB): /bin/true cold (window 1) and warm (2-22)"
if ! spawn_images; then
	echo "spawn: cannot make the images"
	exit 1
fi
bench_both_sides "spawnbench.cpio true" cold warm
ours=$(bench_insn_median spawn_warm "$bench_results")
linux=$(bench_insn_median linux_spawn_warm "$bench_results")
if [ -n "$ours" ] && [ -n "$linux" ]; then
	awk -v a="$ours" -v b="$linux" \
		'BEGIN { printf "[icount] target spawn_warm <= linux_spawn_warm: %s (%d / %d)\n", a <= b ? "met" : "missed", a, b }'
fi
echo "== power-on to the shell prompt under TCG (host wall clock; 3 ordinary boots)"
echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (TCG wall clock follows it)"
: > "$BUILD_DIR/bench-spawn-boot.txt"
boot_to_prompt 3
m=()
for c in 1 2 3; do
	m[c]=$(awk -v c="$c" '{ print $c }' "$BUILD_DIR/bench-spawn-boot.txt" | median_of)
done
echo "[tcg] boot medians: to GRUB ${m[1]:--} s, to the kernel ${m[2]:--} s, to the prompt ${m[3]:--} s"
