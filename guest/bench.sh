#!/bin/sh
# The guest half of `make bench`: the axidma benchmark on the board's first memcpy channel,
# printed as JSON between markers for the host to render; then 1 MiB loopbacks driven from
# Python/numpy against the C tool, on the loopback provider (when the image has Python).
. /guest/lib.sh
load || exit 1
echo "@@BENCH-BEGIN"
axidma bench --sizes ${BENCH_SIZES:-64,256,1k,4k,16k,64k,256k,1M,4M,16M} --depths 1,2,4,8 --json
echo "@@BENCH-END"
if [ -x /usr/bin/python3 ] && insmod /lib/modules/axi_dma_loopback.ko; then
  sleep 0.5
  loopdev=/dev/$(ls /sys/bus/platform/devices/dma-user-loop/misc/ 2>/dev/null | head -1)
  echo "@@PYBENCH-BEGIN"
  python3 /guest/python/bench_loop.py "$loopdev" 1048576 ${PYBENCH_ITERS:-60}
  echo "@@PYBENCH-END"
fi
# The client first: it holds the loopback provider's channels.
rmmod axi_dma_mod
rmmod axi_dma_loopback 2>/dev/null
