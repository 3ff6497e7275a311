#!/bin/sh
# `scripts/run-board.sh BOARD conformance`: only the conformance test, on every client node,
# set up the way run-tests.sh does (module, then the loopback provider, whose client node
# deferred its probe); then the same log checks the host applies to every run.
. /guest/lib.sh
check module_load load
check loopback_provider_load insmod /lib/modules/axi_dma_loopback.ko
sleep 0.5
run_conformance
check rmmod rmmod axi_dma_mod
check loopback_provider_unload rmmod axi_dma_loopback
