#!/bin/sh
# The guest half of `make run`: load the driver and move data by DMA from user space.
. /guest/lib.sh
echo "== dmaengine channels:"; ls /sys/class/dma | tr '\n' ' '; echo
echo "== insmod axi_dma_mod.ko"; load || exit 1
dmesg | grep axi_dma | tail -5
echo "== axidma info"; axidma-demo info
echo "== axidma copy (user space buffer -> DMA -> user space buffer)"
axidma-demo copy 1048576
axidma-demo copy 4096
