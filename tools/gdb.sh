#!/usr/bin/env bash
# Debug the system with GDB: build if needed, boot the image under QEMU's
# gdbstub (stopped before the first instruction) and start GDB on it with
# the kernel's symbols and, with --program, a user program's.
#
#   tools/gdb.sh [options] [qemu.sh options...]
#     --program NAME     also load the symbols of user program NAME (the
#                        executable of that name under build/uspace: init,
#                        tester, sh, cat, ...).  Every user program is a
#                        static ELF linked at 0x400000
#                        (uspace/lib/c/arch/amd64/program.ld) and the kernel
#                        maps it at its link address, so its symbols need no
#                        offset.  All programs share that address: a
#                        breakpoint on a user address stops in whichever
#                        task runs there: `ubreak LOCATION` (defined by this
#                        script) stops only in the task named NAME
#     --port PORT        the gdbstub's TCP port on 127.0.0.1 (default 1234)
#     --batch CMDS       run GDB with -batch: attach, run the commands CMDS
#                        (separated by newlines or ';'), then end QEMU; GDB's
#                        output goes to stdout, its exit status is ours
#     --serial FILE      the guest's serial output goes to FILE (default
#                        build/gdb-serial.log; `tail -f` it)
#     -h, --help         print this and exit
# Other options go to tools/qemu.sh (--cmdline, --disk, --timeout, ...; see
# tools/qemu.sh --help).  QEMU runs without a timeout unless --timeout is
# given (120 s in --batch mode).  Build with `meson configure build
# -Duser_debug=true` first to see a user program's locals (-O0).
#
# Example (a user test's function is utest_fn_NAME):
#   tools/gdb.sh --program tester --cmdline "utest=ipc_ping_pong"
#   (gdb) ubreak utest_fn_ipc_ping_pong
#   (gdb) continue
#   (gdb) info locals
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$top/build}
program="" port=1234 batch="" have_batch=0 serial="" qargs=()

usage() {
	sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'
}
need_value() { # option remaining-argument-count
	[ "$2" -ge 2 ] || { echo "gdb.sh: $1 needs a value (see --help)" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
	case "$1" in
	--program | --port | --batch | --serial) need_value "$1" $# ;;
	esac
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--program) program=$2; shift 2 ;;
	--port) port=$2; shift 2 ;;
	--batch) batch=$2; have_batch=1; shift 2 ;;
	--serial) serial=$2; shift 2 ;;
	*) qargs+=("$1"); shift ;;
	esac
done
"$top/tools/qemu.sh" --parse-only --gdb-port "$port" "${qargs[@]}" ||
	{ echo "gdb.sh: see --help" >&2; exit 2; }

# shellcheck source=deps.sh
source "$top/tools/deps.sh"
DEPS_PACKAGES+=(gdb iproute2)
deps_install || { echo "gdb.sh: could not install packages" >&2; exit 2; }
build_all || { echo "gdb.sh: build failed" >&2; exit 2; }

kernel=$BUILD_DIR/kernel/kernel.elf
[ -f "$kernel" ] || { echo "gdb.sh: no $kernel" >&2; exit 2; }
prog_elf=""
if [ -n "$program" ]; then
	prog_elf=$(find "$BUILD_DIR/uspace" -name '*.p' -prune -o -type f -name "$program" \
		-perm -u+x -print | head -n 1)
	[ -n "$prog_elf" ] || { echo "gdb.sh: no user program $program under $BUILD_DIR/uspace" >&2; exit 2; }
fi
[ -n "$serial" ] || serial=$BUILD_DIR/gdb-serial.log

# QEMU in its own session, so GDB's Ctrl-C does not reach it and we can end
# it (and only it) by its process group afterwards.
timeout=0
[ $have_batch -eq 1 ] && timeout=120
setsid "$top/tools/qemu.sh" --timeout "$timeout" "${qargs[@]}" --gdb-port "$port" \
	--log "$serial" > /dev/null 2>&1 < /dev/null &
qemu=$!
trap 'kill -- -$qemu 2> /dev/null' EXIT

# Wait for the gdbstub to listen (the image may be rebuilt first).
for _ in $(seq 600); do
	ss -Hltn "sport = :$port" 2> /dev/null | grep -q . && break
	kill -0 "$qemu" 2> /dev/null || { echo "gdb.sh: QEMU ended early (see $serial)" >&2; exit 2; }
	sleep 0.1
done

# GDB's setup: the symbols, the helper command, the connection.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gdb-sh.XXXXXX")
trap 'kill -- -$qemu 2> /dev/null; rm -rf "$tmp"' EXIT
{
	echo "set pagination off"
	echo "set confirm off"
	if [ -n "$prog_elf" ]; then
		# ubreak LOCATION: a breakpoint that stops only in the task named
		# $program (the task of the kernel's current thread; one CPU).
		echo "add-symbol-file $prog_elf"
		echo "define ubreak"
		echo "break \$arg0 if \$_streq(cpus[0].current->task->name, \"$program\")"
		echo "end"
		echo "document ubreak"
		echo "Set a breakpoint that stops only in the task $program."
		echo "end"
	fi
	echo "target remote 127.0.0.1:$port"
} > "$tmp/setup"
if [ $have_batch -eq 1 ]; then
	tr ';' '\n' <<< "$batch" > "$tmp/cmds"
	gdb -q -nx -batch -x "$tmp/setup" -x "$tmp/cmds" "$kernel" < /dev/null
	exit
fi
echo "gdb.sh: serial output in $serial; QEMU waits on 127.0.0.1:$port" >&2
gdb -q -nx -x "$tmp/setup" "$kernel"
