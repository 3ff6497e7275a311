// SPDX-License-Identifier: MIT
/*
 * Cached buffers: explicit hand-over with SYNC, partial ranges, mixing with coherent
 * buffers, directions, and misuse.
 */
#include "fixture.h"

/* Cached buffers: explicit hand-over with SYNC, partial ranges, and misuse. */
static int t_cached(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t, c, to, from;
	const uint64_t n = 256 * 1024;
	struct axi_dma_alloc a;
	struct axi_dma_sync sy;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc_flags(&d, chan, n, AXI_DMA_ALLOC_CACHED, &s));
	EXPECT_OK(axidma_buf_alloc_flags(&d, chan, n, AXI_DMA_ALLOC_CACHED, &t));
	for (uint64_t i = 0; i < n; i++)
		CHECK(s.ptr[i] == 0 && t.ptr[i] == 0, "cached buffer not zeroed at %llu", (unsigned long long)i);
	/* Whole-buffer round trip. */
	fill(s.ptr, n, 41);
	EXPECT_OK(axidma_sync(&d, &s, AXI_DMA_SYNC_FOR_DEVICE, 0, n));
	EXPECT_OK(axidma_sync(&d, &t, AXI_DMA_SYNC_FOR_DEVICE, 0, n)); /* drop dirty lines */
	EXPECT_OK(axidma_memcpy(&d, chan, &t, 0, &s, 0, n, 0));
	EXPECT_OK(axidma_sync(&d, &t, AXI_DMA_SYNC_FOR_CPU, 0, n));
	CHECK(first_diff(s.ptr, t.ptr, n) < 0, "cached copy differs");
	/* Partial ranges at odd offsets. */
	fill(s.ptr + 1001, 5000, 42);
	EXPECT_OK(axidma_sync(&d, &s, AXI_DMA_SYNC_FOR_DEVICE, 1001, 5000));
	EXPECT_OK(axidma_memcpy(&d, chan, &t, 70001, &s, 1001, 5000, 0));
	EXPECT_OK(axidma_sync(&d, &t, AXI_DMA_SYNC_FOR_CPU, 70001, 5000));
	CHECK(first_diff(s.ptr + 1001, t.ptr + 70001, 5000) < 0, "partial cached copy differs");
	/* Cached and coherent buffers mix. */
	EXPECT_OK(axidma_buf_alloc(&d, chan, n, &c));
	EXPECT_OK(axidma_memcpy(&d, chan, &c, 0, &s, 0, n, 0));
	CHECK(first_diff(s.ptr, c.ptr, n) < 0, "cached -> coherent differs");
	EXPECT_OK(axidma_sync(&d, &c, AXI_DMA_SYNC_FOR_CPU, 0, n)); /* a no-op on coherent */
	/* Misuse. */
	EXPECT_ERR(axidma_sync(&d, &s, AXI_DMA_SYNC_FOR_CPU, n - 10, 11), EINVAL);   /* past the end */
	EXPECT_ERR(axidma_sync(&d, &s, AXI_DMA_SYNC_FOR_CPU, UINT64_MAX, 2), EOVERFLOW);
	EXPECT_ERR(axidma_sync(&d, &s, AXI_DMA_SYNC_FOR_CPU, 0, 0), EINVAL);         /* empty */
	EXPECT_ERR(axidma_sync(&d, &s, 3, 0, 16), EINVAL);                          /* bad op */
	sy.id = 999999; sy.op = AXI_DMA_SYNC_FOR_CPU; sy.offset = 0; sy.len = 1;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_SYNC, &sy) < 0 && errno == ENOENT, "sync unknown buffer");
	memset(&a, 0, sizeof(a));
	a.size = 4096; a.chan = chan; a.flags = AXI_DMA_ALLOC_TO_DEVICE;               /* without CACHED */
	CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, &a) < 0 && errno == EINVAL, "TO_DEVICE without CACHED");
	a.flags = AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE | AXI_DMA_ALLOC_FROM_DEVICE;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, &a) < 0 && errno == EINVAL, "TO and FROM together");
	/* Directions: a TO_DEVICE buffer can be read by the engine, never written; and back. */
	EXPECT_OK(axidma_buf_alloc_flags(&d, chan, 8192, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &to));
	EXPECT_OK(axidma_buf_alloc_flags(&d, chan, 8192, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE, &from));
	fill(to.ptr, 8192, 43);
	EXPECT_OK(axidma_sync(&d, &to, AXI_DMA_SYNC_FOR_DEVICE, 0, 8192));
	EXPECT_OK(axidma_memcpy(&d, chan, &from, 0, &to, 0, 8192, 0));
	EXPECT_OK(axidma_sync(&d, &from, AXI_DMA_SYNC_FOR_CPU, 0, 8192));
	CHECK(first_diff(to.ptr, from.ptr, 8192) < 0, "TO_DEVICE -> FROM_DEVICE differs");
	EXPECT_ERR(axidma_memcpy(&d, chan, &to, 0, &from, 0, 64, 0), EINVAL);       /* wrong directions */
	EXPECT_ERR(axidma_memcpy(&d, chan, &to, 0, &c, 0, 64, 0), EINVAL);          /* into a TO_DEVICE */
	EXPECT_ERR(axidma_memcpy(&d, chan, &c, 0, &from, 0, 64, 0), EINVAL);        /* out of a FROM_DEVICE */
	{
		char flags[512];

		CHECK(smaps_flags(s.ptr, flags, sizeof(flags)) == 0 && strstr(flags, " pf") && strstr(flags, " dd"),
		      "cached mapping flags: %.200s", flags);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_buf_free(&d, &c);
	axidma_buf_free(&d, &to);
	axidma_buf_free(&d, &from);
	axidma_close(&d);
	return 0;
}

const struct test cached_tests[] = {
	{ "cached", t_cached, 1 },
	{ 0 }
};
