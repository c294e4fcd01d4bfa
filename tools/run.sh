#!/usr/bin/env bash
# Boot the system in QEMU with the serial console on this terminal.
# Installs missing Debian packages, configures and builds first.
#
#   tools/run.sh                   interactive (Ctrl-A X quits QEMU)
#   tools/run.sh --check           boot, wait for "up", power off; exit 0 if it came up
#   RUN_CHECK=1 tools/run.sh       the same
#   tools/run.sh --cmdline "test=all"   any kernel command line
#   tools/run.sh --gdb             QEMU waits for GDB on localhost:1234
# Other options are passed to tools/qemu.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deps.sh
source "$top/tools/deps.sh"
deps_install
build_all

check=${RUN_CHECK:-0}
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1; shift ;;
	*) args+=("$1"); shift ;;
	esac
done

if [ "$check" = 1 ]; then
	exec "$top/tools/qemu.sh" --cmdline "poweroff" --timeout 60 "${args[@]}"
fi
exec "$top/tools/qemu.sh" --interactive "${args[@]}"
