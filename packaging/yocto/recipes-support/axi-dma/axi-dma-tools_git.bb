# SPDX-License-Identifier: MIT
SUMMARY = "axi_dma user space: the C library, its header, the UAPI header and axidma-demo"
DESCRIPTION = "Talks to /dev/axi-dmaN (see axi-dma-mod). The Rust crate and the axidma \
command-line tool are built with cargo (lib/rust, tools/axidma); add a cargo recipe for \
them from your layer's crate mirror if you want them on the image."
LICENSE = "MIT & (GPL-2.0-only WITH Linux-syscall-note | MIT)"
LIC_FILES_CHKSUM = "file://lib/c/axidma.c;beginline=1;endline=1;md5=6ec41034e04432ee375d0e14fba596f4 \
                    file://include/uapi/axi_dma.h;beginline=1;endline=1;md5=c5e39d1a2ffab681a20e9ff8bed037c3"

AXI_DMA_SRC_URI ??= ""
SRC_URI = "${AXI_DMA_SRC_URI}"
SRCREV ??= "${AUTOREV}"
PV = "0.2.0+git"
# S: the default (${UNPACKDIR}/${BP}, where the git fetcher unpacks since Yocto 5.2).

RRECOMMENDS:${PN} = "kernel-module-axi-dma-mod"

do_compile() {
	${CC} ${CFLAGS} -fPIC -c lib/c/axidma.c -o axidma.o
	${AR} rcs libaxidma.a axidma.o
	${CC} ${CFLAGS} ${LDFLAGS} -o axidma-demo examples/axidma_demo.c libaxidma.a
}

do_install() {
	install -D -m 0755 axidma-demo ${D}${bindir}/axidma-demo
	install -D -m 0644 libaxidma.a ${D}${libdir}/libaxidma.a
	install -D -m 0644 lib/c/axidma.h ${D}${includedir}/axidma/lib/c/axidma.h
	install -D -m 0644 include/uapi/axi_dma.h ${D}${includedir}/axidma/include/uapi/axi_dma.h
}

# axidma.h includes the UAPI header by its relative path; the layout above keeps it valid:
# compile with -I${includedir}/axidma/lib/c and include "axidma.h".
FILES:${PN}-staticdev += "${libdir}/libaxidma.a"
FILES:${PN}-dev += "${includedir}/axidma"
