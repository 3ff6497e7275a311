#!/bin/sh
# `scripts/run-board.sh BOARD python`: only the Python package's suite, on the test setup
# (module, loopback provider, the AXI DMA of the patched QEMU), for quick iterations.
. /guest/lib.sh
check module_load load
check loopback_provider_load insmod /lib/modules/axi_dma_loopback.ko
sleep 0.5
loopdev=/dev/$(ls /sys/bus/platform/devices/dma-user-loop/misc/ 2>/dev/null | head -1)
axidev=/dev/$(ls /sys/bus/platform/devices/dma-user-axi/misc/ 2>/dev/null | head -1)
t0=$(date +%s)
python3 -c 'import numpy, axidma; print("# python import:", numpy.__version__, axidma.__version__)'
echo "# python import took $(( $(date +%s) - t0 )) s"
run_python_suite "$loopdev" "$axidev"
echo "# python suite took $(( $(date +%s) - t0 )) s"
# Not a check: the benchmark `make bench` runs (numpy against C, 1 MiB loopbacks), shorter.
python3 /guest/python/bench_loop.py "$loopdev" 1048576 30 | sed 's/^/# bench loopback: /'
python3 /guest/python/bench_loop.py "$axidev" 1048576 30 | sed 's/^/# bench axi: /'
check rmmod rmmod axi_dma_mod
check loopback_provider_unload rmmod axi_dma_loopback
