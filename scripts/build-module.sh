#!/usr/bin/env bash
# Build the module against the project's cached kernel for a board (building that kernel
# first if needed). Output goes to $CACHE/modbuild/<kernel key>, never into the checkout.
# Usage: [KVER=7.2|7.3] scripts/build-module.sh zcu102|zc702   (CLIPPY=1 to run clippy as well)
# KVER selects the kernel series (default: the newest fetched).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
"$REPO/scripts/setup-host.sh" >&2
"$REPO/scripts/build-kernel.sh" "$b" >&2
out=$(kernel_out "$b")
# Keyed by the checkout too: two checkouts may build at the same time.
mo="$CACHE/modbuild/$(kernel_key "$b")-$(printf %s "$REPO" | sha1sum | cut -c1-8)"
mkdir -p "$mo"
PATH="$LLVM_BIN:$PATH" make -s -C "$out" ARCH="$(board_arch "$b")" LLVM=1 \
  RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc BINDGEN="$BINDGEN" \
  ${CLIPPY:+CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver} \
  M="$REPO" MO="$mo" KBUILD_MODPOST_WARN= W=1 modules >&2
# The test-only loopback provider the guest suite drives (never needed on a real board).
mkdir -p "$mo/test-provider"
PATH="$LLVM_BIN:$PATH" make -s -C "$out" ARCH="$(board_arch "$b")" LLVM=1 \
  M="$REPO/test-provider" MO="$mo/test-provider" W=1 modules >&2
echo "$mo/axi_dma_mod.ko"
