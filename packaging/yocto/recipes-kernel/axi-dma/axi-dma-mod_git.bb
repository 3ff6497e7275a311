# SPDX-License-Identifier: MIT
SUMMARY = "axi_dma: zero-copy DMA between user space and FPGA logic (Rust kernel module)"
DESCRIPTION = "Platform driver for a DT client node naming dmaengine channels (AXI DMA, \
PL330, ZynqMP GDMA/ADMA, AXI CDMA); one /dev/axi-dmaN per node. Needs a kernel built \
with CONFIG_RUST=y (and LLVM), Linux 7.2 or 7.3."
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://axi_dma.rs;beginline=1;endline=1;md5=50d2ba0afecd20f74c12a4bdbcfcfe61"

# Point this at your copy of the project (a bbappend, or local.conf:
#   AXI_DMA_SRC_URI:pn-axi-dma-mod = "git://<your git server>/axi-dma.git;protocol=https;branch=main"
#   SRCREV:pn-axi-dma-mod = "<commit>"
# or build a checkout in place with externalsrc:
#   INHERIT += "externalsrc"
#   EXTERNALSRC:pn-axi-dma-mod = "/path/to/axi-dma"
AXI_DMA_SRC_URI ??= ""
SRC_URI = "${AXI_DMA_SRC_URI}"
SRCREV ??= "${AUTOREV}"
PV = "0.2.0+git"
# S: the default (${UNPACKDIR}/${BP}, where the git fetcher unpacks since Yocto 5.2).

# The module class runs exactly the project's build contract:
#   make KERNEL_SRC=${STAGING_KERNEL_DIR} O=${STAGING_KERNEL_BUILDDIR} ...
#   make modules_install INSTALL_MOD_PATH=${D} ...
# (`make test` checks exactly this against every cached kernel: scripts/check-build-contract.sh).

inherit module

# Rust modules are built with the kernel's own Rust toolchain and LLVM: the kernel recipe
# must be Rust-enabled (Yocto 6.0 "wrynose": inherit kernel-yocto-rust in the kernel
# recipe or a bbappend, and CONFIG_RUST=y in its config), and its build artifacts must
# keep the Rust metadata (rust/*.rmeta, rust/*.o) for out-of-tree modules.
DEPENDS += "virtual/kernel"
EXTRA_OEMAKE += "LLVM=1"

# Only the module itself: the loopback test provider (test-provider/) is never packaged.
MAKE_TARGETS = "modules"
MODULE_NAME = "axi_dma_mod"
RPROVIDES:${PN} += "kernel-module-axi-dma-mod"
KERNEL_MODULE_AUTOLOAD += "axi_dma_mod"
