# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the axi_dma module, plus the project's entry points.
#
#   make KERNEL_SRC=<Rust-enabled kernel tree> [O=<its output dir>] [ARCH=arm64|arm]
#                             build against your kernel (KDIR= is the same as KERNEL_SRC=)
#   make KERNEL_SRC=... [O=...] modules_install [INSTALL_MOD_PATH=<root>]
#                             install into <root>/lib/modules/<release>/updates/
#   make                      build against the project's cached kernel for BOARD
#   make run                  boot the emulated ZynqMP board and move data by DMA (demo)
#   make test                 run every check on both emulated boards, every kernel series
#   make clippy / make fmt-check / make setup / make clean
#
# BOARD selects the emulated board: zcu102 (ZynqMP, arm64, default) or zc702 (Zynq-7000, arm).
# KVER selects the kernel series of the project's kernels (7.2 or 7.3; default: the newest),
# KVERS the series `make test` runs (default: all that were fetched).
#
# The first form is the contract board builders use: Yocto's `module` class runs
# `make KERNEL_SRC=<kernel source> O=<kernel build dir>`, then `make modules_install` with
# INSTALL_MOD_PATH (or MODLIB); Buildroot's kernel-module infrastructure is the same.

BOARD ?= zcu102
LLVM ?= 1
export LLVM
KERNEL_SRC ?= $(KDIR)

ifneq ($(KERNEL_SRC),)
# A kernel tree supplied by the user: build here, exactly as Kbuild expects. O= and
# INSTALL_MOD_PATH given on this command line reach the kernel's make as well; O= is passed
# on explicitly too, for when it comes from the environment.
kmake = $(MAKE) -C $(KERNEL_SRC) $(if $(O),O=$(O)) M=$(CURDIR)

modules:
	$(kmake) modules

clippy:
	$(kmake) CLIPPY=1 modules

modules_install:
	$(kmake) modules_install
else
modules:
	scripts/build-module.sh $(BOARD)

clippy:
	CLIPPY=1 scripts/build-module.sh $(BOARD)

modules_install:
	@echo "modules_install needs KERNEL_SRC=<kernel tree> (the kernel the module is installed for)" >&2; false
endif

setup:
	scripts/setup-host.sh --refresh

run:
	scripts/run-demo.sh

test:
	scripts/run-tests.sh

soak:
	scripts/soak.sh

bench:
	scripts/bench.sh

# Guest instructions per transfer, per kernel function (zcu102; BOARD=zc702 for the other).
profile:
	scripts/profile.sh $(BOARD)

fmt-check:
	scripts/fmt-check.sh

clean:
	rm -f *.o *.ko *.mod *.mod.c *.mod.o .*.cmd modules.order Module.symvers *.rmeta
	rm -rf .tmp_versions

.PHONY: modules clippy modules_install setup run test bench profile soak fmt-check clean
