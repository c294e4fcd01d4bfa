#!/usr/bin/env bash
# Build the GRUB 2 boot ISO.
#   tools/mkimage.sh OUT.iso RECIPE [KERNEL CMDLINE...]
# RECIPE (made by boot/meson.build) has a line "kernel PATH" and one line
# "module PATH ARGS..." per boot module, in boot order.  Modules go on the
# image without their debug information (objcopy --strip-debug).
set -euo pipefail
out=$1
recipe=$2
shift 2
cmdline="$*"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mkimage.XXXXXX")
trap 'rm -rf "$work" "$out.$$.tmp"' EXIT
stage=$work/iso # only what goes on the image: grub-mkrescue packs all of it
mkdir -p "$stage/boot/grub" "$stage/boot/modules"

modules=""
while read -r kind path args; do
	case "$kind" in
	kernel) cp "$path" "$stage/boot/kernel.elf" ;;
	module)
		name=$(basename "$path")
		# Without their debug information (three quarters of their
		# bytes, which GRUB would read at every boot); GDB and the
		# profilers take the symbols from the build's own files.
		objcopy --strip-debug "$path" "$stage/boot/modules/$name" 2> /dev/null ||
			cp "$path" "$stage/boot/modules/$name"
		modules+="	module2 /boot/modules/$name $name${args:+ $args}"$'\n'
		;;
	esac
done < "$recipe"

# Substitute literally (no regex or escape processing of the values).
MK_CMDLINE=$cmdline MK_MODULES=$modules awk '
	function subst(line, key, val,   i) {
		i = index(line, key)
		return i ? substr(line, 1, i - 1) val substr(line, i + length(key)) : line
	}
	{
		if (index($0, "@MODULES@")) { printf "%s", ENVIRON["MK_MODULES"]; $0 = subst($0, "@MODULES@", "") }
		print subst($0, "@CMDLINE@", ENVIRON["MK_CMDLINE"])
	}
' "$here/../boot/grub.cfg.in" > "$stage/boot/grub/grub.cfg"

if ! grub-mkrescue -o "$out.$$.tmp" "$stage" > "$work/log" 2>&1; then
	cat "$work/log" >&2
	exit 1
fi
mv "$out.$$.tmp" "$out"
