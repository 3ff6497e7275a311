#!/usr/bin/env bash
# `make run`: install what is missing, build, boot the emulated ZynqMP board (or BOARD=zc702),
# load the driver and move data through a real DMA channel from user space.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${BOARD:-zcu102}
"$REPO/scripts/run-board.sh" "$b" demo | sed -n '/@@GUEST-START/,/@@GUEST-DONE/p' | grep -v '^@@'
