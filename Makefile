# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the axi_dma module, plus the project's entry points.
#
#   make KDIR=<Rust-enabled kernel build tree> [ARCH=arm64|arm]   build against your kernel
#   make                      build against the project's cached kernel for BOARD
#   make run                  boot the emulated ZynqMP board and move data by DMA (demo)
#   make test                 run every check on both emulated boards
#   make clippy / make fmt-check / make setup / make clean
#
# BOARD selects the emulated board: zcu102 (ZynqMP, arm64, default) or zc702 (Zynq-7000, arm).

BOARD ?= zcu102
LLVM ?= 1
export LLVM

ifneq ($(KDIR),)
# A kernel tree supplied by the user: build here, exactly as Kbuild expects.
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clippy:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CLIPPY=1 modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
else
modules:
	scripts/build-module.sh $(BOARD)

clippy:
	CLIPPY=1 scripts/build-module.sh $(BOARD)
endif

setup:
	scripts/setup-host.sh

run:
	scripts/run-demo.sh

test:
	scripts/run-tests.sh

soak:
	scripts/soak.sh

bench:
	scripts/bench.sh

fmt-check:
	scripts/fmt-check.sh

clean:
	rm -f *.o *.ko *.mod *.mod.c *.mod.o .*.cmd modules.order Module.symvers *.rmeta
	rm -rf .tmp_versions

.PHONY: modules clippy modules_install setup run test bench soak fmt-check clean
