#!/usr/bin/env bash
# Where a transfer's guest instructions go, per kernel function: boots BOARD on the bench
# kernel under a QEMU plugin that counts executed guest instructions per translation block
# (scripts/profile/insn-profile.c), runs each workload between two markers
# (scripts/profile/prof_load.c) and prints, per workload, the instructions per transfer of
# the hottest functions (scripts/profile/report.py). A developer's tool for issue #16 ("find
# the cost with numbers"); not part of `make test`.
# Usage: scripts/profile.sh [BOARD] [MODE:SIZE:DEPTH:ITERS,...]   (default zcu102, the
# floor / driver loop / blocking XFER at depth 1 and floor / driver loop / SUBMIT batches
# (C, then through the Rust crate) at depth 8, 4 KiB). rblocking, rpipelined and rbatch
# run the same loops as blocking, pipelined and batch through the Rust crate (`axidma
# prof-load`), its functions named in the report. Guest instructions do not include the
# DMA engine's copying (QEMU does that on the host): what is counted is the software's
# cost alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:-zcu102}
w=${2:-floor:4096:1:5000,kernel:4096:1:5000,blocking:4096:1:5000,floor:4096:8:5000,kernel:4096:8:5000,batch:4096:8:5000,rbatch:4096:8:5000}
export KFLAVOUR=${KFLAVOUR:-bench}
out=${LOGDIR:-$REPO/out}/profile-$b; rm -rf "$out"; mkdir -p "$out"
# The plugin is built against the qemu-plugin.h of the QEMU source scripts/build-qemu.sh
# keeps (same version as Debian's QEMU, which runs it).
qbin=$("$REPO/scripts/build-qemu.sh" qemu-system-aarch64)
hdr="$(dirname "$qbin")/../src/include/qemu"
so="$CACHE/profile/insn-profile.so"; mkdir -p "$(dirname "$so")"
if [ ! -f "$so" ] || [ "$REPO/scripts/profile/insn-profile.c" -nt "$so" ]; then
  gcc -O2 -shared -fPIC -Wall -I"$hdr" $(pkg-config --cflags glib-2.0) \
    "$REPO/scripts/profile/insn-profile.c" -o "$so"
fi
# One CPU online (maxcpus=1; PROFILE_CPUS to change): with several, a vCPU that spins on
# a lock whose holder's vCPU the host has not scheduled counts thousands of instructions
# a real board would not execute (queued_spin_lock_slowpath was 90% of every workload
# with 4 CPUs on a busy host).
GUEST_APPEND="maxcpus=${PROFILE_CPUS:-1} " LOGDIR=$out PROFILE_WORKLOADS=$w GUEST_PYTHON=0 QEMU_EXTRA="-plugin $so,out=$out/dump" \
  "$REPO/scripts/run-board.sh" "$b" profile > "$out/guest.log"
# The axidma tool's functions, for the r* workloads (it is static, at fixed addresses).
tool=${AXI_DMA_UBIN:-$CACHE/userspace-$CHECKOUT_KEY/$b/bin}/axidma
python3 "$REPO/scripts/profile/report.py" "$out/guest.log" "$out/dump" 25 "$tool" | tee "$out/report.txt"
