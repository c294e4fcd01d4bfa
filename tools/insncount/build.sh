#!/usr/bin/env bash
# Build the insncount QEMU plugin (tools/insncount/insncount.c) as OUT
# (default build/insncount.so); prints nothing unless the compiler does.
#
#   tools/insncount/build.sh [OUT.so]
#
# Only gcc is needed: tools/qemu-plugin.h declares the part of QEMU 7.2's
# plugin interface it uses (Debian's QEMU has no plugin header).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case "${1-}" in
-h | --help) sed -n '2,/^set/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
esac
out=${1:-$here/../../build/insncount.so}
mkdir -p "$(dirname "$out")"
gcc -std=gnu11 -O2 -shared -fPIC -fvisibility=hidden -pthread -Wall -Wextra -Werror \
	-Wmissing-prototypes -Wstrict-prototypes -o "$out" "$here/insncount.c"
