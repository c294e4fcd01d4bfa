#!/usr/bin/env bash
# Boot the system in QEMU with the serial console on this terminal.
# Installs missing Debian packages, configures and builds first.
#
#   tools/run.sh                   interactive (Ctrl-A X quits QEMU)
#   tools/run.sh --check           boot, wait for "up", power off; exit 0 if it came up
#   RUN_CHECK=1 tools/run.sh       the same
#   tools/run.sh --cmdline "test=all"   any kernel command line
#   tools/run.sh --gdb             QEMU waits for GDB on localhost:1234
#   tools/run.sh --disk FILE[,readonly][,modern]   attach this disk image
#                                  instead of build/root.img (repeatable)
#   tools/run.sh --no-disk         no disk at all
#   tools/run.sh --help            print this and exit
# Other options are passed to tools/qemu.sh (listed by --help).  Every
# option is checked before anything is installed or built: an unknown one
# is reported at once, with exit status 2.
#
# Without --disk the system boots with one virtio-blk disk, build/root.img:
# the root file system, ext2 made from the tree's rootfs/ directory by
# tools/mkrootfs.sh whenever it is missing or older than rootfs/ (or the
# script).  The guest writes to it: delete it to get the tree back.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'
	echo
	echo "Options of tools/qemu.sh:"
	"$top/tools/qemu.sh" --help | sed -n '/^  *--/,/^$/p'
}

check=${RUN_CHECK:-0}
args=() disks=() no_disk=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--check) check=1; shift ;;
	--disk)
		[ $# -ge 2 ] || { echo "run.sh: --disk needs a value (see --help)" >&2; exit 2; }
		disks+=(--disk "$2"); shift 2 ;;
	--no-disk) no_disk=1; shift ;;
	*) args+=("$1"); shift ;;
	esac
done
# The options for qemu.sh, checked by qemu.sh itself, before the build.
"$top/tools/qemu.sh" --parse-only "${args[@]}" || { echo "run.sh: see --help" >&2; exit 2; }

# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install
build_all
if [ ${#disks[@]} -eq 0 ] && [ $no_disk -eq 0 ]; then
	"$top/tools/mkrootfs.sh" --check "$BUILD_DIR/root.img" ||
		"$top/tools/mkrootfs.sh" "$BUILD_DIR/root.img"
	disks=(--disk "$BUILD_DIR/root.img")
fi
[ $no_disk -eq 1 ] && disks=()
args+=("${disks[@]}")

if [ "$check" = 1 ]; then
	exec "$top/tools/qemu.sh" --cmdline "poweroff" --timeout 60 "${args[@]}"
fi
exec "$top/tools/qemu.sh" --interactive "${args[@]}"
