#!/usr/bin/env bash
# The QEMU harness: boot the system image and hand the kernel's verdict back
# as the exit status.
#
#   tools/qemu.sh [options]
#     --cmdline "ARGS"   kernel command line (rebuilds the ISO with it)
#     --iso PATH         boot this ISO instead
#     --log FILE         also write the serial output to FILE
#     --timeout SECONDS  kill QEMU after this long (exit 124); 0 = never
#     --interactive      serial console on the terminal (Ctrl-A X quits)
#     --gdb              QEMU waits for GDB on tcp::1234 before starting
#     --gdb-port PORT    the same on 127.0.0.1:PORT (tools/gdb.sh uses it)
#     --accel tcg|kvm    accelerator (default: tcg, or QEMU_ACCEL)
#     --memory MB        guest RAM (default 256)
#     --module "PATH ARGS"  add a boot module after the recipe's (with --cmdline)
#     --icount           TCG with -icount shift=0,sleep=off: the guest clock
#                        (and TSC) advances one tick per guest instruction, so
#                        TSC deltas are exact instruction counts (benchmarks)
#     --plugin "SO,ARGS" load a TCG plugin (tools/insnprof.sh uses it)
#     --disk FILE[,readonly][,modern][,ioerr=SECTOR][,wrerr=SECTOR]
#                        attach a raw disk image as a virtio-blk PCI device
#                        (repeatable: the first is disk0 to the guest's
#                        driver, in PCI order); readonly: the device is
#                        read-only (readonly=on); modern: disable-legacy=on
#                        (ID 1af4:1042 instead of the transitional 1af4:1001;
#                        "legacy=off" means the same); ioerr=SECTOR: every
#                        read touching 512-byte sector SECTOR fails with an
#                        I/O error, wrerr=SECTOR: every write touching it
#                        (both repeatable; QEMU's blkdebug; the rule file is
#                        written to build/blkdebug/)
#     --serial-in FILE   the guest's serial input comes from FILE (instead of
#                        nothing), fed once the kernel's banner is out (GRUB
#                        and the kernel reset the UART's FIFO while booting,
#                        which dropped the first bytes); QEMU then hands it
#                        over as fast as the UART takes it, so nothing is
#                        lost; a pipe works too: --serial-in <(script)
#     --print-cmd        print the QEMU command line and exit
#     --parse-only       check the options and exit (tools/run.sh uses it
#                        to refuse a wrong option before it builds)
#     -h, --help         print this and exit
#
# Exit status: 0 the kernel powered off with success, 1 with failure
# (tests failed), 2 the kernel panicked or took an unexpected exception,
# 124 timeout, 3 anything else (an unknown option or one without its
# value, QEMU died, triple fault, ...).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$top/build}
cmdline="" iso="" log="" timeout=120 interactive=0 gdb=0 gdb_port=1234
accel=${QEMU_ACCEL:-tcg} memory=256 have_cmdline=0 extra_modules=() icount=0 plugin=""
disks=() serial_in=/dev/null print_cmd=0 parse_only=0

usage() {
	sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'
}
# An option that takes a value must have one.
need_value() { # option remaining-argument-count
	[ "$2" -ge 2 ] || { echo "qemu.sh: $1 needs a value (see --help)" >&2; exit 3; }
}
# A --disk value's words (checked with the options, so --parse-only
# refuses a wrong one before anything is built).
disk_check() { # FILE[,WORD...]
	local words w
	IFS=, read -r -a words <<< "$1"
	[ -n "${words[0]:-}" ] || { echo "qemu.sh: --disk $1: no file name" >&2; return 1; }
	for w in "${words[@]:1}"; do
		case $w in
		readonly | readonly=on | modern | legacy=off) ;;
		ioerr=* | wrerr=*)
			case ${w#*=} in
			'' | *[!0-9]*) echo "qemu.sh: $w: a sector number, please" >&2; return 1 ;;
			esac ;;
		*) echo "qemu.sh: unknown disk option $w (readonly, modern, ioerr=SECTOR, wrerr=SECTOR)" >&2
			return 1 ;;
		esac
	done
}
while [ $# -gt 0 ]; do
	case "$1" in
	--cmdline | --iso | --log | --timeout | --accel | --memory | --module | --plugin | --disk | \
		--serial-in | --gdb-port) need_value "$1" $# ;;
	esac
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--parse-only) parse_only=1; shift ;;
	--cmdline) cmdline=$2; have_cmdline=1; shift 2 ;;
	--iso) iso=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--interactive) interactive=1; timeout=0; shift ;;
	--gdb) gdb=1; shift ;;
	--gdb-port) gdb=1; gdb_port=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--module) extra_modules+=("$2"); shift 2 ;;
	--icount) icount=1; shift ;;
	--plugin) plugin=$2; shift 2 ;;
	--disk) disk_check "$2" || exit 3; disks+=("$2"); shift 2 ;;
	--serial-in) serial_in=$2; shift 2 ;;
	--print-cmd) print_cmd=1; shift ;;
	*) echo "qemu.sh: unknown option $1 (see --help)" >&2; exit 3 ;;
	esac
done
case $gdb_port in
'' | *[!0-9]*) echo "qemu.sh: --gdb-port $gdb_port: a port number, please" >&2; exit 3 ;;
esac
[ $parse_only -eq 1 ] && exit 0

if [ -z "$iso" ]; then
	iso=$BUILD_DIR/boot/system.iso
	if [ $have_cmdline -eq 1 ]; then
		mkdir -p "$BUILD_DIR/images"
		key=$(printf '%s\n' "$cmdline" "${extra_modules[@]}" | md5sum | cut -c1-12)
		iso=$BUILD_DIR/images/$key.iso
		recipe=$BUILD_DIR/images/$key.recipe
		cp "$BUILD_DIR/boot/recipe.txt" "$recipe"
		for m in "${extra_modules[@]}"; do echo "module $m" >> "$recipe"; done
		"$top/tools/mkimage.sh" "$iso" "$recipe" "$cmdline" || exit 3
	fi
fi

cpu=max
# IA32_ARCH_CAPABILITIES cannot be set under some nested KVMs (QEMU
# aborts); the guest does not need it.
[ "$accel" = kvm ] && cpu=host,-arch-capabilities
args=(-machine pc -accel "$accel" -cpu "$cpu" -m "$memory" -smp 1
	-no-reboot -display none -boot d -cdrom "$iso"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
[ $gdb -eq 1 ] && args+=(-gdb "tcp:127.0.0.1:$gdb_port" -S)
if [ $icount -eq 1 ]; then
	[ "$accel" = tcg ] || { echo "qemu.sh: --icount needs --accel tcg" >&2; exit 3; }
	args+=(-icount "shift=0,sleep=off")
fi
[ -n "$plugin" ] && args+=(-plugin "$plugin")

# ioerr= and wrerr=: the reads (writes) that touch a 512-byte sector fail
# with EIO, through QEMU's blkdebug layer between the raw format and the
# file; its rule file goes under build/.  Each rule names its kind of
# request (iotype): without it, blkdebug fails every request touching the
# sector, reads and writes alike, once the first request of the rule's
# kind has come.  Sets drive_file.
disk_errors() { # disk-number image rule... (a rule: read:SECTOR or write:SECTOR)
	local n=$1 img=$2 conf rules="" tag="" r
	shift 2
	case $img in *:*) echo "qemu.sh: ioerr, wrerr: the disk file name may not hold a colon" >&2; return 1 ;; esac
	for r in "$@"; do
		printf -v rules '%s[inject-error]\nevent = "%s_aio"\niotype = "%s"\nerrno = "5"\nsector = "%s"\n' \
			"$rules" "${r%%:*}" "${r%%:*}" "${r#*:}"
		tag+=-${r%%:*}${r#*:}
	done
	conf=$BUILD_DIR/blkdebug/disk$n$tag.conf
	mkdir -p "$BUILD_DIR/blkdebug" || return 1
	printf '%s' "$rules" > "$conf.$$" && mv "$conf.$$" "$conf" || return 1
	drive_file=blkdebug:$conf:$img
}

# Disks: one -drive (the image, raw) and one virtio-blk-pci device each.
n=0
for spec in "${disks[@]}"; do
	IFS=, read -r -a words <<< "$spec"
	file=${words[0]} drive_opts="" dev_opts="" errors=()
	[ -f "$file" ] || { echo "qemu.sh: no disk image $file" >&2; exit 3; }
	drive_file=$file
	for w in "${words[@]:1}"; do
		case $w in
		readonly | readonly=on) drive_opts+=",readonly=on" ;;
		modern | legacy=off) dev_opts+=",disable-legacy=on" ;;
		ioerr=*) errors+=("read:${w#ioerr=}") ;;
		wrerr=*) errors+=("write:${w#wrerr=}") ;;
		esac
	done
	if [ ${#errors[@]} -gt 0 ]; then
		disk_errors "$n" "$file" "${errors[@]}" || exit 3
	fi
	args+=(-drive "file=$drive_file,if=none,format=raw,id=disk$n$drive_opts"
		-device "virtio-blk-pci,drive=disk$n$dev_opts")
	n=$((n + 1))
done
[ "$serial_in" = /dev/null ] || [ -r "$serial_in" ] ||
	{ echo "qemu.sh: cannot read $serial_in" >&2; exit 3; }
if [ $print_cmd -eq 1 ]; then
	printf '%q ' qemu-system-x86_64 "${args[@]}"
	echo
	exit 0
fi

if [ $interactive -eq 1 ]; then
	[ "$serial_in" = /dev/null ] || { echo "qemu.sh: --serial-in needs a run without --interactive" >&2; exit 3; }
	qemu-system-x86_64 "${args[@]}" -serial mon:stdio
	status=$?
else
	args+=(-serial stdio -monitor none)
	input=/dev/null out=$log tmp="" feeder=""
	if [ "$serial_in" != /dev/null ]; then
		# QEMU reads the serial input from a FIFO that a feeder fills
		# once the kernel's banner is in the output.
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-serial.XXXXXX")
		input=$tmp/in
		[ -n "$out" ] || out=$tmp/out
		mkfifo "$input"
		(
			for _ in $(seq $((timeout > 0 ? timeout * 10 : 36000))); do
				grep -aq "mkernel 0\." "$out" 2> /dev/null && break
				sleep 0.1
			done
			cat "$serial_in"
		) > "$input" &
		feeder=$!
	fi
	if [ -n "$out" ]; then
		timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" < "$input" |
			tee "$out"
	else
		timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" < "$input"
	fi
	status=${PIPESTATUS[0]}
	if [ -n "$tmp" ]; then
		kill "$feeder" 2> /dev/null
		wait "$feeder" 2> /dev/null
		rm -rf "$tmp"
	fi
fi

case $status in
33) exit 0 ;;
35) exit 1 ;;
37) exit 2 ;;
124 | 137) echo "qemu.sh: timed out after ${timeout}s" >&2; exit 124 ;;
*) [ $interactive -eq 1 ] && exit 0; echo "qemu.sh: QEMU ended with status $status" >&2; exit 3 ;;
esac
