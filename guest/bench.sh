#!/bin/sh
# The guest half of `make bench`: the axidma benchmark on the board's first memcpy channel,
# printed as JSON between markers for the host to render.
. /guest/lib.sh
load || exit 1
echo "@@BENCH-BEGIN"
axidma bench --sizes ${BENCH_SIZES:-64,256,1k,4k,16k,64k,256k,1M,4M,16M} --depths 1,2,4,8 --json
echo "@@BENCH-END"
rmmod axi_dma_mod
