// SPDX-License-Identifier: MIT
/*
 * Registered user memory (AXI_DMA_IOC_REGISTER, ABI revision 4), checked against what the
 * UAPI header says: page-aligned ranges of the caller's own memory, pinned until FREE or
 * close, used like CACHED buffers (SYNC around each DMA), scattered memory split into at
 * most AXI_DMA_REGISTER_MAX_RUNS runs per transfer (E2BIG beyond), overlaps refused
 * (EEXIST), the device-wide max_pinned_bytes (ENOSPC), munmap/fork/SIGKILL while registered.
 * Pinned pages are counted through /proc/vmstat (nr_foll_pin_acquired/released): every
 * test ends with the count it started with.
 */
#include "fixture.h"

#define PG 4096UL

/* Pages pinned now (FOLL_PIN) in the whole system: acquired - released. The counters are
 * per-CPU with thresholds: folded first (vm.stat_refresh), or small counts would not show. */
static long long pins(void)
{
	int rf = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	FILE *f;
	char k[64];
	long long v, acq = -1, rel = -1;

	if (rf < 0 || write(rf, "1", 1) != 1) {
		if (rf >= 0)
			close(rf);
		return -1;
	}
	close(rf);
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2) {
		if (!strcmp(k, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(k, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* Waits (up to 5 s: a killed process's file is released when its last reference goes)
 * until the pinned-page count is back at `want`. */
static int pins_back_to(long long want)
{
	for (int i = 0; i < 500; i++) {
		if (pins() == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* `n` bytes of anonymous memory whose pages were faulted in a shuffled order, without
 * huge pages: physically scattered, so a registration of it has many DMA runs. */
static uint8_t *scattered(uint64_t n)
{
	uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pages = n / PG, x = 12345;

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < pages; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p[(x >> 33) % pages * PG] = 1;
	}
	for (uint64_t i = 0; i < pages; i++)
		p[i * PG] = 1; /* the pages the shuffle missed */
	return p;
}

static int reg_raw(struct axidma_dev *d, struct axi_dma_register *r)
{
	return ioctl(d->fd, AXI_DMA_IOC_REGISTER, r) < 0 ? -errno : 0;
}

static int reg(struct axidma_dev *d, void *p, uint64_t size, uint32_t flags)
{
	struct axi_dma_register r = { .addr = (uint64_t)(uintptr_t)p, .size = size, .chan = chan, .flags = flags };

	return reg_raw(d, &r);
}

/* Every refusal the header lists, each with its errno. */
static int t_usermem_errors(void)
{
	struct axidma_dev d;
	struct axidma_buf a, b, c;
	struct axi_dma_register r;
	long long p0 = pins();
	uint8_t *p = scattered(64 * 1024), *q, *ro;

	CHECK(p0 >= 0, "no nr_foll_pin_* in /proc/vmstat");
	CHECK(p != NULL, "mmap: %s", strerror(errno));
	if (open_dev(&d)) return -1;
	CHECK(d.info.abi_revision >= 4, "abi_revision %u < 4", d.info.abi_revision);
	EXPECT_ERR(reg(&d, p + 1, PG, 0), EINVAL);                 /* address not page-aligned */
	EXPECT_ERR(reg(&d, p, PG + 1, 0), EINVAL);                 /* size not page-aligned */
	EXPECT_ERR(reg(&d, p, 0, 0), EINVAL);                      /* empty */
	EXPECT_ERR(reg(&d, p, PG, 1), EINVAL);                     /* unknown flag */
	EXPECT_ERR(reg(&d, p, PG, AXI_DMA_REGISTER_TO_DEVICE | AXI_DMA_REGISTER_FROM_DEVICE), EINVAL);
	memset(&r, 0, sizeof(r));
	r.addr = (uint64_t)(uintptr_t)p; r.size = PG; r.chan = chan; r.pad = 1;
	EXPECT_ERR(reg_raw(&d, &r), EINVAL);                       /* padding not zero */
	r.pad = 0; r.id = 5;
	EXPECT_ERR(reg_raw(&d, &r), EINVAL);                       /* output field not zero */
	r.id = 0; r.chan = 9999;
	EXPECT_ERR(reg_raw(&d, &r), EINVAL);                       /* no such channel */
	r.chan = chan; r.size = round_up(d.info.max_buffer_size + 1, PG);
	EXPECT_ERR(reg_raw(&d, &r), EINVAL);                       /* beyond max_buffer_size */
	/* Not all mapped: EFAULT. */
	q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(q != MAP_FAILED, "mmap");
	munmap(q + PG, PG);
	EXPECT_ERR(reg(&d, q, 2 * PG, 0), EFAULT);
	munmap(q, PG);
	/* Read-only memory: only the device reading it may be registered. */
	/* (A page of its own, not the shared zero page, whose pins are not counted.) */
	ro = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap");
	ro[0] = 1;
	CHECK(mprotect(ro, PG, PROT_READ) == 0, "mprotect");
	EXPECT_ERR(reg(&d, ro, PG, 0), EFAULT);
	EXPECT_ERR(reg(&d, ro, PG, AXI_DMA_REGISTER_FROM_DEVICE), EFAULT);
	EXPECT_OK(axidma_register(&d, chan, ro, PG, AXI_DMA_REGISTER_TO_DEVICE, &c));
	/* Overlaps with a registration of the same file: EEXIST; neighbours are fine. */
	EXPECT_OK(axidma_register(&d, chan, p, 32 * 1024, 0, &a));
	EXPECT_ERR(reg(&d, p + 16 * 1024, 32 * 1024, 0), EEXIST);
	EXPECT_ERR(reg(&d, p, PG, 0), EEXIST);
	EXPECT_OK(axidma_register(&d, chan, p + 32 * 1024, 32 * 1024, AXI_DMA_REGISTER_FROM_DEVICE, &b));
	/* Registered memory has no mmap offset; SYNC checks its range like any buffer's. */
	EXPECT_OK(axidma_sync(&d, &a, AXI_DMA_SYNC_FOR_DEVICE, 100, 20000));
	EXPECT_ERR(axidma_sync(&d, &a, AXI_DMA_SYNC_FOR_CPU, 32 * 1024 - 10, 11), EINVAL);
	/* Directions: a FROM_DEVICE registration is never read by the engine, a TO_DEVICE one
	 * never written. */
	EXPECT_ERR(axidma_memcpy(&d, chan, &a, 0, &b, 0, 4096, 0), EINVAL);
	EXPECT_ERR(axidma_memcpy(&d, chan, &c, 0, &a, 0, 4096, 0), EINVAL);
	EXPECT_OK(axidma_memcpy(&d, chan, &b, 0, &c, 0, 4096, 0));
	CHECK(pins() == p0 + 8 + 8 + 1, "pinned %lld, want %lld", pins(), p0 + 17);
	/* FREE unregisters (ENOENT the second time). */
	EXPECT_OK(axidma_buf_free(&d, &a));
	EXPECT_ERR(axidma_buf_free(&d, &a), ENOENT);
	EXPECT_OK(axidma_register(&d, chan, p, 32 * 1024, 0, &a)); /* the range is free again */
	axidma_close(&d);                                          /* close unregisters the rest */
	CHECK(pins_back_to(p0), "pinned pages after close: %lld, want %lld", pins(), p0);
	munmap(p, 64 * 1024);
	munmap(ro, PG);
	return 0;
}

/* 16 MiB of scattered memory through the engine, in transfers of at most
 * AXI_DMA_REGISTER_MAX_RUNS runs, verified; the whole range at once is E2BIG. */
static int t_usermem_copy(void)
{
	const uint64_t n = 16 << 20, chunk = 32 * PG, stage = 1 << 20;
	struct axidma_dev d;
	struct axidma_buf u, v, s;
	long long p0 = pins();
	uint8_t *src = scattered(n), *dst = scattered(n);
	struct axi_dma_completion c[16];
	int64_t ids = 0;

	CHECK(src && dst, "mmap: %s", strerror(errno));
	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_register(&d, chan, src, n, AXI_DMA_REGISTER_TO_DEVICE, &u));
	EXPECT_OK(axidma_register(&d, chan, dst, n, AXI_DMA_REGISTER_FROM_DEVICE, &v));
	CHECK(pins() == p0 + 2 * (long long)(n / PG), "pinned %lld, want %lld", pins() - p0, 2 * (long long)(n / PG));
	EXPECT_OK(axidma_buf_alloc(&d, chan, stage, &s));
	fill(src, n, 61);
	memset(dst, 0, n);
	EXPECT_OK(axidma_sync(&d, &u, AXI_DMA_SYNC_FOR_DEVICE, 0, n));
	EXPECT_OK(axidma_sync(&d, &v, AXI_DMA_SYNC_FOR_DEVICE, 0, n));
	/* 4096 shuffled pages are far more than 64 runs. */
	EXPECT_ERR(axidma_memcpy(&d, chan, &v, 0, &u, 0, n, 0), E2BIG);
	/* Registered -> registered, 32 pages at a time (at most 63 runs). */
	for (uint64_t off = 0; off < n / 2; off += chunk)
		EXPECT_OK(axidma_memcpy(&d, chan, &v, off, &u, off, chunk, 0));
	/* The other half through an allocated buffer: registered -> allocated -> registered,
	 * 64 pages a side (64 runs), some of it non-blocking. */
	for (uint64_t off = n / 2; off < n; off += stage) {
		for (uint64_t k = 0; k < stage; k += 2 * chunk) {
			EXPECT_OK(axidma_memcpy(&d, chan, &s, k, &u, off + k, 2 * chunk, 0));
			CHECK((ids = axidma_submit_memcpy(&d, chan, &v, off + k, &s, k, 2 * chunk, k)) > 0,
			      "submit: %s", strerror((int)-ids));
		}
		for (int got = 0; got < (int)(stage / (2 * chunk));) {
			int r = axidma_reap(&d, c, 16, 1, 5000, NULL);

			CHECK(r > 0, "reap: %s", r < 0 ? strerror(-r) : "nothing");
			for (int i = 0; i < r; i++)
				CHECK(c[i].error == 0 && c[i].bytes == 2 * chunk, "completion error %d bytes %llu",
				      c[i].error, (unsigned long long)c[i].bytes);
			got += r;
		}
	}
	/* Unaligned offsets inside pages (the channel's alignment kept). */
	{
		uint64_t so = round_up(1000, align), doff = round_up(7000, align), len = round_up(50000, align);

		EXPECT_OK(axidma_sync(&d, &v, AXI_DMA_SYNC_FOR_DEVICE, doff + n / 4, len));
		EXPECT_OK(axidma_memcpy(&d, chan, &v, doff + n / 4, &u, so, len, 0));
		EXPECT_OK(axidma_sync(&d, &v, AXI_DMA_SYNC_FOR_CPU, 0, n));
		CHECK(first_diff(dst + doff + n / 4, src + so, len) < 0, "unaligned copy differs");
		/* Put the original bytes back for the whole-range check below. */
		EXPECT_OK(axidma_sync(&d, &v, AXI_DMA_SYNC_FOR_DEVICE, doff + n / 4, len));
		EXPECT_OK(axidma_memcpy(&d, chan, &v, doff + n / 4, &u, doff + n / 4, len, 0));
	}
	EXPECT_OK(axidma_sync(&d, &v, AXI_DMA_SYNC_FOR_CPU, 0, n));
	{
		int64_t at = first_diff(src, dst, n);

		CHECK(at < 0, "16 MiB through registered memory differs at %lld", (long long)at);
	}
	axidma_buf_free(&d, &s);
	axidma_buf_free(&d, &u);
	axidma_buf_free(&d, &v);
	axidma_close(&d);
	CHECK(pins_back_to(p0), "pinned pages after close: %lld, want %lld", pins(), p0);
	munmap(src, n);
	munmap(dst, n);
	return 0;
}

/* What user space may do to registered memory: FREE and munmap with a transfer in flight,
 * DMA into memory that is no longer mapped, fork, SIGKILL with transfers in flight. */
static int t_usermem_lifetime(void)
{
	const uint64_t n = 1 << 20;
	struct axidma_dev d;
	struct axidma_buf r, s;
	struct axi_dma_completion c;
	long long p0 = pins();
	uint8_t *p;
	int64_t id;
	int st, go[2];
	pid_t pid;

	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, n, &s));
	fill(s.ptr, n, 62);
	/* FREE and munmap right after submitting: the transfer holds the pages. */
	p = scattered(n);
	CHECK(p != NULL, "mmap");
	EXPECT_OK(axidma_register(&d, chan, p, n, 0, &r));
	CHECK((id = axidma_submit_memcpy(&d, chan, &r, 0, &s, 0, 32 * PG, 1)) > 0, "submit: %s", strerror((int)-id));
	EXPECT_OK(axidma_buf_free(&d, &r));
	munmap(p, n);
	CHECK(axidma_reap(&d, &c, 1, 1, 5000, NULL) == 1 && c.error == 0, "transfer into freed registration: %d",
	      c.error);
	CHECK(pins_back_to(p0), "pinned after FREE + munmap + completion: %lld, want %lld", pins(), p0);
	/* munmap first, then DMA: the pinned pages take it, nobody else's memory does. */
	p = scattered(n);
	CHECK(p != NULL, "mmap");
	EXPECT_OK(axidma_register(&d, chan, p, n, 0, &r));
	munmap(p, n);
	EXPECT_OK(axidma_memcpy(&d, chan, &r, 0, &s, 0, 32 * PG, 0));
	EXPECT_OK(axidma_sync(&d, &r, AXI_DMA_SYNC_FOR_CPU, 0, 32 * PG));
	EXPECT_OK(axidma_buf_free(&d, &r));
	CHECK(pins_back_to(p0), "pinned after munmap + DMA: %lld, want %lld", pins(), p0);
	/* fork: the child's writes go to its own copy; the device writes the parent's pages. */
	p = scattered(64 * 1024);
	CHECK(p != NULL, "mmap");
	memset(p, 0x11, 64 * 1024);
	EXPECT_OK(axidma_register(&d, chan, p, 64 * 1024, 0, &r));
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		memset(p, 0x22, 64 * 1024);
		_exit(p[100] == 0x22 ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
	CHECK(p[100] == 0x11, "the child's write reached the parent");
	EXPECT_OK(axidma_sync(&d, &r, AXI_DMA_SYNC_FOR_DEVICE, 0, 64 * 1024));
	EXPECT_OK(axidma_memcpy(&d, chan, &r, 0, &s, 0, 64 * 1024, 0));
	EXPECT_OK(axidma_sync(&d, &r, AXI_DMA_SYNC_FOR_CPU, 0, 64 * 1024));
	CHECK(first_diff(p, s.ptr, 64 * 1024) < 0, "DMA after fork did not reach the parent's memory");
	EXPECT_OK(axidma_buf_free(&d, &r));
	munmap(p, 64 * 1024);
	CHECK(pins_back_to(p0), "pinned after fork: %lld, want %lld", pins(), p0);
	/* SIGKILL with registrations and transfers in flight. */
	CHECK(pipe(go) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct axidma_dev cd;
		struct axidma_buf cr, cs;
		uint8_t *cp = scattered(4 << 20);

		if (!cp || axidma_open(&cd, dev_path) || axidma_buf_alloc(&cd, chan, n, &cs) ||
		    axidma_register(&cd, chan, cp, 4 << 20, 0, &cr))
			_exit(1);
		for (int i = 0; i < 16; i++)
			axidma_submit_memcpy(&cd, chan, &cr, (uint64_t)i * 32 * PG, &cs, 0, 32 * PG, (uint64_t)i);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]);
	{
		char ch;

		CHECK(read(go[0], &ch, 1) == 1, "child did not get going");
	}
	close(go[0]);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st), "child not killed");
	CHECK(pins_back_to(p0), "pinned after SIGKILL: %lld, want %lld", pins(), p0);
	axidma_buf_free(&d, &s);
	axidma_close(&d);
	return 0;
}

/* max_pinned_bytes (256 MiB by default) bounds the device's registered memory, whatever
 * file registers it: the same 64 MiB from five files, the fifth is refused. (For the device
 * to read only: several device-writable mappings of the same memory are what DMA-API
 * debugging reports as overlapping.) */
static int t_usermem_limit(void)
{
	const uint64_t n = 64 << 20;
	struct axidma_dev d[5];
	struct axidma_buf b;
	long long p0 = pins();
	uint8_t *p;

	if (open_dev(&d[0])) return -1;
	if (d[0].info.max_buffer_size < n) {
		axidma_close(&d[0]);
		FAIL("max_buffer_size %llu < 64 MiB", (unsigned long long)d[0].info.max_buffer_size);
	}
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	CHECK(p != MAP_FAILED, "mmap");
	for (int i = 1; i < 5; i++)
		if (open_dev(&d[i])) return -1;
	for (int i = 0; i < 4; i++)
		EXPECT_OK(axidma_register(&d[i], chan, p, n, AXI_DMA_REGISTER_TO_DEVICE, &b));
	EXPECT_ERR(axidma_register(&d[4], chan, p, n, AXI_DMA_REGISTER_TO_DEVICE, &b), ENOSPC);
	EXPECT_ERR(axidma_register(&d[4], chan, p, 16 << 20, AXI_DMA_REGISTER_TO_DEVICE, &b), ENOSPC);
	axidma_close(&d[0]);
	EXPECT_OK(axidma_register(&d[4], chan, p, n, AXI_DMA_REGISTER_TO_DEVICE, &b)); /* room again */
	for (int i = 1; i < 5; i++)
		axidma_close(&d[i]);
	CHECK(pins_back_to(p0), "pinned after close: %lld, want %lld", pins(), p0);
	munmap(p, n);
	return 0;
}

/* max_file_pinned_bytes (128 MiB by default) bounds one file's registered memory: two
 * distinct 64 MiB ranges fill it, one more page is refused (ENOSPC) while another file may
 * still register (the device's 256 MiB is not reached); freeing one range makes room. */
static int t_usermem_file_limit(void)
{
	const uint64_t n = 64 << 20;
	struct axidma_dev d, e;
	struct axidma_buf a, b, c;
	long long p0 = pins();
	uint8_t *p, *q;

	if (open_dev(&d)) return -1;
	if (d.info.max_buffer_size < n) {
		axidma_close(&d);
		FAIL("max_buffer_size %llu < 64 MiB", (unsigned long long)d.info.max_buffer_size);
	}
	p = mmap(NULL, 2 * n + PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap");
	q = p + 2 * n;
	EXPECT_OK(axidma_register(&d, chan, p, n, AXI_DMA_REGISTER_TO_DEVICE, &a));
	EXPECT_OK(axidma_register(&d, chan, p + n, n, AXI_DMA_REGISTER_TO_DEVICE, &b));
	EXPECT_ERR(axidma_register(&d, chan, q, PG, AXI_DMA_REGISTER_TO_DEVICE, &c), ENOSPC);
	if (open_dev(&e)) return -1;
	EXPECT_OK(axidma_register(&e, chan, q, PG, AXI_DMA_REGISTER_TO_DEVICE, &c));
	axidma_close(&e);
	EXPECT_OK(axidma_buf_free(&d, &a));
	EXPECT_OK(axidma_register(&d, chan, q, PG, AXI_DMA_REGISTER_TO_DEVICE, &c)); /* room again */
	axidma_close(&d);
	CHECK(pins_back_to(p0), "pinned after close: %lld, want %lld", pins(), p0);
	munmap(p, 2 * n + PG);
	return 0;
}

/* Registered memory on a slave channel pair (run with -d on a loopback node): one run is
 * one descriptor; a scattered range is one scatter list, which the test provider refuses
 * like an AXI DMA without scatter-gather (EINVAL); rings need one run (EINVAL). */
static int t_usermem_loop(void)
{
	struct loop l;
	struct axidma_buf s, r1, r2;
	struct axi_dma_wait w;
	uint8_t *p1 = scattered(PG), *p2 = scattered(16 * PG);
	long long p0 = pins();
	int64_t id;

	CHECK(p1 && p2, "mmap");
	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_buf_alloc(&l.d, (uint32_t)l.tx, 16 * PG, &s));
	fill(s.ptr, 16 * PG, 63);
	EXPECT_OK(axidma_register(&l.d, (uint32_t)l.rx, p1, PG, AXI_DMA_REGISTER_FROM_DEVICE, &r1));
	EXPECT_OK(axidma_register(&l.d, (uint32_t)l.rx, p2, 16 * PG, AXI_DMA_REGISTER_FROM_DEVICE, &r2));
	EXPECT_OK(axidma_sync(&l.d, &r1, AXI_DMA_SYNC_FOR_DEVICE, 0, PG));
	CHECK((id = submit_rx(&l, &r1, 0, PG, 1)) > 0, "rx into one page: %s", strerror((int)-id));
	EXPECT_OK(axidma_send(&l.d, (uint32_t)l.tx, &s, 0, PG, 2000));
	EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 2000, &w));
	CHECK(w.error == 0 && w.bytes == PG, "rx: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	EXPECT_OK(axidma_sync(&l.d, &r1, AXI_DMA_SYNC_FOR_CPU, 0, PG));
	CHECK(first_diff(p1, s.ptr, PG) < 0, "received page differs");
	EXPECT_ERR(submit_rx(&l, &r2, 0, 16 * PG, 2), EINVAL);
	EXPECT_ERR(axidma_stream_start(&l.d, (uint32_t)l.rx, AXI_DMA_DIR_DEV_TO_MEM, &r2, 0, 4, 4 * PG), EINVAL);
	axidma_buf_free(&l.d, &s);
	axidma_close(&l.d);
	CHECK(pins_back_to(p0), "pinned after close: %lld, want %lld", pins(), p0);
	munmap(p1, PG);
	munmap(p2, 16 * PG);
	return 0;
}

/* Scattered registered memory through the real AXI DMA (xilinx_dma, scatter-gather): a
 * packet sent from 16 scattered pages lands in 16 other scattered pages (run with -d on
 * the AXI DMA node). */
static int t_usermem_axi(void)
{
	const uint64_t n = 16 * PG;
	struct loop l;
	struct axidma_buf t, r;
	struct axi_dma_wait w;
	uint8_t *src = scattered(n), *dst = scattered(n);
	long long p0 = pins();
	int64_t id;

	CHECK(src && dst, "mmap");
	if (loop_open(&l)) return -1;
	fill(src, n, 64);
	memset(dst, 0xee, n);
	EXPECT_OK(axidma_register(&l.d, (uint32_t)l.tx, src, n, AXI_DMA_REGISTER_TO_DEVICE, &t));
	EXPECT_OK(axidma_register(&l.d, (uint32_t)l.rx, dst, n, AXI_DMA_REGISTER_FROM_DEVICE, &r));
	EXPECT_OK(axidma_sync(&l.d, &t, AXI_DMA_SYNC_FOR_DEVICE, 0, n));
	EXPECT_OK(axidma_sync(&l.d, &r, AXI_DMA_SYNC_FOR_DEVICE, 0, n));
	CHECK((id = submit_rx(&l, &r, 0, n, 1)) > 0, "rx: %s", strerror((int)-id));
	EXPECT_OK(axidma_send(&l.d, (uint32_t)l.tx, &t, 100, n - 300, 2000));
	EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
	CHECK(w.error == 0 && w.bytes == n - 300, "rx: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	EXPECT_OK(axidma_sync(&l.d, &r, AXI_DMA_SYNC_FOR_CPU, 0, n));
	CHECK(first_diff(dst, src + 100, n - 300) < 0, "packet through scattered memory differs");
	for (uint64_t i = n - 300; i < n; i++)
		CHECK(dst[i] == 0xee, "byte %llu past the packet written", (unsigned long long)i);
	axidma_close(&l.d);
	CHECK(pins_back_to(p0), "pinned after close: %lld, want %lld", pins(), p0);
	munmap(src, n);
	munmap(dst, n);
	return 0;
}

const struct test usermem_tests[] = {
	{ "usermem_errors", t_usermem_errors, 1 },
	{ "usermem_copy", t_usermem_copy, 1 },
	{ "usermem_lifetime", t_usermem_lifetime, 1 },
	{ "usermem_limit", t_usermem_limit, 0 },
	{ "usermem_file_limit", t_usermem_file_limit, 0 },
	{ "usermem_loop", t_usermem_loop, 0 },
	{ "usermem_axi", t_usermem_axi, 0 },
	{ 0 }
};
