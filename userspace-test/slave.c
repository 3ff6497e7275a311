// SPDX-License-Identifier: MIT
/*
 * PL330 slave channels (zc702) against the fixed FIFO address from the device tree.
 * Rings on these channels (stream_slave) are in stream.c.
 */
#include "fixture.h"

/* PL330 slave channels against a fixed device address (zc702: reserved RAM as the FIFO). */
static int t_slave_fifo(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	struct axi_dma_chan_info ci;
	int tx, rx;
	uint64_t bytes = 0;
	const uint32_t n = 4096;

	if (open_dev(&d)) return -1;
	tx = axidma_chan_find(&d, "tx");
	rx = axidma_chan_find(&d, "rx");
	CHECK(tx >= 0 && rx >= 0, "no tx/rx channels");
	EXPECT_OK(axidma_chan_info(&d, (uint32_t)tx, &ci));
	CHECK(ci.directions & AXI_DMA_DIR_MEM_TO_DEV, "tx cannot send (no linux,fifo-addresses?)");
	EXPECT_OK(axidma_buf_alloc(&d, (uint32_t)tx, n, &s));
	EXPECT_OK(axidma_buf_alloc(&d, (uint32_t)rx, n, &t));
	/* User space cannot choose another device address; bad widths/bursts are refused. */
	EXPECT_ERR(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0x1000, 4, 1), EPERM);
	EXPECT_ERR(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0, 3, 1), EINVAL);
	EXPECT_ERR(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0, 4, 0), EINVAL);
	EXPECT_ERR(axidma_slave_config(&d, (uint32_t)tx, 1, 0, 4, 1), EINVAL);
	for (uint32_t burst = 1; burst <= 4; burst *= 4) {
		uint32_t *w = (uint32_t *)s.ptr, *r = (uint32_t *)t.ptr;

		EXPECT_OK(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0, 4, burst));
		EXPECT_OK(axidma_slave_config(&d, (uint32_t)rx, AXI_DMA_DIR_DEV_TO_MEM, 0, 4, burst));
		for (uint32_t i = 0; i < n / 4; i++)
			w[i] = 0x5a000000u + i * 3 + burst;
		memset(t.ptr, 0, n);
		/* Every word goes to the same FIFO address: the last one stays there ... */
		EXPECT_OK(axidma_send(&d, (uint32_t)tx, &s, 0, n, 0));
		/* ... and reading the FIFO n/4 times fills the buffer with it. */
		EXPECT_OK(axidma_recv(&d, (uint32_t)rx, &t, 0, n, 0, &bytes));
		CHECK(bytes == n, "received %llu of %u bytes", (unsigned long long)bytes, n);
		for (uint32_t i = 0; i < n / 4; i++)
			CHECK(r[i] == w[n / 4 - 1], "burst %u: word %u is %#x, want the FIFO's %#x", burst, i, r[i], w[n / 4 - 1]);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

const struct test slave_tests[] = {
	{ "slave_fifo", t_slave_fifo, 0 },
	{ 0 }
};
