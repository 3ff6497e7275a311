// SPDX-License-Identifier: MIT
/*
 * The helper of the guest's unbind test on the memcpy client node (run alone, never in
 * the default set: it waits for a line on stdin). The AXI DMA node's axi_hold is in axi.c.
 */
#include "fixture.h"

/* Helper for the guest's unbind test: keep a file open with a mapped buffer, signal
 * readiness on stdout, wait for a line on stdin (the unbind), then check that transfers
 * fail with ENODEV and the mappings were revoked (README: reading them raises SIGBUS). */
static int t_hold(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	char line[16];
	int xfd;
	uint8_t *xm;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 65536, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, 65536, &t));
	fill(s.ptr, 65536, 5);
	for (int i = 0; i < 8; i++)
		CHECK(axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 65536, i) > 0, "submit");
	/* s exported and mapped through its dma-buf: that mapping outlives the unbind. */
	xfd = axidma_export(&d, &s, O_CLOEXEC | O_RDWR);
	CHECK(xfd >= 0, "export: %s", strerror(-xfd));
	xm = mmap(NULL, 65536, PROT_READ, MAP_SHARED, xfd, 0);
	CHECK(xm != MAP_FAILED, "mmap of the dma-buf");
	printf("# holding\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		FAIL("no go-ahead");
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, 0, &s, 0, 16, 0), ENODEV);
	{
		struct axidma_buf x;

		CHECK(read_faults(s.ptr), "mapping still readable after unbind: not revoked");
		CHECK(read_faults(t.ptr + 65535), "second mapping still readable after unbind");
		EXPECT_ERR(axidma_buf_alloc(&d, chan, 4096, &x), ENODEV);
		EXPECT_ERR(axidma_export(&d, &t, O_CLOEXEC), ENODEV);
	}
	{
		uint8_t want[65536];

		fill(want, 65536, 5);
		CHECK(!read_faults(xm) && first_diff(xm, want, 65536) < 0,
		      "the dma-buf's mapping did not survive the unbind with the buffer's bytes");
		munmap((void *)xm, 65536);
		close(xfd);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

const struct test hold_tests[] = {
	{ "hold", t_hold, 0 },
	{ 0 }
};
