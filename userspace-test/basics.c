// SPDX-License-Identifier: MIT
/*
 * The suite's basics: device and channel information, unknown and malformed ioctls,
 * allocation errors and limits, zeroed allocations.
 */
#include "fixture.h"

static int t_info(void)
{
	struct axidma_dev d;
	struct axi_dma_chan_info ci;

	if (open_dev(&d)) return -1;
	CHECK(d.info.abi_version == AXI_DMA_ABI_VERSION, "abi %u", d.info.abi_version);
	CHECK(d.info.num_channels >= 1 && d.info.num_channels <= AXI_DMA_MAX_CHANNELS, "channels %u", d.info.num_channels);
	CHECK(d.info.max_buffer_size >= 4096, "max_buffer_size %llu", (unsigned long long)d.info.max_buffer_size);
	for (uint32_t i = 0; i < d.info.num_channels; i++) {
		EXPECT_OK(axidma_chan_info(&d, i, &ci));
		CHECK(ci.name[0] && memchr(ci.name, 0, sizeof(ci.name)), "channel %u has no name", i);
		CHECK(ci.provider[0], "channel %u has no provider name", i);
		CHECK(ci.directions, "channel %u has no directions", i);
		printf("# channel %u \"%s\" = %s dirs=%#x align=%u maxseg=%u coherent=%u\n", i, ci.name,
		       ci.provider, ci.directions, ci.addr_align, ci.max_seg_size, ci.coherent);
	}
	EXPECT_ERR(axidma_chan_info(&d, d.info.num_channels, &ci), EINVAL);
	EXPECT_ERR(axidma_chan_info(&d, 0xffffffffu, &ci), EINVAL);
	CHECK(axidma_chan_find(&d, "no-such-channel") == -ENOENT, "chan_find of a bad name");
	axidma_close(&d);
	return 0;
}

static int t_bad_ioctl(void)
{
	struct axidma_dev d;
	char junk[256] = { 0 };

	if (open_dev(&d)) return -1;
	CHECK(ioctl(d.fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x7f, struct axi_dma_info), junk) < 0 && errno == ENOTTY,
	      "unknown command: errno %d", errno);
	/* Right number, wrong size: a different command. */
	CHECK(ioctl(d.fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x04, char[12]), junk) < 0 && errno == ENOTTY,
	      "wrong size: errno %d", errno);
	CHECK(ioctl(d.fd, 0, 0) < 0 && errno == ENOTTY, "cmd 0: errno %d", errno);
	/* Bad pointers. */
	CHECK(ioctl(d.fd, AXI_DMA_IOC_INFO, NULL) < 0 && errno == EFAULT, "INFO(NULL): errno %d", errno);
	CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, (void *)16) < 0 && errno == EFAULT, "XFER(16): errno %d", errno);
	CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, (void *)-4096L) < 0 && errno == EFAULT, "ALLOC(kernel addr): errno %d", errno);
	axidma_close(&d);
	return 0;
}

static int t_alloc_errors(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	struct axi_dma_alloc a;
	struct axi_dma_free f = { .id = 12345 };

	if (open_dev(&d)) return -1;
	EXPECT_ERR(axidma_buf_alloc(&d, chan, 0, &b), EINVAL);
	EXPECT_ERR(axidma_buf_alloc(&d, chan, d.info.max_buffer_size + 1, &b), EINVAL);
	EXPECT_ERR(axidma_buf_alloc(&d, chan, UINT64_MAX, &b), EINVAL);
	EXPECT_ERR(axidma_buf_alloc(&d, d.info.num_channels, 4096, &b), EINVAL);
	memset(&a, 0, sizeof(a));
	a.size = 4096; a.chan = chan; a.flags = 0x80000000u;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, &a) < 0 && errno == EINVAL, "unknown flags: errno %d", errno);
	CHECK(ioctl(d.fd, AXI_DMA_IOC_FREE, &f) < 0 && errno == ENOENT, "free unknown id: errno %d", errno);
	f.id = 0; f.pad = 1;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_FREE, &f) < 0 && errno == EINVAL, "free with pad: errno %d", errno);
	/* The per-file buffer limit. */
	{
		struct axidma_buf *bs = calloc(d.info.max_buffers + 1, sizeof(*bs));
		uint32_t n = 0;
		int r = 0;

		while (n <= d.info.max_buffers && !(r = axidma_buf_alloc(&d, chan, 4096, &bs[n])))
			n++;
		for (uint32_t i = 0; i < n; i++)
			axidma_buf_free(&d, &bs[i]);
		free(bs);
		CHECK(n == d.info.max_buffers && r == -ENOSPC, "limit: %u buffers then %d", n, r);
	}
	axidma_close(&d);
	return 0;
}

static int t_alloc_zeroed(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	uint64_t sizes[] = { 1, 4095, 4096, 4097, 1 << 20 };

	if (open_dev(&d)) return -1;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_OK(axidma_buf_alloc(&d, chan, sizes[i], &b));
		CHECK(b.map_size == round_up(sizes[i], 4096) || b.map_size % (uint64_t)sysconf(_SC_PAGESIZE) == 0,
		      "map_size %llu", (unsigned long long)b.map_size);
		for (uint64_t j = 0; j < b.map_size; j++)
			CHECK(b.ptr[j] == 0, "size %llu: byte %llu not zeroed", (unsigned long long)sizes[i], (unsigned long long)j);
		memset(b.ptr, 0xa5, b.map_size); /* dirty it: the next allocation must be clean again */
		EXPECT_OK(axidma_buf_free(&d, &b));
	}
	axidma_close(&d);
	return 0;
}

const struct test basics_tests[] = {
	{ "info", t_info, 1 },
	{ "bad_ioctl", t_bad_ioctl, 1 },
	{ "alloc_errors", t_alloc_errors, 1 },
	{ "alloc_zeroed", t_alloc_zeroed, 1 },
	{ 0 }
};
