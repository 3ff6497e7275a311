// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of `scripts/profile.sh`: runs one workload on the first memcpy channel of
 * /dev/axi-dma0 between two profiling markers (see insn-profile.c), so the plugin's dump
 * between them holds exactly that workload's guest instructions.
 *
 *   prof_load MODE SIZE DEPTH ITERS
 *   MODE: floor (KBENCH bare), kernel (KBENCH through the driver), blocking (one XFER per
 *         transfer), pipelined (DEPTH non-blocking XFERs in flight, one REAP per round, as
 *         `axidma bench --depths`), batch (SUBMIT of DEPTH transfers with a reap, as
 *         `axidma bench --batch`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../../lib/c/axidma.h"

/* Built against an older ABI too (A/B runs against an older module): there KBENCH had
 * `pad` where `flags` is (the floor then fails with EINVAL), and there was no SUBMIT. */
#ifdef AXI_DMA_KBENCH_BARE
#define KBENCH_FLAGS flags
#else
#define KBENCH_FLAGS pad
#define AXI_DMA_KBENCH_BARE 1
#endif

static void marker(void)
{
#if defined(__aarch64__)
	__asm__ volatile(".inst 0xd5032fff" ::: "memory");
#elif defined(__thumb__)
	__asm__ volatile(".inst.w 0xf3af80ff" ::: "memory");
#elif defined(__arm__)
	__asm__ volatile(".inst 0xe320f0ff" ::: "memory");
#endif
}

static int die(const char *what, int e)
{
	fprintf(stderr, "prof_load: %s: %s\n", what, strerror(e < 0 ? -e : e));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: prof_load floor|kernel|blocking|pipelined|batch SIZE DEPTH ITERS\n");
		return 2;
	}
	const char *mode = argv[1];
	uint64_t size = strtoull(argv[2], NULL, 0);
	uint32_t depth = (uint32_t)strtoul(argv[3], NULL, 0);
	uint32_t iters = (uint32_t)strtoul(argv[4], NULL, 0);
	struct axidma_dev d;
	struct axidma_buf s, t;
	int chan = -1, r;
	if (axidma_open(&d, NULL))
		return die("open", errno);
	for (uint32_t i = 0; chan < 0; i++) {
		struct axi_dma_chan_info ci;
		if (axidma_chan_info(&d, i, &ci))
			return die("no memcpy channel", ENODEV);
		if (ci.directions & AXI_DMA_DIR_MEM_TO_MEM)
			chan = (int)i;
	}
	if ((r = axidma_buf_alloc(&d, chan, size * depth, &s)) || (r = axidma_buf_alloc(&d, chan, size * depth, &t)))
		return die("alloc", r);
	memset(s.ptr, 0x5a, size * depth);
	if (!strcmp(mode, "floor") || !strcmp(mode, "kernel")) {
		struct axi_dma_kbench k = {
			.chan = (uint32_t)chan, .src_buf = s.id, .dst_buf = t.id, .depth = depth,
			.len = size, .iters = iters, .KBENCH_FLAGS = mode[0] == 'f' ? AXI_DMA_KBENCH_BARE : 0,
		};
		marker();
		r = ioctl(d.fd, AXI_DMA_IOC_KBENCH, &k);
		marker();
		if (r)
			return die("kbench", errno);
	} else if (!strcmp(mode, "pipelined")) {
		struct axi_dma_completion c[64];
		uint32_t inflight = 0, done = 0, sent = 0, slot = 0;
		marker();
		while (done < iters) {
			while (inflight < depth && sent < iters) {
				uint64_t off = (uint64_t)(slot++ % depth) * size;
				int64_t id = axidma_submit_memcpy(&d, chan, &t, off, &s, off, size, sent);
				if (id < 0)
					return die("submit", (int)id);
				sent++;
				inflight++;
			}
			r = axidma_reap(&d, c, 64, 1, 5000, NULL);
			if (r < 0)
				return die("reap", r);
			inflight -= (uint32_t)r;
			done += (uint32_t)r;
		}
		marker();
	} else if (!strcmp(mode, "blocking")) {
		marker();
		for (uint32_t i = 0; i < iters; i++)
			if ((r = axidma_memcpy(&d, chan, &t, 0, &s, 0, size, 0)))
				return die("memcpy", r);
		marker();
#ifdef AXI_DMA_IOC_SUBMIT
	} else if (!strcmp(mode, "batch")) {
		struct axi_dma_xfer x[64];
		struct axi_dma_completion c[64];
		struct axi_dma_submit sb;
		uint32_t inflight = 0, done = 0, sent = 0;
		marker();
		while (done < iters) {
			uint32_t n = 0;
			while (n < depth - inflight && sent + n < iters) {
				x[n] = (struct axi_dma_xfer){
					.chan = (uint32_t)chan, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = s.id,
					.dst_buf = t.id, .src_off = n * size, .dst_off = n * size, .len = size,
					.flags = AXI_DMA_XFER_NONBLOCK,
				};
				n++;
			}
			/* Submit what the window allows and collect at least one; with everything in
			 * flight only collect (as `axidma bench --batch`). */
			if (n == 0) {
				r = axidma_reap(&d, c, 64, 1, 5000, NULL);
				if (r < 0)
					return die("reap", r);
				sb.queued = 0;
				sb.reaped = (uint32_t)r;
			} else if ((r = axidma_submit(&d, x, n, c, 64, 1, 5000, &sb))) {
				return die("submit", r);
			}
			sent += sb.queued;
			inflight += sb.queued;
			inflight -= sb.reaped;
			done += sb.reaped;
		}
		marker();
#endif
	} else {
		return die(mode, EINVAL);
	}
	printf("prof_load %s size %llu depth %u iters %u done\n", mode, (unsigned long long)size, depth, iters);
	axidma_close(&d);
	return 0;
}
