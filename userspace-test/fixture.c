// SPDX-License-Identifier: MIT
/*
 * The shared fixture of axi_dma_test (see fixture.h): the options, the helpers, and the
 * runner that prints one line per test.
 */
#include "fixture.h"

#include <setjmp.h>
#include <signal.h>

const char *dev_path = "/dev/axi-dma0";
uint32_t chan; /* the memcpy channel under test */
uint32_t align = 1;
char fail_msg[512];

void fill(uint8_t *p, uint64_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

int64_t first_diff(const uint8_t *a, const uint8_t *b, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (int64_t)i;
	return -1;
}

int open_dev(struct axidma_dev *d)
{
	int r = axidma_open(d, dev_path);

	if (r)
		snprintf(fail_msg, sizeof(fail_msg), "open %s: %s", dev_path, strerror(-r));
	return r;
}

/* Copy `len` bytes src[soff..] -> dst[doff..] by DMA and check every byte of dst. */
int copy_check(struct axidma_dev *d, struct axidma_buf *src, uint64_t soff,
		      struct axidma_buf *dst, uint64_t doff, uint64_t len, uint32_t seed)
{
	uint8_t *before = malloc(dst->size);
	int64_t at;
	int r;

	fill(src->ptr + soff, len, seed);
	fill(dst->ptr, dst->size, seed + 7777);
	memcpy(before, dst->ptr, dst->size);
	r = axidma_memcpy(d, chan, dst, doff, src, soff, len, 0);
	if (r) {
		free(before);
		FAIL("memcpy %llu bytes (%llu->%llu): %s", (unsigned long long)len, (unsigned long long)soff,
		     (unsigned long long)doff, strerror(-r));
	}
	at = first_diff(dst->ptr + doff, src->ptr + soff, len);
	if (at >= 0) {
		free(before);
		FAIL("memcpy %llu bytes: byte %lld differs", (unsigned long long)len, (long long)at);
	}
	/* Nothing outside the range may change. */
	at = first_diff(dst->ptr, before, doff);
	if (at < 0 && doff + len < dst->size)
		at = first_diff(dst->ptr + doff + len, before + doff + len, dst->size - doff - len);
	free(before);
	CHECK(at < 0, "memcpy %llu bytes wrote outside its range", (unsigned long long)len);
	return 0;
}

/* A memcpy on `ch` after a fault: the channel must work again. */
int copy_check_on(struct axidma_dev *d, uint32_t ch, struct axidma_buf *s, struct axidma_buf *t)
{
	uint32_t saved = chan;
	int r;

	chan = ch;
	r = copy_check(d, s, 0, t, 0, s->size < t->size ? s->size : t->size, 1234);
	chan = saved;
	return r;
}

int smaps_flags(void *addr, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)addr;
	int in = 0;

	out[0] = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			size_t l = strlen(line + 8);

			if (l >= n)
				l = n - 1;
			memcpy(out, line + 8, l);
			out[l] = 0;
			break;
		}
	}
	fclose(f);
	return out[0] ? 0 : -1;
}

/* The loopback provider's client node (its parameters: provider_params.c). */
int loop_open(struct loop *l)
{
	reset_params();
	if (open_dev(&l->d))
		return -1;
	l->tx = axidma_chan_find(&l->d, "tx");
	l->rx = axidma_chan_find(&l->d, "rx");
	CHECK(l->tx >= 0 && l->rx >= 0, "%s has no tx/rx channels", dev_path);
	return 0;
}

int64_t submit_rx(struct loop *l, struct axidma_buf *b, uint64_t off, uint64_t len, uint64_t ud)
{
	struct axi_dma_xfer x = {
		.chan = (uint32_t)l->rx, .kind = AXI_DMA_XFER_FROM_DEV, .dst_buf = b->id, .dst_off = off,
		.len = len, .flags = AXI_DMA_XFER_NONBLOCK, .user_data = ud,
	};
	int r = axidma_xfer(&l->d, &x);

	return r ? r : (int64_t)x.xfer_id;
}

int run_test(const struct test *t)
{
	int r;

	fail_msg[0] = 0;
	r = t->fn();
	if (r)
		printf("not ok %s: %s\n", t->name, fail_msg);
	else
		printf("ok %s\n", t->name);
	fflush(stdout);
	return r ? 1 : 0;
}

static sigjmp_buf fault_jmp;
static void on_fault(int sig) { (void)sig; siglongjmp(fault_jmp, 1); }

int read_faults(const volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_bus, old_segv;
	int r = 0;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (sigsetjmp(fault_jmp, 1) == 0)
		(void)*p;
	else
		r = 1;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return r;
}
