#!/usr/bin/env bash
# Compile the project's device trees into $CACHE/dtb/<kernel source>/ (dtb_dir): the
# emulated boards' DTs (with the include paths of the source of the kernel series KVER
# selects, as the kernel's dtbs rule does) and the real-board overlays. Prints nothing but
# errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$(kernel_src)
[ -f "$src/Makefile" ] || die "kernel source missing: run scripts/build-kernel.sh first"
out=$(dtb_dir); mkdir -p "$out"
cpp_dtc() { # in.dts out.dtb arch-dts-dir
  cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -I "$src/include" -I "$3" -I "$src/scripts/dtc/include-prefixes" "$1" \
    | dtc -q -@ -I dts -O dtb -o "$2" -
}
cpp_dtc "$REPO/dts/zcu102-qemu.dts" "$out/zcu102-qemu.dtb" "$src/arch/arm64/boot/dts/xilinx"
cpp_dtc "$REPO/dts/zc702-qemu.dts" "$out/zc702-qemu.dtb" "$src/arch/arm/boot/dts/xilinx"
# For the patched QEMU only (scripts/build-qemu.sh): add the AXI DMA in the PL.
cpp_dtc "$REPO/dts/zc702-qemu-axidma.dts" "$out/zc702-qemu-axidma.dtb" "$src/arch/arm/boot/dts/xilinx"
cpp_dtc "$REPO/dts/zcu102-qemu-axidma.dts" "$out/zcu102-qemu-axidma.dtb" "$src/arch/arm64/boot/dts/xilinx"
for f in "$REPO"/dts/*.dtso; do
  dtc -q -@ -I dts -O dtb -o "$out/$(basename "${f%.dtso}").dtbo" "$f"
done
