// SPDX-License-Identifier: MIT
/*
 * Non-blocking transfers: submit, poll, reap, WAIT and STATUS; the in-flight limit.
 * (cancel is in files.c, with close_busy, to keep the suite's order.)
 */
#include "fixture.h"

static int t_nonblocking(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	enum { N = 24, SZ = 16384 }; /* below ZynqMP GDMA's 32 descriptors per channel */
	struct axi_dma_completion c[N];
	int64_t ids[N];
	int got = 0, seen[N] = { 0 };
	struct pollfd pfd;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, N * SZ, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, N * SZ, &t));
	fill(s.ptr, N * SZ, 21);
	memset(t.ptr, 0, N * SZ);
	for (int i = 0; i < N; i++) {
		ids[i] = axidma_submit_memcpy(&d, chan, &t, (uint64_t)i * SZ, &s, (uint64_t)i * SZ, SZ, 1000 + i);
		CHECK(ids[i] > 0, "submit %d: %s", i, strerror((int)-ids[i]));
	}
	pfd.fd = d.fd; pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN), "poll never became readable");
	while (got < N) {
		uint32_t pending;
		int n = axidma_reap(&d, c, N, 1, 5000, &pending);

		CHECK(n > 0, "reap: %d (%s) after %d", n, n < 0 ? strerror(-n) : "none", got);
		for (int i = 0; i < n; i++) {
			int k = (int)(c[i].user_data - 1000);

			CHECK(k >= 0 && k < N && !seen[k], "bad completion user_data %llu", (unsigned long long)c[i].user_data);
			CHECK((int64_t)c[i].xfer_id == ids[k], "id mismatch");
			CHECK(c[i].error == 0 && c[i].bytes == SZ, "completion %d: error %d bytes %llu", k, c[i].error,
			      (unsigned long long)c[i].bytes);
			CHECK(c[i].chan == chan, "completion channel %u", c[i].chan);
			seen[k] = 1;
		}
		got += n;
	}
	CHECK(first_diff(s.ptr, t.ptr, N * SZ) < 0, "pipelined copies differ");
	pfd.revents = 0;
	CHECK(poll(&pfd, 1, 0) == 0, "poll readable with nothing to reap");
	/* WAIT on one transfer, STATUS after it. */
	{
		struct axi_dma_wait w;
		struct axi_dma_status st;
		int64_t id = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, SZ, 7);

		CHECK(id > 0, "submit: %s", strerror((int)-id));
		EXPECT_OK(axidma_status(&d, (uint64_t)id, &st));
		EXPECT_OK(axidma_wait(&d, (uint64_t)id, 5000, &w));
		CHECK(w.bytes == SZ && w.error == 0 && w.user_data == 7, "wait result");
		EXPECT_ERR(axidma_wait(&d, (uint64_t)id, 10, &w), ENOENT); /* gone once collected */
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

static int t_inflight_limit(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	uint32_t n = 0, lim;
	int64_t r = 0, r0;
	struct axi_dma_completion c[256];

	if (open_dev(&d)) return -1;
	lim = d.info.max_inflight;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 1 << 20, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, 1 << 20, &t));
	/* Ids count up from the next one: learn it. */
	r0 = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 64, 0);
	CHECK(r0 > 0, "first submit: %lld", (long long)r0);
	{
		struct axi_dma_wait w;
		EXPECT_OK(axidma_wait(&d, (uint64_t)r0, 5000, &w));
	}
	r0++;
	/* Finished but uncollected transfers count against the limit (they hold kernel
	 * memory): exactly max_inflight are accepted without a REAP, then EBUSY, also once
	 * all of them finished; collecting one makes room for one. */
	for (int retries = 0; n <= lim;) {
		r = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 1 << 20, n);
		if (r > 0) {
			n++;
			continue;
		}
		/* Below the limit, EBUSY means the provider has no descriptor free while
		 * transfers are in flight (ZynqMP GDMA has 32 per channel): as documented,
		 * retry once the engine caught up. */
		if (r == -EBUSY && n < lim && retries++ < 5000) {
			usleep(1000);
			continue;
		}
		break;
	}
	CHECK(n == lim && r == -EBUSY, "%u accepted, then %lld (want %u, then -EBUSY)", n, (long long)r, lim);
	for (int spins = 0; ; spins++) {
		struct axi_dma_status st;

		EXPECT_OK(axidma_status(&d, (uint64_t)r0 + lim - 1, &st));
		if (st.state == AXI_DMA_STATE_DONE)
			break;
		CHECK(spins < 10000, "the last transfer never finished");
		usleep(1000);
	}
	r = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 1 << 20, 0);
	CHECK(r == -EBUSY, "all finished, none collected: %lld (want -EBUSY)", (long long)r);
	CHECK(axidma_reap(&d, c, 1, 0, 0, NULL) == 1, "reap one");
	r = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 1 << 20, 0);
	CHECK(r > 0, "after collecting one: %lld", (long long)r);
	for (int spins = 0; spins < 100000; spins++) {
		uint32_t pending = 0;
		int k = axidma_reap(&d, c, 256, 0, 0, &pending);

		CHECK(k >= 0, "reap: %s", strerror(-k));
		if (k == 0 && pending == 0)
			break;
		if (k == 0)
			usleep(1000);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

/* AXI_DMA_IOC_SUBMIT: a batch of memcpys submitted and reaped in one call, data checked;
 * a refused transfer in the middle (the ones before run, it and the ones after do not);
 * a batch over the in-flight limit; the header's errors. */
static int t_batch(void)
{
	enum { N = 16, SZ = 4096 };
	struct axidma_dev d;
	struct axidma_buf s, t;
	struct axi_dma_xfer x[AXI_DMA_SUBMIT_MAX];
	struct axi_dma_completion c[256];
	struct axi_dma_submit sb;
	uint32_t got = 0, lim;

	if (open_dev(&d)) return -1;
	lim = d.info.max_inflight;
	EXPECT_OK(axidma_buf_alloc(&d, chan, N * SZ, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, N * SZ, &t));
	fill(s.ptr, N * SZ, 77);
	memset(t.ptr, 0, N * SZ);
	memset(x, 0, sizeof(x));
	for (int i = 0; i < N; i++) {
		x[i].chan = chan; x[i].kind = AXI_DMA_XFER_MEMCPY; x[i].src_buf = s.id; x[i].dst_buf = t.id;
		x[i].src_off = (uint64_t)i * SZ; x[i].dst_off = (uint64_t)(N - 1 - i) * SZ; x[i].len = SZ;
		x[i].user_data = 1000 + (uint64_t)i;
	}
	/* One call: all 16 submitted, then wait for all of them. */
	EXPECT_OK(axidma_submit(&d, x, N, c, 256, N, 5000, &sb));
	CHECK(sb.queued == N && sb.error == 0, "queued %u error %d", sb.queued, sb.error);
	got = sb.reaped;
	for (int i = 0; i < N; i++)
		CHECK(x[i].xfer_id && (i == 0 || x[i].xfer_id > x[i - 1].xfer_id), "ids not written back in order");
	while (got < N) {
		int k = axidma_reap(&d, c + got, N - got, 1, 5000, NULL);
		CHECK(k > 0, "reap: %d", k);
		got += (uint32_t)k;
	}
	for (uint32_t i = 0; i < N; i++)
		CHECK(c[i].error == 0 && c[i].bytes == SZ && c[i].user_data >= 1000 && c[i].user_data < 1000 + N,
		      "completion %u: error %d bytes %llu", i, c[i].error, (unsigned long long)c[i].bytes);
	for (int i = 0; i < N; i++)
		CHECK(first_diff(s.ptr + (uint64_t)i * SZ, t.ptr + (uint64_t)(N - 1 - i) * SZ, SZ) < 0, "batch data %d", i);

	/* A refused transfer in the middle: 0-2 run, 3 (length 0) is refused, 4 is not tried. */
	memset(t.ptr, 0, N * SZ);
	x[3].len = 0;
	EXPECT_ERR(axidma_submit(&d, x, 5, NULL, 0, 0, 0, &sb), EINVAL);
	CHECK(sb.queued == 3 && sb.error == -EINVAL, "bad entry: queued %u error %d", sb.queued, sb.error);
	CHECK(x[0].xfer_id && x[2].xfer_id && !x[3].xfer_id && !x[4].xfer_id, "ids of the refused batch");
	x[3].len = SZ;
	for (got = 0; got < 3;) {
		int k = axidma_reap(&d, c, 256, 1, 5000, NULL);
		CHECK(k > 0, "reap after the bad batch: %d", k);
		got += (uint32_t)k;
	}
	CHECK(got == 3, "%u completions, want 3", got);
	CHECK(first_diff(s.ptr + 2 * SZ, t.ptr + (N - 3) * SZ, SZ) < 0, "entry 2 before the refused one did not run");
	for (uint32_t i = 0; i < SZ; i++)
		CHECK(t.ptr[(N - 5) * SZ + i] == 0, "entry 4 after the refused one ran");

	/* Over the in-flight limit: EBUSY at the first transfer past it. */
	if (lim <= AXI_DMA_SUBMIT_MAX) {
		uint32_t first = lim / 2;
		for (uint32_t i = 0; i < AXI_DMA_SUBMIT_MAX; i++) {
			x[i] = x[i % N];
			x[i].xfer_id = 0;
		}
		EXPECT_OK(axidma_submit(&d, x, first, NULL, 0, 0, 0, &sb));
		/* Let them finish (uncollected, they still count): a provider with fewer
		 * descriptors than the limit (ZynqMP GDMA has 32) would otherwise refuse the next
		 * batch early, with the same EBUSY, for want of descriptors. */
		for (uint32_t i = 0; i < first; i++) {
			struct axi_dma_status st;

			for (int spins = 0; spins < 5000; spins++) {
				EXPECT_OK(axidma_status(&d, x[i].xfer_id, &st));
				if (st.state == AXI_DMA_STATE_DONE)
					break;
				usleep(1000);
			}
			CHECK(st.state == AXI_DMA_STATE_DONE, "transfer %u of the first batch not done after 5 s", i);
		}
		for (uint32_t i = 0; i < AXI_DMA_SUBMIT_MAX; i++)
			x[i].xfer_id = 0;
		EXPECT_ERR(axidma_submit(&d, x, lim - first + 1, NULL, 0, 0, 0, &sb), EBUSY);
		CHECK(sb.queued == lim - first && sb.error == -EBUSY, "over the limit: queued %u error %d", sb.queued,
		      sb.error);
		for (got = 0; got < lim;) {
			int k = axidma_reap(&d, c, 256, 1, 5000, NULL);
			CHECK(k > 0, "reap after the limit: %d", k);
			got += (uint32_t)k;
		}
	}

	/* The header's own errors: nothing is submitted. */
	EXPECT_ERR(axidma_submit(&d, x, 0, NULL, 0, 0, 0, &sb), EINVAL);
	EXPECT_ERR(axidma_submit(&d, x, AXI_DMA_SUBMIT_MAX + 1, NULL, 0, 0, 0, &sb), EINVAL);
	EXPECT_ERR(axidma_submit(&d, x, 1, c, 4, 5, 0, &sb), EINVAL);           /* min > max */
	EXPECT_ERR(axidma_submit(&d, x, 1, c, 257, 0, 0, &sb), EINVAL);         /* max > 256 */
	{
		struct axi_dma_submit h = { .xfers = (uintptr_t)x, .count = 1, .flags = 1 };
		CHECK(ioctl(d.fd, AXI_DMA_IOC_SUBMIT, &h) < 0 && errno == EINVAL, "flags: %s", strerror(errno));
		h.flags = 0;
		h.queued = 1;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_SUBMIT, &h) < 0 && errno == EINVAL, "outputs set: %s", strerror(errno));
		h.queued = 0;
		h.xfers = 16;
		CHECK(ioctl(d.fd, AXI_DMA_IOC_SUBMIT, &h) < 0 && errno == EFAULT, "bad array: %s", strerror(errno));
	}
	x[0].kind = AXI_DMA_XFER_LOOPBACK;
	EXPECT_ERR(axidma_submit(&d, x, 1, NULL, 0, 0, 0, &sb), EINVAL);       /* blocking only */
	CHECK(sb.queued == 0 && sb.error == -EINVAL, "loopback in a batch: queued %u", sb.queued);
	{
		uint32_t pending = 1;
		CHECK(axidma_reap(&d, c, 256, 0, 0, &pending) == 0 && pending == 0, "left over: pending %u", pending);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

const struct test nonblocking_tests[] = {
	{ "nonblocking", t_nonblocking, 1 },
	{ "inflight_limit", t_inflight_limit, 1 },
	{ "batch", t_batch, 1 },
	{ 0 }
};
