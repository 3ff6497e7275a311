// SPDX-License-Identifier: MIT
/*
 * Several files and processes: concurrent users, isolation between files, a mapping
 * inherited by fork; a file closed, or its transfers cancelled, with transfers in flight.
 */
#include "fixture.h"

static int worker(int k, int iters)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	uint64_t sz = 4096 + (uint64_t)k * 1000;

	if (axidma_open(&d, dev_path))
		return 10;
	if (axidma_buf_alloc(&d, chan, sz, &s) || axidma_buf_alloc(&d, chan, sz, &t))
		return 11;
	for (int i = 0; i < iters; i++) {
		uint64_t len = align > 1 ? sz / align * align : sz - (uint64_t)i % 7;

		fill(s.ptr, sz, (uint32_t)(k * 1000 + i));
		memset(t.ptr, 0, sz);
		if (axidma_memcpy(&d, chan, &t, 0, &s, 0, len, 0))
			return 12;
		if (first_diff(s.ptr, t.ptr, len) >= 0)
			return 13;
	}
	return 0; /* exit closes everything */
}

static int t_concurrent(void)
{
	enum { P = 4, ITERS = 40 };
	pid_t pids[P];
	int st, bad = 0;

	for (int k = 0; k < P; k++) {
		pids[k] = fork();
		if (pids[k] == 0)
			_exit(worker(k, ITERS));
	}
	for (int k = 0; k < P; k++) {
		waitpid(pids[k], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad = WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
	}
	CHECK(!bad, "a worker failed with %d", bad);
	return 0;
}

static int t_isolation(void)
{
	struct axidma_dev a, b;
	struct axidma_buf ba;
	void *p;
	long pg = sysconf(_SC_PAGESIZE);

	if (open_dev(&a) || open_dev(&b)) return -1;
	EXPECT_OK(axidma_buf_alloc(&a, chan, pg, &ba));
	/* b has no buffer at a's offset. */
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, b.fd, (off_t)ba.offset);
	CHECK(p == MAP_FAILED && errno == EINVAL, "mapped another file's buffer");
	{
		struct axi_dma_free f = { .id = ba.id };

		CHECK(ioctl(b.fd, AXI_DMA_IOC_FREE, &f) < 0 && errno == ENOENT, "freed another file's buffer");
	}
	axidma_buf_free(&a, &ba);
	axidma_close(&a);
	axidma_close(&b);
	return 0;
}

static int t_fork_mapping(void)
{
	struct axidma_dev d;
	struct axidma_buf b;
	pid_t pid;
	int st;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 8192, &b));
	fill(b.ptr, 8192, 77);
	pid = fork();
	if (pid == 0) {
		uint8_t ref[8192];

		fill(ref, sizeof(ref), 77);
		usleep(100 * 1000); /* the parent frees and closes meanwhile */
		_exit(memcmp(ref, b.ptr, sizeof(ref)) ? 1 : 0);
	}
	axidma_buf_free(&d, &b);
	axidma_close(&d);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child saw wrong data after the parent freed (%d)", st);
	return 0;
}

static int t_close_busy(void)
{
	for (int round = 0; round < 3; round++) {
		struct axidma_dev d;
		struct axidma_buf s, t;

		if (open_dev(&d)) return -1;
		EXPECT_OK(axidma_buf_alloc(&d, chan, 4 << 20, &s));
		EXPECT_OK(axidma_buf_alloc(&d, chan, 4 << 20, &t));
		for (int i = 0; i < 16; i++)
			CHECK(axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 4 << 20, i) > 0, "submit");
		/* Close with everything in flight and both buffers still mapped. */
		axidma_close(&d);
		munmap(s.ptr, s.map_size);
		munmap(t.ptr, t.map_size);
	}
	/* The device still works. */
	return t_memcpy_within();
}

static int t_cancel(void)
{
	struct axidma_dev d;
	struct axidma_buf s, t;
	struct axi_dma_completion c[64];
	int n, got = 0, cancelled;
	uint32_t pending = 1;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, 4 << 20, &s));
	EXPECT_OK(axidma_buf_alloc(&d, chan, 4 << 20, &t));
	for (int i = 0; i < 32; i++)
		CHECK(axidma_submit_memcpy(&d, chan, &t, 0, &s, 0, 4 << 20, i) > 0, "submit");
	cancelled = axidma_cancel(&d, chan);
	CHECK(cancelled >= 0, "cancel: %s", strerror(-cancelled));
	while (got < 32 && (n = axidma_reap(&d, c, 64, 1, 2000, &pending)) > 0) {
		for (int i = 0; i < n; i++)
			CHECK(c[i].error == 0 || c[i].error == -ECANCELED, "completion error %d", c[i].error);
		got += n;
	}
	CHECK(got == 32 && pending == 0, "reaped %d of 32 (pending %u)", got, pending);
	printf("# cancelled %d of 32\n", cancelled);
	EXPECT_ERR(axidma_cancel(&d, d.info.num_channels), EINVAL);
	if (copy_check(&d, &s, 0, &t, 0, 65536, 9))
		return -1;
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &t);
	axidma_close(&d);
	return 0;
}

const struct test files_tests[] = {
	{ "concurrent", t_concurrent, 1 },
	{ "isolation", t_isolation, 1 },
	{ "fork_mapping", t_fork_mapping, 1 },
	{ "close_busy", t_close_busy, 1 },
	/* Not in the default set: terminating ZynqMP GDMA mid-transfer races with its completion
	 * tasklet (a soft lockup in zynqmp_dma_chan_desc_cleanup under QEMU); run on the
	 * PL330 and the loopback provider only. */
	{ "cancel", t_cancel, 0 },
	{ 0 }
};
