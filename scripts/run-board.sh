#!/usr/bin/env bash
# Build everything for one emulated board, boot it in QEMU and run MODE (test|demo) inside.
# The serial log is kept in $LOGDIR (default: out/ in the checkout). A guest that does not
# finish within $GUEST_TIMEOUT seconds is killed and counted as a failure.
# Usage: scripts/run-board.sh BOARD MODE [SERIES]   -> prints the guest's output; exit 0 if
# it ended. SERIES (or $KVER) picks the kernel series, 7.2 or 7.3; default: the newest fetched.
# MODE conformance: only the conformance test (guest/conformance.sh), on the test setup;
# MODE python: only the Python package's suite (guest/python.sh), likewise.
# MODE profile: scripts/profile.sh's workloads ($PROFILE_WORKLOADS) under its QEMU plugin
# ($QEMU_EXTRA holds the -plugin arguments), on Debian's QEMU (the patched one is built
# without plugin support).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}; mode=${2:-test}
[ -z "${3:-}" ] || KVER=$3
KVER=$(kver); export KVER
logdir=${LOGDIR:-$REPO/out}; mkdir -p "$logdir"
log=$(board_log "$b" "$mode")
# One run per board and log at a time: a second one would clobber the serial log.
exec 9>"$log.lock"
flock -w 1200 9 || die "another run of $b is still going"
timeout_s=${GUEST_TIMEOUT:-900}

# AXI_DMA_KO / AXI_DMA_UBIN: a module and user-space directory built elsewhere, for A/B
# experiments (e.g. scripts/profile.sh against an older revision of the driver).
ko=${AXI_DMA_KO:-$("$REPO/scripts/build-module.sh" "$b")}
ubin=${AXI_DMA_UBIN:-$("$REPO/scripts/build-userspace.sh" "$b")}
"$REPO/scripts/build-dtbs.sh"
# Test and bench runs carry Python and numpy (the axidma package's suite and benchmark).
gp=0; case $mode in test|bench|python) gp=1 ;; esac
initrd=$(GUEST_PYTHON=${GUEST_PYTHON:-$gp} "$REPO/scripts/mkinitramfs.sh" "$b" "$ko" "$ubin")
kimg="$(kernel_out "$b")/$(board_image "$b")"
dtb="$(dtb_dir)/$b-qemu.dtb"

# Test and bench runs use QEMU built with the project's patches (an AXI DMA in the PL,
# scripts/build-qemu.sh) and the DTs that describe it; demo and soak keep Debian's QEMU and
# the plain DTs.
qemu_arm=qemu-system-arm; qemu_aarch64=qemu-system-aarch64
case $mode in test|conformance|python|bench) patched=1 ;; *) patched= ;; esac
if [ -n "$patched" ]; then
  # AXI_DMA_QEMU_ARM / AXI_DMA_QEMU_AARCH64: other binaries for experiments (e.g. without
  # a patch).
  case $b in
    zc702) qemu_arm=${AXI_DMA_QEMU_ARM:-$("$REPO/scripts/build-qemu.sh" qemu-system-arm)} ;;
    zcu102) qemu_aarch64=${AXI_DMA_QEMU_AARCH64:-$("$REPO/scripts/build-qemu.sh" qemu-system-aarch64)} ;;
  esac
  dtb="$(dtb_dir)/$b-qemu-axidma.dtb"
fi

# Both CPUs of the Zynq-7000 come up only with the project's QEMU patch 0004 (its SLCR
# releases CPU1): test runs have it; demo and soak on Debian's QEMU run on one CPU, and so
# does bench (fewer variables in a per-transfer cost measurement).
zynq_smp=; case $mode in test|conformance|python) zynq_smp="-smp 2" ;; esac
# panic=3 and softlockup_panic=1: a guest that panics or locks up reboots, and -no-reboot
# makes QEMU exit (a failure at once, instead of a spinning guest until GUEST_TIMEOUT).
case $b in
  zcu102)
    qemu=("$qemu_aarch64" -M xlnx-zcu102 -smp 4 -m 2G -serial mon:stdio
          -append "console=ttyPS0 earlycon=cdns,mmio,0xFF000000,115200n8 rdinit=/init axitest=$mode axiboard=$b axisoak=${SOAK_SECONDS:-600} axiseed=${FUZZ_SEED:-1} axisizes=${BENCH_SIZES:-default} axiprof=${PROFILE_WORKLOADS:-none} ${GUEST_APPEND:-}loglevel=7 kmemleak=on panic=3 softlockup_panic=1") ;;
  zc702)
    qemu=("$qemu_arm" -M xilinx-zynq-a9 $zynq_smp -m 1024 -serial null -serial mon:stdio
          -append "console=ttyPS0,115200 rdinit=/init axitest=$mode axiboard=$b axisoak=${SOAK_SECONDS:-600} axiseed=${FUZZ_SEED:-1} axisizes=${BENCH_SIZES:-default} axiprof=${PROFILE_WORKLOADS:-none} ${GUEST_APPEND:-}loglevel=7 kmemleak=on panic=3 softlockup_panic=1") ;;
esac
# BENCH_ICOUNT=1 (make bench's default): deterministic instruction counting, so the guest's
# clock counts guest instructions (1 ns each) instead of host time: the benchmark's times
# become instruction counts, free of the host's scheduling noise.
# GUEST_APPEND: more kernel parameters (with a trailing space), e.g. "maxcpus=1 ".
# QEMU_EXTRA: more QEMU arguments (word-split), e.g. scripts/profile.sh's -plugin.
read -r -a extra <<< "${QEMU_EXTRA:-}"
icount=(); if [ "$mode" = bench ] && [ "${BENCH_ICOUNT:-0}" = 1 ]; then icount=(-icount shift=0,sleep=off); fi
log "booting $b ($mode, Linux $KVER, $(kflavour) kernel${icount:+, -icount}); serial log: $log"
set +e
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" "${icount[@]}" ${extra[@]+"${extra[@]}"} -nographic -no-reboot -audio none \
  -kernel "$kimg" -dtb "$dtb" -initrd "$initrd" </dev/null >"$log" 2>&1
rc=$?
set -e
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
if [ $rc = 124 ] || [ $rc = 137 ]; then
  echo "@@RESULT $b:guest_finished FAIL killed after ${timeout_s}s (hung guest)" >> "$log"
elif ! grep -q '^@@GUEST-DONE' "$log"; then
  echo "@@RESULT $b:guest_finished FAIL QEMU exited ($rc) before the guest finished" >> "$log"
else
  echo "@@RESULT $b:guest_finished PASS" >> "$log"
fi
cat "$log"
