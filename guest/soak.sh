#!/bin/sh
# The guest half of `make soak`: the abuse suite and the C suite in rounds with fresh seeds
# for SOAK_SECONDS (kernel command line axisoak=), then the same leak checks as the tests.
. /guest/lib.sh
secs=$(sed -n 's/.*axisoak=\([0-9]*\).*/\1/p' /proc/cmdline); secs=${secs:-600}
seed=$(sed -n 's/.*axiseed=\([0-9]*\).*/\1/p' /proc/cmdline); seed=${seed:-1}
cma0=$(cma_free)
load && insmod /lib/modules/axi_dma_loopback.ko || { result soak_setup FAIL; exit 0; }
sleep 0.5
loopdev=/dev/$(ls /sys/bus/platform/devices/dma-user-loop/misc/ | head -1)
start=$(date +%s); round=0
while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
  round=$((round + 1)); s=$((seed + round))
  echo "# soak round $round (seed $s)"
  nocancel=; [ "$BOARD" = zcu102 ] && nocancel=-k
  PREFIX="soak$round:" CTEST=axi_dma_abuse run_ctests -s $s -n 200000 -t 60 $nocancel fuzz mmap_fuzz threads exhaust
  PREFIX="soak$round-loop:" CTEST=axi_dma_abuse run_ctests -d "$loopdev" -s $s -n 50000 -t 30 fuzz
  PREFIX="soak$round:" run_ctests memcpy_sizes nonblocking concurrent close_busy
  PREFIX="soak$round-loop:" run_ctests -d "$loopdev" -c tx loop_pipelined rx_timeout hang_timeout cancel cancel_running eintr
done
rmmod axi_dma_mod && rmmod axi_dma_loopback
last=$(dmesg | grep "still allocated" | tail -1)
echo "$last" | grep -q "module-wide 0 DMA buffer(s), 0x0 bytes" && result soak_buffers_all_freed PASS || result soak_buffers_all_freed FAIL "$last"
d=$(( cma0 - $(cma_free) )); [ $d -lt 0 ] && d=$((-d))
[ $d -le 256 ] && result soak_cma_returned PASS || result soak_cma_returned FAIL "CmaFree moved by $d kB"
echo scan > /sys/kernel/debug/kmemleak; sleep 1; echo scan > /sys/kernel/debug/kmemleak
[ -z "$(cat /sys/kernel/debug/kmemleak)" ] && result soak_kmemleak_clean PASS || result soak_kmemleak_clean FAIL
echo "# soak: $round rounds in $(( $(date +%s) - start )) s"
