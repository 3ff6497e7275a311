// SPDX-License-Identifier: MIT
/*
 * Tests against a real AXI DMA (Linux's xilinx_dma on the patched QEMU's xlnx.axi-dma,
 * MM2S looped back into S2MM), run with -d on its client node. loop_sizes, loop_pipelined
 * and rx_timeout (loopback.c) run there unchanged. axi_hold is the helper of the guest's
 * unbind test on this node (like hold.c's hold; here to keep the suite's order).
 */
#include "fixture.h"

#define GUARD 0xee

/* Post an rx, send a packet of `plen` bytes, wait for the rx: returns 0 or -errno. */
static int axi_round(struct loop *l, struct axidma_buf *s, uint64_t soff, uint64_t plen, struct axidma_buf *t,
		     uint64_t toff, uint64_t rxlen, uint32_t wait_ms, struct axi_dma_wait *w)
{
	int64_t id = submit_rx(l, t, toff, rxlen, 7);
	int r;

	if (id < 0)
		return (int)id;
	r = axidma_send(&l->d, (uint32_t)l->tx, s, soff, plen, 2000);
	if (r)
		return r;
	return axidma_wait(&l->d, (uint64_t)id, wait_ms, w);
}

/* Packets equal to, shorter and longer than the S2MM buffer: what xilinx_dma reports. */
static int t_axi_packets(void)
{
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_wait w;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 16384, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 16384, &t));
	fill(s.ptr, 16384, 21);
	/* Exactly the buffer. */
	memset(t.ptr, GUARD, 16384);
	EXPECT_OK(axi_round(&l, &s, 0, 4096, &t, 0, 4096, 5000, &w));
	CHECK(w.error == 0 && w.bytes == 4096, "exact packet: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	CHECK(first_diff(s.ptr, t.ptr, 4096) < 0 && t.ptr[4096] == GUARD, "exact packet data");
	/* Shorter: the descriptor completes at the packet's end; xilinx_dma's residue (buffer
	 * minus the byte count S2MM wrote into the descriptor) gives the packet length. */
	memset(t.ptr, GUARD, 16384);
	EXPECT_OK(axi_round(&l, &s, 100, 1000, &t, 0, 8192, 5000, &w));
	CHECK(w.error == 0 && w.bytes == 1000, "short packet: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	CHECK(first_diff(s.ptr + 100, t.ptr, 1000) < 0, "short packet data");
	for (int i = 1000; i < 8192; i++)
		CHECK(t.ptr[i] == GUARD, "short packet: byte %d past the packet written", i);
	/* Longer: S2MM fills the buffer and completes the descriptor without EOF, which raises
	 * no interrupt (IOC comes with EOF only), so xilinx_dma never completes the transfer and
	 * reports no error: the client sees its timeout (ETIMEDOUT; the channel is terminated).
	 * The buffer holds the packet's head and nothing was written past it. */
	memset(t.ptr, GUARD, 16384);
	/* The previous packet armed S2MM's delay-timer interrupt (xlnx,irq-delay); xilinx_dma
	 * completes every finished descriptor on any interrupt of the channel, so a delay
	 * interrupt arriving after the buffer filled completes this transfer with the buffer
	 * full instead (as on a board; under a loaded host QEMU's timer can fire that late,
	 * seen 2026-11-26 and 2026-11-27). Let it pass first; accept that outcome all the same. */
	usleep(20000);
	{
		int r = axi_round(&l, &s, 0, 4096, &t, 0, 1000, 300, &w);

		CHECK(r == -ETIMEDOUT || (r == 0 && w.error == 0 && w.bytes == 1000),
		      "long packet: %d (%s), error %d bytes %llu; want ETIMEDOUT, or the full buffer", r,
		      strerror(-r), w.error, (unsigned long long)w.bytes);
		if (r == 0)
			printf("# long packet completed by a later interrupt (buffer full)\n");
	}
	CHECK(first_diff(s.ptr, t.ptr, 1000) < 0, "long packet: head of the packet not in the buffer");
	for (int i = 1000; i < 16384; i++)
		CHECK(t.ptr[i] == GUARD, "long packet: byte %d past the buffer written", i);
	/* The channel works again, and the rest of the long packet did not stay queued. */
	memset(t.ptr, GUARD, 16384);
	fill(s.ptr, 16384, 22);
	EXPECT_OK(axi_round(&l, &s, 0, 3000, &t, 0, 4096, 5000, &w));
	CHECK(w.error == 0 && w.bytes == 3000 && first_diff(s.ptr, t.ptr, 3000) < 0, "after the long packet: %d %llu",
	      w.error, (unsigned long long)w.bytes);
	axidma_close(&l.d);
	return 0;
}

/* MM2S with no S2MM descriptor: the stream stalls (no FIFO in this loopback), the send
 * times out and is terminated, and its packet is not delivered later. */
static int t_axi_tx_stall(void)
{
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_wait w;
	struct timespec a, b;
	double el;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 8192, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 8192, &t));
	fill(s.ptr, 4096, 31);
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_ERR(axidma_send(&l.d, (uint32_t)l.tx, &s, 0, 4096, 300), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	el = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(el > 0.25 && el < 3, "send timed out after %.3f s, asked 0.3 s", el);
	fill(s.ptr + 4096, 4096, 32);
	memset(t.ptr, GUARD, 8192);
	EXPECT_OK(axi_round(&l, &s, 4096, 4096, &t, 0, 8192, 5000, &w));
	CHECK(w.error == 0 && w.bytes == 4096, "after the stall: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	CHECK(first_diff(s.ptr + 4096, t.ptr, 4096) < 0, "after the stall: not the new packet");
	axidma_close(&l.d);
	return 0;
}

/* Many transfers in flight: rx descriptors of different sizes queued, then the packets;
 * each lands in its own buffer slice, in order, with nothing written past it. Then the
 * in-flight limit (EBUSY) with receives that wait, and cancelling them. */
static int t_axi_inflight(void)
{
	enum { N = 24, SLOT = 4096 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_completion c[2 * N];
	uint64_t len[N];
	int got = 0, n = 0, cancelled;
	int64_t r = 0;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, N * SLOT, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, N * SLOT, &t));
	fill(s.ptr, N * SLOT, 41);
	memset(t.ptr, GUARD, N * SLOT);
	for (int i = 0; i < N; i++) {
		len[i] = 1 + ((uint64_t)i * 1237 + 5) % (SLOT - 1);
		CHECK(submit_rx(&l, &t, (uint64_t)i * SLOT, SLOT, 100 + i) > 0, "rx %d", i);
	}
	for (int i = 0; i < N; i++) {
		struct axi_dma_xfer x = {
			.chan = (uint32_t)l.tx, .kind = AXI_DMA_XFER_TO_DEV, .src_buf = s.id,
			.src_off = (uint64_t)i * SLOT, .len = len[i], .flags = AXI_DMA_XFER_NONBLOCK, .user_data = 200 + i,
		};
		EXPECT_OK(axidma_xfer(&l.d, &x));
	}
	while (got < 2 * N) {
		int k = axidma_reap(&l.d, c, 2 * N, 1, 5000, NULL);

		CHECK(k > 0, "reap after %d: %d", got, k);
		for (int i = 0; i < k; i++) {
			uint64_t u = c[i].user_data;
			uint64_t want = u >= 200 ? len[u - 200] : len[u - 100];

			CHECK(c[i].error == 0 && c[i].bytes == want, "completion %llu: error %d, %llu of %llu bytes",
			      (unsigned long long)u, c[i].error, (unsigned long long)c[i].bytes, (unsigned long long)want);
		}
		got += k;
	}
	for (int i = 0; i < N; i++) {
		CHECK(first_diff(s.ptr + i * SLOT, t.ptr + i * SLOT, len[i]) < 0, "packet %d data", i);
		for (uint64_t j = len[i]; j < SLOT; j++)
			CHECK(t.ptr[i * SLOT + j] == GUARD, "packet %d: byte %llu past it written", i, (unsigned long long)j);
	}
	/* Receives with no data stay in flight up to the limit. */
	while (n <= (int)l.d.info.max_inflight && (r = submit_rx(&l, &t, 0, 64, 1000 + n)) > 0)
		n++;
	CHECK(n == (int)l.d.info.max_inflight && r == -EBUSY, "%d accepted, then %lld (limit %u)", n, (long long)r,
	      l.d.info.max_inflight);
	cancelled = axidma_cancel(&l.d, (uint32_t)l.rx);
	CHECK(cancelled == n, "cancel stopped %d of %d waiting receives", cancelled, n);
	for (got = 0; got < n;) {
		int k = axidma_reap(&l.d, c, 2 * N, 1, 5000, NULL);

		CHECK(k > 0, "reap of cancelled: %d", k);
		for (int i = 0; i < k; i++)
			CHECK(c[i].error == -ECANCELED, "cancelled receive %llu: error %d", (unsigned long long)c[i].user_data,
			      c[i].error);
		got += k;
	}
	{
		struct axi_dma_wait w;

		memset(t.ptr, GUARD, 8192);
		EXPECT_OK(axi_round(&l, &s, 0, 4096, &t, 0, 4096, 5000, &w));
		CHECK(w.bytes == 4096 && first_diff(s.ptr, t.ptr, 4096) < 0, "loop after cancel");
	}
	axidma_close(&l.d);
	return 0;
}

/* Back-to-back round trips of random sizes and offsets, alternating separate tx/rx with
 * the paired LOOPBACK kind; every byte checked, and the guard byte after each packet. */
static int t_axi_back_to_back(void)
{
	enum { SZ = 65536, ROUNDS = 200 };
	struct loop l;
	struct axidma_buf s, t;
	uint32_t x = 12345;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, SZ, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, SZ, &t));
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t n, so, to, bytes = 0;

		x = x * 1103515245u + 12345u;
		n = 1 + (x >> 8) % (SZ / 2);
		so = (x >> 3) % (SZ - n);
		to = (x * 7u >> 5) % (SZ - n - 1);
		fill(s.ptr + so, n, (uint32_t)i);
		t.ptr[to + n] = GUARD;
		if (i & 1) {
			EXPECT_OK(axidma_loopback(&l.d, (uint32_t)l.tx, &s, so, (uint32_t)l.rx, &t, to, n, 5000, &bytes));
		} else {
			struct axi_dma_wait w;

			EXPECT_OK(axi_round(&l, &s, so, n, &t, to, n, 5000, &w));
			bytes = w.bytes;
		}
		CHECK(bytes == n, "round %d: %llu of %llu bytes", i, (unsigned long long)bytes, (unsigned long long)n);
		CHECK(first_diff(s.ptr + so, t.ptr + to, n) < 0, "round %d: %llu bytes at %#llx -> %#llx differ", i,
		      (unsigned long long)n, (unsigned long long)so, (unsigned long long)to);
		CHECK(t.ptr[to + n] == GUARD, "round %d: byte past the packet written", i);
	}
	axidma_close(&l.d);
	return 0;
}

/* For the unbind test: receives waiting in flight and mapped buffers, then (after the
 * device was unbound) ENODEV, the mappings revoked (SIGBUS). */
static int t_axi_hold(void)
{
	struct loop l;
	struct axidma_buf s, t;
	char line[16];

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 65536, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 65536, &t));
	fill(s.ptr, 65536, 6);
	for (int i = 0; i < 8; i++)
		CHECK(submit_rx(&l, &t, (uint64_t)i * 4096, 4096, i) > 0, "submit");
	printf("# holding\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		FAIL("no go-ahead");
	EXPECT_ERR(axidma_send(&l.d, (uint32_t)l.tx, &s, 0, 16, 0), ENODEV);
	{
		struct axidma_buf z;

		CHECK(read_faults(s.ptr), "mapping still readable after unbind: not revoked");
		EXPECT_ERR(axidma_buf_alloc(&l.d, l.rx, 4096, &z), ENODEV);
	}
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &t);
	axidma_close(&l.d);
	return 0;
}

const struct test axi_tests[] = {
	{ "axi_packets", t_axi_packets, 0 },
	{ "axi_tx_stall", t_axi_tx_stall, 0 },
	{ "axi_inflight", t_axi_inflight, 0 },
	{ "axi_back_to_back", t_axi_back_to_back, 0 },
	{ "axi_hold", t_axi_hold, 0 },
	{ 0 }
};
