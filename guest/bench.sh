#!/bin/sh
# The guest half of `make bench`, printed as JSON between markers for the host to render:
#  - the kernel's own dmatest (verification off, one transfer at a time) on the memcpy
#    channel the benchmark uses: a floor that is none of this project's code;
#  - `axidma bench` on that channel: the bare dmaengine floor, the driver's in-kernel loop
#    and user space (blocking, pipelined, batched), with system calls and CPU time;
#  - `axidma bench --loopback` on the AXI DMA (the project's QEMU: MM2S looped to S2MM).
#  - 1 MiB loopbacks on the AXI DMA driven from Python/numpy against the C tool
#    (lib/python/guest_tests/bench_loop.py), when the image has Python.
. /guest/lib.sh
# BENCH_SIZES on the host reaches the guest as axisizes= on the kernel command line.
sizes=$(sed -n 's/.*axisizes=\([0-9kM,]*\).*/\1/p' /proc/cmdline)
sizes=${sizes:-64,256,1k,4k,16k,64k,256k,1M,4M,16M}
# Kernel messages off the console: they would land in the middle of the JSON.
dmesg -n 1
load || exit 1
# The provider channel of the first memcpy channel of /dev/axi-dma0 (what `axidma bench`
# picks), then free it for dmatest (a channel has one user at a time).
chan=$(axidma info | awk '$4 == "memcpy" || $4 ~ /^memcpy/ {print $3; exit}')
rmmod axi_dma_mod
echo "@@DMATEST-BEGIN"
echo "{\"channel\": \"$chan\", \"rows\": ["
if [ -n "$chan" ] && insmod /lib/modules/dmatest.ko 2>/dev/null; then
  p=/sys/module/dmatest/parameters
  sep=" "
  for s in $(echo "$sizes" | tr ',' ' '); do
    n=$(echo "$s" | sed 's/k$/*1024/; s/M$/*1048576/'); n=$((n))
    # dmatest allocates its buffers with kmalloc (4 MiB at most), and on the emulated
    # Zynq-7000 under -icount a 1 MiB dmatest run did not finish within an hour (not
    # investigated): it is a reference row, so small sizes only.
    [ "$n" -le 262144 ] || continue
    it=$((256 * 1024 * 1024 / n)); [ $it -lt 8 ] && it=8; [ $it -gt 2000 ] && it=2000
    echo 1 > $p/noverify; echo 1 > $p/norandom; echo 1 > $p/threads_per_chan
    echo 1 > $p/max_channels; echo "$n" > $p/test_buf_size; echo "$it" > $p/iterations
    echo "$chan" > $p/channel
    dmesg -c > /dev/null
    echo 1 > $p/run
    cat $p/wait > /dev/null
    line=$(dmesg | grep 'summary' | tail -1)
    iops=$(echo "$line" | sed -n 's/.* failures \([0-9.]*\) iops.*/\1/p')
    [ -n "$iops" ] || continue
    printf '%s {"size": %s, "iterations": %s, "iops": %s}\n' "$sep" "$n" "$it" "$iops"
    sep=","
  done
  rmmod dmatest
fi
echo "]}"
echo "@@DMATEST-END"
load || exit 1
echo "@@BENCH-BEGIN"
# ZynqMP GDMA has 32 descriptors per channel, and a completed one returns to the pool only
# after its callback: 32 in flight would run it dry. PL330 allocates more as needed.
batch=1,4,8,32; [ "$(cat /proc/device-tree/compatible 2>/dev/null | tr '\0' ' ' | grep -c zynqmp)" = 0 ] || batch=1,4,8,16
axidma bench --sizes "$sizes" --depths 1,2,4,8 --batch $batch --json
echo "@@BENCH-END"
# Where the memory comes from (issue #17): coherent buffers, registered user memory and
# imported system-heap dma-bufs, blocking copies at 64 KiB, 1 MiB and 16 MiB.
echo "@@MEMORY-BEGIN"
axidma bench --memory --sizes "${MEM_SIZES:-64k,1M,16M}" --json
echo "@@MEMORY-END"
axidev=/dev/$(ls /sys/bus/platform/devices/dma-user-axi/misc/ 2>/dev/null | head -1)
if [ -c "$axidev" ]; then
  echo "@@LOOPBACK-BEGIN"
  axidma -d "$axidev" bench --loopback --sizes "${LOOP_SIZES:-4k,64k,256k,1M,4M}" --json
  echo "@@LOOPBACK-END"
fi
if [ -x /usr/bin/python3 ] && [ -c "$axidev" ]; then
  echo "@@PYBENCH-BEGIN"
  python3 /guest/python/bench_loop.py "$axidev" 1048576 ${PYBENCH_ITERS:-60}
  echo "@@PYBENCH-END"
fi
rmmod axi_dma_mod
