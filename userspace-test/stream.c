// SPDX-License-Identifier: MIT
/*
 * Ring streaming (STREAM_START/PUSH/REAP/STOP): through the loopback (-d on a loopback
 * node), with cached buffers, errors, overruns and slot errors; on the PL330's slave
 * channels; a packet longer than a slot on the real AXI DMA (xilinx_dma); refused on
 * memcpy-only channels.
 */
#include "fixture.h"

#include <sys/utsname.h>

/* Reap with the given min/timeout; checks the completions come in ring order. */
static int sreap(struct axidma_dev *d, int ch, struct axi_dma_stream_done *c, uint32_t max,
		 uint32_t min, uint32_t ms, uint64_t *next_seq, uint32_t nslots, uint32_t *queued,
		 uint64_t *overruns)
{
	int n = axidma_stream_reap(d, (uint32_t)ch, c, max, min, ms, queued, overruns);

	if (n < 0) {
		snprintf(fail_msg, sizeof(fail_msg), "stream reap: %s", strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (c[i].seq != *next_seq || c[i].slot != (uint32_t)(c[i].seq % nslots)) {
			snprintf(fail_msg, sizeof(fail_msg), "out of order: seq %llu slot %u, want seq %llu",
				 (unsigned long long)c[i].seq, c[i].slot, (unsigned long long)*next_seq);
			return -EPROTO;
		}
		(*next_seq)++;
	}
	return n;
}

static uint32_t pkt_len(uint32_t i, uint32_t slot) { return 1 + (i * 997u) % slot; }

/* Gap-free streaming through the loopback: a tx ring feeds an rx ring; user space keeps up
 * (never more packets in flight than rx has slots), so no slot may report a gap. */
static int t_stream_loop(void)
{
	enum { SLOTS = 8, SLOT = 4096, PKTS = 300 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_stream_done c[SLOTS];
	uint64_t tx_seq = 0, rx_seq = 0, ovr = 1;
	uint32_t sent = 0, got = 0, tx_free = SLOTS, q, polled = 0;
	int n;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, SLOTS * SLOT, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, SLOTS * SLOT, &t));
	n = axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT);
	CHECK(n == SLOTS, "rx start queued %d", n);
	n = axidma_stream_start(&l.d, l.tx, AXI_DMA_DIR_MEM_TO_DEV, &s, 0, SLOTS, SLOT);
	CHECK(n == 0, "tx start queued %d", n);
	while (got < PKTS) {
		/* Send while the receiver keeps at least one free slot queued. */
		while (sent < PKTS && tx_free > 0 && sent - got < SLOTS - 1) {
			uint32_t first, len = pkt_len(sent, SLOT);

			fill(s.ptr + (sent % SLOTS) * SLOT, len, sent);
			n = axidma_stream_push(&l.d, l.tx, 1, &len, &first);
			CHECK(n == 1 && first == sent % SLOTS, "tx push %u: %d first %u", sent, n, first);
			sent++;
			tx_free--;
		}
		/* poll() says when rx has something. */
		{
			struct pollfd p = { .fd = l.d.fd, .events = POLLIN };

			CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll: nothing after 5 s");
			polled++;
		}
		n = sreap(&l.d, l.rx, c, SLOTS, 0, 0, &rx_seq, SLOTS, &q, &ovr);
		if (n < 0) return -1;
		for (int i = 0; i < n; i++) {
			uint32_t k = (uint32_t)c[i].seq, len = pkt_len(k, SLOT);
			uint8_t want[SLOT];

			CHECK(c[i].error == 0 && c[i].bytes == len, "rx %u: error %d bytes %llu, want %u", k,
			      c[i].error, (unsigned long long)c[i].bytes, len);
			CHECK(!(c[i].flags & AXI_DMA_STREAM_GAP), "rx %u reports a gap while keeping up", k);
			fill(want, len, k);
			CHECK(first_diff(want, t.ptr + c[i].slot * SLOT, len) < 0, "rx %u data differs", k);
			got++;
		}
		if (n > 0)
			CHECK(axidma_stream_push(&l.d, l.rx, (uint32_t)n, NULL, NULL) == n, "rx push back");
		n = sreap(&l.d, l.tx, c, SLOTS, 0, 0, &tx_seq, SLOTS, NULL, NULL);
		if (n < 0) return -1;
		for (int i = 0; i < n; i++)
			CHECK(c[i].error == 0 && c[i].bytes == pkt_len((uint32_t)c[i].seq, SLOT), "tx %llu: error %d",
			      (unsigned long long)c[i].seq, c[i].error);
		tx_free += (uint32_t)n;
	}
	CHECK(ovr == 0, "%llu overruns while keeping up", (unsigned long long)ovr);
	/* Drain tx, then stop both: rx still has every slot queued (aborted), tx none. */
	while (tx_seq < sent) {
		n = sreap(&l.d, l.tx, c, SLOTS, 1, 2000, &tx_seq, SLOTS, NULL, NULL);
		CHECK(n > 0, "tx drain: %d", n);
	}
	{
		struct axi_dma_stream_stop st;

		EXPECT_OK(axidma_stream_stop(&l.d, l.tx, &st));
		/* tx ran dry whenever it waited for rx: underruns are expected there. */
		CHECK(st.aborted == 0 && st.completed == PKTS, "tx stop: aborted %u completed %llu",
		      st.aborted, (unsigned long long)st.completed);
		EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
		CHECK(st.aborted == SLOTS && st.completed == PKTS, "rx stop: aborted %u completed %llu", st.aborted,
		      (unsigned long long)st.completed);
	}
	printf("# %u packets streamed, %u polls\n", got, polled);
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &t);
	axidma_close(&l.d);
	return 0;
}

/* The receiver falls behind: the ring runs dry, which is counted and flagged. */
static int t_stream_overrun(void)
{
	enum { SLOTS = 4, SLOT = 1024 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_stream_done c[SLOTS];
	uint64_t seq = 0, ovr = 0;
	uint32_t q = 99;
	int n;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 6 * SLOT, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, SLOTS * SLOT, &t));
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "start");
	fill(s.ptr, 6 * SLOT, 77);
	for (int i = 0; i < 6; i++)
		EXPECT_OK(axidma_send(&l.d, l.tx, &s, (uint64_t)i * SLOT, SLOT, 0));
	/* Four slots filled, the ring is dry; two packets wait in the stream. */
	n = sreap(&l.d, l.rx, c, SLOTS, SLOTS, 2000, &seq, SLOTS, &q, &ovr);
	CHECK(n == SLOTS && q == 0 && ovr == 0, "first reap: %d, queued %u, overruns %llu", n, q, (unsigned long long)ovr);
	for (int i = 0; i < SLOTS; i++)
		CHECK(!c[i].flags && first_diff(s.ptr + i * SLOT, t.ptr + i * SLOT, SLOT) < 0, "packet %d", i);
	/* Nothing is queued: pushing more than is free fails, a reap with nothing queued returns. */
	EXPECT_ERR(axidma_stream_push(&l.d, l.rx, SLOTS + 1, NULL, NULL), ENOSPC);
	n = sreap(&l.d, l.rx, c, SLOTS, 1, 100, &seq, SLOTS, &q, &ovr);
	CHECK(n == 0 && q == 0, "reap of a dry ring: %d", n);
	CHECK(axidma_stream_push(&l.d, l.rx, SLOTS, NULL, NULL) == SLOTS, "push back");
	n = sreap(&l.d, l.rx, c, SLOTS, 2, 2000, &seq, SLOTS, &q, &ovr);
	CHECK(n == 2 && q == 2, "second reap: %d, queued %u", n, q);
	CHECK(c[0].flags & AXI_DMA_STREAM_GAP, "the first slot after the ring ran dry is not flagged");
	CHECK(!(c[1].flags & AXI_DMA_STREAM_GAP), "the second slot is flagged too");
	CHECK(ovr == 1, "overruns %llu, want 1", (unsigned long long)ovr);
	/* The loopback holds the stream back, so nothing was lost. */
	CHECK(first_diff(s.ptr + 4 * SLOT, t.ptr, 2 * SLOT) < 0, "packets after the overrun");
	{
		struct axi_dma_stream_stop st;

		EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
		CHECK(st.overruns == 1 && st.aborted == 2 && st.completed == 6, "stop: overruns %llu aborted %u completed %llu",
		      (unsigned long long)st.overruns, st.aborted, (unsigned long long)st.completed);
	}
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &t);
	axidma_close(&l.d);
	return 0;
}

/* Every bad request gets a clear errno. */
static int t_stream_errors(void)
{
	struct loop l;
	struct axidma_buf t, s, to;
	struct axi_dma_stream_start a;
	struct axi_dma_stream_done c[4];
	uint32_t lens[2] = { 0, 1 };

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, 8192, &t));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 8192, &s));
	EXPECT_OK(axidma_buf_alloc_flags(&l.d, l.rx, 8192, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &to));
	{
		struct axi_dma_chan_info ci;
		int mc = -1;

		/* A channel that cannot do the direction (a memcpy-only one, if the device has one). */
		for (uint32_t i = 0; i < l.d.info.num_channels; i++)
			if (!axidma_chan_info(&l.d, i, &ci) && !(ci.directions & AXI_DMA_DIR_DEV_TO_MEM))
				mc = (int)i;
		if (mc >= 0)
			EXPECT_ERR(axidma_stream_start(&l.d, mc, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 4096), EOPNOTSUPP);
	}
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_MEM_TO_MEM, &t, 0, 2, 4096), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 0, 4096), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, l.d.info.max_inflight + 1, 1), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 0), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 3, 4096), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 1, 2, 4096), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 1ull << 40), EOVERFLOW);
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &to, 0, 2, 4096), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, 99, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 4096), EINVAL);
	{
		struct axidma_buf bad = t;

		bad.id = 12345;
		EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &bad, 0, 2, 4096), ENOENT);
	}
	memset(&a, 0, sizeof(a));
	a.chan = (uint32_t)l.rx; a.direction = AXI_DMA_DIR_DEV_TO_MEM; a.buf = t.id; a.count = 2;
	a.slot_size = 4096; a.flags = 0x80;
	CHECK(ioctl(l.d.fd, AXI_DMA_IOC_STREAM_START, &a) < 0 && errno == EINVAL, "unknown flags: errno %d", errno);
	/* No ring yet. */
	EXPECT_ERR(axidma_stream_push(&l.d, l.rx, 1, NULL, NULL), ENOENT);
	EXPECT_ERR(axidma_stream_reap(&l.d, l.rx, c, 4, 0, 0, NULL, NULL), ENOENT);
	EXPECT_ERR(axidma_stream_stop(&l.d, l.rx, NULL), ENOENT);
	/* One ring per channel and file. */
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 4096) == 2, "start");
	EXPECT_ERR(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, 2, 4096), EBUSY);
	/* The ring owns the channel: another file can neither queue on it nor start a ring. */
	{
		struct loop o;
		struct axidma_buf ob;

		if (loop_open(&o)) return -1;
		EXPECT_OK(axidma_buf_alloc(&o.d, o.rx, 4096, &ob));
		EXPECT_ERR((int)submit_rx(&o, &ob, 0, 4096, 1), EBUSY);
		EXPECT_ERR(axidma_stream_start(&o.d, o.rx, AXI_DMA_DIR_DEV_TO_MEM, &ob, 0, 1, 4096), EBUSY);
		axidma_buf_free(&o.d, &ob);
		axidma_close(&o.d);
	}
	EXPECT_ERR(axidma_stream_push(&l.d, l.rx, 1, NULL, NULL), ENOSPC);   /* all queued */
	EXPECT_ERR(axidma_stream_push(&l.d, l.rx, 1, lens + 1, NULL), EINVAL); /* lengths on rx */
	EXPECT_ERR(axidma_stream_push(&l.d, l.rx, 0, NULL, NULL), EINVAL);
	EXPECT_ERR(axidma_stream_reap(&l.d, l.rx, c, 0, 0, 0, NULL, NULL), EINVAL);
	EXPECT_ERR(axidma_stream_reap(&l.d, l.rx, c, 257, 0, 0, NULL, NULL), EINVAL);
	EXPECT_ERR(axidma_stream_reap(&l.d, l.rx, c, 2, 3, 0, NULL, NULL), EINVAL);
	CHECK(axidma_stream_reap(&l.d, l.rx, (void *)16, 2, 0, 0, NULL, NULL) == 0, "a reap with nothing to write");
	/* Nothing arrives: a reap waiting for one times out empty. */
	CHECK(axidma_stream_reap(&l.d, l.rx, c, 4, 1, 50, NULL, NULL) == 0, "reap without data");
	/* tx ring: lengths checked. */
	CHECK(axidma_stream_start(&l.d, l.tx, AXI_DMA_DIR_MEM_TO_DEV, &s, 0, 2, 4096) == 0, "tx start");
	EXPECT_ERR(axidma_stream_push(&l.d, l.tx, 2, lens, NULL), EINVAL);     /* length 0 */
	lens[0] = 4097;
	EXPECT_ERR(axidma_stream_push(&l.d, l.tx, 1, lens, NULL), EINVAL);     /* > slot */
	EXPECT_ERR(axidma_stream_push(&l.d, l.tx, 3, NULL, NULL), ENOSPC);
	EXPECT_ERR(axidma_stream_push(&l.d, l.tx, 1, (uint32_t *)16, NULL), EFAULT);
	/* Freeing the ring's buffer is allowed: the ring keeps it until it stops. */
	EXPECT_OK(axidma_buf_free(&l.d, &t));
	{
		struct axi_dma_stream_stop st;

		EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
		CHECK(st.aborted == 2 && st.completed == 0, "stop: aborted %u completed %llu", st.aborted,
		      (unsigned long long)st.completed);
	}
	EXPECT_ERR(axidma_stream_stop(&l.d, l.rx, NULL), ENOENT);
	EXPECT_OK(axidma_stream_stop(&l.d, l.tx, NULL));
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &to);
	axidma_close(&l.d);
	return 0;
}

/* A ring on a channel that cannot do its direction (memcpy-only GDMA) is refused. */
static int t_stream_refused(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	struct axi_dma_chan_info ci;
	int checked = 0;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 8192, &b));
	for (uint32_t i = 0; i < d.info.num_channels; i++) {
		EXPECT_OK(axidma_chan_info(&d, i, &ci));
		for (uint32_t dir = AXI_DMA_DIR_MEM_TO_DEV; dir <= AXI_DMA_DIR_DEV_TO_MEM; dir <<= 1)
			if (!(ci.directions & dir)) {
				EXPECT_ERR(axidma_stream_start(&d, i, dir, &b, 0, 2, 4096), EOPNOTSUPP);
				checked++;
			}
	}
	CHECK(checked > 0, "every channel can stream both ways: nothing to check");
	axidma_buf_free(&d, &b);
	axidma_close(&d);
	return 0;
}

/* Rings of cached buffers: the driver hands slots over at push and reap. */
static int t_stream_cached(void)
{
	enum { SLOTS = 4, SLOT = 16384, PKTS = 16 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_stream_done c[SLOTS];
	uint64_t seq = 0, tseq = 0;
	uint32_t len = SLOT;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc_flags(&l.d, l.tx, SLOTS * SLOT, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &s));
	EXPECT_OK(axidma_buf_alloc_flags(&l.d, l.rx, SLOTS * SLOT, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE, &t));
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "rx start");
	CHECK(axidma_stream_start(&l.d, l.tx, AXI_DMA_DIR_MEM_TO_DEV, &s, 0, SLOTS, SLOT) == 0, "tx start");
	for (uint32_t k = 0; k < PKTS; k++) {
		uint8_t want[SLOT];
		uint32_t first;
		int n;

		fill(s.ptr + (k % SLOTS) * SLOT, SLOT, 500 + k);
		CHECK(axidma_stream_push(&l.d, l.tx, 1, &len, &first) == 1 && first == k % SLOTS, "tx push %u", k);
		n = sreap(&l.d, l.rx, c, 1, 1, 2000, &seq, SLOTS, NULL, NULL);
		CHECK(n == 1 && c[0].error == 0 && c[0].bytes == SLOT, "rx %u: %d", k, n);
		fill(want, SLOT, 500 + k);
		CHECK(first_diff(want, t.ptr + c[0].slot * SLOT, SLOT) < 0, "rx %u data", k);
		CHECK(axidma_stream_push(&l.d, l.rx, 1, NULL, NULL) == 1, "rx push");
		n = sreap(&l.d, l.tx, c, 1, 1, 2000, &tseq, SLOTS, NULL, NULL);
		CHECK(n == 1 && c[0].error == 0, "tx %u", k);
	}
	/* Unmapped and closed with the rx ring still queued: the file's release stops it. */
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &t);
	axidma_close(&l.d);
	return 0;
}

/* A provider error on a slot is reported on that slot and the ring goes on. */
static int t_stream_slot_error(void)
{
	enum { SLOTS = 4, SLOT = 512 };
	struct loop l;
	struct axidma_buf s, t;
	struct axi_dma_stream_done c[SLOTS];
	uint64_t seq = 0;
	int n;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, l.tx, 4 * SLOT, &s));
	EXPECT_OK(axidma_buf_alloc(&l.d, l.rx, SLOTS * SLOT, &t));
	fill(s.ptr, 4 * SLOT, 9);
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "start");
	/* A packet longer than the slot: that slot reports EIO with a full slot of bytes. */
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 2 * SLOT, 0));
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, 100, 0));
	n = sreap(&l.d, l.rx, c, SLOTS, 2, 2000, &seq, SLOTS, NULL, NULL);
	CHECK(n == 2, "reaped %d", n);
	CHECK(c[0].error == -EIO && c[0].bytes == SLOT, "long packet: error %d bytes %llu", c[0].error,
	      (unsigned long long)c[0].bytes);
	CHECK(c[1].error == 0 && c[1].bytes == 100 && first_diff(s.ptr, t.ptr + SLOT, 100) < 0,
	      "next packet: error %d bytes %llu", c[1].error, (unsigned long long)c[1].bytes);
	/* A cancel aborts the queued slots; they come back as ECANCELED, in order. */
	CHECK(axidma_cancel(&l.d, (uint32_t)l.rx) == 2, "cancel");
	n = sreap(&l.d, l.rx, c, SLOTS, 0, 0, &seq, SLOTS, NULL, NULL);
	CHECK(n == 2 && c[0].error == -ECANCELED && c[1].error == -ECANCELED, "after cancel: %d %d", n, c[0].error);
	/* ... and the ring works again once its slots are pushed back. */
	CHECK(axidma_stream_push(&l.d, l.rx, SLOTS, NULL, NULL) == SLOTS, "push after cancel");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, SLOT, 0));
	n = sreap(&l.d, l.rx, c, SLOTS, 1, 2000, &seq, SLOTS, NULL, NULL);
	CHECK(n == 1 && c[0].error == 0 && c[0].bytes == SLOT && first_diff(s.ptr, t.ptr + c[0].slot * SLOT, SLOT) < 0,
	      "after cancel: %d", n);
	EXPECT_OK(axidma_stream_stop(&l.d, l.rx, NULL));
	axidma_buf_free(&l.d, &s);
	axidma_buf_free(&l.d, &t);
	axidma_close(&l.d);
	return 0;
}

/* Rings on a real provider's slave channels (the PL330 with its always-ready peripheral
 * request lines): a tx ring writes words to the FIFO address, an rx ring reads it back. */
static int t_stream_slave(void)
{
	enum { SLOTS = 8, SLOT = 1024, N = 200 };
	struct axidma_dev d;
	struct axidma_buf s, t;
	struct axi_dma_stream_done c[SLOTS];
	uint64_t seq = 0, tseq = 0, ovr = 0;
	uint32_t sent = 0, free_ = SLOTS, got = 0, q;
	int tx, rx, n;

	if (open_dev(&d)) return -1;
	tx = axidma_chan_find(&d, "tx");
	rx = axidma_chan_find(&d, "rx");
	CHECK(tx >= 0 && rx >= 0, "no tx/rx channels");
	EXPECT_OK(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0, 4, 1));
	EXPECT_OK(axidma_slave_config(&d, (uint32_t)rx, AXI_DMA_DIR_DEV_TO_MEM, 0, 4, 1));
	EXPECT_OK(axidma_buf_alloc(&d, (uint32_t)tx, SLOTS * SLOT, &s));
	EXPECT_OK(axidma_buf_alloc(&d, (uint32_t)rx, SLOTS * SLOT, &t));
	CHECK(axidma_stream_start(&d, tx, AXI_DMA_DIR_MEM_TO_DEV, &s, 0, SLOTS, SLOT) == 0, "tx start");
	while (sent < N || tseq < N) {
		while (sent < N && free_ > 0) {
			uint32_t *w = (uint32_t *)(s.ptr + (sent % SLOTS) * SLOT), len = SLOT;

			for (uint32_t i = 0; i < SLOT / 4; i++)
				w[i] = (sent << 16) | i;
			CHECK(axidma_stream_push(&d, tx, 1, &len, NULL) == 1, "tx push %u", sent);
			sent++;
			free_--;
		}
		n = sreap(&d, tx, c, SLOTS, 1, 2000, &tseq, SLOTS, NULL, NULL);
		CHECK(n > 0, "tx reap: %d", n);
		for (int i = 0; i < n; i++)
			CHECK(c[i].error == 0 && c[i].bytes == SLOT, "tx %llu: error %d", (unsigned long long)c[i].seq, c[i].error);
		free_ += (uint32_t)n;
	}
	/* The FIFO holds the last word sent; an rx ring reads it over and over. */
	CHECK(axidma_stream_start(&d, rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "rx start");
	while (got < N) {
		n = sreap(&d, rx, c, SLOTS, 1, 2000, &seq, SLOTS, &q, &ovr);
		CHECK(n > 0, "rx reap: %d", n);
		for (int i = 0; i < n; i++) {
			uint32_t *r = (uint32_t *)(t.ptr + c[i].slot * SLOT);

			CHECK(c[i].error == 0 && c[i].bytes == SLOT, "rx %llu: error %d bytes %llu",
			      (unsigned long long)c[i].seq, c[i].error, (unsigned long long)c[i].bytes);
			for (uint32_t j = 0; j < SLOT / 4; j++)
				CHECK(r[j] == (((N - 1) << 16) | (SLOT / 4 - 1)), "rx %llu word %u: %#x",
				      (unsigned long long)c[i].seq, j, r[j]);
			memset(r, 0, SLOT);
		}
		got += (uint32_t)n;
		CHECK(axidma_stream_push(&d, rx, (uint32_t)n, NULL, NULL) == n, "rx push back");
	}
	printf("# rx ring: %u buffers, %llu overruns (the PL330's peripheral is always ready)\n", got,
	       (unsigned long long)ovr);
	EXPECT_OK(axidma_stream_stop(&d, rx, NULL));
	EXPECT_OK(axidma_stream_stop(&d, tx, NULL));
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}


/* Reap on the AXI DMA ring of t_stream_axi_long: exactly `want` completions (0: none) with
 * the given byte counts, error 0; `queued` slots left with the driver. */
static int axi_reap(struct loop *l, struct axi_dma_stream_done *c, uint64_t *seq, int want,
		    const uint32_t *bytes, uint32_t queued, const char *what)
{
	uint32_t q = 99;
	int n = sreap(&l->d, l->rx, c, 4, want ? (uint32_t)want : 1, want ? 2000 : 300, seq, 4, &q, NULL);

	if (n < 0) return -1;
	CHECK(n == want && q == queued, "%s: %d completions (want %d), %u queued (want %u)", what, n, want, q,
	      queued);
	for (int i = 0; i < n; i++)
		CHECK(c[i].error == 0 && c[i].bytes == bytes[i] && !c[i].flags,
		      "%s: slot %u error %d bytes %llu flags %#x, want error 0 bytes %u", what, c[i].slot, c[i].error,
		      (unsigned long long)c[i].bytes, c[i].flags, bytes[i]);
	return 0;
}

/* A packet longer than an rx slot on the real AXI DMA (xilinx_dma; its S2MM descriptors
 * report bytes, never EOF): no EIO. The packet goes on into the next slot only if that
 * slot is already with the hardware, and then every slot completes with the bytes it holds
 * (error 0). xilinx_dma gives the hardware only the descriptors issued while the channel
 * was idle (the driver issues each START's and PUSH's slots at once): slots pushed while
 * the channel runs wait in xilinx_dma until that whole batch has completed. A slot filled without EOF raises no interrupt, so when the packet is longer
 * than the slots the hardware holds nothing completes, the ring and the stream stall (a
 * send times out) and only a stop (or cancel) recovers; this model drops the rest of the
 * packet (the hardware would hold it back in the stream). */
/* Whether xilinx_dma chains descriptors issued while the channel runs onto the running
 * scatter-gather chain (Linux 7.3 and later: xilinx_dma_start_transfer() no longer waits
 * for an idle channel in SG mode); 7.2 keeps them until the running batch is done. */
static int xilinx_dma_chains(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > 7 || (maj == 7 && min >= 3);
}

static int axi_long(struct loop *pl, struct axidma_buf *ps, struct axidma_buf *pt)
{
	enum { SLOTS = 4, SLOT = 1024, PKT = 1500, GUARD_ = 0xA5 };
	struct loop l = *pl;
	struct axidma_buf s = *ps, t = *pt;
	struct axi_dma_stream_done c[SLOTS];
	struct axi_dma_stream_stop st;
	uint64_t seq = 0;
	uint32_t b[2];
	int chains = xilinx_dma_chains();

	fill(s.ptr, 16384, 41);
	/* 1. A fresh ring: the driver issued all its slots at once, so xilinx_dma gave the
	 * hardware all four as one chain: the packet fills slot 0 and ends in slot 1; both
	 * complete, error 0, with the bytes each holds, and the stream goes on. */
	memset(t.ptr, GUARD_, SLOTS * SLOT);
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "start");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, PKT, 2000));
	b[0] = SLOT; b[1] = PKT - SLOT;
	if (axi_reap(&l, c, &seq, 2, b, SLOTS - 2, "fresh ring, long packet")) return -1;
	CHECK(c[0].slot == 0 && c[1].slot == 1, "fresh ring: long packet in slots %u and %u", c[0].slot, c[1].slot);
	CHECK(first_diff(s.ptr, t.ptr, PKT) < 0, "fresh ring: slots 0-1 do not hold the packet");
	for (uint32_t i = PKT; i < SLOTS * SLOT; i++)
		CHECK(t.ptr[i] == GUARD_, "fresh ring: byte %u past the packet written", i);
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 8192, 100, 2000));
	b[0] = 100;
	if (axi_reap(&l, c, &seq, 1, b, SLOTS - 3, "fresh ring, then a short packet")) return -1;
	EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
	CHECK(st.aborted == 1 && st.completed == 3, "fresh ring stop: aborted %u completed %llu", st.aborted,
	      (unsigned long long)st.completed);

	/* 2. A short packet completes slot 0; then a long one fills slot 1 and ends in slot 2
	 * (all slots were issued together at the restart): both complete, error 0, slot 1 full
	 * and slot 2 with the tail; nothing is written past the tail. */
	memset(t.ptr, GUARD_, SLOTS * SLOT);
	seq = 0;
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "restart");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 12000, 100, 2000));
	b[0] = 100;
	if (axi_reap(&l, c, &seq, 1, b, SLOTS - 1, "short packet")) return -1;
	CHECK(first_diff(s.ptr + 12000, t.ptr, 100) < 0, "short packet data");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 0, PKT, 2000));
	b[0] = SLOT; b[1] = PKT - SLOT;
	if (axi_reap(&l, c, &seq, 2, b, SLOTS - 3, "long packet over two held slots")) return -1;
	CHECK(c[0].slot == 1 && c[1].slot == 2, "long packet in slots %u and %u", c[0].slot, c[1].slot);
	CHECK(first_diff(s.ptr, t.ptr + SLOT, PKT) < 0, "long packet: slots 1-2 do not hold it");
	for (uint32_t i = SLOT + PKT; i < SLOTS * SLOT; i++)
		CHECK(t.ptr[i] == GUARD_, "long packet: byte %u past its tail written", i);

	/* 3. Slots 0-2 pushed back while slot 3 is with the hardware. Linux 7.2's xilinx_dma
	 * keeps them until slot 3 completes: a long packet fills slot 3 without EOF and the
	 * ring stalls as it would in 1 without the batched issue. Linux 7.3 chains them onto
	 * the running chain: the packet goes on into slot 0. */
	memset(t.ptr, GUARD_, 3 * SLOT);
	CHECK(axidma_stream_push(&l.d, l.rx, 3, NULL, NULL) == 3, "push back");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 4096, PKT, 2000));
	if (chains) {
		b[0] = SLOT; b[1] = PKT - SLOT;
		if (axi_reap(&l, c, &seq, 2, b, SLOTS - 2, "long packet into chained slots")) return -1;
		CHECK(c[0].slot == 3 && c[1].slot == 0, "long packet in slots %u and %u", c[0].slot, c[1].slot);
		CHECK(first_diff(s.ptr + 4096, t.ptr + 3 * SLOT, SLOT) < 0 &&
		      first_diff(s.ptr + 4096 + SLOT, t.ptr, PKT - SLOT) < 0, "slots 3 and 0 do not hold the packet");
		for (uint32_t i = PKT - SLOT; i < 3 * SLOT; i++)
			CHECK(t.ptr[i] == GUARD_, "byte %u past the packet's tail written", i);
		EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
		CHECK(st.aborted == 2 && st.completed == 5, "ring stop: aborted %u completed %llu", st.aborted,
		      (unsigned long long)st.completed);
	} else {
		if (axi_reap(&l, c, &seq, 0, NULL, SLOTS, "long packet into the last held slot")) return -1;
		CHECK(first_diff(s.ptr + 4096, t.ptr + 3 * SLOT, SLOT) < 0, "slot 3 does not hold the packet's head");
		for (uint32_t i = 0; i < 3 * SLOT; i++)
			CHECK(t.ptr[i] == GUARD_, "byte %u of a slot waiting in the driver written (the tail went on)", i);
		EXPECT_OK(axidma_stream_stop(&l.d, l.rx, &st));
		CHECK(st.aborted == SLOTS && st.completed == 3, "stalled ring stop: aborted %u completed %llu", st.aborted,
		      (unsigned long long)st.completed);
	}

	/* 4. After the stop the channel works, and the dropped tail does not come back. */
	memset(t.ptr, GUARD_, SLOTS * SLOT);
	seq = 0;
	CHECK(axidma_stream_start(&l.d, l.rx, AXI_DMA_DIR_DEV_TO_MEM, &t, 0, SLOTS, SLOT) == SLOTS, "start again");
	EXPECT_OK(axidma_send(&l.d, l.tx, &s, 10000, 700, 2000));
	b[0] = 700;
	if (axi_reap(&l, c, &seq, 1, b, SLOTS - 1, "after the stop")) return -1;
	CHECK(first_diff(s.ptr + 10000, t.ptr, 700) < 0 && t.ptr[700] == GUARD_, "after the stop: data");
	EXPECT_OK(axidma_stream_stop(&l.d, l.rx, NULL));
	return 0;
}

/* The ring is stopped and the file closed whatever happened above: a failure must not
 * leave the channel owned by a ring for the tests after this one. */
static int t_stream_axi_long(void)
{
	struct loop l;
	struct axidma_buf s, t;
	int r;

	if (loop_open(&l)) return -1;
	if (axidma_buf_alloc(&l.d, l.tx, 16384, &s) || axidma_buf_alloc(&l.d, l.rx, 4 * 1024, &t)) {
		axidma_close(&l.d);
		FAIL("alloc");
	}
	printf("# xilinx_dma %s\n", xilinx_dma_chains() ? "chains onto a running channel (7.3+)" :
	       "keeps what was issued while busy (7.2)");
	r = axi_long(&l, &s, &t);
	axidma_stream_stop(&l.d, l.rx, NULL);
	axidma_close(&l.d);
	return r;
}

const struct test stream_tests[] = {
	{ "stream_loop", t_stream_loop, 0 },
	{ "stream_overrun", t_stream_overrun, 0 },
	{ "stream_errors", t_stream_errors, 0 },
	{ "stream_cached", t_stream_cached, 0 },
	{ "stream_slot_error", t_stream_slot_error, 0 },
	{ "stream_axi_long", t_stream_axi_long, 0 },
	{ "stream_slave", t_stream_slave, 0 },
	{ "stream_refused", t_stream_refused, 0 },
	{ 0 }
};
