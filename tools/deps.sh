#!/usr/bin/env bash
# Install the Debian packages the build, the image and the tests need, if
# any are missing.  Sourced by tools/run.sh and tools/test.sh.
# (sourced: leaves the caller's shell options alone)
DEPS_PACKAGES=(gcc libc6-dev binutils make meson ninja-build python3 qemu-system-x86
	grub-pc-bin grub-common xorriso mtools clang-format clang e2fsprogs)

deps_install() {
	local missing=()
	for p in "${DEPS_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "deps: installing ${missing[*]}" >&2
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}

# Configure (once) and build.  BUILD_DIR and BUILD_CROSS_FILE may override.
build_all() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	BUILD_DIR=${BUILD_DIR:-$top/build}
	local cross=${BUILD_CROSS_FILE:-$top/tools/cross/amd64-gcc.ini}
	if [ ! -f "$BUILD_DIR/build.ninja" ]; then
		meson setup "$BUILD_DIR" "$top" --cross-file "$cross" >&2
	fi
	ninja -C "$BUILD_DIR" >&2
}
