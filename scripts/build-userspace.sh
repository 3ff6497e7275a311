#!/usr/bin/env bash
# Cross-build the user-space programs for a board as static binaries into
# $CACHE/userspace/<board>/bin. Usage: scripts/build-userspace.sh zcu102|zc702
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
cc="$(board_cross "$b")gcc"
out="$CACHE/userspace/$b/bin"; mkdir -p "$out"
cflags=(-static -O2 -Wall -Wextra -Werror -I"$REPO/include")
"$cc" "${cflags[@]}" -o "$out/axi_dma_test" "$REPO/userspace-test/axi_dma_test.c" "$REPO/lib/c/axidma.c"
"$cc" "${cflags[@]}" -o "$out/axidma-demo" "$REPO/examples/axidma_demo.c" "$REPO/lib/c/axidma.c"
if [ "$b" = zcu102 ]; then
  # 32-bit user space on the 64-bit kernel (compat ioctls): the same test, built for armhf.
  arm-linux-gnueabihf-gcc "${cflags[@]}" -o "$out/axi_dma_test32" "$REPO/userspace-test/axi_dma_test.c" "$REPO/lib/c/axidma.c"
fi
echo "$out"
