#!/usr/bin/env bash
# Cross-build the user-space programs for a board as static binaries into
# $CACHE/userspace-<checkout key>/<board>/bin. Usage: scripts/build-userspace.sh zcu102|zc702
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
cc="$(board_cross "$b")gcc"
out="$CACHE/userspace-$CHECKOUT_KEY/$b/bin"; mkdir -p "$out"  # per checkout: runs in two checkouts must not swap binaries
cflags=(-static -O2 -Wall -Wextra -Werror -I"$REPO/include")
# The C test suite: the shared fixture, one file per area, main.c (see its header).
ctest=()
for f in main fixture provider_params basics memcpy mmap nonblocking files cached usermem dmabuf hold slave loopback stream axi; do
  ctest+=("$REPO/userspace-test/$f.c")
done
"$cc" "${cflags[@]}" -o "$out/axi_dma_test" "${ctest[@]}" "$REPO/lib/c/axidma.c"
"$cc" "${cflags[@]}" -o "$out/axidma-demo" "$REPO/examples/axidma_demo.c" "$REPO/lib/c/axidma.c"
"$cc" "${cflags[@]}" -pthread -o "$out/axi_dma_lifetime" "$REPO/userspace-test/axi_dma_lifetime.c" \
  "$REPO/userspace-test/provider_params.c" "$REPO/lib/c/axidma.c"
"$cc" "${cflags[@]}" -pthread -o "$out/axi_dma_abuse" "$REPO/userspace-test/axi_dma_abuse.c" "$REPO/lib/c/axidma.c"
# scripts/profile.sh's guest workload (a profiling marker around one kind of transfer loop).
"$cc" "${cflags[@]}" -o "$out/prof_load" "$REPO/scripts/profile/prof_load.c" "$REPO/lib/c/axidma.c"
# The conformance test: raw ioctls against the documented ABI, no library (only the test
# provider's parameter helper).
"$cc" "${cflags[@]}" -o "$out/axi_dma_conformance" "$REPO/userspace-test/axi_dma_conformance.c" \
  "$REPO/userspace-test/provider_params.c"
if [ "$b" = zcu102 ]; then
  # 32-bit user space on the 64-bit kernel (compat ioctls): the same test, built for armhf.
  arm-linux-gnueabihf-gcc "${cflags[@]}" -o "$out/axi_dma_test32" "${ctest[@]}" "$REPO/lib/c/axidma.c"
  arm-linux-gnueabihf-gcc "${cflags[@]}" -o "$out/axi_dma_conformance32" "$REPO/userspace-test/axi_dma_conformance.c" \
    "$REPO/userspace-test/provider_params.c"
fi
# The Rust command-line tool, static, with the std built for the target (Debian's rustc +
# rust-web-src; rustup's toolchain here has no rust-src for other targets).
rt=$(board_rust_target "$b")
case $rt in aarch64*) linker=aarch64-linux-gnu-gcc ;; *) linker=arm-linux-gnueabihf-gcc ;; esac
tvar=CARGO_TARGET_$(echo "$rt" | tr 'a-z-' 'A-Z_')_LINKER
( cd "$REPO/tools/axidma" && env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$CARGO_CROSS_DIR" \
    "$tvar=$linker" RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --quiet --release --locked -Zbuild-std=std,panic_abort --target "$rt" >&2 )
cp "$CARGO_CROSS_DIR/$rt/release/axidma" "$out/axidma"
echo "$out"
