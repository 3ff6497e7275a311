// SPDX-License-Identifier: MIT
/*
 * memcpy on the channel under test (-c): sizes from 1 byte to 4 MiB at odd offsets,
 * copies within one buffer, and every transfer argument error (plus the in-kernel
 * benchmark loop's checks).
 */
#include "fixture.h"

static int t_memcpy_sizes(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	const uint64_t big = 4 << 20;
	uint64_t sizes[] = { 1, 2, 3, 7, 64, 100, 511, 4095, 4096, 4097, 65535, 65537, 1 << 20, (1 << 20) + 3, big - 64 };
	uint64_t offs[] = { 0, 1, 3, 4093 };

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, big, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, big, &t));
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (unsigned j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			uint64_t len = sizes[i], so = offs[j], dof = offs[(j + 1) % 4];

			if (align > 1) {
				len = round_up(len, align);
				so = round_up(so, align);
				dof = round_up(dof, align);
			}
			if (so + len > big || dof + len > big)
				continue;
			if (copy_check(&d, &s, so, &t, dof, len, i * 31 + j))
				return -1;
		}
	/* The largest: the whole buffer. */
	if (copy_check(&d, &s, 0, &t, 0, big, 99))
		return -1;
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

int t_memcpy_within(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	uint64_t half = 128 * 1024;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 2 * half, &b));
	fill(b.ptr, half, 5);
	memset(b.ptr + half, 0, half);
	EXPECT_OK(axidma_memcpy(&d, chan, &b, half, &b, 0, half, 0));
	CHECK(first_diff(b.ptr, b.ptr + half, half) < 0, "copy within one buffer differs");
	axidma_buf_free(&d, &b);
	axidma_close(&d);
	return 0;
}

static int t_xfer_errors(void)
{
	struct axidma_dev d, d2;
	struct axidma_buf s, t, other;
	struct axi_dma_xfer x;
	struct axi_dma_chan_info ci;

	if (open_dev(&d)) return -1;
	if (open_dev(&d2)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 8192, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, 8192, &t));
	EXPECT_OK(axidma_buf_alloc(&d2, chan, 8192, &other));
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, 0, &s, 0, 0, 0), EINVAL);          /* zero length */
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, 0, &s, 0, 8193, 0), EINVAL);       /* past the end */
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, 8000, &s, 0, 193, 0), EINVAL);     /* dst past the end */
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, 0, &s, UINT64_MAX, 2, 0), EOVERFLOW); /* wraps */
	EXPECT_ERR(axidma_memcpy(&d, chan, &t, UINT64_MAX - 1, &s, 0, 4, 0), EOVERFLOW);
	EXPECT_ERR(axidma_memcpy(&d, d.info.num_channels, &t, 0, &s, 0, 16, 0), EINVAL); /* channel */
	/* Another file's buffer id is unknown here, whatever its number. */
	{
		struct axidma_buf fake = other;
		int r = axidma_memcpy(&d, chan, &t, 0, &fake, 0, 16, 0);

		CHECK(r == -ENOENT || (fake.id == s.id || fake.id == t.id), "foreign buffer id: %d", r);
		fake.id = 999999;
		EXPECT_ERR(axidma_memcpy(&d, chan, &t, 0, &fake, 0, 16, 0), ENOENT);
	}
	memset(&x, 0, sizeof(x));
	x.chan = chan; x.kind = 77; x.src_buf = s.id; x.dst_buf = t.id; x.len = 16;
	EXPECT_ERR(axidma_xfer(&d, &x), EINVAL);                                  /* bad kind */
	x.kind = AXI_DMA_XFER_MEMCPY; x.flags = 0x100;
	EXPECT_ERR(axidma_xfer(&d, &x), EINVAL);                                  /* bad flags */
	x.flags = 0; x.rx_chan = 3;
	EXPECT_ERR(axidma_xfer(&d, &x), EINVAL);                                  /* rx_chan outside LOOPBACK */
	/* A direction the channel cannot do. */
	EXPECT_OK(axidma_chan_info(&d, chan, &ci));
	if (!(ci.directions & AXI_DMA_DIR_MEM_TO_DEV))
		EXPECT_ERR(axidma_send(&d, chan, &s, 0, 16, 0), EOPNOTSUPP);
	/* Unknown transfer ids. */
	EXPECT_ERR(axidma_wait(&d, 424242, 10, NULL), ENOENT);
	{
		struct axi_dma_status st;

		EXPECT_ERR(axidma_status(&d, 424242, &st), ENOENT);
	}
	/* Reap arguments. */
	{
		struct axi_dma_completion c[4];
		struct axi_dma_reap r = { .entries = (uintptr_t)c, .max = 0 };

		CHECK(ioctl(d.fd, AXI_DMA_IOC_REAP, &r) < 0 && errno == EINVAL, "reap max 0");
		r.max = 100000;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_REAP, &r) < 0 && errno == EINVAL, "reap max huge");
		r.max = 2; r.min = 3;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_REAP, &r) < 0 && errno == EINVAL, "reap min > max");
		CHECK(axidma_reap(&d, c, 4, 0, 0, NULL) == 0, "reap with nothing done");
	}
	/* The in-kernel benchmark loop: argument checks, and it really copies. */
	{
		struct axi_dma_kbench kb = { .chan = chan, .src_buf = s.id, .dst_buf = t.id, .depth = 0, .len = 8192, .iters = 1 };

		CHECK(ioctl(d.fd, AXI_DMA_IOC_KBENCH, &kb) < 0 && errno == EINVAL, "kbench depth 0: %d", errno);
		kb.depth = 65;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_KBENCH, &kb) < 0 && errno == EINVAL, "kbench depth 65: %d", errno);
		kb.depth = 4; kb.len = 8193;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_KBENCH, &kb) < 0 && errno == EINVAL, "kbench past the end: %d", errno);
		kb.len = 8192; kb.src_buf = 999999;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_KBENCH, &kb) < 0 && errno == ENOENT, "kbench unknown buffer: %d", errno);
		kb.src_buf = s.id; kb.iters = 10;
		fill(s.ptr, 8192, 17);
		memset(t.ptr, 0, 8192);
		CHECK(ioctl(d.fd, AXI_DMA_IOC_KBENCH, &kb) == 0, "kbench: %s", strerror(errno));
		CHECK(kb.total_ns > 0 && kb.submit_ns > 0 && kb.submit_ns <= kb.total_ns, "kbench times %llu/%llu",
		      (unsigned long long)kb.total_ns, (unsigned long long)kb.submit_ns);
		CHECK(first_diff(s.ptr, t.ptr, 8192) < 0, "kbench did not copy");
	}
	/* The data is still right after all that. */
	if (copy_check(&d, &s, 0, &t, 0, 8192, 3))
		return -1;
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_buf_free(&d2, &other);
	axidma_close(&d);
	axidma_close(&d2);
	return 0;
}

const struct test memcpy_tests[] = {
	{ "memcpy_sizes", t_memcpy_sizes, 1 },
	{ "memcpy_within", t_memcpy_within, 1 },
	{ "xfer_errors", t_xfer_errors, 1 },
	{ 0 }
};
