#!/usr/bin/env bash
# The kernel's view of the ABI (uapi.rs) must equal the C header's on every target user
# space is built for. uapi.rs uses `core` only, so tests/uapi-layout compiles it on the
# host and generates C static assertions from Rust's own size_of/offset_of! for every
# field, ioctl number and constant, compiled for x86_64, arm64 and armhf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO/tests/uapi-layout"
CI=1 CARGO_TARGET_DIR="$CARGO_HOST_DIR" cargo test --quiet 2>&1
