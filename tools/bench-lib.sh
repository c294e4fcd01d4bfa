# shellcheck shell=bash disable=SC2154
# (bench_kind and bench_lines below are set by the script that sources this.)
# What tools/bench.sh and the disk benchmarks tools/bench-fs.sh,
# tools/bench-map.sh and tools/bench-spawn.sh share (sourced, with $top
# set by the caller; sources tools/deps.sh and sets BUILD_DIR).
#
# A disk benchmark script is thin: it calls bench_disk_options with its
# arguments, sets bench_kind (fs, map, spawn, block: the names of its
# files in $BUILD_DIR, the Linux side's run.sh --KIND, our side's
# command line "fs utest=hw_KIND_bench" unless bench_cmdline says
# another) and bench_lines (the log lines it shows), defines
# bench_figures (and bench_disk if the disk is not a fresh copy of
# tools/mkbenchfs.sh's image), then calls bench_both_sides with the
# figures to compare (or bench_runs for each side itself).

# shellcheck source=deps.sh
source "$top/tools/deps.sh"
BUILD_DIR=${BUILD_DIR:-$top/build}
bench_linux_dir=${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}

# insncount_so: build the insncount QEMU plugin (tools/insncount/insncount.c)
# as $BUILD_DIR/insncount.so and print its path; fails (printing nothing)
# when it does not build.
insncount_so() {
	"$top/tools/insncount/build.sh" "$BUILD_DIR/insncount.so" > /dev/null 2>&1 &&
		echo "$BUILD_DIR/insncount.so"
}
# The median of the numbers on stdin, one a line (nothing if none).
median_of() {
	sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}

# The figures of one run's insncount file (tools/insncount: "window N: M
# instructions" lines), one line "[LABEL] run RUN insn NAME: M" for each
# NAME=WINDOWS: WINDOWS is one window ("5"), or a range whose median is
# the figure ("3-23"; "3-" to the last window); a NAME whose windows are
# not all in the file is left out.
bench_insn_lines() { # label run insn-file NAME=WINDOWS...
	local l=$1 r=$2 f=$3
	shift 3
	[ -s "$f" ] || return 0
	awk -F'[: ]+' -v l="$l" -v r="$r" -v specs="$*" '
		$1 == "window" { w[$2 + 0] = $3; if ($2 + 0 > last) last = $2 + 0 }
		END {
			ns = split(specs, spec, " ")
			for (k = 1; k <= ns; k++) {
				split(spec[k], nv, "=")
				lo = hi = nv[2] + 0
				if (split(nv[2], ab, "-") == 2)
					hi = ab[2] == "" ? last : ab[2] + 0
				m = 0
				for (i = lo; i <= hi && (i in w); i++)
					a[++m] = w[i]
				if (m == 0 || i <= hi)
					continue
				for (i = 2; i <= m; i++)
					for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
				printf "[%s] run %s insn %s: %d\n", l, r, nv[1], a[int((m + 1) / 2)]
			}
		}' "$f"
}

# The median of the [icount] runs' "insn NAME" figures in FILEs (nothing
# if none).
bench_insn_median() { # name file...
	local n=$1
	shift
	cat "$@" | awk -v n="$n:" '$1 == "[icount]" && $4 == "insn" && $5 == n { print $6 }' | median_of
}
# "[icount] ratio NAME / LINUX_NAME: R  (A / B instructions)" of those
# medians, or "not measured" when either side has none.
bench_ratio() { # name linux-name file...
	local n=$1 ln=$2 a b
	shift 2
	a=$(bench_insn_median "$n" "$@") b=$(bench_insn_median "$ln" "$@")
	if [ -n "$a" ] && [ -n "$b" ]; then
		awk -v n="$n" -v ln="$ln" -v a="$a" -v b="$b" \
			'BEGIN { printf "[icount] ratio %s / %s: %.2f  (%d / %d instructions)\n", n, ln, a / b, a, b }'
	else
		echo "[icount] ratio $n / $ln: not measured"
	fi
}

# One boot of a disk benchmark with DISK as it is: Linux's program
# (tools/linux-bench/run.sh --KIND) or ours (the kernel command line
# CMDLINE, e.g. "fs utest=hw_fs_bench"), in plain TCG or (label icount)
# under -icount with the insncount plugin writing INSN; the boot's exit
# status.
bench_guest_boot() { # side(linux|ours) kind(fs|map|spawn|block) cmdline label disk log insn memory
	local side=$1 kind=$2 cmdline=$3 label=$4 disk=$5 log=$6 insn=$7 so=""
	local mode=(--accel tcg --memory "$8")
	[ "$label" = icount ] && mode+=(--icount) && so=$(insncount_so)
	rm -f "$insn"
	if [ "$side" = linux ]; then
		"$top/tools/linux-bench/run.sh" "${mode[@]}" "--$kind" "$disk" --timeout 900 \
			${so:+--plugin "$so,out=$insn"} --log "$log" > /dev/null 2>&1
	else
		"$top/tools/qemu.sh" "${mode[@]}" --cmdline "$cmdline" --timeout 900 \
			--disk "$disk,modern" ${so:+--plugin "$so,out=$insn"} --log "$log" > /dev/null 2>&1
	fi
}

# The options of a disk benchmark: sets build, runs and memory (defaults
# 1, 3, 256); --help prints the script's header comment; an unknown
# option or a missing value: exit 2.  Then builds the tree and the Linux
# guest unless --no-build.
bench_disk_options() { # name args...
	local name=$1
	shift
	build=1 runs=3 memory=256
	while [ $# -gt 0 ]; do
		case "$1" in
		--no-build) build=0; shift ;;
		--runs | --memory)
			[ $# -ge 2 ] || { echo "$name.sh: $1 needs a value" >&2; exit 2; }
			[ "$1" = --runs ] && runs=$2 || memory=$2
			shift 2 ;;
		-h | --help) sed -n '2,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
		*) echo "$name.sh: unknown option $1" >&2; exit 2 ;;
		esac
	done
	if [ "$build" = 1 ]; then
		deps_install && build_all || exit 1
		"$top/tools/linux-bench/build.sh" > /dev/null 2>&1 ||
			echo "linux ${name#bench-}: cannot build the Linux guest"
	fi
}

# The disk of one run (the script may define its own): a fresh copy of
# tools/mkbenchfs.sh's image.
bench_disk() { # side disk
	"$top/tools/mkbenchfs.sh" "$2"
}

# e2fsck -fn of the image after one of our runs: a line if it finds
# problems (nothing where e2fsck is missing).
bench_e2fsck() { # label run disk
	command -v e2fsck > /dev/null || [ -x /sbin/e2fsck ] || return 0
	PATH=$PATH:/sbin e2fsck -fn "$3" > /dev/null 2>&1 ||
		echo "[$1] ours $bench_kind: run $2: e2fsck -fn found problems"
}

# RUNS boots of one side under LABEL (icount: -icount with the insncount
# plugin; tcg: plain TCG), each on its bench_disk: the log's lines that
# match $bench_lines with "[LABEL] run I " before them, then the script's
# bench_figures.
bench_runs() { # side(linux|ours) label runs
	local side=$1 l=$2 i disk=$BUILD_DIR/bench-$bench_kind-$1.img log insn
	for i in $(seq 1 "$3"); do
		log=$BUILD_DIR/bench-$bench_kind-$side-$l-$i.log insn=$BUILD_DIR/bench-$bench_kind-$side-$l-$i.insn
		if ! bench_disk "$side" "$disk"; then
			echo "[$l] $side $bench_kind: run $i: cannot make the disk $disk"
			return 1
		fi
		if ! bench_guest_boot "$side" "$bench_kind" "${bench_cmdline:-fs utest=hw_${bench_kind}_bench}" \
			"$l" "$disk" "$log" "$insn" "$memory"; then
			echo "[$l] $side $bench_kind: run $i failed (see $log)"
			continue
		fi
		tr -d '\r' < "$log" | grep -E "$bench_lines" | sed "s/^/[$l] run $i /"
		bench_figures "$side" "$l" "$i" "$log" "$insn" "$disk"
	done
}

# Both sides of the benchmark, every line also into $bench_results: the
# Linux side when tools/linux-bench/build.sh made its FILES (in
# LINUX_BENCH_DIR), then ours, each $runs boots under -icount and one
# under plain TCG; then the ratio of the -icount medians of each NAME
# (KIND_NAME / linux_KIND_NAME).
bench_both_sides() { # "linux-files" name...
	local f n absent=""
	bench_results=$BUILD_DIR/bench-$bench_kind-results.txt
	: > "$bench_results"
	for f in $1; do [ -s "$bench_linux_dir/$f" ] || absent+=" $f"; done
	if [ -z "$absent" ]; then
		bench_runs linux icount "$runs" | tee -a "$bench_results"
		bench_runs linux tcg 1 | tee -a "$bench_results"
	else
		echo "linux $bench_kind: no$absent in $bench_linux_dir (tools/linux-bench/build.sh makes it)"
	fi
	bench_runs ours icount "$runs" | tee -a "$bench_results"
	bench_runs ours tcg 1 | tee -a "$bench_results"
	shift
	for n; do
		bench_ratio "${bench_kind}_$n" "linux_${bench_kind}_$n" "$bench_results"
	done
}
