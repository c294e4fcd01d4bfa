#!/usr/bin/env bash
# Feed a file to a guest's serial input once the guest is ready for it.
#
#   tools/serial-feed.sh OUTPUT MARKER FILE [TIMEOUT]
#
# Waits until the guest's serial output, as it is being written to the file
# OUTPUT, contains the text MARKER (a fixed string), then writes FILE to
# standard output, which the caller connects to QEMU's serial input
# (tools/qemu.sh --serial-in).  Bytes that reach the UART before the
# guest's driver has set it up are lost: programming the UART resets its
# FIFO (a Linux guest fed at power-on loses the first 4 bytes).  After the
# marker QEMU hands bytes over only as the UART has room, so none is lost.
# Gives up after TIMEOUT seconds (default 120) and writes nothing.
set -uo pipefail
out=$1 marker=$2 file=$3 timeout=${4:-120}
end=$((SECONDS + timeout))
until [ -f "$out" ] && grep -aqF -- "$marker" "$out"; do
	[ $SECONDS -ge "$end" ] && { echo "serial-feed: no \"$marker\" in $out after ${timeout}s" >&2; exit 1; }
	sleep 0.1
done
cat -- "$file"
