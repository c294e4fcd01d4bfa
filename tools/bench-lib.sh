# What tools/bench.sh, tools/bench-fs.sh, tools/bench-map.sh and
# tools/bench-spawn.sh share
# (sourced; $top and $BUILD_DIR set by the caller).
#
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
# One boot of a disk benchmark with DISK as it is: Linux's program
# (tools/linux-bench/run.sh --KIND) or our tester's TEST ("fs utest=TEST"),
# in plain TCG or (label icount) under -icount with the insncount plugin
# writing INSN; the boot's exit status.
bench_guest_boot() { # side(linux|ours) kind(fs|map|spawn) test label disk log insn memory
	local side=$1 kind=$2 test=$3 label=$4 disk=$5 log=$6 insn=$7 so=""
	local mode=(--accel tcg --memory "$8")
	[ "$label" = icount ] && mode+=(--icount) && so=$(insncount_so)
	rm -f "$insn"
	if [ "$side" = linux ]; then
		"$top/tools/linux-bench/run.sh" "${mode[@]}" "--$kind" "$disk" --timeout 900 \
			${so:+--plugin "$so,out=$insn"} --log "$log" > /dev/null 2>&1
	else
		"$top/tools/qemu.sh" "${mode[@]}" --cmdline "fs utest=$test" --timeout 900 \
			--disk "$disk,modern" ${so:+--plugin "$so,out=$insn"} --log "$log" > /dev/null 2>&1
	fi
}
# The same on a fresh copy of tools/mkbenchfs.sh's image (bench-fs.sh,
# bench-map.sh).
bench_disk_boot() { # side(linux|ours) kind(fs|map) test label disk log insn memory
	"$top/tools/mkbenchfs.sh" "$5" || return
	bench_guest_boot "$@"
}
# The options of a disk benchmark (bench-fs.sh, bench-map.sh, bench-spawn.sh): sets build,
# runs and memory (defaults 1, 3, 256); --help prints the script's header
# comment; an unknown option or a missing value: exit 2.  Then builds the
# tree and the Linux guest unless --no-build.
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
