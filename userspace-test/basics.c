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

/* Each channel's own directions (ABI 2): a transfer in a direction a channel lacks is
 * EOPNOTSUPP whatever the provider; `pair` is symmetric and goes the other way; the slave
 * settings read back where the channel has a slave direction. */
static int t_directions(void)
{
	struct axidma_dev d;
	struct axi_dma_chan_info ci, pi;
	struct axidma_buf b;
	struct axi_dma_slave_config sc;
	static const struct { uint32_t dir, kind; } kinds[] = {
		{ AXI_DMA_DIR_MEM_TO_MEM, AXI_DMA_XFER_MEMCPY },
		{ AXI_DMA_DIR_MEM_TO_DEV, AXI_DMA_XFER_TO_DEV },
		{ AXI_DMA_DIR_DEV_TO_MEM, AXI_DMA_XFER_FROM_DEV },
	};

	if (open_dev(&d)) return -1;
	for (uint32_t i = 0; i < d.info.num_channels; i++) {
		EXPECT_OK(axidma_chan_info(&d, i, &ci));
		CHECK(!(ci.directions & ~7u), "channel %u: directions %#x", i, ci.directions);
		CHECK(!ci.reserved, "channel %u: reserved %llu", i, (unsigned long long)ci.reserved);
		CHECK(!(ci.flags & AXI_DMA_CHAN_STREAMING) || !(ci.flags & AXI_DMA_CHAN_FIFO), "channel %u: flags %#x", i, ci.flags);
		CHECK(!(ci.flags & (AXI_DMA_CHAN_STREAMING | AXI_DMA_CHAN_FIFO)) ==
		      !(ci.directions & (AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM)),
		      "channel %u: flags %#x but directions %#x", i, ci.flags, ci.directions);
		if (ci.pair != AXI_DMA_NO_PAIR) {
			CHECK(ci.pair < d.info.num_channels && ci.pair != i, "channel %u: pair %u", i, ci.pair);
			EXPECT_OK(axidma_chan_info(&d, ci.pair, &pi));
			CHECK(pi.pair == i, "channel %u pairs with %u, which pairs with %u", i, ci.pair, pi.pair);
			CHECK(((ci.directions & AXI_DMA_DIR_MEM_TO_DEV) && (pi.directions & AXI_DMA_DIR_DEV_TO_MEM)) ||
			      ((ci.directions & AXI_DMA_DIR_DEV_TO_MEM) && (pi.directions & AXI_DMA_DIR_MEM_TO_DEV)),
			      "channel %u (%#x) and its pair %u (%#x) do not go opposite ways", i, ci.directions, ci.pair, pi.directions);
		}
		if (axidma_buf_alloc(&d, i, 4096, &b))
			FAIL("alloc on channel %u", i);
		for (unsigned k = 0; k < 3; k++) {
			struct axi_dma_xfer x = { .chan = i, .kind = kinds[k].kind, .src_buf = b.id, .dst_buf = b.id,
						  .dst_off = 2048, .len = 64, .timeout_ms = 2000 };
			if (ci.directions & kinds[k].dir)
				continue;
			CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EOPNOTSUPP,
			      "channel %u (%#x): kind %u gave %s, want EOPNOTSUPP", i, ci.directions, kinds[k].kind,
			      strerror(errno));
		}
		axidma_buf_free(&d, &b);
		for (uint32_t dir = AXI_DMA_DIR_MEM_TO_DEV; dir <= AXI_DMA_DIR_DEV_TO_MEM; dir <<= 1) {
			int r = axidma_slave_config_get(&d, i, dir, &sc);
			if (!(ci.directions & dir)) {
				CHECK(r == -EOPNOTSUPP, "channel %u: SLAVE_CONFIG_GET %#x gave %d", i, dir, r);
				continue;
			}
			CHECK(!r, "channel %u: SLAVE_CONFIG_GET %#x: %s", i, dir, strerror(-r));
			CHECK(sc.addr_width && sc.maxburst, "channel %u: width %u burst %u", i, sc.addr_width, sc.maxburst);
			CHECK(!(ci.flags & AXI_DMA_CHAN_STREAMING) || !sc.dev_addr, "stream channel %u has address %#llx", i,
			      (unsigned long long)sc.dev_addr);
			CHECK(!(ci.flags & AXI_DMA_CHAN_FIFO) || sc.dev_addr, "FIFO channel %u has no address", i);
			/* Set and read back (width 8 where the stream ignores it, 4 otherwise). */
			uint32_t w = ci.flags & AXI_DMA_CHAN_STREAMING ? 8 : 4;
			EXPECT_OK(axidma_slave_config(&d, i, dir, 0, w, 2));
			EXPECT_OK(axidma_slave_config_get(&d, i, dir, &sc));
			CHECK(sc.addr_width == w && sc.maxburst == 2, "channel %u: read back width %u burst %u", i,
			      sc.addr_width, sc.maxburst);
			EXPECT_OK(axidma_slave_config(&d, i, dir, 0, 4, 1));
			sc.addr_width = 4;
			CHECK(ioctl(d.fd, AXI_DMA_IOC_SLAVE_CONFIG_GET, &sc) < 0 && errno == EINVAL,
			      "SLAVE_CONFIG_GET with outputs set: %s", strerror(errno));
		}
		printf("# channel %u \"%s\": directions %#x pair %d flags %#x\n", i, ci.name, ci.directions,
		       ci.pair == AXI_DMA_NO_PAIR ? -1 : (int)ci.pair, ci.flags);
	}
	axidma_close(&d);
	return 0;
}

/* Requests must leave padding, reserved and output fields zero (ABI 2). */
static int t_request_zero_rule(void)
{
	struct axidma_dev d;
	struct axidma_buf b;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 4096, &b));
	{
		struct axi_dma_chan_info ci = { .index = chan, .pair = 1 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_CHAN_INFO, &ci) < 0 && errno == EINVAL, "CHAN_INFO pair set: %s", strerror(errno));
	}
	{
		struct axi_dma_alloc a = { .size = 4096, .chan = chan, .pad = 1 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, &a) < 0 && errno == EINVAL, "ALLOC pad set: %s", strerror(errno));
		a.pad = 0;
		a.mmap_offset = 4096;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_ALLOC, &a) < 0 && errno == EINVAL, "ALLOC mmap_offset set: %s", strerror(errno));
	}
	{
		struct axi_dma_xfer x = { .chan = chan, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = b.id, .dst_buf = b.id,
					  .dst_off = 2048, .len = 64, .bytes = 1 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EINVAL, "XFER bytes set: %s", strerror(errno));
		x.bytes = 0;
		x.error = -5;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EINVAL, "XFER error set: %s", strerror(errno));
		x.error = 0;
		EXPECT_OK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) ? -errno : 0);
		/* Reusing the filled-in request as it is: its outputs are set now. */
		CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EINVAL, "XFER reused: %s", strerror(errno));
		/* The library clears them. */
		EXPECT_OK(axidma_xfer(&d, &x));
	}
	{
		struct axi_dma_reap r = { .max = 1, .pad = 1 };
		struct axi_dma_completion c;
		r.entries = (uintptr_t)&c;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_REAP, &r) < 0 && errno == EINVAL, "REAP pad set: %s", strerror(errno));
	}
	{
		/* A length no buffer can have: EINVAL on 32- and 64-bit kernels alike. */
		struct axi_dma_xfer x = { .chan = chan, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = b.id, .dst_buf = b.id,
					  .len = 1ULL << 40 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EINVAL, "XFER of 1 TiB: %s", strerror(errno));
		x.len = d.info.max_buffer_size + 1;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_XFER, &x) < 0 && errno == EINVAL, "XFER past max_buffer_size: %s",
		      strerror(errno));
	}
	{
		struct axi_dma_free f = { .id = b.id, .pad = 7 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_FREE, &f) < 0 && errno == EINVAL, "FREE pad set: %s", strerror(errno));
	}
	{
		struct axi_dma_cancel c = { .chan = chan, .cancelled = 1 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_CANCEL, &c) < 0 && errno == EINVAL, "CANCEL cancelled set: %s", strerror(errno));
	}
	axidma_buf_free(&d, &b);
	axidma_close(&d);
	return 0;
}

const struct test basics_tests[] = {
	{ "info", t_info, 1 },
	{ "bad_ioctl", t_bad_ioctl, 1 },
	{ "alloc_errors", t_alloc_errors, 1 },
	{ "alloc_zeroed", t_alloc_zeroed, 1 },
	{ "directions", t_directions, 1 },
	{ "request_zero_rule", t_request_zero_rule, 1 },
	{ 0 }
};
