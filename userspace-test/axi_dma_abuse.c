// SPDX-License-Identifier: MIT
/*
 * Hostile-input and stress tests for the axi_dma driver, run inside the emulated boards.
 *
 *   axi_dma_abuse [-d DEV] [-s SEED] [-n OPS] [-t SECONDS] [-k] TEST...   (-k: no CANCEL)
 *
 *   fuzz        random and boundary ioctls (commands, sizes, offsets, ids, pointers: NULL,
 *               unmapped, kernel, misaligned, read-only), seeded and reproducible; every
 *               call must succeed or fail with an errno from the documented set
 *   mmap        random mmap/munmap/mremap/mprotect of random offsets and lengths
 *   exhaust     allocate until DMA memory runs out (ENOMEM), free, allocate again
 *   threads     threads sharing one file: blocking copies, pipelined copies with reap,
 *               and signals delivered during waits
 *
 * Output as axi_dma_test: "ok NAME" / "not ok NAME: why", plus "# ..." statistics.
 * Bounded in operations (-n) and in time (-t); the same seed replays the same calls.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../lib/c/axidma.h"

static const char *dev_path = "/dev/axi-dma0";
static uint64_t seed = 1;
static long max_ops = 4000;
static int max_secs = 30;
static int no_cancel; /* -k: never CANCEL (ZynqMP GDMA races terminate with its tasklet) */
static char fail_msg[512];

#define FAIL(...) do { snprintf(fail_msg, sizeof(fail_msg), __VA_ARGS__); return -1; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static uint64_t pick(const uint64_t *v, size_t n) { return v[rnd() % n]; }

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int allowed_errno(int e)
{
	switch (e) {
	case EINVAL: case ENOTTY: case EFAULT: case ENOENT: case ENOSPC: case ENOMEM: case EBUSY:
	case EOVERFLOW: case EOPNOTSUPP: case ETIMEDOUT: case ECANCELED: case EIO: case EINTR:
	case ENODEV: case EPERM: case EACCES:
		return 1;
	}
	return 0;
}

/* Interesting values for 64-bit fields. */
static const uint64_t v64[] = {
	0, 1, 2, 3, 7, 63, 64, 4095, 4096, 4097, 65536, 1 << 20, (1 << 20) + 1, 16 << 20, 64 << 20,
	(64 << 20) + 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 1ULL << 40, 1ULL << 62,
	INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX - 4095, UINT64_MAX - 1, UINT64_MAX,
};
static const uint64_t v32[] = { 0, 1, 2, 3, 7, 8, 63, 64, 65, 255, 256, 257, 4096, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };

static int t_fuzz(void)
{
	struct axidma_dev d;
	uint32_t ids[64];
	int nids = 0;
	long ops = 0, ok = 0, hist[256] = { 0 };
	double t0 = now();
	uint8_t *ro, *arena;
	long pg = sysconf(_SC_PAGESIZE);
	static const unsigned long cmds[] = {
		AXI_DMA_IOC_INFO, AXI_DMA_IOC_CHAN_INFO, AXI_DMA_IOC_ALLOC, AXI_DMA_IOC_FREE,
		AXI_DMA_IOC_XFER, AXI_DMA_IOC_WAIT, AXI_DMA_IOC_REAP, AXI_DMA_IOC_STATUS,
		AXI_DMA_IOC_CANCEL, AXI_DMA_IOC_SLAVE_CONFIG, AXI_DMA_IOC_KBENCH,
		AXI_DMA_IOC_STREAM_START, AXI_DMA_IOC_STREAM_PUSH, AXI_DMA_IOC_STREAM_REAP,
		AXI_DMA_IOC_STREAM_STOP, AXI_DMA_IOC_STREAM_CYCLE, AXI_DMA_IOC_CLAIM, AXI_DMA_IOC_UNCLAIM,
		AXI_DMA_IOC_SYNC, AXI_DMA_IOC_SLAVE_CONFIG_GET, AXI_DMA_IOC_SUBMIT,
	};

	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	if (axidma_open(&d, dev_path))
		FAIL("open %s", dev_path);
	/* A read-only page (write-back of results must fault cleanly) and an arena for args. */
	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED && arena != MAP_FAILED, "mmap");
	for (; ops < max_ops && now() - t0 < max_secs; ops++) {
		unsigned long cmd;
		uint8_t *arg;
		int r, e, kind = (int)(rnd() % 100);

		/* The command: mostly real ones, some with the wrong size or number, some random. */
		cmd = cmds[rnd() % (sizeof(cmds) / sizeof(cmds[0]))];
		if (no_cancel && cmd == AXI_DMA_IOC_CANCEL)
			cmd = AXI_DMA_IOC_STATUS;
		if (kind < 5)
			cmd = (unsigned long)rnd() & 0xffffffffu;
		else if (kind < 10)
			cmd = (cmd & ~(0x3fffUL << 16)) | ((rnd() % 200) << 16);
		else if (kind < 13)
			cmd = (cmd & ~0xffUL) | (rnd() & 0xff);
		/* The argument: random bytes with interesting values and known ids. */
		arg = arena + (rnd() % 8 == 0 ? 1 + rnd() % 7 : 0); /* sometimes misaligned */
		for (int i = 0; i < 128; i++)
			arg[i] = (uint8_t)rnd();
		for (int i = 0; i < 16; i++) {
			int at = (int)(rnd() % 16) * 8;
			uint64_t v = rnd() % 3 ? pick(v64, sizeof(v64) / 8) : rnd();

			if (rnd() % 2)
				memcpy(arg + at, &v, 8);
			else {
				uint32_t w = (uint32_t)pick(v32, sizeof(v32) / 8);

				memcpy(arg + at + 4 * (rnd() % 2), &w, 4);
			}
		}
		if (nids && rnd() % 2) { /* plant valid buffer ids and channel 0 where they matter */
			uint32_t id = ids[rnd() % nids], zero = 0;

			memcpy(arg + 8, &id, 4);  /* xfer.src_buf */
			memcpy(arg + 12, &id, 4); /* xfer.dst_buf */
			if (rnd() % 2)
				memcpy(arg, &zero, 4); /* chan 0 */
		}
		if (cmd == AXI_DMA_IOC_XFER || cmd == AXI_DMA_IOC_WAIT || cmd == AXI_DMA_IOC_REAP) {
			/* Keep waits short: timeouts bounded to <= 50 ms. */
			uint32_t ms = 1 + (uint32_t)(rnd() % 50);

			memcpy(arg + (cmd == AXI_DMA_IOC_XFER ? 44 : cmd == AXI_DMA_IOC_WAIT ? 8 : 16), &ms, 4);
		}
		if (cmd == AXI_DMA_IOC_STREAM_REAP) {
			uint32_t ms = 1 + (uint32_t)(rnd() % 50);

			memcpy(arg + 20, &ms, 4);
		}
		if (cmd == AXI_DMA_IOC_KBENCH) {
			uint32_t it = 1 + (uint32_t)(rnd() % 8);

			memcpy(arg + 24, &it, 4);
			if (rnd() % 2) {
				/* Revision 3's flags: BARE, LOOPBACK, both, or neither. */
				uint32_t f = (uint32_t)(rnd() % 4);

				memcpy(arg + 28, &f, 4);
			}
		}
		if (cmd == AXI_DMA_IOC_REAP && rnd() % 2) {
			uint64_t p = rnd() % 2 ? (uint64_t)(uintptr_t)(arena + pg) : pick(v64, sizeof(v64) / 8);

			memcpy(arg, &p, 8);
		}
		/* The pointer itself. */
		switch (rnd() % 16) {
		case 0: arg = NULL; break;
		case 1: arg = (uint8_t *)(uintptr_t)16; break;
		case 2: arg = (uint8_t *)(uintptr_t)(UINTPTR_MAX - 4095); break; /* kernel space */
		case 3: arg = ro; break;
		case 4: arg = arena + 2 * pg - 8; break; /* runs off the end of the mapping */
		default: break;
		}
		if (cmd == AXI_DMA_IOC_ALLOC && arg && arg != ro && (uintptr_t)arg > 4096 && (uintptr_t)arg < UINTPTR_MAX - 8192
		    && arg != arena + 2 * pg - 8) {
			uint64_t sz = 1 + rnd() % (256 * 1024); /* bounded, so memory does not run out */

			memcpy(arg, &sz, 8);
		}
		r = ioctl(d.fd, cmd, arg);
		e = errno;
		if (r == 0) {
			ok++;
			if (cmd == AXI_DMA_IOC_ALLOC && nids < 64) {
				uint32_t id;

				memcpy(&id, arg + 16, 4);
				ids[nids++] = id;
			}
		} else {
			CHECK(r == -1 && allowed_errno(e), "op %ld: cmd %#lx returned %d errno %d (%s) [seed %llu]", ops, cmd, r,
			      e, strerror(e), (unsigned long long)seed);
			hist[e & 255]++;
		}
		if (nids >= 48) { /* free half */
			for (int i = 0; i < 24; i++) {
				struct axi_dma_free f = { .id = ids[--nids] };

				ioctl(d.fd, AXI_DMA_IOC_FREE, &f);
			}
		}
		if (ops % 64 == 0) { /* collect stray completions */
			struct axi_dma_completion c[64];

			axidma_reap(&d, c, 64, 0, 0, NULL);
		}
	}
	printf("# fuzz: seed %llu, %ld ioctls in %.1f s: %ld succeeded; EINVAL %ld ENOTTY %ld EFAULT %ld ENOENT %ld "
	       "EOVERFLOW %ld EBUSY %ld ENOSPC %ld ETIMEDOUT %ld other %ld\n",
	       (unsigned long long)seed, ops, now() - t0, ok, hist[EINVAL], hist[ENOTTY], hist[EFAULT], hist[ENOENT],
	       hist[EOVERFLOW], hist[EBUSY], hist[ENOSPC], hist[ETIMEDOUT],
	       ops - ok - hist[EINVAL] - hist[ENOTTY] - hist[EFAULT] - hist[ENOENT] - hist[EOVERFLOW] - hist[EBUSY] -
		       hist[ENOSPC] - hist[ETIMEDOUT]);
	axidma_close(&d);
	/* The device still works. */
	{
		struct axidma_buf s, t;
		struct axi_dma_chan_info ci;

		CHECK(!axidma_open(&d, dev_path), "reopen");
		CHECK(!axidma_buf_alloc(&d, 0, 65536, &s) && !axidma_buf_alloc(&d, 0, 65536, &t), "alloc after fuzz");
		memset(s.ptr, 0x3c, 65536);
		if (!axidma_chan_info(&d, 0, &ci) && !(ci.directions & AXI_DMA_DIR_MEM_TO_MEM)) {
			/* A stream engine (AXI DMA, no memcpy): a tx -> rx loop instead. */
			int tx = axidma_chan_find(&d, "tx"), rx = axidma_chan_find(&d, "rx");
			uint64_t got = 0;

			CHECK(tx >= 0 && rx >= 0, "no memcpy and no tx/rx channels");
			CHECK(!axidma_loopback(&d, (uint32_t)tx, &s, 0, (uint32_t)rx, &t, 0, 65536, 5000, &got) &&
				      got == 65536 && !memcmp(s.ptr, t.ptr, 65536),
			      "loop after fuzz");
		} else {
			CHECK(!axidma_memcpy(&d, 0, &t, 0, &s, 0, 65536, 0) && !memcmp(s.ptr, t.ptr, 65536),
			      "copy after fuzz");
		}
		axidma_close(&d);
	}
	return 0;
}

static int t_mmap(void)
{
	struct axidma_dev d;
	struct axidma_buf b[4];
	long pg = sysconf(_SC_PAGESIZE), maps = 0, ok = 0;
	double t0 = now();

	rng_state = seed * 0x2545F4914F6CDD1DULL + 7;
	CHECK(!axidma_open(&d, dev_path), "open");
	for (int i = 0; i < 4; i++)
		CHECK(!axidma_buf_alloc(&d, 0, (uint64_t)(i + 1) * 3 * pg + 100, &b[i]), "alloc");
	for (long i = 0; i < max_ops / 4 && now() - t0 < max_secs; i++) {
		struct axidma_buf *x = &b[rnd() % 4];
		uint64_t off = x->offset + (rnd() % 3 ? (rnd() % 8) * pg : pick(v64, sizeof(v64) / 8) & ~(uint64_t)(pg - 1));
		size_t len = rnd() % 3 ? (size_t)(1 + rnd() % 8) * pg : (size_t)pick(v64, sizeof(v64) / 8);
		int prot = (int)(rnd() % 8) & (PROT_READ | PROT_WRITE | PROT_EXEC);
		int flags = rnd() % 4 ? MAP_SHARED : MAP_PRIVATE;
		uint8_t *p;

		if (len == 0 || len > (64 << 20))
			len = pg;
		p = mmap(NULL, len, prot, flags, d.fd, (off_t)off);
		maps++;
		if (p == MAP_FAILED) {
			CHECK(allowed_errno(errno) || errno == ENXIO, "mmap errno %d", errno);
			continue;
		}
		ok++;
		/* It must lie inside a buffer and be shared and not executable. */
		CHECK(flags == MAP_SHARED && !(prot & PROT_EXEC), "mapping with flags %#x prot %#x accepted", flags, prot);
		if (prot & PROT_READ)
			(void)*(volatile uint8_t *)(p + len - 1);
		if (prot & PROT_WRITE)
			p[0] = 1;
		switch (rnd() % 4) {
		case 0:
			CHECK(mremap(p, len, len + pg, 0) == MAP_FAILED, "mremap grew a mapping");
			break;
		case 1:
			CHECK(mprotect(p, len, PROT_READ | PROT_EXEC) != 0, "mprotect made it executable");
			break;
		case 2:
			if (len > (size_t)pg)
				munmap(p + pg, len - pg), len = pg; /* split, then unmap the rest below */
			break;
		default:
			break;
		}
		munmap(p, len);
	}
	printf("# mmap: %ld attempts, %ld mapped\n", maps, ok);
	for (int i = 0; i < 4; i++)
		axidma_buf_free(&d, &b[i]);
	axidma_close(&d);
	return 0;
}

static int t_exhaust(void)
{
	struct axidma_dev d[4];
	struct axidma_buf b[4][64];
	int n[4] = { 0 }, total = 0, r = 0;
	uint64_t sz;

	for (int f = 0; f < 4; f++)
		CHECK(!axidma_open(&d[f], dev_path), "open");
	sz = d[0].info.max_buffer_size;
	/* Buffers of the largest size can only come from CMA: it runs out after a few. */
	for (int f = 0; f < 4 && r == 0; f++)
		while (n[f] < 64 && !(r = axidma_buf_alloc(&d[f], 0, sz, &b[f][n[f]]))) {
			n[f]++;
			total++;
		}
	CHECK(r == -ENOMEM, "allocating %llu-byte buffers ended with %d after %d, not ENOMEM", (unsigned long long)sz, r,
	      total);
	printf("# exhaust: %d buffers of %llu bytes, then ENOMEM\n", total, (unsigned long long)sz);
	for (int f = 0; f < 4; f++)
		for (int i = 0; i < n[f]; i++)
			axidma_buf_free(&d[f], &b[f][i]);
	/* Everything came back: the same number fits again, and DMA works. */
	{
		int again = 0;
		struct axidma_buf s;

		for (int f = 0; f < 4; f++)
			for (n[f] = 0; n[f] < 64 && again < total && !axidma_buf_alloc(&d[f], 0, sz, &b[f][n[f]]); n[f]++)
				again++;
		CHECK(again == total, "only %d of %d buffers fit after freeing", again, total);
		for (int f = 0; f < 4; f++)
			for (int i = 0; i < n[f]; i++)
				axidma_buf_free(&d[f], &b[f][i]);
		CHECK(!axidma_buf_alloc(&d[0], 0, 4096, &s), "small alloc");
		memset(s.ptr, 1, 4096);
		CHECK(!axidma_memcpy(&d[0], 0, &s, 2048, &s, 0, 2048, 0), "copy");
		axidma_buf_free(&d[0], &s);
	}
	for (int f = 0; f < 4; f++)
		axidma_close(&d[f]);
	return 0;
}

static struct axidma_dev shared_dev;
static volatile int stop_threads;
static int thread_errors;
static char thread_err_msg[128];

static void thread_fail(const char *what, int err)
{
	if (__atomic_add_fetch(&thread_errors, 1, __ATOMIC_RELAXED) == 1)
		snprintf(thread_err_msg, sizeof(thread_err_msg), "%s: %s", what, strerror(err));
}
static long interrupted;

static void on_sig(int s) { (void)s; }

static void *copier(void *argp)
{
	long k = (long)argp;
	struct axidma_buf s, t;
	uint64_t sz = 8192 + (uint64_t)k * 512;

	if (axidma_buf_alloc(&shared_dev, 0, sz, &s) || axidma_buf_alloc(&shared_dev, 0, sz, &t)) {
		thread_fail("copier alloc", ENOMEM);
		return NULL;
	}
	for (int i = 0; !stop_threads && i < 300; i++) {
		struct axi_dma_xfer x = { .chan = 0, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = s.id, .dst_buf = t.id,
					  .len = sz, .timeout_ms = 5000 };
		int r;

		memset(s.ptr, (int)(i + k), sz);
		r = axidma_xfer(&shared_dev, &x);
		if (r == -EINTR) { /* a signal arrived: collect it by id */
			struct axi_dma_wait w;

			__atomic_add_fetch(&interrupted, 1, __ATOMIC_RELAXED);
			do
				r = axidma_wait(&shared_dev, x.xfer_id, 5000, &w);
			while (r == -EINTR);
		}
		if (r == -EBUSY) { /* the provider's descriptors are all in use: retry */
			usleep(1000);
			continue;
		}
		if (r) {
			thread_fail("copier transfer", -r);
			break;
		}
		if (memcmp(s.ptr, t.ptr, sz)) {
			thread_fail("copier data", EIO);
			break;
		}
	}
	axidma_buf_free(&shared_dev, &s);
	axidma_buf_free(&shared_dev, &t);
	return NULL;
}

static void *pipeliner(void *argp)
{
	struct axidma_buf s, t;
	struct axi_dma_completion c[16];
	long sent = 0, got = 0;

	(void)argp;
	if (axidma_buf_alloc(&shared_dev, 0, 16 * 4096, &s) || axidma_buf_alloc(&shared_dev, 0, 16 * 4096, &t)) {
		thread_fail("pipeliner alloc", ENOMEM);
		return NULL;
	}
	while (!stop_threads && got < 2000) {
		while (sent - got < 8) {
			int64_t id = axidma_submit_memcpy(&shared_dev, 0, &t, (uint64_t)(sent % 16) * 4096, &s,
							  (uint64_t)(sent % 16) * 4096, 4096, (uint64_t)sent);

			if (id > 0)
				sent++;
			else if (id == -EBUSY || id == -EINTR)
				break; /* reap first */
			else {
				thread_fail("pipeliner submit", (int)-id);
				stop_threads = 1;
				break;
			}
		}
		if (sent == got)
			continue;
		int n = axidma_reap(&shared_dev, c, 16, 1, 1000, NULL);

		if (n == -EINTR)
			continue;
		if (n < 0) {
			thread_fail("pipeliner reap", -n);
			break;
		}
		for (int i = 0; i < n; i++)
			if (c[i].error)
				thread_fail("pipeliner completion", -c[i].error);
		got += n;
	}
	while (got < sent) { /* drain */
		int n = axidma_reap(&shared_dev, c, 16, 1, 1000, NULL);

		if (n > 0)
			got += n;
		else if (n != -EINTR)
			break;
	}
	axidma_buf_free(&shared_dev, &s);
	axidma_buf_free(&shared_dev, &t);
	return NULL;
}

static int t_threads(void)
{
	enum { C = 4 };
	pthread_t th[C + 1];
	struct sigaction sa = { .sa_handler = on_sig }; /* no SA_RESTART: waits see EINTR */
	double t0 = now();

	sigaction(SIGINT, &sa, NULL); /* SIGINT, as a Ctrl-C would send */
	CHECK(!axidma_open(&shared_dev, dev_path), "open");
	stop_threads = 0;
	for (long k = 0; k < C; k++)
		pthread_create(&th[k], NULL, copier, (void *)k);
	pthread_create(&th[C], NULL, pipeliner, NULL);
	/* Signals at the threads while they wait. */
	for (int i = 0; i < 200 && now() - t0 < max_secs; i++) {
		pthread_kill(th[rnd() % (C + 1)], SIGINT);
		usleep(2000);
	}
	stop_threads = 1;
	for (int k = 0; k <= C; k++)
		pthread_join(th[k], NULL);
	printf("# threads: %ld blocking transfers interrupted by signals and collected afterwards\n", interrupted);
	axidma_close(&shared_dev);
	CHECK(!thread_errors, "%d thread errors, first: %s", thread_errors, thread_err_msg);
	return 0;
}

int main(int argc, char **argv)
{
	int opt, failed = 0;
	static const struct { const char *name; int (*fn)(void); } tests[] = {
		{ "fuzz", t_fuzz }, { "mmap_fuzz", t_mmap }, { "exhaust", t_exhaust }, { "threads", t_threads },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:s:n:t:k")) != -1) {
		switch (opt) {
		case 'd': dev_path = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': max_ops = strtol(optarg, NULL, 0); break;
		case 't': max_secs = atoi(optarg); break;
		case 'k': no_cancel = 1; break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-s SEED] [-n OPS] [-t SECS] fuzz|mmap_fuzz|exhaust|threads...\n", argv[0]);
			return 2;
		}
	}
	rng_state = seed;
	for (int a = optind; a < argc; a++) {
		int found = 0;

		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			if (!strcmp(argv[a], tests[i].name)) {
				found = 1;
				fail_msg[0] = 0;
				if (tests[i].fn()) {
					printf("not ok %s: %s\n", tests[i].name, fail_msg);
					failed++;
				} else {
					printf("ok %s\n", tests[i].name);
				}
			}
		if (!found) {
			fprintf(stderr, "no test %s\n", argv[a]);
			return 2;
		}
	}
	return failed ? 1 : 0;
}
