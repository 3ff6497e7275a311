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
	while (n <= lim && (r = axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 1 << 20, n)) > 0)
		n++;
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

const struct test nonblocking_tests[] = {
	{ "nonblocking", t_nonblocking, 1 },
	{ "inflight_limit", t_inflight_limit, 1 },
	{ 0 }
};
