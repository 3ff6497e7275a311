// SPDX-License-Identifier: MIT
/*
 * Tests against the test-only loopback provider (test-provider/), run with -d on its
 * node: looped-back packets, residue, LOOPBACK transfers, timeouts, injected hangs and
 * failures, the in-flight limit, cancel while running, signals during waits.
 */
#include "fixture.h"

static int t_loop_sizes(void)
{
	struct loop l;
	struct axidma_buf s, t;
	uint64_t sizes[] = { 1, 3, 64, 4095, 4096, 65537, 1 << 20 };

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 1 << 20, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 1 << 20, &t));
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i];
		struct axi_dma_wait w;
		int64_t id;

		fill(s.ptr, n, i);
		memset(t.ptr, 0, n);
		id = submit_rx(&l, &t, 0, n, i);
		CHECK(id > 0, "rx submit: %s", strerror((int)-id));
		EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, n, 0));
		EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
		CHECK(w.bytes == n, "rx got %llu of %llu bytes", (unsigned long long)w.bytes, (unsigned long long)n);
		CHECK(first_diff(s.ptr, t.ptr, n) < 0, "%llu bytes looped back differ", (unsigned long long)n);
	}
	axidma_close(&l.d);
	return 0;
}

static int t_loop_residue(void)
{
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_wait w;
	int64_t id;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 8192, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 8192, &t));
	fill(s.ptr, 8192, 3);
	/* Packet shorter than the rx buffer: partial completion, bytes = packet length. */
	id = submit_rx(&l, &t, 0, 8192, 1);
	CHECK(id > 0, "rx submit");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 1000, 0));
	EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
	CHECK(w.error == 0 && w.bytes == 1000, "short packet: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	CHECK(first_diff(s.ptr, t.ptr, 1000) < 0, "short packet data");
	/* Packet longer than the rx buffer: the buffer fills and the transfer reports EIO. */
	id = submit_rx(&l, &t, 0, 1000, 2);
	CHECK(id > 0, "rx submit");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 4096, 0));
	EXPECT_ERR(axidma_wait(&l.d, (uint64_t)id, 5000, &w), EIO);
	CHECK(w.error == -EIO && w.bytes == 1000, "long packet: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	/* STATUS of a transfer still waiting for data. */
	{
		struct axi_dma_status st;

		id = submit_rx(&l, &t, 0, 64, 3);
		CHECK(id > 0, "rx submit");
		EXPECT_OK(axidma_status(&l.d, (uint64_t)id, &st));
		CHECK(st.state == AXI_DMA_STATE_PENDING, "status of a waiting rx: %u", st.state);
		/* Descriptor residue granularity: nothing is known until the end, so 0. */
		CHECK(st.bytes == 0, "status of a waiting rx: %llu bytes (want 0)", (unsigned long long)st.bytes);
		EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 64, 0));
		EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
	}
	axidma_close(&l.d);
	return 0;
}

static int t_loop_pipelined(void)
{
	enum { N = 32, SZ = 4096 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_completion c[2 * N];
	int got = 0, rx_done = 0;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, N * SZ, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, N * SZ, &t));
	fill(s.ptr, N * SZ, 8);
	memset(t.ptr, 0, N * SZ);
	for (int i = 0; i < N; i++)
		CHECK(submit_rx(&l, &t, (uint64_t)i * SZ, SZ, 100 + i) > 0, "rx %d", i);
	for (int i = 0; i < N; i++) {
		struct axi_dma_xfer x = {
			.chan = (uint32_t)l.tx, .kind = AXI_DMA_XFER_TO_DEV, .src_buf = s.id,
			.src_off = (uint64_t)i * SZ, .len = SZ, .flags = AXI_DMA_XFER_NONBLOCK, .user_data = 200 + i,
		};
		EXPECT_OK(axidma_xfer(&l.d, &x));
	}
	while (got < 2 * N) {
		int n = axidma_reap(&l.d, c, 2 * N, 1, 5000, NULL);

		CHECK(n > 0, "reap after %d: %d", got, n);
		for (int i = 0; i < n; i++) {
			CHECK(c[i].error == 0 && c[i].bytes == SZ, "completion %llu: %d", (unsigned long long)c[i].user_data, c[i].error);
			rx_done += c[i].user_data < 200;
		}
		got += n;
	}
	CHECK(rx_done == N, "rx completions %d", rx_done);
	CHECK(first_diff(s.ptr, t.ptr, N * SZ) < 0, "stream out of order or corrupted");
	axidma_close(&l.d);
	return 0;
}

static int t_loop_kind(void)
{
	struct loop l;
	struct axidma_buf s, t;
	uint64_t bytes = 0;
	struct axi_dma_xfer x;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 65536, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 65536, &t));
	for (uint64_t n = 1; n <= 65536; n *= 16) {
		fill(s.ptr, n, (uint32_t)n);
		memset(t.ptr, 0, n);
		EXPECT_OK(axidma_loopback(&l.d, l.tx, &s, 0, l.rx, &t, 0, n, 0, &bytes));
		CHECK(bytes == n && first_diff(s.ptr, t.ptr, n) < 0, "loopback of %llu bytes", (unsigned long long)n);
	}
	memset(&x, 0, sizeof(x));
	x.chan = (uint32_t)l.tx; x.rx_chan = (uint32_t)l.rx; x.kind = AXI_DMA_XFER_LOOPBACK; x.src_buf = s.id;
	x.dst_buf = t.id; x.len = 64; x.flags = AXI_DMA_XFER_NONBLOCK;
	EXPECT_ERR(axidma_xfer(&l.d, &x), EINVAL);                     /* blocking only */
	x.flags = 0; x.rx_chan = 99;
	EXPECT_ERR(axidma_xfer(&l.d, &x), EINVAL);                     /* no such rx channel */
	x.rx_chan = (uint32_t)l.rx; x.dst_off = 65536 - 10;
	EXPECT_ERR(axidma_xfer(&l.d, &x), EINVAL);                     /* rx range */
	/* The send fails: the receive that waits for it is stopped, not left behind. */
	set_param("fail", "1");
	x.dst_off = 0;
	{
		int r = axidma_xfer(&l.d, &x);

		set_param("fail", "0");
		CHECK(r == -EIO, "loopback with a failing provider: %d", r);
	}
	EXPECT_OK(axidma_loopback(&l.d, l.tx, &s, 0, l.rx, &t, 0, 4096, 0, &bytes));
	CHECK(bytes == 4096, "loopback after a failure: %llu", (unsigned long long)bytes);
	axidma_close(&l.d);
	return 0;
}

static int t_rx_timeout(void)
{
	struct loop l;
	struct axidma_buf t, s;
	uint64_t bytes = 0;
	struct timespec a, b;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 4096, &t));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &s));
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_ERR(axidma_recv(&l.d, l.rx, &t, 0, 4096, 300, &bytes), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	{
		double el = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;

		CHECK(el > 0.25 && el < 3, "timed out after %.3f s, asked 0.3 s", el);
	}
	/* The channel was terminated and works again. */
	{
		struct axi_dma_wait w;
		int64_t id = submit_rx(&l, &t, 0, 4096, 1);

		CHECK(id > 0, "rx after timeout");
		fill(s.ptr, 4096, 1);
		EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 4096, 0));
		EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
		CHECK(w.bytes == 4096 && first_diff(s.ptr, t.ptr, 4096) < 0, "loop after timeout");
	}
	axidma_close(&l.d);
	return 0;
}

static int t_hang_timeout(void)
{
	struct loop l;
	struct axidma_buf s, t;
	int r;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 65536, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 65536, &t));
	set_param("hang", "1");
	r = axidma_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 65536, 200);
	set_param("hang", "0");
	CHECK(r == -ETIMEDOUT, "a transfer that never completes: %d", r);
	if (copy_check_on(&l.d, (uint32_t)l.tx, &s, &t))
		return -1;
	axidma_close(&l.d);
	return 0;
}

static int t_provider_error(void)
{
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_completion c[1];
	int64_t id;
	int r, k;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &t));
	set_param("fail", "1");
	r = axidma_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 4096, 0);
	id = axidma_submit_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 4096, 5);
	c[0].error = 0;
	k = axidma_reap(&l.d, c, 1, 1, 5000, NULL);
	set_param("fail", "0");
	CHECK(r == -EIO, "blocking transfer the provider failed: %d", r);
	CHECK(id > 0, "submit");
	CHECK(k == 1 && c[0].error == -EIO, "reap %d, completion error %d", k, c[0].error);
	if (copy_check_on(&l.d, (uint32_t)l.tx, &s, &t))
		return -1;
	axidma_close(&l.d);
	return 0;
}

static int t_busy_limit(void)
{
	struct loop l;
	struct axidma_buf s, t;
	uint32_t n = 0;
	int64_t r = 0;
	struct axi_dma_completion c[256];
	int got = 0;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &t));
	set_param("delay_us", "200000");
	while (n <= l.d.info.max_inflight && (r = axidma_submit_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 4096, n)) > 0)
		n++;
	CHECK(n == l.d.info.max_inflight && r == -EBUSY, "%u accepted, then %lld (limit %u)", n, (long long)r,
	      l.d.info.max_inflight);
	set_param("delay_us", "0");
	while (got < (int)n) {
		int k = axidma_reap(&l.d, c, 256, 1, 5000, NULL);

		CHECK(k > 0, "reap: %d", k);
		got += k;
	}
	axidma_close(&l.d);
	return 0;
}

static int t_cancel_running(void)
{
	struct loop l, other;
	struct axidma_buf s, t, s2;
	struct axi_dma_completion c[64];
	int got = 0, cancelled, ncanc = 0;

	if (loop_open(&l) || open_dev(&other.d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &t));
	EXPECT_OK(axidma_buf_alloc(&other.d, l.tx, 4096, &s2));
	set_param("delay_us", "50000");
	for (int i = 0; i < 16; i++)
		CHECK(axidma_submit_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 4096, i) > 0, "submit");
	/* Another file may not cancel them. */
	EXPECT_ERR(axidma_cancel(&other.d, (uint32_t)l.tx), EBUSY);
	cancelled = axidma_cancel(&l.d, (uint32_t)l.tx);
	set_param("delay_us", "0");
	CHECK(cancelled >= 8, "cancel stopped only %d of 16 slow transfers", cancelled);
	while (got < 16) {
		int k = axidma_reap(&l.d, c, 64, 1, 5000, NULL);

		CHECK(k > 0, "reap: %d", k);
		for (int i = 0; i < k; i++) {
			CHECK(c[i].error == 0 || c[i].error == -ECANCELED, "error %d", c[i].error);
			ncanc += c[i].error == -ECANCELED;
		}
		got += k;
	}
	CHECK(ncanc == cancelled, "%d completions say cancelled, cancel said %d", ncanc, cancelled);
	if (copy_check_on(&l.d, (uint32_t)l.tx, &s, &t))
		return -1;
	axidma_close(&l.d);
	axidma_close(&other.d);
	return 0;
}

static void on_alarm(int sig) { (void)sig; }

static int t_eintr(void)
{
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_xfer x;
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct axi_dma_wait w;
	int r;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4096, &t));
	fill(s.ptr, 4096, 4);
	sigaction(SIGALRM, &sa, NULL);
	set_param("hang", "1");
	memset(&x, 0, sizeof(x));
	x.chan = (uint32_t)l.tx; x.kind = AXI_DMA_XFER_MEMCPY; x.src_buf = s.id; x.dst_buf = t.id;
	x.len = 4096; x.timeout_ms = 10000; x.user_data = 99;
	ualarm(200000, 0);
	r = axidma_xfer(&l.d, &x);
	set_param("hang", "0");
	CHECK(r == -EINTR, "a signal during a blocking transfer: %d", r);
	CHECK(x.xfer_id > 0, "no transfer id written back");
	/* It is still in flight; a new submission restarts the provider, then it completes. */
	{
		int64_t id = axidma_submit_memcpy(&l.d, (uint32_t)l.tx, &t, 0, &s, 0, 4096, 100);

		CHECK(id > 0, "submit");
		EXPECT_OK(axidma_wait(&l.d, x.xfer_id, 5000, &w));
		CHECK(w.user_data == 99 && w.bytes == 4096, "the interrupted transfer's completion");
		EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
	}
	/* SIGKILL during a wait: the dying process's release path must stop its transfer. */
	{
		pid_t pid;
		int st;

		set_param("hang", "1");
		pid = fork();
		if (pid == 0) {
			struct loop k;

			if (loop_open(&k) == 0) {
				struct axidma_buf a, b;

				set_param("hang", "1");
				if (!axidma_buf_alloc(&k.d, k.tx, 4096, &a) && !axidma_buf_alloc(&k.d, k.tx, 4096, &b))
					axidma_memcpy(&k.d, (uint32_t)k.tx, &b, 0, &a, 0, 4096, 30000);
			}
			_exit(0);
		}
		usleep(300000);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		set_param("hang", "0");
		CHECK(WIFSIGNALED(st), "child was not killed");
	}
	CHECK(first_diff(s.ptr, t.ptr, 4096) < 0, "data");
	if (copy_check_on(&l.d, (uint32_t)l.tx, &s, &t))
		return -1;
	axidma_close(&l.d);
	return 0;
}

const struct test loopback_tests[] = {
	{ "loop_sizes", t_loop_sizes, 0 },
	{ "loop_residue", t_loop_residue, 0 },
	{ "loop_pipelined", t_loop_pipelined, 0 },
	{ "loop_kind", t_loop_kind, 0 },
	{ "rx_timeout", t_rx_timeout, 0 },
	{ "hang_timeout", t_hang_timeout, 0 },
	{ "provider_error", t_provider_error, 0 },
	{ "busy_limit", t_busy_limit, 0 },
	{ "cancel_running", t_cancel_running, 0 },
	{ "eintr", t_eintr, 0 },
	{ 0 }
};
