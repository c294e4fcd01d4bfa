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
# Other options are passed to tools/qemu.sh.
#
# Without --disk the system boots with one virtio-blk disk, build/root.img:
# the root file system, ext2 made from the tree's rootfs/ directory by
# tools/mkrootfs.sh whenever it is missing or older than rootfs/ (or the
# script).  The guest writes to it: delete it to get the tree back.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install
build_all

check=${RUN_CHECK:-0}
args=() disks=() no_disk=0
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1; shift ;;
	--disk) disks+=(--disk "$2"); shift 2 ;;
	--no-disk) no_disk=1; shift ;;
	*) args+=("$1"); shift ;;
	esac
done
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
