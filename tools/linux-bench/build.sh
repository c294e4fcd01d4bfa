#!/usr/bin/env bash
# Build what the Linux side of the benchmarks boots: Debian's kernel
# (downloaded with apt-get, never installed: only vmlinuz and the virtio
# modules are extracted) and two small initramfs images, one whose /init is
# faultbench.c (the fault benchmark), one whose /init is blockbench.c (the
# block benchmark, with the virtio modules), each built static.
#
#   tools/linux-bench/build.sh
#
# Outputs, in LINUX_BENCH_DIR (default build/linux-bench, or
# $BUILD_DIR/linux-bench):
#   vmlinuz          Debian's kernel image
#   config           its build configuration (for reference)
#   kernel.txt       "PACKAGE VERSION" of the package it came from
#   init             the static test program
#   initramfs.cpio   newc archive: /init, /dev/console, /proc, /sys
#   modules/         virtio, virtio_ring, virtio_pci(_modern_dev,
#                    _legacy_dev), virtio_blk .ko files of that kernel
#                    (built as modules in the cloud flavour)
#   blockbench       the static block benchmark program
#   blockbench.cpio  its initramfs: /init, the modules under /lib/modules,
#                    /modules.order (their load order)
#   filebench        the static file benchmark program (ext2 on the disk)
#   filebench.cpio   its initramfs, as blockbench.cpio
#   mapbench         the static mapped-file benchmark program
#   mapbench.cpio    its initramfs, as blockbench.cpio
#   spawnbench       the static spawn benchmark program (fork + exec)
#   spawnbench.cpio  its initramfs, as blockbench.cpio
#   true             the static program it starts (true.c: exits 0), which
#                    tools/bench-spawn.sh writes into the disk as /bin/true
# Each is made only when missing (init and initramfs.cpio also when
# faultbench.c is newer).  Delete the directory to start again.
#
# The kernel package: LINUX_BENCH_PACKAGE if set, else what the
# metapackage linux-image-cloud-amd64 depends on (today
# linux-image-<version>-cloud-amd64).  The cloud flavour is a third of the
# size of the generic one and has what this needs built in: the 8250
# serial console, initramfs, ELF, ACPI power-off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$top/build}
out=${LINUX_BENCH_DIR:-$BUILD_DIR/linux-bench}
meta=linux-image-cloud-amd64

die() { echo "linux-bench: $*" >&2; exit 1; }
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
mkdir -p "$out"

# --- the kernel -----------------------------------------------------------
apt_lists_ready() { apt-cache show "$meta" > /dev/null 2>&1; }

# The modules virtio-blk needs, in load order (each after what it depends on).
block_modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk)
have_modules() {
	for m in "${block_modules[@]}"; do [ -s "$out/modules/$m.ko" ] || return 1; done
}

if [ ! -s "$out/vmlinuz" ] || ! have_modules; then
	for t in apt-get apt-cache dpkg-deb; do
		command -v "$t" > /dev/null || die "$t not found (a Debian system is needed)"
	done
	if ! apt_lists_ready; then
		echo "linux-bench: apt package lists missing, running apt-get update" >&2
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
			die "apt-get update failed"
		apt_lists_ready || die "no package $meta in the apt lists"
	fi
	pkg=${LINUX_BENCH_PACKAGE:-}
	# The modules must match a kernel already there: the same package.
	[ -z "$pkg" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/kernel.txt" ] &&
		pkg=$(awk '{ print $1 }' "$out/kernel.txt")
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache depends "$meta" |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
		[ -n "$pkg" ] || die "cannot tell which kernel package $meta depends on"
	fi
	tmp=$(mktemp -d "$out/download.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "linux-bench: downloading $pkg (not installing it)" >&2
	apt_opts=()
	# apt drops to the _apt user to download into the current directory;
	# as root, download as root instead of warning about it.
	[ "$(id -u)" -eq 0 ] && apt_opts=(-o APT::Sandbox::User=root)
	(cd "$tmp" && apt-get download -q "${apt_opts[@]}" "$pkg" >&2) ||
		die "apt-get download $pkg failed"
	debs=("$tmp"/*.deb)
	deb=${debs[0]}
	[ -f "$deb" ] || die "apt-get download $pkg produced no .deb"
	dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
	images=("$tmp"/root/boot/vmlinuz-*)
	vmlinuz=${images[0]}
	[ -f "$vmlinuz" ] || die "$(basename "$deb") has no boot/vmlinuz-*"
	cp "$tmp"/root/boot/config-* "$out/config" 2> /dev/null || true
	echo "$pkg $(dpkg-deb -f "$deb" Version)" > "$out/kernel.txt"
	mkdir -p "$out/modules"
	for m in "${block_modules[@]}"; do
		ko=$(find "$tmp/root/lib/modules" -name "$m.ko" | head -n 1)
		[ -n "$ko" ] || die "$(basename "$deb") has no $m.ko"
		cp "$ko" "$out/modules/$m.ko"
	done
	cp "$vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	rm -rf "$tmp"
	trap - EXIT
	echo "linux-bench: kernel $(cat "$out/kernel.txt") -> $out/vmlinuz" >&2
fi

# --- the initramfs --------------------------------------------------------
src=$here/faultbench.c
if [ ! -x "$out/init" ] || [ "$src" -nt "$out/init" ]; then
	command -v gcc > /dev/null || die "gcc not found (tools/deps.sh installs it)"
	gcc -O2 -static -Wall -Wextra -o "$out/init.tmp" "$src" ||
		die "cannot build $src statically (is libc6-dev installed? tools/deps.sh installs it)"
	mv "$out/init.tmp" "$out/init"
fi
if [ ! -s "$out/initramfs.cpio" ] || [ "$out/init" -nt "$out/initramfs.cpio" ]; then
	command -v python3 > /dev/null || die "python3 not found"
	python3 "$here/mkcpio.py" "$out/init" "$out/initramfs.cpio.tmp" ||
		die "cannot write the initramfs"
	mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
fi

# --- the disk benchmarks: blockbench.c (the raw disk), filebench.c,
# mapbench.c and spawnbench.c (ext2 on the disk), each a static program,
# and true.c, the program spawnbench starts from the disk ---------------------
build_static() { # program: $here/program.c -> $out/program
	local prog=$1 src=$here/$1.c
	if [ ! -x "$out/$prog" ] || [ "$src" -nt "$out/$prog" ] ||
		[ "$here/benchutil.h" -nt "$out/$prog" ] ||
		[ "$here/../../common/include/bench/mapbench.h" -nt "$out/$prog" ]; then
		gcc -O2 -static -Wall -Wextra -o "$out/$prog.tmp" "$src" ||
			die "cannot build $src statically"
		mv "$out/$prog.tmp" "$out/$prog"
	fi
}
build_static blockbench
build_static filebench
build_static mapbench
build_static spawnbench
build_static true

# An initramfs for a benchmark that needs the virtio-blk modules.
block_cpio() { # program
	local prog=$1 order=$out/modules/modules.order files=()
	[ -s "$out/$prog.cpio" ] && [ ! "$out/$prog" -nt "$out/$prog.cpio" ] && return 0
	: > "$order"
	for m in "${block_modules[@]}"; do
		echo "/lib/modules/$m.ko" >> "$order"
		files+=("$out/modules/$m.ko=lib/modules/$m.ko")
	done
	python3 "$here/mkcpio.py" "$out/$prog" "$out/$prog.cpio.tmp" \
		"$order=modules.order" "${files[@]}" || die "cannot write the $prog initramfs"
	mv "$out/$prog.cpio.tmp" "$out/$prog.cpio"
}
block_cpio blockbench
block_cpio filebench
block_cpio mapbench
block_cpio spawnbench
