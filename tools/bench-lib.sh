# What tools/bench.sh and tools/bench-fs.sh share (sourced; $top and
# $BUILD_DIR set by the caller).
#
# insncount_so: build the insncount QEMU plugin (from INSNCOUNT_DIR, default
# the team's shared tools beside the repository) and print its path; fails
# when its source is not there.
insncount_so() {
	local dir=${INSNCOUNT_DIR:-$top/../shared/tools/insncount}
	[ -x "$dir/build.sh" ] || return 1
	"$dir/build.sh" "$BUILD_DIR/insncount.so" > /dev/null 2>&1 && echo "$BUILD_DIR/insncount.so"
}
# The median of the numbers on stdin, one a line (nothing if none).
median_of() {
	sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}
