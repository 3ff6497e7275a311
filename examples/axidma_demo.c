// SPDX-License-Identifier: MIT
/*
 * A minimal program to copy onto a board: list the channels of /dev/axi-dma0, or move
 * data from one DMA buffer to another through a real DMA channel and verify it.
 *
 *   axidma-demo info
 *   axidma-demo copy BYTES [CHANNEL-NAME]
 *   axidma-demo loop BYTES [TX-NAME RX-NAME [N]] AXI DMA: tx -> (PL loopback) -> rx
 *                                                (N times over the same buffers, one line each)
 *
 * Build: cc -O2 -o axidma-demo axidma_demo.c ../lib/c/axidma.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/c/axidma.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int die(const char *what, int err)
{
	fprintf(stderr, "axidma-demo: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct axidma_dev d;
	struct axidma_buf src, dst;
	struct axi_dma_chan_info ci;
	uint64_t n;
	int r, chan = 0;
	double t0, t1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s info | copy BYTES [CHANNEL] | loop BYTES [TX RX [N]]\n", argv[0]);
		return 2;
	}
	r = axidma_open(&d, getenv("AXIDMA_DEV"));
	if (r)
		return die("open /dev/axi-dma0 (is axi_dma_mod loaded and a client node bound?)", r);
	if (!strcmp(argv[1], "info")) {
		printf("ABI %u revision %u, %u channel(s), buffers up to %llu bytes, %u per file\n", d.info.abi_version,
		       d.info.abi_revision, d.info.num_channels, (unsigned long long)d.info.max_buffer_size, d.info.max_buffers);
		for (uint32_t i = 0; i < d.info.num_channels; i++) {
			if (axidma_chan_info(&d, i, &ci))
				continue;
			printf("  %u: %-8s %-12s%s%s%s align %u, %s\n", i, ci.name, ci.provider,
			       ci.directions & AXI_DMA_DIR_MEM_TO_MEM ? " memcpy" : "",
			       ci.directions & AXI_DMA_DIR_MEM_TO_DEV ? " to-device" : "",
			       ci.directions & AXI_DMA_DIR_DEV_TO_MEM ? " from-device" : "",
			       ci.addr_align, ci.coherent ? "cache-coherent" : "non-coherent (uncached mapping)");
		}
		return 0;
	}
	if (argc < 3)
		return 2;
	n = strtoull(argv[2], NULL, 0);
	if (!strcmp(argv[1], "copy")) {
		if (argc > 3 && (chan = axidma_chan_find(&d, argv[3])) < 0)
			return die(argv[3], chan);
		if ((r = axidma_buf_alloc(&d, chan, n, &src)) || (r = axidma_buf_alloc(&d, chan, n, &dst)))
			return die("allocate", r);
		for (uint64_t i = 0; i < n; i++)
			src.ptr[i] = (uint8_t)(i * 7 + 3);
		memset(dst.ptr, 0, n);
		t0 = now();
		r = axidma_memcpy(&d, chan, &dst, 0, &src, 0, n, 0);
		t1 = now();
		if (r)
			return die("DMA memcpy", r);
		printf("copied %llu bytes by DMA on channel %d in %.1f us (%.1f MB/s): %s\n", (unsigned long long)n,
		       chan, (t1 - t0) * 1e6, n / (t1 - t0) / 1e6,
		       memcmp(src.ptr, dst.ptr, n) ? "DATA MISMATCH" : "verified");
		return memcmp(src.ptr, dst.ptr, n) ? 1 : 0;
	}
	if (!strcmp(argv[1], "loop")) {
		int tx = axidma_chan_find(&d, argc > 4 ? argv[3] : "tx");
		int rx = axidma_chan_find(&d, argc > 4 ? argv[4] : "rx");
		struct axi_dma_xfer x = { 0 };
		uint64_t got = 0;

		if (tx < 0 || rx < 0)
			return die("find tx/rx channels", -ENOENT);
		if ((r = axidma_buf_alloc(&d, tx, n, &src)) || (r = axidma_buf_alloc(&d, rx, n, &dst)))
			return die("allocate", r);
		for (uint64_t i = 0; i < n; i++)
			src.ptr[i] = (uint8_t)(i * 13 + 1);
		for (int it = 0, iters = argc > 5 ? atoi(argv[5]) : 1; it < iters; it++) {
			memset(dst.ptr, 0, n);
			memset(&x, 0, sizeof(x));
			/* Receive first (non-blocking), then send; wait for the receive. */
			x.chan = rx; x.kind = AXI_DMA_XFER_FROM_DEV; x.dst_buf = dst.id; x.len = n;
			x.flags = AXI_DMA_XFER_NONBLOCK;
			t0 = now();
			if ((r = axidma_xfer(&d, &x)))
				return die("start rx", r);
			if ((r = axidma_send(&d, tx, &src, 0, n, 0)))
				return die("tx", r);
			{
				struct axi_dma_wait w;

				if ((r = axidma_wait(&d, x.xfer_id, 0, &w)))
					return die("rx", r);
				got = w.bytes;
			}
			t1 = now();
			printf("looped %llu bytes tx->rx in %.1f us: %s\n", (unsigned long long)got, (t1 - t0) * 1e6,
			       got == n && !memcmp(src.ptr, dst.ptr, n) ? "verified" : "DATA MISMATCH");
		}
		return 0;
	}
	return 2;
}
