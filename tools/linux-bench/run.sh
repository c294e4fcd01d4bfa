#!/usr/bin/env bash
# Boot the Linux fault benchmark (tools/linux-bench/build.sh makes it) in
# QEMU with the same machine as tools/qemu.sh: -machine pc, 1 CPU, the same
# memory, -cpu max under TCG and host,-arch-capabilities under KVM.  The
# serial output goes to stdout (and to --log); the guest powers itself off.
#
#   tools/linux-bench/run.sh [--accel tcg|kvm] [--timeout S] [--log FILE]
#                            [--memory MB] [--icount] [--block DISK | --fs DISK | --map DISK |
#                             --spawn DISK]
#                            [--plugin SO,ARGS]
#
# --block DISK boots the block benchmark (blockbench.cpio) instead of the
# fault benchmark, with the raw image DISK (at least 64 MiB with the
# tools/mkdisk.sh pattern; it is overwritten) attached as a modern
# virtio-blk PCI device, as tools/qemu.sh --disk DISK,modern attaches it.
# --fs DISK boots the file benchmark (filebench.cpio) with DISK, an ext2
# image made by tools/mkbenchfs.sh (it is written to), attached the same way;
# --map DISK the mapped-file benchmark (mapbench.cpio) the same way;
# --spawn DISK the spawn benchmark (spawnbench.cpio) the same way, DISK an
# ext2 image holding Linux's static /bin/true and /etc/motd
# (tools/bench-spawn.sh makes it).
# --plugin loads a TCG plugin (tools/bench.sh: insncount).
#
# --icount runs TCG with "-icount shift=0,sleep=off", as tools/qemu.sh
# --icount does: the guest TSC advances one tick per guest instruction, so
# the figures are exact instruction counts.
#
# LINUX_BENCH_APPEND adds words to the kernel command line (for example
# "mitigations=off"; default nothing).
#
# Exit status: 0 the guest printed "linux: faultbench done" (or blockbench)
# and powered off;
# 1 it ran but failed; 2 KVM stopped with an internal error (QEMU is ended
# at once instead of waiting for the timeout); 124 timeout; 3 anything else.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$top/build}
dir=${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}
accel=${QEMU_ACCEL:-tcg} timeout=120 log="" memory=256 icount=()
initrd=initramfs.cpio bench=faultbench extra=()

while [ $# -gt 0 ]; do
	case "$1" in
	--accel) accel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--icount) icount=(-icount "shift=0,sleep=off"); shift ;;
	--block | --fs | --map | --spawn)
		[ -f "$2" ] || { echo "linux-bench: no disk image $2" >&2; exit 3; }
		case $1 in
		--fs) initrd=filebench.cpio bench=filebench ;;
		--map) initrd=mapbench.cpio bench=mapbench ;;
		--spawn) initrd=spawnbench.cpio bench=spawnbench ;;
		*) initrd=blockbench.cpio bench=blockbench ;;
		esac
		extra+=(-drive "file=$2,if=none,format=raw,id=disk0"
			-device "virtio-blk-pci,drive=disk0,disable-legacy=on")
		shift 2 ;;
	--plugin) extra+=(-plugin "$2"); shift 2 ;;
	*) echo "linux-bench/run.sh: unknown option $1" >&2; exit 3 ;;
	esac
done
for f in vmlinuz "$initrd"; do
	[ -s "$dir/$f" ] || { echo "linux-bench: $dir/$f missing; run tools/linux-bench/build.sh" >&2; exit 3; }
done

cpu=max
[ "$accel" = kvm ] && cpu=host,-arch-capabilities
if [ ${#icount[@]} -gt 0 ] && [ "$accel" != tcg ]; then
	echo "linux-bench: --icount needs --accel tcg" >&2
	exit 3
fi
append="console=ttyS0 quiet panic=-1 ${LINUX_BENCH_APPEND:-}"
tmplog=""
if [ -z "$log" ]; then
	tmplog=$(mktemp) || exit 3
	log=$tmplog
fi
: > "$log" || { echo "linux-bench: cannot write $log" >&2; exit 3; }

# QEMU in the background writing to the log; we follow the log so that a
# KVM internal error (QEMU then stops the guest and waits forever) ends the
# run at once.  panic=-1 with -no-reboot makes a guest panic end QEMU too.
qemu-system-x86_64 -machine pc -accel "$accel" -cpu "$cpu" -m "$memory" -smp 1 "${icount[@]}" \
	-no-reboot -display none -monitor none -serial stdio "${extra[@]}" \
	-kernel "$dir/vmlinuz" -initrd "$dir/$initrd" -append "$append" \
	< /dev/null > "$log" 2>&1 &
qemu=$!
tail -n +1 -f --pid=$qemu "$log" | tr -d '\r' &
tailer=$!
stop_qemu() {
	kill "$qemu" 2> /dev/null
	sleep 1
	kill -9 "$qemu" 2> /dev/null
	wait "$qemu" 2> /dev/null
}
trap 'stop_qemu; kill "$tailer" 2> /dev/null; [ -n "$tmplog" ] && rm -f "$tmplog"; exit 3' INT TERM

status=""
start=$SECONDS
while kill -0 "$qemu" 2> /dev/null; do
	if grep -q "KVM internal error" "$log"; then
		stop_qemu; status=2; break
	fi
	if [ "$timeout" -gt 0 ] && [ $((SECONDS - start)) -ge "$timeout" ]; then
		stop_qemu; status=124; break
	fi
	sleep 1
done
if [ -z "$status" ]; then
	wait "$qemu"
	qstatus=$?
	if grep -q "^linux: $bench done" "$log"; then
		status=0
	elif grep -q "^linux: $bench failed" "$log"; then
		status=1
	else
		echo "linux-bench: QEMU ended with status $qstatus before the benchmark finished" >&2
		status=3
	fi
fi
wait "$tailer" 2> /dev/null
[ -n "$tmplog" ] && rm -f "$tmplog"
case $status in
2) echo "linux-bench: KVM internal error; QEMU ended" >&2 ;;
124) echo "linux-bench: timed out after ${timeout}s" >&2 ;;
esac
exit "$status"
