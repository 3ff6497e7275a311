#!/usr/bin/env bash
# rustfmt check of the module's Rust files with the kernel's own .rustfmt.toml.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cfg="$(kernel_src)/.rustfmt.toml"
[ -f "$cfg" ] || die "kernel source missing (run make setup)"
cd "$REPO"
/usr/bin/rustfmt --config-path "$cfg" --edition 2021 --check ./*.rs
