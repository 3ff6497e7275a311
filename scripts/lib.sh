# Shared settings for the project's scripts (sourced, not run).
# Everything expensive lives in $CACHE, outside the repository.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${AXI_DMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/axi-dma}
KVER_SERIES=7.2
BINDGEN=$CACHE/bindgen/bin/bindgen
BUSYBOX_DIR=$CACHE/busybox
LLVM_BIN=/usr/lib/llvm-19/bin
mkdir -p "$CACHE"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
kernel_tarball_path() { echo "$CACHE/src/linux-source-$KVER_SERIES.tar.xz"; }

# board -> kernel ARCH, cross prefix, image, QEMU
board_arch() { case $1 in zcu102) echo arm64;; zc702) echo arm;; *) die "unknown board $1 (zcu102|zc702)";; esac; }
board_cross() { case $1 in zcu102) echo aarch64-linux-gnu-;; zc702) echo arm-linux-gnueabihf-;; esac; }
board_debarch() { case $1 in zcu102) echo arm64;; zc702) echo armhf;; esac; }
board_image() { case $1 in zcu102) echo arch/arm64/boot/Image;; zc702) echo arch/arm/boot/zImage;; esac; }
board_fragment() { case $1 in zcu102) echo "$REPO/configs/zynqmp-arm64.config";; zc702) echo "$REPO/configs/zynq7000-arm.config";; esac; }
board_rust_target() { case $1 in zcu102) echo aarch64-unknown-linux-gnu;; zc702) echo armv7-unknown-linux-gnueabihf;; esac; }

# The kernel build directory for a board, keyed by kernel source version + fragment hash.
kernel_key() {
  local b=$1 src_ver frag_hash
  src_ver=$(cat "$CACHE/linux-source.deb-name" 2>/dev/null || echo unknown)
  frag_hash=$(cat "$(board_fragment "$b")" "$REPO/configs/common.config" | sha256sum | cut -c1-16)
  echo "${src_ver%.deb}-$b-$frag_hash"
}
kernel_out() { echo "$CACHE/kbuild/$(kernel_key "$1")"; }
kernel_src() { echo "$CACHE/src/linux-$(cat "$CACHE/linux-source.deb-name" 2>/dev/null | sed 's/^linux-source-[0-9.]*_//; s/_all.deb$//')"; }
