#!/bin/sh
# The guest half of `make run`: load the driver and move data by DMA from user space.
. /guest/lib.sh
echo "== dmaengine channels on this board:"; ls /sys/class/dma | tr '\n' ' '; echo
echo "== insmod axi_dma_mod.ko"; load || exit 1
echo "== axidma info"; axidma info
echo "== axidma copy 1M --verify   (buffer -> DMA engine -> buffer, both mmapped: no copy through the kernel)"
axidma copy 1M --verify
echo "== axidma copy 4k --verify"
axidma copy 4k --verify
echo "== the same from C: axidma-demo copy 65536"
axidma-demo copy 65536
rmmod axi_dma_mod
