// SPDX-License-Identifier: MIT
/*
 * Conformance test of the axi_dma user-space ABI, written only from what a user reads:
 * include/uapi/axi_dma.h, README.md ("Programming interface", "Rules the driver
 * enforces", "Streaming rings") and docs/uapi.md (ABI 2; REGISTER, revision 4: the
 * register_* checks; EXPORT and IMPORT, revision 4: the export_* and import_* checks).
 * One check per documented statement;
 * raw ioctl/mmap/poll (not lib/c). Where a check fails, the documentation and the driver
 * disagree: the check says which statement and what the driver did.
 *
 *   axi_dma_conformance [-d /dev/axi-dmaN] [-l]      -l: list the checks this node gets
 *
 * The node's channels, directions, pairs and flags come from CHAN_INFO; which checks run
 * depends only on those (and on the loopback provider's fault injection being present
 * under /sys/module/axi_dma_loopback), so a node always gets the same set of checks.
 * Output: "ok NAME" or "not ok NAME: why" per check (guest/lib.sh run_ctests). Every check
 * runs in its own process with a watchdog: a crash or hang is a "not ok", never a gap.
 * Exit status: 0 all passed, 1 a check failed or the device could not be opened.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "../include/uapi/axi_dma.h"
#include "provider_params.h"

/* ABI version 2 additions, for building against a version 1 header (the layout of struct
 * axi_dma_chan_info does not change: reserved[2] became pair, flags, reserved). */
struct conf_chan_info {
	__u32 index, directions, addr_align, max_seg_size, residue_granularity, coherent;
	char name[AXI_DMA_NAME_LEN];
	char provider[AXI_DMA_NAME_LEN];
	__u32 pair;
	__u32 flags;
	__u64 reserved;
};
_Static_assert(sizeof(struct conf_chan_info) == sizeof(struct axi_dma_chan_info), "chan_info layout");
#ifndef AXI_DMA_NO_PAIR
#define AXI_DMA_NO_PAIR 0xffffffffu
#endif
#ifndef AXI_DMA_CHAN_STREAMING
#define AXI_DMA_CHAN_STREAMING (1U << 0)
#endif
#ifndef AXI_DMA_CHAN_FIFO
#define AXI_DMA_CHAN_FIFO (1U << 1)
#endif
#ifndef AXI_DMA_IOC_SLAVE_CONFIG_GET
#define AXI_DMA_IOC_SLAVE_CONFIG_GET _IOWR(AXI_DMA_IOC_MAGIC, 0x12, struct axi_dma_slave_config)
#endif
#define CHAN_INFO_IOC _IOWR(AXI_DMA_IOC_MAGIC, 0x01, struct conf_chan_info)
_Static_assert(CHAN_INFO_IOC == AXI_DMA_IOC_CHAN_INFO, "chan_info ioctl");

#define DIRS_ALL (AXI_DMA_DIR_MEM_TO_MEM | AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM)
#define NONE 0xffffffffu

static const char *dev_path = "/dev/axi-dma0";
static struct axi_dma_info info;
static struct conf_chan_info ci[AXI_DMA_MAX_CHANNELS];
static uint32_t nch;
static long page;
/* The node's capabilities, from CHAN_INFO. NONE where the node has no such channel. */
static uint32_t mc = NONE;            /* first memcpy channel */
static uint32_t stx = NONE, srx = NONE; /* a streaming tx channel and its paired rx */
static uint32_t ftx = NONE, frx = NONE; /* FIFO channels (a DT device address): send, receive */
static uint32_t slave = NONE;         /* first channel with a slave direction */
static uint32_t noslave = NONE;       /* first channel without any slave direction */
static uint64_t fifo_addr[AXI_DMA_MAX_CHANNELS];
static int have_fault;                /* the loopback provider's fault injection */
static int two_devices;               /* channels on two DMA devices (provider dmaN differ) */

/* Two channels on one DMA device: their provider names ("dma0chan1") share the "dmaN". */
static int same_dev(uint32_t a, uint32_t b)
{
	size_t la = strcspn(ci[a].provider, "c"), lb = strcspn(ci[b].provider, "c");

	return la == lb && !strncmp(ci[a].provider, ci[b].provider, la);
}

static char why[600];
#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); return -1; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

static const char *ename(int r)
{
	static char b[64];

	if (r >= 0) {
		snprintf(b, sizeof(b), "success (%d)", r);
		return b;
	}
	switch (-r) {
#define E(x) case x: return #x;
	E(EINVAL) E(ENOTTY) E(EFAULT) E(ENOENT) E(ENOSPC) E(EBUSY) E(EOPNOTSUPP) E(EOVERFLOW)
	E(EPERM) E(ETIMEDOUT) E(EINTR) E(ECANCELED) E(EIO) E(ENODEV) E(ENOMEM) E(EAGAIN)
	E(EACCES) E(ENXIO) E(EBADF) E(ERANGE) E(E2BIG) E(EMFILE)
#undef E
	}
	snprintf(b, sizeof(b), "errno %d", -r);
	return b;
}

/* ioctl returning 0 or -errno. */
static int io(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

#define WANT(call, e) do { int r_ = (call); \
	if (r_ != -(e)) FAIL("%s: got %s, want %s", #call, ename(r_), #e); } while (0)
#define OK(call) do { int r_ = (call); if (r_) FAIL("%s: %s", #call, ename(r_)); } while (0)

static int dev_open(void)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, sizeof(why), "open %s: %s", dev_path, strerror(errno));
		return -1;
	}
	return fd;
}
#define OPEN(fd) do { if (((fd) = dev_open()) < 0) return -1; } while (0)

struct buf {
	uint32_t id;
	uint8_t *p;
	uint64_t size, mmap_size, off;
};

static int alloc_flags(int fd, uint32_t ch, uint64_t size, uint32_t flags, struct buf *b)
{
	struct axi_dma_alloc a = { .size = size, .chan = ch, .flags = flags };
	int r = io(fd, AXI_DMA_IOC_ALLOC, &a);

	if (r) {
		snprintf(why, sizeof(why), "ALLOC %llu bytes on chan %u flags %#x: %s",
			 (unsigned long long)size, ch, flags, ename(r));
		return -1;
	}
	b->id = a.id;
	b->size = size;
	b->mmap_size = a.mmap_size;
	b->off = a.mmap_offset;
	b->p = mmap(NULL, a.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.mmap_offset);
	if (b->p == MAP_FAILED) {
		snprintf(why, sizeof(why), "mmap of buffer %u: %s", a.id, strerror(errno));
		return -1;
	}
	return 0;
}
#define ALLOC(fd, ch, size, b) do { if (alloc_flags(fd, ch, size, 0, b)) return -1; } while (0)
#define ALLOCF(fd, ch, size, fl, b) do { if (alloc_flags(fd, ch, size, fl, b)) return -1; } while (0)

static void fill(uint8_t *p, uint64_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 12345;

	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* The provider's parameters back to normal, where this node has them. */
static void reset_faults(void)
{
	if (have_fault)
		reset_params();
}

/* A transfer structure for `kind` on `ch` of `len` bytes from/to offset 0. */
static struct axi_dma_xfer xf(uint32_t ch, uint32_t kind, uint32_t src, uint32_t dst, uint64_t len)
{
	struct axi_dma_xfer x = { .chan = ch, .kind = kind, .src_buf = src, .dst_buf = dst, .len = len };

	return x;
}

/* Submit a receive of `len` bytes into b on the streaming rx channel, non-blocking. */
static int rx_submit(int fd, struct buf *b, uint64_t len, uint64_t ud, uint64_t *id)
{
	struct axi_dma_xfer x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, b->id, len);
	int r;

	x.flags = AXI_DMA_XFER_NONBLOCK;
	x.user_data = ud;
	r = io(fd, AXI_DMA_IOC_XFER, &x);
	if (r)
		snprintf(why, sizeof(why), "non-blocking FROM_DEV on rx: %s", ename(r));
	else if (id)
		*id = x.xfer_id;
	return r;
}

static int sstart(int fd, uint32_t ch, uint32_t dir, struct buf *b, uint32_t count, uint64_t slot, uint32_t *queued);
static int spush(int fd, uint32_t ch, uint32_t count, uint32_t *lens, uint32_t *first, uint32_t *queued);
static int sreap(int fd, uint32_t ch, struct axi_dma_stream_done *d, uint32_t max, uint32_t min, uint32_t ms,
		 uint32_t *queued, uint64_t *ovr);

static int reap(int fd, struct axi_dma_completion *c, uint32_t max, uint32_t min, uint32_t ms, uint32_t *pending)
{
	struct axi_dma_reap r = { .entries = (uintptr_t)c, .max = max, .min = min, .timeout_ms = ms };
	int e = io(fd, AXI_DMA_IOC_REAP, &r);

	if (pending)
		*pending = r.pending;
	return e ? e : (int)r.count;
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void on_usr1(int s) { (void)s; }

/* SIGUSR1 to this process after ms, from a helper process; the handler interrupts system
 * calls (no SA_RESTART). Returns the helper's pid. */
static pid_t signal_in_flags(unsigned ms, int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
	pid_t me = getpid(), k;

	sigaction(SIGUSR1, &sa, NULL);
	k = fork();
	if (k == 0) {
		usleep(ms * 1000);
		kill(me, SIGUSR1);
		_exit(0);
	}
	return k;
}

static pid_t signal_in(unsigned ms) { return signal_in_flags(ms, 0); }

/* ---------------------------------------------------------------------------------------
 * Generic: command numbers and INFO.
 */

/* README: "ENOTTY unknown command". */
static int c_enotty(void)
{
	int fd;
	char b[256] = { 0 };

	OPEN(fd);
	WANT(io(fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x3f, struct axi_dma_info), b), ENOTTY);
	WANT(io(fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x7f, struct axi_dma_info), b), ENOTTY);
	WANT(io(fd, _IOR(0xAE, 0x00, struct axi_dma_info), b), ENOTTY);
	/* A known number with another size or direction is another command. */
	WANT(io(fd, _IOR(AXI_DMA_IOC_MAGIC, 0x00, __u64), b), ENOTTY);
	WANT(io(fd, _IOW(AXI_DMA_IOC_MAGIC, 0x00, struct axi_dma_info), b), ENOTTY);
	WANT(io(fd, _IO(AXI_DMA_IOC_MAGIC, 0x04), b), ENOTTY);
	close(fd);
	return 0;
}

/* Header: INFO's outputs; abi_version = AXI_DMA_ABI_VERSION, abi_revision = AXI_DMA_ABI_REVISION. */
static int c_info(void)
{
	int fd;
	struct axi_dma_info i;

	OPEN(fd);
	memset(&i, 0xa5, sizeof(i));
	OK(io(fd, AXI_DMA_IOC_INFO, &i));
	CHECK(i.abi_version == AXI_DMA_ABI_VERSION, "abi_version %u, header says %u", i.abi_version,
	      AXI_DMA_ABI_VERSION);
	CHECK(i.num_channels >= 1 && i.num_channels <= AXI_DMA_MAX_CHANNELS, "num_channels %u", i.num_channels);
	CHECK(i.max_buffers >= 1 && i.max_inflight >= 1, "max_buffers %u max_inflight %u", i.max_buffers,
	      i.max_inflight);
	CHECK(i.max_buffer_size >= 1, "max_buffer_size 0");
	CHECK(i.abi_revision == AXI_DMA_ABI_REVISION, "abi_revision %u, header says %u", i.abi_revision,
	      AXI_DMA_ABI_REVISION);
	CHECK(i.reserved32 == 0, "reserved32 = %#x on output", i.reserved32);
	for (int k = 0; k < 3; k++)
		CHECK(i.reserved[k] == 0, "reserved[%d] = %#llx on output", k, (unsigned long long)i.reserved[k]);
	close(fd);
	return 0;
}

/* EFAULT for a bad argument pointer, on every ioctl that takes one. */
static int c_efault(void)
{
	static const struct { unsigned long cmd; const char *n; } cmds[] = {
		{ AXI_DMA_IOC_INFO, "INFO" }, { AXI_DMA_IOC_CHAN_INFO, "CHAN_INFO" },
		{ AXI_DMA_IOC_ALLOC, "ALLOC" }, { AXI_DMA_IOC_FREE, "FREE" }, { AXI_DMA_IOC_XFER, "XFER" },
		{ AXI_DMA_IOC_WAIT, "WAIT" }, { AXI_DMA_IOC_REAP, "REAP" }, { AXI_DMA_IOC_STATUS, "STATUS" },
		{ AXI_DMA_IOC_CANCEL, "CANCEL" }, { AXI_DMA_IOC_SLAVE_CONFIG, "SLAVE_CONFIG" },
		{ AXI_DMA_IOC_KBENCH, "KBENCH" }, { AXI_DMA_IOC_SYNC, "SYNC" },
		{ AXI_DMA_IOC_STREAM_START, "STREAM_START" }, { AXI_DMA_IOC_STREAM_PUSH, "STREAM_PUSH" },
		{ AXI_DMA_IOC_STREAM_REAP, "STREAM_REAP" }, { AXI_DMA_IOC_STREAM_STOP, "STREAM_STOP" },
		{ AXI_DMA_IOC_STREAM_CYCLE, "STREAM_CYCLE" },
		{ AXI_DMA_IOC_CLAIM, "CLAIM" }, { AXI_DMA_IOC_UNCLAIM, "UNCLAIM" },
		{ AXI_DMA_IOC_SLAVE_CONFIG_GET, "SLAVE_CONFIG_GET" },
	};
	int fd;

	OPEN(fd);
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		int r1 = io(fd, cmds[k].cmd, NULL), r2 = io(fd, cmds[k].cmd, (void *)(uintptr_t)8);

		CHECK(r1 == -EFAULT && r2 == -EFAULT, "%s with a NULL / bad pointer: %s / %s", cmds[k].n,
		      ename(r1), ename(r2));
	}
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * CHAN_INFO.
 */
static int c_chan_info_fields(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t i = 0; i < nch; i++) {
		struct conf_chan_info c;

		memset(&c, 0, sizeof(c));
		c.index = i;
		OK(io(fd, CHAN_INFO_IOC, &c));
		CHECK(c.index == i, "chan %u: index came back %u", i, c.index);
		CHECK(c.directions && !(c.directions & ~DIRS_ALL), "chan %u: directions %#x", i, c.directions);
		CHECK(c.addr_align >= 1 && !(c.addr_align & (c.addr_align - 1)), "chan %u: addr_align %u", i,
		      c.addr_align);
		CHECK(c.max_seg_size >= 1, "chan %u: max_seg_size 0", i);
		CHECK(c.residue_granularity <= 2, "chan %u: residue_granularity %u", i, c.residue_granularity);
		CHECK(c.coherent <= 1, "chan %u: coherent %u", i, c.coherent);
		CHECK(c.name[0] && memchr(c.name, 0, sizeof(c.name)), "chan %u: name empty or not NUL-terminated", i);
		CHECK(c.provider[0] && memchr(c.provider, 0, sizeof(c.provider)),
		      "chan %u: provider empty or not NUL-terminated", i);
		CHECK(c.reserved == 0, "chan %u: reserved %#llx on output", i, (unsigned long long)c.reserved);
		for (uint32_t j = 0; j < i; j++)
			CHECK(strcmp(ci[j].name, c.name), "chans %u and %u both named %s", j, i, c.name);
	}
	close(fd);
	return 0;
}

static int c_chan_info_index(void)
{
	int fd;
	struct conf_chan_info c = { .index = nch };

	OPEN(fd);
	WANT(io(fd, CHAN_INFO_IOC, &c), EINVAL);
	c.index = 0xffffffffu;
	WANT(io(fd, CHAN_INFO_IOC, &c), EINVAL);
	close(fd);
	return 0;
}

/* ABI 2: output-only fields and reserved ones must be zero on input. */
static int c_chan_info_zero_in(void)
{
	int fd;
	struct conf_chan_info c;
	static const size_t outs[] = {
		offsetof(struct conf_chan_info, directions), offsetof(struct conf_chan_info, addr_align),
		offsetof(struct conf_chan_info, max_seg_size), offsetof(struct conf_chan_info, residue_granularity),
		offsetof(struct conf_chan_info, coherent), offsetof(struct conf_chan_info, name),
		offsetof(struct conf_chan_info, provider), offsetof(struct conf_chan_info, pair),
		offsetof(struct conf_chan_info, flags), offsetof(struct conf_chan_info, reserved),
	};

	OPEN(fd);
	for (size_t k = 0; k < sizeof(outs) / sizeof(outs[0]); k++) {
		memset(&c, 0, sizeof(c));
		((uint8_t *)&c)[outs[k]] = 1;
		int r = io(fd, CHAN_INFO_IOC, &c);

		CHECK(r == -EINVAL, "CHAN_INFO with the byte at offset %zu (an output/reserved field) set: %s, want EINVAL",
		      outs[k], ename(r));
	}
	close(fd);
	return 0;
}

/* The driver's own CHAN_INFO of every channel (not main's view, which guesses on ABI 1). */
static int fresh(struct conf_chan_info *c)
{
	int fd;

	OPEN(fd);
	for (uint32_t i = 0; i < nch; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].index = i;
		OK(io(fd, CHAN_INFO_IOC, &c[i]));
	}
	close(fd);
	return 0;
}

/* ABI 2: pair is a valid other channel or AXI_DMA_NO_PAIR, symmetric, tx <-> rx. */
static int c_chan_info_pair(void)
{
	struct conf_chan_info ci[AXI_DMA_MAX_CHANNELS];

	if (fresh(ci))
		return -1;
	for (uint32_t i = 0; i < nch; i++) {
		uint32_t p = ci[i].pair;

		if (p == AXI_DMA_NO_PAIR)
			continue;
		CHECK(p < nch && p != i, "chan %u (%s): pair %u", i, ci[i].name, p);
		CHECK(ci[p].pair == i, "chan %u pairs with %u, which pairs with %u", i, p, ci[p].pair);
		CHECK(((ci[i].directions & AXI_DMA_DIR_MEM_TO_DEV) && (ci[p].directions & AXI_DMA_DIR_DEV_TO_MEM)) ||
		      ((ci[i].directions & AXI_DMA_DIR_DEV_TO_MEM) && (ci[p].directions & AXI_DMA_DIR_MEM_TO_DEV)),
		      "chan %u (%#x) and its pair %u (%#x) are not tx/rx", i, ci[i].directions, p, ci[p].directions);
		CHECK(same_dev(i, p), "chan %u (%s) and its pair %u (%s) on different DMA engines", i, ci[i].provider, p,
		      ci[p].provider);
	}
	return 0;
}

/* ABI 2: flags only the defined bits; STREAMING: a slave channel with a pair; FIFO: a slave
 * channel. */
static int c_chan_info_flags(void)
{
	struct conf_chan_info ci[AXI_DMA_MAX_CHANNELS];

	if (fresh(ci))
		return -1;
	for (uint32_t i = 0; i < nch; i++) {
		uint32_t f = ci[i].flags, slv = ci[i].directions & (AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM);

		CHECK(!(f & ~(AXI_DMA_CHAN_STREAMING | AXI_DMA_CHAN_FIFO)), "chan %u: unknown flags %#x", i, f);
		CHECK(!((f & AXI_DMA_CHAN_STREAMING) && (f & AXI_DMA_CHAN_FIFO)),
		      "chan %u: both STREAMING (no device address) and FIFO (a device address)", i);
		if (f & (AXI_DMA_CHAN_STREAMING | AXI_DMA_CHAN_FIFO))
			CHECK(slv, "chan %u: flags %#x on a channel with no slave direction (%#x)", i, f, ci[i].directions);
	}
	return 0;
}

/* uapi.md "Channels and directions", its table: STREAMING channels (AXI DMA, the loopback
 * provider) go one slave way each and have a pair; FIFO channels (PL330 with
 * linux,fifo-addresses) do memcpy and receive, and have the FIFO address; flags 0: memcpy
 * only, no pair. */
static int c_chan_info_table(void)
{
	struct conf_chan_info ci[AXI_DMA_MAX_CHANNELS];

	if (fresh(ci))
		return -1;
	for (uint32_t i = 0; i < nch; i++) {
		uint32_t d = ci[i].directions, f = ci[i].flags;
		uint32_t both = AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM;

		if (f & AXI_DMA_CHAN_STREAMING) {
			CHECK((d & both) != both && (d & both), "streaming chan %u (%s): directions %#x, want one slave direction",
			      i, ci[i].name, d);
			CHECK(ci[i].pair != AXI_DMA_NO_PAIR, "streaming chan %u (%s) has no pair", i, ci[i].name);
		} else if (f & AXI_DMA_CHAN_FIFO) {
			CHECK((d & AXI_DMA_DIR_MEM_TO_MEM) && (d & AXI_DMA_DIR_DEV_TO_MEM),
			      "FIFO chan %u (%s): directions %#x, want MEM_TO_MEM and DEV_TO_MEM at least", i, ci[i].name, d);
			CHECK(fifo_addr[i] != 0, "FIFO chan %u (%s) but no linux,fifo-addresses entry in its DT node", i, ci[i].name);
		} else {
			CHECK(d == AXI_DMA_DIR_MEM_TO_MEM && ci[i].pair == AXI_DMA_NO_PAIR,
			      "chan %u (%s) without flags: directions %#x pair %#x, want memcpy only and NO_PAIR", i, ci[i].name, d,
			      ci[i].pair);
		}
	}
	/* "Two channels never both write one FIFO address" (within 128 bytes). */
	for (uint32_t i = 0; i < nch; i++)
		for (uint32_t j = i + 1; j < nch; j++)
			if (fifo_addr[i] && fifo_addr[i] / 128 == fifo_addr[j] / 128)
				CHECK(!((ci[i].directions & ci[j].directions) & AXI_DMA_DIR_MEM_TO_DEV),
				      "chans %u and %u both write FIFO %#llx", i, j, (unsigned long long)fifo_addr[i]);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * ALLOC / FREE and the mapping rules.
 */
static int c_alloc(void)
{
	int fd;
	struct axi_dma_alloc a = { .size = 1, .chan = 0 };
	struct axi_dma_alloc b = { .size = (uint64_t)page + 1, .chan = nch - 1 };

	OPEN(fd);
	OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
	CHECK(a.id >= 1, "id %u (uapi.md: >= 1)", a.id);
	CHECK(a.mmap_size == (uint64_t)page, "size 1: mmap_size %llu, want one page (%ld)",
	      (unsigned long long)a.mmap_size, page);
	CHECK(a.mmap_offset % (uint64_t)page == 0, "mmap_offset %#llx not page aligned", (unsigned long long)a.mmap_offset);
	OK(io(fd, AXI_DMA_IOC_ALLOC, &b));
	CHECK(b.mmap_size == 2 * (uint64_t)page, "size page+1: mmap_size %llu", (unsigned long long)b.mmap_size);
	CHECK(b.id != a.id, "two buffers got the same id %u", a.id);
	CHECK(b.mmap_offset + b.mmap_size <= a.mmap_offset || a.mmap_offset + a.mmap_size <= b.mmap_offset,
	      "mmap ranges of two buffers overlap");
	close(fd);
	return 0;
}

/* ALLOC: "a zeroed coherent buffer". Also cached ones. */
static int c_alloc_zeroed(void)
{
	int fd;
	struct buf b[2];
	uint32_t fl[2] = { 0, AXI_DMA_ALLOC_CACHED };

	OPEN(fd);
	for (int k = 0; k < 2; k++) {
		ALLOCF(fd, 0, 65536 + 3, fl[k], &b[k]);
		for (uint64_t i = 0; i < b[k].mmap_size; i++)
			CHECK(b[k].p[i] == 0, "flags %#x: byte %llu of a new buffer is %#x", fl[k], (unsigned long long)i, b[k].p[i]);
	}
	close(fd);
	return 0;
}

/* ALLOC: size 1 .. max_buffer_size, chan a channel, flags known (EINVAL). */
static int c_alloc_einval(void)
{
	int fd;
	struct axi_dma_alloc a;

	OPEN(fd);
	a = (struct axi_dma_alloc){ .size = 0 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = info.max_buffer_size + 1 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = ~0ull };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .chan = nch };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .flags = 1u << 3 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .flags = 1u << 31 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	/* "Valid values: 0, CACHED, CACHED|TO_DEVICE, CACHED|FROM_DEVICE" */
	a = (struct axi_dma_alloc){ .size = 4096, .flags = AXI_DMA_ALLOC_TO_DEVICE };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .flags = AXI_DMA_ALLOC_FROM_DEVICE };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .flags = AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE | AXI_DMA_ALLOC_FROM_DEVICE };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	uint32_t okf[4] = { 0, AXI_DMA_ALLOC_CACHED, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE,
			    AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE };
	for (int k = 0; k < 4; k++) {
		a = (struct axi_dma_alloc){ .size = 4096, .flags = okf[k] };
		OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
	}
	close(fd);
	return 0;
}

/* ABI 2: pad and the output fields (id, mmap_offset, mmap_size) zero on input. */
static int c_alloc_zero_in(void)
{
	int fd;
	struct axi_dma_alloc a;

	OPEN(fd);
	a = (struct axi_dma_alloc){ .size = 4096, .pad = 1 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .id = 1 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .mmap_offset = 4096 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	a = (struct axi_dma_alloc){ .size = 4096, .mmap_size = 4096 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), EINVAL);
	close(fd);
	return 0;
}

/* max_buffers "per open file": the next one is ENOSPC ("buffer table full"); another file
 * still allocates; freeing one makes room. */
static int c_alloc_enospc(void)
{
	int fd, fd2;
	struct axi_dma_alloc a;

	OPEN(fd);
	for (uint32_t i = 0; i < info.max_buffers; i++) {
		a = (struct axi_dma_alloc){ .size = 1 };
		int r = io(fd, AXI_DMA_IOC_ALLOC, &a);

		CHECK(!r, "buffer %u of max_buffers %u: %s", i, info.max_buffers, ename(r));
	}
	a = (struct axi_dma_alloc){ .size = 1 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), ENOSPC);
	OPEN(fd2);
	a = (struct axi_dma_alloc){ .size = 1 };
	OK(io(fd2, AXI_DMA_IOC_ALLOC, &a));
	close(fd2);
	close(fd);
	return 0;
}

/* FREE: unknown id ENOENT, twice ENOENT, another file's buffer ENOENT, pad EINVAL (ABI 2). */
static int c_free(void)
{
	int fd, fd2;
	struct axi_dma_alloc a = { .size = 4096 }, a2 = { .size = 4096 };
	struct axi_dma_free f;

	OPEN(fd);
	OPEN(fd2);
	OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
	f = (struct axi_dma_free){ .id = a.id + 1000 };
	WANT(io(fd, AXI_DMA_IOC_FREE, &f), ENOENT);
	/* The other file has no buffer with this id (it has none at all yet). */
	f = (struct axi_dma_free){ .id = a.id };
	WANT(io(fd2, AXI_DMA_IOC_FREE, &f), ENOENT);
	OK(io(fd, AXI_DMA_IOC_FREE, &f));
	WANT(io(fd, AXI_DMA_IOC_FREE, &f), ENOENT);
	OK(io(fd, AXI_DMA_IOC_ALLOC, &a2));
	f = (struct axi_dma_free){ .id = a2.id, .pad = 1 };
	WANT(io(fd, AXI_DMA_IOC_FREE, &f), EINVAL);
	close(fd2);
	close(fd);
	return 0;
}

/* "freeing a buffer that is still mapped ... only drops the id; the last munmap releases
 * it": the mapping stays usable; the offset can no longer be mapped. */
static int c_free_mapped(void)
{
	int fd;
	struct buf b;
	struct axi_dma_free f;
	void *p;

	OPEN(fd);
	ALLOC(fd, 0, 8192, &b);
	fill(b.p, 8192, 1);
	f = (struct axi_dma_free){ .id = b.id };
	OK(io(fd, AXI_DMA_IOC_FREE, &f));
	for (int i = 0; i < 8192; i++)
		b.p[i] ^= 0x5a;
	p = mmap(NULL, b.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)b.off);
	CHECK(p == MAP_FAILED, "the offset of a freed buffer could still be mapped");
	CHECK(munmap(b.p, b.mmap_size) == 0, "munmap: %s", strerror(errno));
	close(fd);
	return 0;
}

/* docs/uapi.md "mmap(2) of a buffer": any page-aligned part of the buffer; EINVAL for an
 * offset in no buffer of this file (also another file's), a range past the buffer's pages,
 * MAP_PRIVATE; EPERM for PROT_EXEC, EACCES for mprotect adding it; mremap cannot grow
 * (EFAULT), shrinking and partial munmap work. */
static int mm_err(size_t len, int prot, int flags, int fd, uint64_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return -errno;
}

static int c_mmap_rules(void)
{
	int fd, fd2;
	struct axi_dma_alloc a = { .size = 3 * (uint64_t)page };
	void *p, *q;
	size_t pg = (size_t)page;

	OPEN(fd);
	OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
	WANT(mm_err(a.mmap_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, a.mmap_offset), EINVAL);
	WANT(mm_err(a.mmap_size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, a.mmap_offset), EPERM);
	WANT(mm_err(a.mmap_size + pg, PROT_READ, MAP_SHARED, fd, a.mmap_offset), EINVAL);
	WANT(mm_err(2 * pg, PROT_READ, MAP_SHARED, fd, a.mmap_offset + 2 * pg), EINVAL);
	WANT(mm_err(pg, PROT_READ, MAP_SHARED, fd, a.mmap_offset + a.mmap_size + 1000 * pg), EINVAL);
	/* Any page-aligned part: the middle page, the last two. */
	OK(mm_err(pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset + pg));
	OK(mm_err(2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset + pg));
	p = mmap(NULL, a.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.mmap_offset);
	CHECK(p != MAP_FAILED, "the whole buffer: %s", strerror(errno));
	CHECK(mprotect(p, a.mmap_size, PROT_READ | PROT_EXEC) != 0 && errno == EACCES,
	      "mprotect(PROT_EXEC): %s, want EACCES", mprotect(p, a.mmap_size, PROT_READ | PROT_EXEC) ? strerror(errno) : "success");
	q = mremap(p, a.mmap_size, a.mmap_size + pg, MREMAP_MAYMOVE);
	CHECK(q == MAP_FAILED && errno == EFAULT, "mremap growing the mapping: %s, want EFAULT",
	      q == MAP_FAILED ? strerror(errno) : "success");
	q = mremap(p, a.mmap_size, 2 * pg, 0);
	CHECK(q == p, "mremap shrinking the mapping: %s", strerror(errno));
	CHECK(munmap((uint8_t *)p + pg, pg) == 0, "partial munmap: %s", strerror(errno));
	((volatile uint8_t *)p)[0] = 1;
	OPEN(fd2);
	WANT(mm_err(a.mmap_size, PROT_READ, MAP_SHARED, fd2, a.mmap_offset), EINVAL);
	close(fd2);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * XFER.
 */

/* Blocking memcpy on every memcpy channel: bytes = len, error 0, data moved, nothing
 * outside the range touched; within one buffer too. */
static int c_xfer_memcpy(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		struct buf s, d;
		uint32_t al = ci[c].addr_align, len = 8192 - al * 3, off = al * 2;
		struct axi_dma_xfer x;

		if (!(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM))
			continue;
		len -= len % al;
		ALLOC(fd, c, 16384, &s);
		ALLOC(fd, c, 16384, &d);
		fill(s.p, 16384, c);
		memset(d.p, 0xee, 16384);
		x = xf(c, AXI_DMA_XFER_MEMCPY, s.id, d.id, len);
		x.src_off = al;
		x.dst_off = off;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		CHECK(x.bytes == len && x.error == 0, "chan %u: bytes %llu error %d, want %u and 0", c,
		      (unsigned long long)x.bytes, x.error, len);
		CHECK(!memcmp(d.p + off, s.p + al, len), "chan %u: data differs", c);
		for (uint32_t i = 0; i < 16384; i++)
			if (i < off || i >= off + len)
				CHECK(d.p[i] == 0xee, "chan %u: byte %u outside the range written", c, i);
		/* Within one buffer (non-overlapping halves). */
		x = xf(c, AXI_DMA_XFER_MEMCPY, s.id, s.id, 8192);
		x.dst_off = 8192;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		CHECK(!memcmp(s.p, s.p + 8192, 8192), "chan %u: copy within a buffer differs", c);
	}
	close(fd);
	return 0;
}

/* NONBLOCK: returns an id; WAIT gives error, bytes and user_data; STATUS says DONE; the id
 * is then gone (ENOENT). */
static int c_xfer_nonblock_wait(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_wait w;
	struct axi_dma_status st;

	OPEN(fd);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	fill(s.p, 4096, 3);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	x.user_data = 0x1122334455667788ull;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.xfer_id == 1, "the first transfer of a file has id %llu (uapi.md: ids per file, from 1)",
	      (unsigned long long)x.xfer_id);
	CHECK(x.bytes == 0 && x.error == 0, "non-blocking: bytes %llu error %d, want 0 (\"bytes/error stay 0\")",
	      (unsigned long long)x.bytes, x.error);
	w = (struct axi_dma_wait){ .xfer_id = x.xfer_id, .timeout_ms = 5000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.error == 0 && w.bytes == 4096 && w.user_data == x.user_data, "WAIT: error %d bytes %llu user_data %#llx",
	      w.error, (unsigned long long)w.bytes, (unsigned long long)w.user_data);
	CHECK(!memcmp(s.p, d.p, 4096), "data differs");
	w = (struct axi_dma_wait){ .xfer_id = x.xfer_id, .timeout_ms = 100 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), ENOENT);
	st = (struct axi_dma_status){ .xfer_id = x.xfer_id };
	WANT(io(fd, AXI_DMA_IOC_STATUS, &st), ENOENT);
	/* STATUS of a finished, not yet collected transfer: DONE, bytes = len. */
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 1000);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	for (int i = 0; i < 500; i++) {
		st = (struct axi_dma_status){ .xfer_id = x.xfer_id };
		OK(io(fd, AXI_DMA_IOC_STATUS, &st));
		if (st.state == AXI_DMA_STATE_DONE)
			break;
		CHECK(st.state == AXI_DMA_STATE_PENDING, "STATUS state %u", st.state);
		usleep(10000);
	}
	CHECK(st.state == AXI_DMA_STATE_DONE && st.error == 0 && st.bytes == 1000, "STATUS: state %u error %d bytes %llu",
	      st.state, st.error, (unsigned long long)st.bytes);
	/* STATUS does not collect it: WAIT still does. */
	w = (struct axi_dma_wait){ .xfer_id = x.xfer_id };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	close(fd);
	return 0;
}

/* REAP: completions with xfer_id, user_data, bytes, error, chan; pending; ids distinct. */
static int c_reap(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_completion c[8];
	uint64_t ids[4];
	int got = 0;
	uint32_t pend = 99;

	OPEN(fd);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	for (int k = 0; k < 4; k++) {
		struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 512);

		x.src_off = x.dst_off = 512u * (uint32_t)k;
		x.flags = AXI_DMA_XFER_NONBLOCK;
		x.user_data = 100u + (uint32_t)k;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		ids[k] = x.xfer_id;
		CHECK(ids[k] == (uint64_t)k + 1, "transfer %d of a new file has id %llu (uapi.md: per file, increasing from 1)",
		      k, (unsigned long long)ids[k]);
	}
	while (got < 4) {
		int n = reap(fd, c + got, 8 - (uint32_t)got, 1, 5000, &pend);

		CHECK(n > 0, "REAP min 1: %s", ename(n));
		got += n;
	}
	CHECK(pend == 0, "pending %u after all were reaped", pend);
	for (int i = 0; i < 4; i++) {
		int k = (int)(c[i].user_data - 100);

		CHECK(k >= 0 && k < 4 && c[i].xfer_id == ids[k], "completion %d: id %llu user_data %llu", i,
		      (unsigned long long)c[i].xfer_id, (unsigned long long)c[i].user_data);
		CHECK(c[i].bytes == 512 && c[i].error == 0 && c[i].chan == mc, "completion %d: bytes %llu error %d chan %u",
		      i, (unsigned long long)c[i].bytes, c[i].error, c[i].chan);
	}
	/* Nothing left: min 0 returns 0 at once. */
	CHECK(reap(fd, c, 8, 0, 0, &pend) == 0 && pend == 0, "REAP with nothing left");
	close(fd);
	return 0;
}

/* REAP: max 1..256 (EINVAL), bad entries pointer EFAULT, pad/outputs zero (ABI 2). */
static int c_reap_einval(void)
{
	int fd;
	struct axi_dma_completion c[1];
	struct axi_dma_reap r;

	OPEN(fd);
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 0 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 257 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .min = 2 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	/* "With nothing running, it returns at once, even if min > 0." */
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .min = 1, .timeout_ms = 3000 };
	uint64_t t0 = now_ms();
	OK(io(fd, AXI_DMA_IOC_REAP, &r));
	CHECK(r.count == 0 && now_ms() - t0 < 1000, "REAP min 1 with nothing running: count %u after %llu ms", r.count,
	      (unsigned long long)(now_ms() - t0));
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .pad = 1 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .count = 1 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	r = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .pending = 1 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EINVAL);
	close(fd);
	return 0;
}

static int c_reap_efault(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_completion c[1];

	OPEN(fd);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 64);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	usleep(100000);
	struct axi_dma_reap r = { .entries = 8, .max = 1, .min = 1, .timeout_ms = 2000 };
	WANT(io(fd, AXI_DMA_IOC_REAP, &r), EFAULT);
	/* "the completions taken are lost" */
	uint32_t pend = 9;
	int n = reap(fd, c, 1, 0, 0, &pend);
	CHECK(n == 0 && pend == 0, "after EFAULT: REAP %s pending %u, want nothing left", ename(n), pend);
	close(fd);
	return 0;
}

/* WAIT / STATUS: unknown ids ENOENT; output fields zero on input (ABI 2). */
static int c_wait_status_einval(void)
{
	int fd;
	struct axi_dma_wait w;
	struct axi_dma_status st;

	OPEN(fd);
	w = (struct axi_dma_wait){ .xfer_id = 123456789 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), ENOENT);
	st = (struct axi_dma_status){ .xfer_id = 123456789 };
	WANT(io(fd, AXI_DMA_IOC_STATUS, &st), ENOENT);
	w = (struct axi_dma_wait){ .xfer_id = 123456789, .error = 1 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), EINVAL);
	w = (struct axi_dma_wait){ .xfer_id = 123456789, .bytes = 1 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), EINVAL);
	w = (struct axi_dma_wait){ .xfer_id = 123456789, .user_data = 1 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), EINVAL);
	st = (struct axi_dma_status){ .xfer_id = 123456789, .state = 1 };
	WANT(io(fd, AXI_DMA_IOC_STATUS, &st), EINVAL);
	st = (struct axi_dma_status){ .xfer_id = 123456789, .error = 1 };
	WANT(io(fd, AXI_DMA_IOC_STATUS, &st), EINVAL);
	st = (struct axi_dma_status){ .xfer_id = 123456789, .bytes = 1 };
	WANT(io(fd, AXI_DMA_IOC_STATUS, &st), EINVAL);
	close(fd);
	return 0;
}

/* XFER argument errors on a memcpy channel. */
static int c_xfer_einval(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	uint32_t al = ci[mc].addr_align;

	OPEN(fd);
	ALLOC(fd, mc, 8192, &s);
	ALLOC(fd, mc, 8192, &d);
#define X(field, val, e) do { x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096); x.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_XFER, &x); \
		CHECK(r_ == -(e), "XFER with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	X(len, 0, EINVAL);
	X(len, 8192 + al, EINVAL);
	X(src_off, 8192, EINVAL);
	X(dst_off, 4096 + al, EINVAL);
	X(chan, nch, EINVAL);
	X(kind, 4, EINVAL);
	X(kind, 0xffffffffu, EINVAL);
	X(flags, 1u << 1, EINVAL);
	X(flags, 1u << 31, EINVAL);
	X(src_buf, s.id + d.id + 100, ENOENT);
	X(dst_buf, s.id + d.id + 100, ENOENT);
	X(src_off, ~0ull - 100, EOVERFLOW);
	X(dst_off, ~0ull - 100, EOVERFLOW);
	if (al > 1) {
		X(src_off, al / 2, EINVAL);
		X(len, 4096 - al / 2, EINVAL);
	}
	/* ABI 2: outputs and rx_chan ("else 0") zero on input. */
	X(xfer_id, 1, EINVAL);
	X(bytes, 1, EINVAL);
	X(error, 1, EINVAL);
	X(rx_chan, 1, EINVAL);
#undef X
	/* "fails with EINVAL before doing anything": nothing was submitted. */
	{
		struct axi_dma_completion c[4];
		uint32_t pend = 9;
		int n = reap(fd, c, 4, 0, 0, &pend);

		CHECK(n == 0 && pend == 0, "after the refused requests: REAP %s pending %u, want nothing", ename(n), pend);
	}
	close(fd);
	return 0;
}

/* uapi.md: max_seg_size "is informational: the provider splits a longer transfer itself
 * (a 1 MiB memcpy works on a channel reporting 65536). A transfer can be as long as a
 * buffer." */
static int c_xfer_long(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	uint64_t len = 2ull * ci[mc].max_seg_size + ci[mc].addr_align;

	if (len > 4u << 20)
		len = 4u << 20;
	if (len > info.max_buffer_size)
		len = info.max_buffer_size;
	len -= len % ci[mc].addr_align;
	OPEN(fd);
	ALLOC(fd, mc, len, &s);
	ALLOC(fd, mc, len, &d);
	fill(s.p, len, 12);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, len);
	x.timeout_ms = 20000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == len && !memcmp(s.p, d.p, len), "a %llu-byte memcpy (max_seg_size %u): bytes %llu or data differs",
	      (unsigned long long)len, ci[mc].max_seg_size, (unsigned long long)x.bytes);
	close(fd);
	return 0;
}

/* EOPNOTSUPP: "a direction the channel cannot do", for every channel and kind. */
static int c_xfer_eopnotsupp(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		struct buf s, d;
		static const struct { uint32_t kind, dir; const char *n; } k[] = {
			{ AXI_DMA_XFER_MEMCPY, AXI_DMA_DIR_MEM_TO_MEM, "MEMCPY" },
			{ AXI_DMA_XFER_TO_DEV, AXI_DMA_DIR_MEM_TO_DEV, "TO_DEV" },
			{ AXI_DMA_XFER_FROM_DEV, AXI_DMA_DIR_DEV_TO_MEM, "FROM_DEV" },
		};

		ALLOC(fd, c, 4096, &s);
		ALLOC(fd, c, 4096, &d);
		for (int i = 0; i < 3; i++) {
			struct axi_dma_xfer x = xf(c, k[i].kind, s.id, d.id, 64);

			if (ci[c].directions & k[i].dir)
				continue;
			int r = io(fd, AXI_DMA_IOC_XFER, &x);

			CHECK(r == -EOPNOTSUPP, "%s on chan %u (%s, directions %#x): %s, want EOPNOTSUPP", k[i].n, c,
			      ci[c].name, ci[c].directions, ename(r));
		}
	}
	close(fd);
	return 0;
}

/* "A buffer used on a channel of another DMA device than the one it was allocated for:
 * EINVAL"; channels of one provider share buffers. */
static int c_xfer_other_device(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t a = 0; a < nch; a++)
		for (uint32_t b = 0; b < nch; b++) {
			struct buf s, d;
			struct axi_dma_xfer x;
			int same = same_dev(a, b);

			if (a == b || !(ci[b].directions & AXI_DMA_DIR_MEM_TO_MEM))
				continue;
			ALLOC(fd, a, 4096, &s);
			ALLOC(fd, b, 4096, &d);
			x = xf(b, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096);
			int r = io(fd, AXI_DMA_IOC_XFER, &x);

			if (same)
				CHECK(r == 0, "buffer of chan %u (%s) on chan %u (%s), same device: %s", a, ci[a].provider, b,
				      ci[b].provider, ename(r));
			else
				CHECK(r == -EINVAL, "buffer of chan %u (%s) on chan %u (%s), another device: %s, want EINVAL", a,
				      ci[a].provider, b, ci[b].provider, ename(r));
		}
	close(fd);
	return 0;
}

/* A buffer belongs to its file: another file cannot use it in a transfer. */
static int c_xfer_other_file(void)
{
	int fd, fd2;
	struct buf s, d;
	struct axi_dma_xfer x;

	OPEN(fd);
	OPEN(fd2);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096);
	int r = io(fd2, AXI_DMA_IOC_XFER, &x);

	CHECK(r == -ENOENT || r == -EINVAL, "another file's buffers in a transfer: %s, want ENOENT/EINVAL", ename(r));
	close(fd2);
	close(fd);
	return 0;
}

/* Cached TO_DEVICE/FROM_DEVICE: "the driver refuses (EINVAL) a transfer that would make
 * the engine write a TO_DEVICE buffer or read a FROM_DEVICE one". */
static int c_xfer_cached_dir(void)
{
	int fd;
	struct buf to, from, plain;
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOCF(fd, mc, 4096, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &to);
	ALLOCF(fd, mc, 4096, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE, &from);
	ALLOC(fd, mc, 4096, &plain);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, plain.id, to.id, 64);
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, from.id, plain.id, 64);
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	fill(to.p, 64, 9);
	struct axi_dma_sync sy = { .id = to.id, .op = AXI_DMA_SYNC_FOR_DEVICE, .len = 64 };
	OK(io(fd, AXI_DMA_IOC_SYNC, &sy));
	x = xf(mc, AXI_DMA_XFER_MEMCPY, to.id, from.id, 64);
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	sy = (struct axi_dma_sync){ .id = from.id, .op = AXI_DMA_SYNC_FOR_CPU, .len = 64 };
	OK(io(fd, AXI_DMA_IOC_SYNC, &sy));
	CHECK(!memcmp(to.p, from.p, 64), "cached TO_DEVICE -> FROM_DEVICE copy differs");
	close(fd);
	return 0;
}

/* "EBUSY too many transfers not yet collected (reap first; finished ones count until
 * collected)". */
static int c_xfer_ebusy_inflight(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_completion c[256];
	uint32_t n = 0;

	OPEN(fd);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	for (uint32_t i = 0; i < info.max_inflight; i++) {
		struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 16);

		x.flags = AXI_DMA_XFER_NONBLOCK;
		int r = io(fd, AXI_DMA_IOC_XFER, &x);

		/* uapi.md: EBUSY also when "the provider has no descriptor free while transfers
		 * are in flight: reap, then retry" -- these finish at once: wait, retry. */
		for (int k = 0; r == -EBUSY && k < 20; k++) {
			usleep(50000);
			r = io(fd, AXI_DMA_IOC_XFER, &x);
		}
		CHECK(!r, "transfer %u of max_inflight %u (earlier ones finished, not collected): %s", i, info.max_inflight, ename(r));
	}
	usleep(200000); /* all finished by now, none collected */
	struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 16);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EBUSY);
	x.flags = 0;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EBUSY);
	while (n < info.max_inflight) {
		int r = reap(fd, c, 256, 1, 5000, NULL);

		CHECK(r > 0, "REAP: %s after %u", ename(r), n);
		n += (uint32_t)r;
	}
	x.flags = 0;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	close(fd);
	return 0;
}

/* poll(): POLLIN when a completion can be reaped, not before, not after it was reaped. */
static int c_poll(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_completion c[1];
	struct pollfd p;

	OPEN(fd);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "POLLIN (revents %#x) with nothing submitted", p.revents);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "no POLLIN within 5 s of a finished transfer");
	CHECK(reap(fd, c, 1, 0, 0, NULL) == 1, "POLLIN but nothing to reap");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "POLLIN (revents %#x) after everything was reaped", p.revents);
	/* A blocking transfer's completion never shows up (REAP never hands those out). */
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 4096);
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "POLLIN after a blocking transfer");
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * SYNC.
 */
static int c_sync(void)
{
	int fd;
	struct buf cb, pb;
	struct axi_dma_sync s;

	OPEN(fd);
	ALLOCF(fd, 0, 10000, AXI_DMA_ALLOC_CACHED, &cb);
	ALLOC(fd, 0, 10000, &pb);
	s = (struct axi_dma_sync){ .id = cb.id, .op = AXI_DMA_SYNC_FOR_DEVICE, .offset = 3, .len = 9997 };
	OK(io(fd, AXI_DMA_IOC_SYNC, &s));
	s = (struct axi_dma_sync){ .id = cb.id, .op = AXI_DMA_SYNC_FOR_CPU, .offset = 0, .len = 1 };
	OK(io(fd, AXI_DMA_IOC_SYNC, &s));
	s = (struct axi_dma_sync){ .id = pb.id, .op = AXI_DMA_SYNC_FOR_CPU, .offset = 0, .len = 10000 };
	OK(io(fd, AXI_DMA_IOC_SYNC, &s)); /* "a cheap no-op on coherent buffers" */
#define S(field, val, e) do { s = (struct axi_dma_sync){ .id = cb.id, .op = AXI_DMA_SYNC_FOR_CPU, .len = 16 }; \
		s.field = val; int r_ = io(fd, AXI_DMA_IOC_SYNC, &s); \
		CHECK(r_ == -(e), "SYNC with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	S(op, 0, EINVAL);
	S(op, 3, EINVAL);
	S(len, 0, EINVAL);
	S(offset, 9990, EINVAL);
	S(len, 10001, EINVAL);
	S(offset, ~0ull - 4, EOVERFLOW);
	S(id, cb.id + pb.id + 100, ENOENT);
#undef S
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * KBENCH.
 */
static int c_kbench(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_kbench k;

	OPEN(fd);
	ALLOC(fd, mc, 65536, &s);
	ALLOC(fd, mc, 65536, &d);
	fill(s.p, 65536, 77);
	k = (struct axi_dma_kbench){ .chan = mc, .src_buf = s.id, .dst_buf = d.id, .depth = 4, .len = 65536, .iters = 8 };
	OK(io(fd, AXI_DMA_IOC_KBENCH, &k));
	CHECK(k.total_ns > 0 && k.submit_ns <= k.total_ns, "total_ns %llu submit_ns %llu",
	      (unsigned long long)k.total_ns, (unsigned long long)k.submit_ns);
	CHECK(!memcmp(s.p, d.p, 65536), "KBENCH's copies differ");
	/* "never returns with a transfer in flight". */
	struct axi_dma_completion c[1];
	uint32_t pend = 9;
	CHECK(reap(fd, c, 1, 0, 0, &pend) == 0 && pend == 0, "something in flight or to reap after KBENCH (pending %u)", pend);
#define K(field, val, e) do { k = (struct axi_dma_kbench){ .chan = mc, .src_buf = s.id, .dst_buf = d.id, \
		.depth = 1, .len = 4096, .iters = 1 }; k.field = val; int r_ = io(fd, AXI_DMA_IOC_KBENCH, &k); \
		CHECK(r_ == -(e), "KBENCH with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	K(depth, 0, EINVAL);
	K(depth, 65, EINVAL);
	K(iters, 0, EINVAL);
	K(iters, 1000001, EINVAL);
	K(len, 0, EINVAL);
	K(len, 65537, EINVAL);
	K(chan, nch, EINVAL);
	K(src_buf, s.id + d.id + 100, ENOENT);
	/* ABI 2; revision 3: flags other than AXI_DMA_KBENCH_* */
	K(flags, 1u << 2, EINVAL);
	K(flags, 0x80000000u, EINVAL);
	K(total_ns, 1, EINVAL);
	K(submit_ns, 1, EINVAL);
#undef K
	close(fd);
	return 0;
}

/* Revision 3: AXI_DMA_KBENCH_BARE, "the bare dmaengine path", is still a memcpy of
 * src_buf into dst_buf, depth in flight, checked like XFER, nothing left in flight. */
static int c_kbench_bare(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_kbench k;
	struct axi_dma_completion c[1];
	uint32_t pend = 9;

	OPEN(fd);
	ALLOC(fd, mc, 65536, &s);
	ALLOC(fd, mc, 65536, &d);
	fill(s.p, 65536, 91);
	k = (struct axi_dma_kbench){ .chan = mc, .src_buf = s.id, .dst_buf = d.id, .depth = 8, .len = 65536,
				     .iters = 40, .flags = AXI_DMA_KBENCH_BARE };
	OK(io(fd, AXI_DMA_IOC_KBENCH, &k));
	CHECK(k.total_ns > 0 && k.submit_ns <= k.total_ns && k.flags == AXI_DMA_KBENCH_BARE,
	      "total_ns %llu submit_ns %llu flags %#x", (unsigned long long)k.total_ns,
	      (unsigned long long)k.submit_ns, k.flags);
	CHECK(!memcmp(s.p, d.p, 65536), "bare KBENCH's copies differ");
	CHECK(reap(fd, c, 1, 0, 0, &pend) == 0 && pend == 0, "something in flight or to reap after KBENCH (pending %u)", pend);
	/* Checked like XFER: a range past the buffer, an unknown buffer. */
	k = (struct axi_dma_kbench){ .chan = mc, .src_buf = s.id, .dst_buf = d.id, .depth = 1, .len = 65537,
				     .iters = 1, .flags = AXI_DMA_KBENCH_BARE };
	WANT(io(fd, AXI_DMA_IOC_KBENCH, &k), EINVAL);
	k.len = 64;
	k.dst_buf = s.id + d.id + 100;
	WANT(io(fd, AXI_DMA_IOC_KBENCH, &k), ENOENT);
	close(fd);
	return 0;
}

/* Revision 3: AXI_DMA_KBENCH_LOOPBACK: src_buf sent on chan, received into dst_buf on its
 * pair, with and without BARE. A channel that cannot send: EOPNOTSUPP. */
static int c_kbench_loopback(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_kbench k;
	uint32_t f;

	OPEN(fd);
	ALLOC(fd, stx, 16384, &s);
	ALLOC(fd, srx, 16384, &d);
	for (f = 0; f < 2; f++) {
		fill(s.p, 16384, 13 + f);
		memset(d.p, 0, 16384);
		k = (struct axi_dma_kbench){ .chan = stx, .src_buf = s.id, .dst_buf = d.id, .depth = 1, .len = 16384,
					     .iters = 6, .flags = AXI_DMA_KBENCH_LOOPBACK | (f ? AXI_DMA_KBENCH_BARE : 0) };
		OK(io(fd, AXI_DMA_IOC_KBENCH, &k));
		CHECK(k.total_ns > 0, "flags %#x: total_ns 0", k.flags);
		CHECK(!memcmp(s.p, d.p, 16384), "KBENCH loopback (flags %#x): received data differs", k.flags);
	}
	k = (struct axi_dma_kbench){ .chan = srx, .src_buf = d.id, .dst_buf = s.id, .depth = 1, .len = 4096,
				     .iters = 1, .flags = AXI_DMA_KBENCH_LOOPBACK };
	WANT(io(fd, AXI_DMA_IOC_KBENCH, &k), EOPNOTSUPP);
	close(fd);
	return 0;
}

/* KBENCH_LOOPBACK on a channel without a pair (CHAN_INFO pair = AXI_DMA_NO_PAIR): EINVAL. */
static int c_kbench_loopback_nopair(void)
{
	int fd;
	uint32_t i;
	struct buf s, d;

	OPEN(fd);
	for (i = 0; i < nch; i++) {
		struct axi_dma_chan_info ci = { .index = i };

		OK(io(fd, AXI_DMA_IOC_CHAN_INFO, &ci));
		if (ci.pair != AXI_DMA_NO_PAIR)
			continue;
		ALLOC(fd, i, 4096, &s);
		ALLOC(fd, i, 4096, &d);
		struct axi_dma_kbench k = { .chan = i, .src_buf = s.id, .dst_buf = d.id, .depth = 1, .len = 4096,
					    .iters = 1, .flags = AXI_DMA_KBENCH_LOOPBACK };
		WANT(io(fd, AXI_DMA_IOC_KBENCH, &k), EINVAL);
	}
	close(fd);
	return 0;
}

/* KBENCH "Claims the channel while it runs (EBUSY for others)"; killed with SIGKILL it
 * ends, and the channel is free again. */
static int c_kbench_claims(void)
{
	int fd, fd2, st;
	struct buf s, d, s2, d2;
	pid_t ch;

	OPEN(fd);
	OPEN(fd2);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	ALLOC(fd2, mc, 4096, &s2);
	ALLOC(fd2, mc, 4096, &d2);
	ch = fork();
	if (ch == 0) {
		struct axi_dma_kbench k = { .chan = mc, .src_buf = s.id, .dst_buf = d.id, .depth = 2, .len = 4096,
					    .iters = 1000000 };

		_exit(io(fd, AXI_DMA_IOC_KBENCH, &k) ? 1 : 0);
	}
	usleep(300000);
	struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, s2.id, d2.id, 64);
	int r1 = io(fd2, AXI_DMA_IOC_XFER, &x);
	struct axi_dma_claim cl = { .chan = mc };
	int r2 = io(fd2, AXI_DMA_IOC_CLAIM, &cl);
	int alive = waitpid(ch, &st, WNOHANG) == 0;
	kill(ch, SIGKILL);
	waitpid(ch, &st, 0);
	CHECK(alive, "KBENCH of 1,000,000 iterations ended within 300 ms");
	CHECK(r1 == -EBUSY && r2 == -EBUSY, "another file while KBENCH runs: XFER %s, CLAIM %s, want EBUSY", ename(r1),
	      ename(r2));
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s2.id, d2.id, 64);
	OK(io(fd2, AXI_DMA_IOC_XFER, &x));
	close(fd2);
	close(fd);
	return 0;
}

/* KBENCH on a channel without memcpy: "checked like a memcpy XFER" -> EOPNOTSUPP. */
static int c_kbench_eopnotsupp(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		struct buf s, d;

		if (ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM)
			continue;
		ALLOC(fd, c, 4096, &s);
		ALLOC(fd, c, 4096, &d);
		struct axi_dma_kbench k = { .chan = c, .src_buf = s.id, .dst_buf = d.id, .depth = 1, .len = 4096, .iters = 1 };
		WANT(io(fd, AXI_DMA_IOC_KBENCH, &k), EOPNOTSUPP);
	}
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * CLAIM / UNCLAIM / CANCEL.
 */
static int c_claim(void)
{
	int fd, fd2;
	struct buf s, d, s2, d2;
	struct axi_dma_claim cl = { .chan = mc };
	struct axi_dma_cancel cn = { .chan = mc };
	struct axi_dma_xfer x;

	OPEN(fd);
	OPEN(fd2);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	ALLOC(fd2, mc, 4096, &s2);
	ALLOC(fd2, mc, 4096, &d2);
	OK(io(fd, AXI_DMA_IOC_CLAIM, &cl));
	OK(io(fd, AXI_DMA_IOC_CLAIM, &cl)); /* "claiming twice is not an error" */
	WANT(io(fd2, AXI_DMA_IOC_CLAIM, &cl), EBUSY);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s2.id, d2.id, 64);
	WANT(io(fd2, AXI_DMA_IOC_XFER, &x), EBUSY);
	WANT(io(fd2, AXI_DMA_IOC_CANCEL, &cn), EBUSY);
	struct axi_dma_kbench k = { .chan = mc, .src_buf = s2.id, .dst_buf = d2.id, .depth = 1, .len = 64, .iters = 1 };
	WANT(io(fd2, AXI_DMA_IOC_KBENCH, &k), EBUSY);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 64);
	OK(io(fd, AXI_DMA_IOC_XFER, &x)); /* the owner works */
	WANT(io(fd2, AXI_DMA_IOC_UNCLAIM, &cl), EINVAL);
	OK(io(fd, AXI_DMA_IOC_UNCLAIM, &cl));
	WANT(io(fd, AXI_DMA_IOC_UNCLAIM, &cl), EINVAL);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s2.id, d2.id, 64);
	OK(io(fd2, AXI_DMA_IOC_XFER, &x));
	/* the last close releases a claim (a file without mappings: they hold it open) */
	int fd3;
	OPEN(fd3);
	OK(io(fd3, AXI_DMA_IOC_CLAIM, &cl));
	WANT(io(fd2, AXI_DMA_IOC_CLAIM, &cl), EBUSY);
	close(fd3);
	OK(io(fd2, AXI_DMA_IOC_CLAIM, &cl));
	close(fd);
	close(fd2);
	return 0;
}

static int c_claim_einval(void)
{
	int fd;
	struct axi_dma_claim cl;

	OPEN(fd);
	cl = (struct axi_dma_claim){ .chan = 0, .flags = 1 };
	WANT(io(fd, AXI_DMA_IOC_CLAIM, &cl), EINVAL);
	cl = (struct axi_dma_claim){ .chan = nch };
	WANT(io(fd, AXI_DMA_IOC_CLAIM, &cl), EINVAL);
	cl = (struct axi_dma_claim){ .chan = nch };
	WANT(io(fd, AXI_DMA_IOC_UNCLAIM, &cl), EINVAL);
	close(fd);
	return 0;
}

/* CANCEL with nothing in flight: cancelled 0; bad channel EINVAL; cancelled zero on input
 * (ABI 2). */
static int c_cancel_idle(void)
{
	int fd;
	struct axi_dma_cancel cn;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		cn = (struct axi_dma_cancel){ .chan = c };
		OK(io(fd, AXI_DMA_IOC_CANCEL, &cn));
		CHECK(cn.cancelled == 0, "chan %u: cancelled %u with nothing in flight", c, cn.cancelled);
	}
	cn = (struct axi_dma_cancel){ .chan = nch };
	WANT(io(fd, AXI_DMA_IOC_CANCEL, &cn), EINVAL);
	cn = (struct axi_dma_cancel){ .chan = 0, .cancelled = 1 };
	WANT(io(fd, AXI_DMA_IOC_CANCEL, &cn), EINVAL);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Slave configuration.
 */
static int c_slave_config(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		uint32_t dirs[2] = { AXI_DMA_DIR_MEM_TO_DEV, AXI_DMA_DIR_DEV_TO_MEM };

		for (int k = 0; k < 2; k++) {
			struct axi_dma_slave_config s = { .chan = c, .direction = dirs[k], .dev_addr = fifo_addr[c],
							  .addr_width = 4, .maxburst = 1 };
			int r = io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s);

			if (ci[c].directions & dirs[k])
				CHECK(r == 0, "SLAVE_CONFIG chan %u (%s) direction %#x dev_addr %#llx: %s", c, ci[c].name,
				      dirs[k], (unsigned long long)fifo_addr[c], ename(r));
			else
				CHECK(r == -EOPNOTSUPP, "SLAVE_CONFIG chan %u (%s, directions %#x) direction %#x: %s, want EOPNOTSUPP",
				      c, ci[c].name, ci[c].directions, dirs[k], ename(r));
		}
	}
	close(fd);
	return 0;
}

static int c_slave_config_einval(void)
{
	int fd;
	struct axi_dma_slave_config s;
	uint32_t dir = (ci[slave].directions & AXI_DMA_DIR_MEM_TO_DEV) ? AXI_DMA_DIR_MEM_TO_DEV : AXI_DMA_DIR_DEV_TO_MEM;

	OPEN(fd);
#define SC(field, val, e) do { s = (struct axi_dma_slave_config){ .chan = slave, .direction = dir, \
		.dev_addr = fifo_addr[slave], .addr_width = 4, .maxburst = 1 }; s.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s); \
		CHECK(r_ == -(e), "SLAVE_CONFIG with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	SC(addr_width, 0, EINVAL);
	SC(addr_width, 3, EINVAL);
	SC(addr_width, 16, EINVAL);
	SC(maxburst, 0, EINVAL);
	SC(direction, 0, EINVAL);
	SC(direction, AXI_DMA_DIR_MEM_TO_MEM, EINVAL);
	SC(direction, AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM, EINVAL);
	SC(chan, nch, EINVAL);
	/* ABI 2: a dev_addr other than 0 or the DT's FIFO address: EPERM. */
	SC(dev_addr, fifo_addr[slave] + 0x1000, EPERM);
	SC(dev_addr, 0x80000000ull, EPERM);
#undef SC
	/* SLAVE_CONFIG_GET: "dev_addr, addr_width, maxburst must be 0"; bad direction. */
#define SG(field, val, e) do { s = (struct axi_dma_slave_config){ .chan = slave, .direction = dir }; s.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_SLAVE_CONFIG_GET, &s); \
		CHECK(r_ == -(e), "SLAVE_CONFIG_GET with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	SG(dev_addr, 1, EINVAL);
	SG(addr_width, 4, EINVAL);
	SG(maxburst, 1, EINVAL);
	SG(direction, 0, EINVAL);
	SG(direction, AXI_DMA_DIR_MEM_TO_MEM, EINVAL);
	SG(direction, AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM, EINVAL);
	SG(chan, nch, EINVAL);
#undef SG
	close(fd);
	return 0;
}

/* SLAVE_CONFIG on a channel without slave directions: EOPNOTSUPP (both directions). */
static int c_slave_config_memcpy_only(void)
{
	int fd;
	struct axi_dma_slave_config s = { .chan = noslave, .direction = AXI_DMA_DIR_MEM_TO_DEV, .addr_width = 4, .maxburst = 1 };

	OPEN(fd);
	WANT(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s), EOPNOTSUPP);
	s.direction = AXI_DMA_DIR_DEV_TO_MEM;
	WANT(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s), EOPNOTSUPP);
	s.direction = AXI_DMA_DIR_DEV_TO_MEM;
	s.addr_width = s.maxburst = 0;
	WANT(io(fd, AXI_DMA_IOC_SLAVE_CONFIG_GET, &s), EOPNOTSUPP);
	close(fd);
	return 0;
}

/* ABI 2: SLAVE_CONFIG_GET reads back what SLAVE_CONFIG stored, per channel direction,
 * visible to every open file ("applies to the channel as a whole"). */
static int c_slave_config_get(void)
{
	int fd, fd2;
	uint32_t dirs[2] = { AXI_DMA_DIR_MEM_TO_DEV, AXI_DMA_DIR_DEV_TO_MEM };

	OPEN(fd);
	OPEN(fd2);
	for (uint32_t c = 0; c < nch; c++)
		for (int k = 0; k < 2; k++) {
			struct axi_dma_slave_config s = { .chan = c, .direction = dirs[k], .dev_addr = fifo_addr[c],
							  .addr_width = (k ? 2u : 8u), .maxburst = 4u + (uint32_t)k };
			struct axi_dma_slave_config g = { .chan = c, .direction = dirs[k] };

			if (!(ci[c].directions & dirs[k]))
				continue;
			OK(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s));
			int r = io(fd2, AXI_DMA_IOC_SLAVE_CONFIG_GET, &g);

			CHECK(!r, "SLAVE_CONFIG_GET chan %u direction %#x: %s", c, dirs[k], ename(r));
			CHECK(g.dev_addr == s.dev_addr && g.addr_width == s.addr_width && g.maxburst == s.maxburst,
			      "chan %u dir %#x: set %#llx/%u/%u, read back %#llx/%u/%u", c, dirs[k],
			      (unsigned long long)s.dev_addr, s.addr_width, s.maxburst, (unsigned long long)g.dev_addr,
			      g.addr_width, g.maxburst);
			/* "dev_addr 0 means that one" (the DT's); back to the documented default */
			s = (struct axi_dma_slave_config){ .chan = c, .direction = dirs[k], .addr_width = 4, .maxburst = 1 };
			OK(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &s));
			g = (struct axi_dma_slave_config){ .chan = c, .direction = dirs[k] };
			OK(io(fd2, AXI_DMA_IOC_SLAVE_CONFIG_GET, &g));
			CHECK(g.dev_addr == fifo_addr[c] && g.addr_width == 4 && g.maxburst == 1,
			      "chan %u dir %#x: set 0/4/1, read back %#llx/%u/%u, want the DT's %#llx/4/1", c, dirs[k],
			      (unsigned long long)g.dev_addr, g.addr_width, g.maxburst, (unsigned long long)fifo_addr[c]);
		}
	close(fd2);
	close(fd);
	return 0;
}

/* FIFO channels (PL330 on the Zynq-7000): every word goes to the one FIFO address, so
 * sending n words leaves the last one there, and receiving fills the buffer with it. */
static int c_slave_fifo_data(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_slave_config sc = { .chan = ftx, .direction = AXI_DMA_DIR_MEM_TO_DEV, .dev_addr = fifo_addr[ftx],
					   .addr_width = 4, .maxburst = 1 };
	uint32_t *w, *r;

	OPEN(fd);
	OK(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &sc));
	sc = (struct axi_dma_slave_config){ .chan = frx, .direction = AXI_DMA_DIR_DEV_TO_MEM, .dev_addr = fifo_addr[frx],
					    .addr_width = 4, .maxburst = 1 };
	OK(io(fd, AXI_DMA_IOC_SLAVE_CONFIG, &sc));
	ALLOC(fd, ftx, 4096, &s);
	ALLOC(fd, frx, 4096, &d);
	w = (uint32_t *)s.p;
	r = (uint32_t *)d.p;
	fill(s.p, 4096, 31);
	x = xf(ftx, AXI_DMA_XFER_TO_DEV, s.id, 0, 256);
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == 256 && x.error == 0, "TO_DEV: bytes %llu error %d", (unsigned long long)x.bytes, x.error);
	x = xf(frx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 256);
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == 256 && x.error == 0, "FROM_DEV: bytes %llu error %d", (unsigned long long)x.bytes, x.error);
	for (int i = 0; i < 64; i++)
		CHECK(r[i] == w[63], "word %d is %#x, want the FIFO's %#x", i, r[i], w[63]);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Streaming pair (tx looped back into rx): slave transfers with data.
 */
static int c_loop_data(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_wait w;
	uint64_t id;

	OPEN(fd);
	ALLOC(fd, stx, 65536, &s);
	ALLOC(fd, srx, 65536, &d);
	fill(s.p, 65536, 5);
	memset(d.p, 0xcc, 65536);
	if (rx_submit(fd, &d, 65536, 42, &id))
		return -1;
	x = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 1000);
	x.src_off = 8;
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == 1000 && x.error == 0, "TO_DEV: bytes %llu error %d", (unsigned long long)x.bytes, x.error);
	w = (struct axi_dma_wait){ .xfer_id = id, .timeout_ms = 5000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	/* A shorter packet: bytes = len - residue = what arrived. */
	CHECK(w.error == 0 && w.bytes == 1000 && w.user_data == 42, "rx: error %d bytes %llu user_data %llu", w.error,
	      (unsigned long long)w.bytes, (unsigned long long)w.user_data);
	CHECK(!memcmp(d.p, s.p + 8, 1000), "received data differs");
	CHECK(d.p[1000] == 0xcc, "written past the packet");
	close(fd);
	return 0;
}

/* AXI_DMA_XFER_LOOPBACK: "src -> chan (tx) ... rx_chan -> dst; blocking only; bytes = what
 * rx received". */
static int c_loop_kind(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOC(fd, stx, 8192, &s);
	ALLOC(fd, srx, 8192, &d);
	fill(s.p, 8192, 6);
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, s.id, d.id, 4000);
	x.rx_chan = srx;
	x.dst_off = 100;
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == 4000 && x.error == 0, "bytes %llu error %d", (unsigned long long)x.bytes, x.error);
	CHECK(!memcmp(d.p + 100, s.p, 4000), "data differs");
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, s.id, d.id, 4000);
	x.rx_chan = srx;
	x.flags = AXI_DMA_XFER_NONBLOCK;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, s.id, d.id, 4000);
	x.rx_chan = nch;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	/* Sending on the rx channel, receiving on tx: directions they lack. */
	x = xf(srx, AXI_DMA_XFER_LOOPBACK, s.id, d.id, 4000);
	x.rx_chan = stx;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EOPNOTSUPP);
	close(fd);
	return 0;
}

/* ETIMEDOUT: a receive with nothing sent, blocking with timeout_ms; "the channel is
 * terminated" and usable after. */
static int c_etimedout(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	uint64_t t0;

	OPEN(fd);
	ALLOC(fd, stx, 4096, &s);
	ALLOC(fd, srx, 4096, &d);
	/* A non-blocking receive queued first: the timeout's terminate aborts it too. */
	uint64_t other;
	if (rx_submit(fd, &d, 4096, 3, &other))
		return -1;
	x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 4096);
	x.timeout_ms = 200;
	t0 = now_ms();
	int r = io(fd, AXI_DMA_IOC_XFER, &x);
	uint64_t el = now_ms() - t0;

	CHECK(r == -ETIMEDOUT && x.error == -ETIMEDOUT, "a receive with nothing sent: %s (error %d), want ETIMEDOUT and error -ETIMEDOUT",
	      ename(r), x.error);
	/* (A few ms of slack: the kernel counts in jiffies, the test in CLOCK_MONOTONIC, and an
	 * emulated guest on a loaded host can see the two drift by a tick or two.) */
	CHECK(el >= 180 && el < 3000, "timed out after %llu ms, timeout_ms 200", (unsigned long long)el);
	{
		struct axi_dma_completion c[1];
		int n = reap(fd, c, 1, 1, 2000, NULL);

		CHECK(n == 1 && c[0].xfer_id == other && c[0].error == -ECANCELED,
		      "the other receive on the terminated channel: n %d error %d, want -ECANCELED (\"aborts every transfer on it\")",
		      n, n == 1 ? c[0].error : 0);
	}
	/* usable after */
	uint64_t id;
	if (rx_submit(fd, &d, 4096, 0, &id))
		return -1;
	x = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 64);
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	struct axi_dma_wait w = { .xfer_id = id, .timeout_ms = 5000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.error == 0 && w.bytes == 64, "after the timeout: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	close(fd);
	return 0;
}

/* A receive still waiting for data: STATUS pending with bytes 0; REAP with min 1 returns 0
 * with count 0 after its timeout ("a timeout is not an error here") and pending 1; WAIT's
 * timeout terminates the channel and collects the transfer with ETIMEDOUT (error set;
 * the id is gone). */
static int c_wait_reap_timeout(void)
{
	int fd;
	struct buf d;
	uint64_t id;
	struct axi_dma_completion c[1];
	struct axi_dma_reap rp;

	OPEN(fd);
	ALLOC(fd, srx, 4096, &d);
	if (rx_submit(fd, &d, 4096, 0, &id))
		return -1;
	struct axi_dma_status st = { .xfer_id = id };
	OK(io(fd, AXI_DMA_IOC_STATUS, &st));
	CHECK(st.state == AXI_DMA_STATE_PENDING && st.bytes == 0, "STATUS of a waiting receive: state %u bytes %llu",
	      st.state, (unsigned long long)st.bytes);
	rp = (struct axi_dma_reap){ .entries = (uintptr_t)c, .max = 1, .min = 1, .timeout_ms = 150 };
	uint64_t t0 = now_ms();
	int r = io(fd, AXI_DMA_IOC_REAP, &rp);
	uint64_t el = now_ms() - t0;
	CHECK(r == 0 && rp.count == 0 && rp.pending == 1, "REAP min 1 timeout 150 with nothing done: %s count %u pending %u",
	      ename(r), rp.count, rp.pending);
	CHECK(el >= 140 && el < 3000, "REAP returned after %llu ms, timeout_ms 150", (unsigned long long)el);
	struct axi_dma_wait w = { .xfer_id = id, .timeout_ms = 100 };
	r = io(fd, AXI_DMA_IOC_WAIT, &w);
	CHECK(r == -ETIMEDOUT && w.error == -ETIMEDOUT, "WAIT on a receive with nothing sent: %s error %d, want ETIMEDOUT",
	      ename(r), w.error);
	w = (struct axi_dma_wait){ .xfer_id = id, .timeout_ms = 100 };
	WANT(io(fd, AXI_DMA_IOC_WAIT, &w), ENOENT);
	close(fd);
	return 0;
}

/* WAIT: "EBUSY: another thread is already waiting for that id"; "EINTR: nothing collected,
 * the id stays". REAP: "EINTR (a signal before anything was collected)". A forked child
 * shares the open file, so its WAIT is another waiter on the same file. */
static int c_wait_ebusy_eintr(void)
{
	int fd, st;
	struct buf s, d;
	uint64_t id;
	pid_t ch, k;
	struct axi_dma_wait w;
	struct axi_dma_completion c[1];

	OPEN(fd);
	ALLOC(fd, stx, 4096, &s);
	ALLOC(fd, srx, 4096, &d);
	if (rx_submit(fd, &d, 4096, 5, &id))
		return -1;
	/* EINTR, the id stays. */
	w = (struct axi_dma_wait){ .xfer_id = id, .timeout_ms = 10000 };
	k = signal_in(150);
	int r = io(fd, AXI_DMA_IOC_WAIT, &w);
	waitpid(k, NULL, 0);
	CHECK(r == -EINTR, "WAIT hit by a signal: %s, want EINTR", ename(r));
	struct axi_dma_status sst = { .xfer_id = id };
	OK(io(fd, AXI_DMA_IOC_STATUS, &sst));
	/* REAP min 1 hit by a signal before anything was collected: EINTR. */
	struct axi_dma_reap rp = { .entries = (uintptr_t)c, .max = 1, .min = 1, .timeout_ms = 10000 };
	k = signal_in(150);
	r = io(fd, AXI_DMA_IOC_REAP, &rp);
	waitpid(k, NULL, 0);
	CHECK(r == -EINTR, "REAP min 1 hit by a signal: %s, want EINTR", ename(r));
	/* Another waiter: EBUSY. */
	ch = fork();
	if (ch == 0) {
		struct axi_dma_wait cw = { .xfer_id = id, .timeout_ms = 3000 };

		_exit(io(fd, AXI_DMA_IOC_WAIT, &cw) == 0 && cw.bytes == 77 ? 0 : 1);
	}
	usleep(300000);
	w = (struct axi_dma_wait){ .xfer_id = id, .timeout_ms = 100 };
	r = io(fd, AXI_DMA_IOC_WAIT, &w);
	struct axi_dma_xfer x = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 77);
	x.timeout_ms = 3000;
	int r2 = io(fd, AXI_DMA_IOC_XFER, &x);
	waitpid(ch, &st, 0);
	CHECK(r == -EBUSY, "a second WAIT for an id another process of the file waits for: %s, want EBUSY", ename(r));
	CHECK(r2 == 0, "the send: %s", ename(r2));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the first waiter did not collect the receive (77 bytes)");
	close(fd);
	return 0;
}

/* ECANCELED: CANCEL of a waiting receive reports it (cancelled) and its completion carries
 * -ECANCELED. Another file's CANCEL while this one has transfers: EBUSY. */
static int c_ecanceled(void)
{
	int fd, fd2;
	struct buf d;
	uint64_t id;
	struct axi_dma_completion c[1];
	struct axi_dma_cancel cn = { .chan = srx };

	OPEN(fd);
	OPEN(fd2);
	ALLOC(fd, srx, 4096, &d);
	if (rx_submit(fd, &d, 4096, 7, &id))
		return -1;
	WANT(io(fd2, AXI_DMA_IOC_CANCEL, &cn), EBUSY);
	/* CLAIM and a ring: EBUSY "while another file ... has transfers in flight on it". */
	struct axi_dma_claim cl = { .chan = srx };
	WANT(io(fd2, AXI_DMA_IOC_CLAIM, &cl), EBUSY);
	{
		struct buf b2;

		ALLOC(fd2, srx, 4096, &b2);
		WANT(sstart(fd2, srx, AXI_DMA_DIR_DEV_TO_MEM, &b2, 1, 4096, NULL), EBUSY);
	}
	cn = (struct axi_dma_cancel){ .chan = srx };
	OK(io(fd, AXI_DMA_IOC_CANCEL, &cn));
	CHECK(cn.cancelled == 1, "cancelled %u, want 1", cn.cancelled);
	int n = reap(fd, c, 1, 1, 2000, NULL);
	CHECK(n == 1 && c[0].xfer_id == id && c[0].error == -ECANCELED && c[0].user_data == 7,
	      "REAP after CANCEL: n %d error %d", n, n == 1 ? c[0].error : 0);
	close(fd2);
	close(fd);
	return 0;
}

/* EINTR: "the transfer stays in flight under the id written back; collect it with WAIT —
 * REAP never hands out blocking transfers". */
static int c_eintr(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;
	struct axi_dma_completion c[1];

	OPEN(fd);
	ALLOC(fd, stx, 4096, &s);
	ALLOC(fd, srx, 4096, &d);
	fill(s.p, 4096, 8);
	x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 4096);
	x.timeout_ms = 10000;
	x.user_data = 99;
	pid_t k = signal_in_flags(200, SA_RESTART); /* "SA_RESTART does not restart them" */
	int r = io(fd, AXI_DMA_IOC_XFER, &x);

	waitpid(k, NULL, 0);
	CHECK(r == -EINTR, "a blocking receive hit by a signal (SA_RESTART handler): %s, want EINTR", ename(r));
	CHECK(x.xfer_id != 0, "no xfer_id written back");
	CHECK(reap(fd, c, 1, 0, 0, NULL) == 0, "REAP handed out the interrupted blocking transfer");
	struct axi_dma_xfer t = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 300);
	t.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &t));
	CHECK(reap(fd, c, 1, 1, 300, NULL) <= 0, "REAP handed out the interrupted blocking transfer after it finished");
	struct axi_dma_wait w = { .xfer_id = x.xfer_id, .timeout_ms = 5000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.error == 0 && w.bytes == 300 && w.user_data == 99, "WAIT: error %d bytes %llu user_data %llu", w.error,
	      (unsigned long long)w.bytes, (unsigned long long)w.user_data);
	CHECK(!memcmp(d.p, s.p, 300), "data differs");
	close(fd);
	return 0;
}

/* EBUSY (max_inflight) with receives waiting; CANCEL clears them. */
static int c_ebusy_waiting(void)
{
	int fd;
	struct buf d;
	struct axi_dma_cancel cn = { .chan = srx };

	OPEN(fd);
	ALLOC(fd, srx, 4096, &d);
	for (uint32_t i = 0; i < info.max_inflight; i++)
		if (rx_submit(fd, &d, 64, i, NULL))
			return -1;
	struct axi_dma_xfer x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 64);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EBUSY);
	OK(io(fd, AXI_DMA_IOC_CANCEL, &cn));
	CHECK(cn.cancelled == info.max_inflight, "cancelled %u, want %u", cn.cancelled, info.max_inflight);
	close(fd);
	return 0;
}


/* Blocking XFER: ECANCELED when "another call terminated the channel meanwhile"; REAP's
 * pending counts "blocking ones included"; its id is not WAIT's or STATUS's while its
 * caller waits (ENOENT). The blocking receive runs in a forked child
 * (same open file), the CANCEL in the parent. */
static int c_blocking_ecanceled(void)
{
	int fd, st, pfd[2];
	struct buf d;
	pid_t ch;
	struct axi_dma_completion c[1];
	uint32_t pend = 0;

	OPEN(fd);
	ALLOC(fd, srx, 4096, &d);
	CHECK(pipe(pfd) == 0, "pipe");
	ch = fork();
	if (ch == 0) {
		struct axi_dma_xfer x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 4096);
		int r;

		x.timeout_ms = 5000;
		r = io(fd, AXI_DMA_IOC_XFER, &x);
		char m[64];
		snprintf(m, sizeof(m), "%d %d", r, x.error);
		(void)!write(pfd[1], m, strlen(m));
		_exit(0);
	}
	close(pfd[1]);
	for (int i = 0; i < 100 && pend == 0; i++) {
		usleep(20000);
		CHECK(reap(fd, c, 1, 0, 0, &pend) == 0, "REAP handed out a blocking transfer");
	}
	CHECK(pend == 1, "REAP pending %u while a blocking receive waits, want 1", pend);
	/* "Until then the id is the caller's alone: WAIT and STATUS on it from elsewhere get
	 * ENOENT." The child's receive is the file's first transfer: id 1. */
	struct axi_dma_wait w1 = { .xfer_id = 1, .timeout_ms = 100 };
	int rw = io(fd, AXI_DMA_IOC_WAIT, &w1);
	CHECK(rw == -ENOENT, "WAIT on the id of a blocking receive its caller waits for: %s, want ENOENT", ename(rw));
	struct axi_dma_status s1 = { .xfer_id = 1 };
	rw = io(fd, AXI_DMA_IOC_STATUS, &s1);
	CHECK(rw == -ENOENT, "STATUS on the id of a blocking receive its caller waits for: %s, want ENOENT", ename(rw));
	struct axi_dma_cancel cn = { .chan = srx };
	OK(io(fd, AXI_DMA_IOC_CANCEL, &cn));
	char m[64] = "";
	ssize_t n = read(pfd[0], m, sizeof(m) - 1);
	waitpid(ch, &st, 0);
	m[n > 0 ? n : 0] = 0;
	int r = 1, e = 1;
	sscanf(m, "%d %d", &r, &e);
	CHECK(r == -ECANCELED && e == -ECANCELED, "the blocking receive after CANCEL: %s error %d, want ECANCELED and -ECANCELED",
	      ename(r), e);
	CHECK(cn.cancelled == 1, "CANCEL: cancelled %u, want 1", cn.cancelled);
	close(fd);
	return 0;
}

/* "Every timeout_ms field: 0 means the module's default (timeout_ms parameter, 5000 ms)". */
static int c_default_timeout(void)
{
	int fd;
	struct buf d;
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOC(fd, srx, 4096, &d);
	x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, d.id, 4096);
	uint64_t t0 = now_ms();
	int r = io(fd, AXI_DMA_IOC_XFER, &x);
	uint64_t el = now_ms() - t0;
	CHECK(r == -ETIMEDOUT && el >= 4900 && el < 9000, "timeout_ms 0: %s after %llu ms, want ETIMEDOUT after 5000 ms",
	      ename(r), (unsigned long long)el);
	close(fd);
	return 0;
}

/* FREE: "The memory is freed when nothing uses it any more: ... the end of every transfer
 * using it": a receive into a freed (and unmapped) buffer still lands, in a second mapping
 * made before the free. The id is gone at once. Also: "others are ignored" -- the buffer
 * fields a kind does not use. */
static int c_free_inflight(void)
{
	int fd;
	struct buf s, d;
	uint64_t id;
	struct axi_dma_xfer x;
	struct axi_dma_wait w;

	OPEN(fd);
	ALLOC(fd, stx, 4096, &s);
	ALLOC(fd, srx, 4096, &d);
	fill(s.p, 4096, 21);
	if (rx_submit(fd, &d, 4096, 0, &id))
		return -1;
	struct axi_dma_free f = { .id = d.id };
	OK(io(fd, AXI_DMA_IOC_FREE, &f));
	WANT(io(fd, AXI_DMA_IOC_FREE, &f), ENOENT);
	x = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 512);
	x.dst_buf = 0xdeadbeef; /* unused by TO_DEV: ignored */
	x.dst_off = ~0ull;
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	w = (struct axi_dma_wait){ .xfer_id = id, .timeout_ms = 5000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.bytes == 512 && !memcmp(d.p, s.p, 512), "the receive into the freed buffer: bytes %llu or data differs",
	      (unsigned long long)w.bytes);
	close(fd);
	return 0;
}

/* Rings: STREAM_REAP "waits like REAP" (min with a timeout: 0 and count 0, queued); EINTR;
 * EFAULT for entries; "Closing the file stops its rings" (another file can start one). */
static int c_ring_reap_rules(void)
{
	int fd, fd2;
	struct buf r, t;
	uint32_t q = 0;
	struct axi_dma_stream_done d[2];
	struct axi_dma_stream_reap rp;

	OPEN(fd);
	ALLOC(fd, srx, 2 * 1024, &r);
	ALLOC(fd, stx, 4096, &t);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 2, 1024, &q));
	rp = (struct axi_dma_stream_reap){ .chan = srx, .max = 2, .entries = (uintptr_t)d, .min = 1, .timeout_ms = 150 };
	uint64_t t0 = now_ms();
	int e = io(fd, AXI_DMA_IOC_STREAM_REAP, &rp);
	uint64_t el = now_ms() - t0;
	CHECK(e == 0 && rp.count == 0 && rp.queued == 2 && el >= 140 && el < 3000,
	      "STREAM_REAP min 1 timeout 150, nothing sent: %s count %u queued %u after %llu ms", ename(e), rp.count, rp.queued,
	      (unsigned long long)el);
	rp = (struct axi_dma_stream_reap){ .chan = srx, .max = 2, .entries = (uintptr_t)d, .min = 1, .timeout_ms = 10000 };
	pid_t k = signal_in(150);
	e = io(fd, AXI_DMA_IOC_STREAM_REAP, &rp);
	waitpid(k, NULL, 0);
	CHECK(e == -EINTR, "STREAM_REAP hit by a signal: %s, want EINTR", ename(e));
	struct axi_dma_xfer x = xf(stx, AXI_DMA_XFER_TO_DEV, t.id, 0, 100);
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	usleep(200000);
	rp = (struct axi_dma_stream_reap){ .chan = srx, .max = 1, .entries = 8, .min = 1, .timeout_ms = 2000 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_REAP, &rp), EFAULT);
	munmap(r.p, r.mmap_size);
	munmap(t.p, t.mmap_size);
	close(fd); /* the last close: no mapping holds the file */
	OPEN(fd2);
	ALLOC(fd2, srx, 2 * 1024, &r);
	int rr = sstart(fd2, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 2, 1024, &q);
	CHECK(rr == 0, "a ring on the channel after the ring's file was closed: %s", ename(rr));
	close(fd2);
	return 0;
}

/* "A tx ring that drains between pushes (every pushed slot was sent before the next push)
 * therefore counts overruns". */
static int c_ring_tx_overrun(void)
{
	int fd;
	struct buf t, r;
	uint32_t q, len = 64, first;
	struct axi_dma_stream_done d[4];
	uint64_t o1 = 0, o2 = 0;

	OPEN(fd);
	ALLOC(fd, stx, 4 * 1024, &t);
	ALLOC(fd, srx, 4 * 1024, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 4, 1024, &q));
	OK(sstart(fd, stx, AXI_DMA_DIR_MEM_TO_DEV, &t, 4, 1024, &q));
	OK(spush(fd, stx, 1, &len, &first, NULL));
	int n = sreap(fd, stx, d, 4, 1, 3000, NULL, &o1);
	CHECK(n == 1, "tx reap of the first slot: %s", ename(n));
	OK(spush(fd, stx, 1, &len, &first, NULL));
	n = sreap(fd, stx, d, 4, 1, 3000, NULL, &o2);
	CHECK(n == 1, "tx reap of the second slot: %s", ename(n));
	CHECK(o2 == o1 + 1, "tx overruns %llu after the first slot, %llu after a push onto the drained ring, want one more",
	      (unsigned long long)o1, (unsigned long long)o2);
	CHECK(d[0].flags & AXI_DMA_STREAM_GAP, "the slot pushed onto the drained tx ring has no GAP flag");
	close(fd);
	return 0;
}

/* LOOPBACK after EINTR: "Its xfer_id after EINTR collects both halves with one WAIT"
 * (the loopback provider's delay_us makes it last long enough to be interrupted). */
static int c_loopback_eintr(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOC(fd, stx, 4096, &s);
	ALLOC(fd, srx, 4096, &d);
	fill(s.p, 4096, 4);
	CHECK(set_param("delay_us", "700000") == 0, "cannot set delay_us");
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, s.id, d.id, 2048);
	x.rx_chan = srx;
	x.timeout_ms = 10000;
	pid_t k = signal_in(100);
	int r = io(fd, AXI_DMA_IOC_XFER, &x);
	waitpid(k, NULL, 0);
	CHECK(r == -EINTR && x.xfer_id, "LOOPBACK hit by a signal: %s id %llu, want EINTR and an id", ename(r),
	      (unsigned long long)x.xfer_id);
	struct axi_dma_wait w = { .xfer_id = x.xfer_id, .timeout_ms = 10000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.error == 0 && w.bytes == 2048 && !memcmp(d.p, s.p, 2048), "WAIT: error %d bytes %llu (or data differs)",
	      w.error, (unsigned long long)w.bytes);
	struct axi_dma_completion c[2];
	uint32_t pend = 9;
	CHECK(reap(fd, c, 2, 0, 0, &pend) == 0 && pend == 0, "something left after the one WAIT (pending %u)", pend);
	close(fd);
	return 0;
}

/* uapi.md "Finding the device" and "Statistics": /sys/bus/platform/devices/<node>/misc/
 * axi-dmaN; /sys/kernel/debug/axi-dmaN/{stats,objects} with the documented columns, one
 * stats line per channel, reset by a write. */
static int c_sysfs_stats(void)
{
	const char *base = strrchr(dev_path, '/') ? strrchr(dev_path, '/') + 1 : dev_path;
	char path[256], line[200], node[64] = "";
	ssize_t n;
	FILE *f;
	int lines = 0;

	snprintf(path, sizeof(path), "/sys/class/misc/%.60s/device", base);
	n = readlink(path, line, sizeof(line) - 1);
	CHECK(n > 0, "%.200s: %s", path, strerror(errno));
	line[n] = 0;
	snprintf(node, sizeof(node), "%.60s", strrchr(line, '/') ? strrchr(line, '/') + 1 : line);
	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%.60s/misc/%.60s", node, base);
	CHECK(access(path, F_OK) == 0, "%.200s missing", path);
	snprintf(path, sizeof(path), "/sys/kernel/debug/%.60s/stats", base);
	f = fopen(path, "r");
	CHECK(f, "%.200s: %s", path, strerror(errno));
	CHECK(fgets(line, sizeof(line), f) &&
	      !strcmp(line, "channel transfers bytes errors timeouts cancelled latency_us overruns busy_us\n"),
	      "stats header: %s", line);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long v[8];

		CHECK(sscanf(line, "%63s %llu %llu %llu %llu %llu %llu %llu %llu", name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			     &v[6], &v[7]) == 9, "stats line: %s", line);
		CHECK((uint32_t)lines < nch && !strcmp(name, ci[lines].name), "stats line %d is %s, want channel %s", lines, name,
		      (uint32_t)lines < nch ? ci[lines].name : "(none)");
		lines++;
	}
	fclose(f);
	CHECK((uint32_t)lines == nch, "%d stats lines for %u channels", lines, nch);
	f = fopen(path, "w");
	CHECK(f && fputs("reset\n", f) >= 0 && fclose(f) == 0, "writing %.200s", path);
	f = fopen(path, "r");
	CHECK(f, "%.200s", path);
	(void)!fgets(line, sizeof(line), f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long t = 1, b = 1;

		CHECK(sscanf(line, "%63s %llu %llu", name, &t, &b) == 3 && t == 0 && b == 0, "after reset: %s", line);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/sys/kernel/debug/%.60s/objects", base);
	f = fopen(path, "r");
	CHECK(f, "%.200s: %s", path, strerror(errno));
	unsigned long long a, bb, c;
	CHECK(fscanf(f, "buffers %llu bytes %llu transfers %llu", &a, &bb, &c) == 3, "%.200s: not 'buffers N bytes N transfers N'",
	      path);
	fclose(f);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Fault injection (loopback provider): EIO.
 */
static int c_eio(void)
{
	int fd;
	struct buf s, d;
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOC(fd, mc, 4096, &s);
	ALLOC(fd, mc, 4096, &d);
	CHECK(set_param("fail", "1") == 0, "cannot set fail");
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 64);
	x.timeout_ms = 2000;
	int r = io(fd, AXI_DMA_IOC_XFER, &x);
	set_param("fail", "0");
	CHECK(r == -EIO && x.error == -EIO, "a transfer the provider fails: %s error %d, want EIO and error -EIO", ename(r), x.error);
	/* and in a completion */
	CHECK(set_param("fail", "1") == 0, "cannot set fail");
	x = xf(mc, AXI_DMA_XFER_MEMCPY, s.id, d.id, 64);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	r = io(fd, AXI_DMA_IOC_XFER, &x);
	struct axi_dma_completion c[1];
	int n = r ? r : reap(fd, c, 1, 1, 2000, NULL);
	set_param("fail", "0");
	CHECK(n == 1 && c[0].error == -EIO, "completion of a failed transfer: %s error %d", ename(n), n == 1 ? c[0].error : 0);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * Streaming rings.
 */
static int sstart(int fd, uint32_t ch, uint32_t dir, struct buf *b, uint32_t count, uint64_t slot, uint32_t *queued)
{
	struct axi_dma_stream_start s = { .chan = ch, .direction = dir, .buf = b->id, .count = count, .slot_size = slot };
	int r = io(fd, AXI_DMA_IOC_STREAM_START, &s);

	if (queued)
		*queued = s.queued;
	return r;
}

static int spush(int fd, uint32_t ch, uint32_t count, uint32_t *lens, uint32_t *first, uint32_t *queued)
{
	struct axi_dma_stream_push p = { .chan = ch, .count = count, .lens = (uintptr_t)lens };
	int r = io(fd, AXI_DMA_IOC_STREAM_PUSH, &p);

	if (first)
		*first = p.first;
	if (queued)
		*queued = p.queued;
	return r;
}

static int sreap(int fd, uint32_t ch, struct axi_dma_stream_done *d, uint32_t max, uint32_t min, uint32_t ms,
		 uint32_t *queued, uint64_t *ovr)
{
	struct axi_dma_stream_reap r = { .chan = ch, .max = max, .entries = (uintptr_t)d, .min = min, .timeout_ms = ms };
	int e = io(fd, AXI_DMA_IOC_STREAM_REAP, &r);

	if (queued)
		*queued = r.queued;
	if (ovr)
		*ovr = r.overruns;
	return e ? e : (int)r.count;
}

/* A ring on a channel without that slave direction: EOPNOTSUPP (every channel, both). */
static int c_ring_eopnotsupp(void)
{
	int fd;

	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		struct buf b;
		uint32_t dirs[2] = { AXI_DMA_DIR_MEM_TO_DEV, AXI_DMA_DIR_DEV_TO_MEM };

		ALLOC(fd, c, 8192, &b);
		for (int k = 0; k < 2; k++) {
			if (ci[c].directions & dirs[k])
				continue;
			int r = sstart(fd, c, dirs[k], &b, 2, 4096, NULL);
			CHECK(r == -EOPNOTSUPP, "ring on chan %u (%s, directions %#x) direction %#x: %s, want EOPNOTSUPP", c,
			      ci[c].name, ci[c].directions, dirs[k], ename(r));
		}
	}
	close(fd);
	return 0;
}

/* No ring: PUSH, REAP, STOP give ENOENT. */
static int c_ring_enoent(void)
{
	int fd;
	struct axi_dma_stream_done d[1];
	struct axi_dma_stream_stop st = { .chan = 0 };

	OPEN(fd);
	WANT(spush(fd, 0, 1, NULL, NULL, NULL), ENOENT);
	WANT(sreap(fd, 0, d, 1, 0, 0, NULL, NULL), ENOENT);
	WANT(io(fd, AXI_DMA_IOC_STREAM_STOP, &st), ENOENT);
	close(fd);
	return 0;
}

/* START's argument errors on a slave channel. */
static int c_ring_start_errors(void)
{
	int fd, fd2;
	struct buf b;
	struct axi_dma_stream_start s;
	uint32_t ch = slave, dir = (ci[ch].directions & AXI_DMA_DIR_DEV_TO_MEM) ? AXI_DMA_DIR_DEV_TO_MEM : AXI_DMA_DIR_MEM_TO_DEV;

	OPEN(fd);
	ALLOC(fd, ch, 16384, &b);
#define SS(field, val, e) do { s = (struct axi_dma_stream_start){ .chan = ch, .direction = dir, .buf = b.id, \
		.count = 4, .slot_size = 4096 }; s.field = val; int r_ = io(fd, AXI_DMA_IOC_STREAM_START, &s); \
		CHECK(r_ == -(e), "STREAM_START with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	SS(direction, 0, EINVAL);
	SS(direction, AXI_DMA_DIR_MEM_TO_MEM, EINVAL);
	SS(direction, AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM, EINVAL);
	SS(count, 0, EINVAL);
	SS(count, info.max_inflight + 1, EINVAL);
	SS(slot_size, 0, EINVAL);
	SS(slot_size, 4097, EINVAL);      /* the last slot past the buffer */
	SS(offset, 1, EINVAL);
	SS(flags, 1, EINVAL);
	SS(chan, nch, EINVAL);
	SS(buf, b.id + 100, ENOENT);
	SS(slot_size, (1ull << 32), EOVERFLOW);     /* "slot of 4 GiB or more" */
	SS(slot_size, (1ull << 32) + 1, EOVERFLOW);
	SS(offset, ~0ull - 100, EOVERFLOW);         /* span wraps */
	SS(queued, 1, EINVAL);                      /* ABI 2: output zero on input */
#undef SS
	/* "buffer direction": a cached buffer the ring's direction may not use. */
	{
		struct buf wb;

		ALLOCF(fd, ch, 16384, AXI_DMA_ALLOC_CACHED | (dir == AXI_DMA_DIR_DEV_TO_MEM ? AXI_DMA_ALLOC_TO_DEVICE
											 : AXI_DMA_ALLOC_FROM_DEVICE), &wb);
		int r = sstart(fd, ch, dir, &wb, 4, 4096, NULL);
		CHECK(r == -EINVAL, "a ring (direction %#x) on a cached buffer of the other direction: %s, want EINVAL", dir,
		      ename(r));
	}
	/* A ring runs: a second START EBUSY; another file's transfers and rings EBUSY. */
	OK(sstart(fd, ch, dir, &b, 4, 4096, NULL));
	WANT(sstart(fd, ch, dir, &b, 4, 4096, NULL), EBUSY);
	OPEN(fd2);
	struct buf b2;
	ALLOC(fd2, ch, 4096, &b2);
	struct axi_dma_xfer x = xf(ch, dir == AXI_DMA_DIR_DEV_TO_MEM ? AXI_DMA_XFER_FROM_DEV : AXI_DMA_XFER_TO_DEV, b2.id, b2.id, 64);
	x.timeout_ms = 100;
	WANT(io(fd2, AXI_DMA_IOC_XFER, &x), EBUSY);
	WANT(sstart(fd2, ch, dir, &b2, 1, 4096, NULL), EBUSY);
	struct axi_dma_claim cl = { .chan = ch };
	WANT(io(fd2, AXI_DMA_IOC_CLAIM, &cl), EBUSY);
	close(fd2);
	struct axi_dma_stream_stop st = { .chan = ch };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	close(fd);
	return 0;
}

/* PUSH/REAP/STOP argument errors on a running rx ring, and the rx ring's accounting. */
static int c_ring_rx_rules(void)
{
	int fd;
	struct buf b;
	uint32_t q = 99, lens[1] = { 16 };
	struct axi_dma_stream_done d[4];
	struct axi_dma_stream_reap rp;
	struct axi_dma_stream_push p;
	struct axi_dma_stream_stop st;
	uint32_t ch = (srx != NONE) ? srx : frx;

	OPEN(fd);
	ALLOC(fd, ch, 16384, &b);
	OK(sstart(fd, ch, AXI_DMA_DIR_DEV_TO_MEM, &b, 4, 4096, &q));
	if (srx != NONE) /* (a FIFO is always ready: its slots may complete at once) */
		CHECK(q == 4, "rx START queued %u of 4 (\"every slot is queued at START\")", q);
	WANT(spush(fd, ch, 1, lens, NULL, NULL), EINVAL);   /* rx: lens must be 0 */
	WANT(spush(fd, ch, 0, NULL, NULL, NULL), EINVAL);
	if (srx != NONE) /* nothing reaped: no slot belongs to user space */
		WANT(spush(fd, ch, 1, NULL, NULL, NULL), ENOSPC);
	p = (struct axi_dma_stream_push){ .chan = ch, .count = 1, .first = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_PUSH, &p), EINVAL); /* ABI 2 */
	p = (struct axi_dma_stream_push){ .chan = ch, .count = 1, .queued = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_PUSH, &p), EINVAL); /* ABI 2 */
	WANT(sreap(fd, ch, d, 0, 0, 0, NULL, NULL), EINVAL);
	WANT(sreap(fd, ch, d, 257, 0, 0, NULL, NULL), EINVAL);
	rp = (struct axi_dma_stream_reap){ .chan = ch, .max = 1, .entries = (uintptr_t)d, .count = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_REAP, &rp), EINVAL); /* ABI 2 */
	rp = (struct axi_dma_stream_reap){ .chan = ch, .max = 1, .entries = (uintptr_t)d, .queued = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_REAP, &rp), EINVAL);
	rp = (struct axi_dma_stream_reap){ .chan = ch, .max = 1, .entries = (uintptr_t)d, .overruns = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_REAP, &rp), EINVAL);
	st = (struct axi_dma_stream_stop){ .chan = ch, .aborted = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_STOP, &st), EINVAL);
	st = (struct axi_dma_stream_stop){ .chan = ch, .completed = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_STOP, &st), EINVAL);
	st = (struct axi_dma_stream_stop){ .chan = ch, .overruns = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_STOP, &st), EINVAL);
	st = (struct axi_dma_stream_stop){ .chan = ch };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	if (srx != NONE)
		CHECK(st.aborted == 4 && st.completed == 0 && st.overruns == 0, "STOP: aborted %u completed %llu overruns %llu",
		      st.aborted, (unsigned long long)st.completed, (unsigned long long)st.overruns);
	st = (struct axi_dma_stream_stop){ .chan = ch };
	WANT(io(fd, AXI_DMA_IOC_STREAM_STOP, &st), ENOENT);
	close(fd);
	return 0;
}

/* tx ring rules: nothing queued at START; PUSH lens 1..slot_size; ENOSPC beyond the free
 * slots; EFAULT for a bad lens pointer; first goes round in order. */
static int c_ring_tx_rules(void)
{
	int fd;
	struct buf b;
	uint32_t q = 99, first = 99, lens[4] = { 10, 20, 30, 40 };
	uint32_t ch = stx;

	OPEN(fd);
	ALLOC(fd, ch, 16384, &b);
	OK(sstart(fd, ch, AXI_DMA_DIR_MEM_TO_DEV, &b, 4, 4096, &q));
	CHECK(q == 0, "tx START queued %u (\"no slot is queued at START\")", q);
	lens[0] = 0;
	WANT(spush(fd, ch, 1, lens, NULL, NULL), EINVAL);
	lens[0] = 4097;
	WANT(spush(fd, ch, 1, lens, NULL, NULL), EINVAL);
	lens[0] = 10;
	WANT(spush(fd, ch, 0, lens, NULL, NULL), EINVAL);
	WANT(spush(fd, ch, 1, (uint32_t *)(uintptr_t)8, NULL, NULL), EFAULT);
	/* lens 0: whole slots; first goes round in ring order. */
	OK(spush(fd, ch, 1, NULL, &first, &q));
	CHECK(first == 0, "first push: first %u, want 0", first);
	OK(spush(fd, ch, 2, lens, &first, &q));
	CHECK(first == 1, "second push: first %u, want 1", first);
	OK(spush(fd, ch, 1, lens, &first, &q));
	CHECK(first == 3, "third push: first %u, want 3", first);
	/* every slot pushed, none reaped: "more slots than are free" */
	WANT(spush(fd, ch, 1, lens, NULL, NULL), ENOSPC);
	WANT(spush(fd, ch, 2, lens, NULL, NULL), ENOSPC); /* above the ring: more than are free */
	{
		uint32_t *many = calloc(info.max_inflight + 1, sizeof(*many));

		for (uint32_t i = 0; many && i <= info.max_inflight; i++)
			many[i] = 1;
		CHECK(many, "calloc");
		WANT(spush(fd, ch, info.max_inflight + 1, many, NULL, NULL), EINVAL); /* "count 0 or above max_inflight" */
		free(many);
	}
	close(fd);
	return 0;
}

/* A tx ring feeding an rx ring through the loopback: order, seq, slot, bytes, data, poll. */
/* Revision 3: STREAM_CYCLE = STREAM_PUSH then STREAM_REAP in one call. A tx and an rx ring
 * kept going with nothing but CYCLE; the data arrives in order; its errors. */
static int scycle(int fd, uint32_t ch, uint32_t push, uint32_t *lens, struct axi_dma_stream_done *d, uint32_t max,
		  uint32_t min, uint32_t ms, struct axi_dma_stream_cycle *out)
{
	struct axi_dma_stream_cycle c = { .chan = ch, .push = push, .lens = (uintptr_t)lens, .entries = (uintptr_t)d,
					  .max = max, .min = min, .timeout_ms = ms };
	int r = io(fd, AXI_DMA_IOC_STREAM_CYCLE, &c);

	if (out)
		*out = c;
	return r ? r : (int)c.count;
}

static int c_ring_cycle(void)
{
	enum { SL = 4, SZ = 2048, N = 20 };
	int fd, n;
	struct buf t, r;
	uint32_t q, sent = 0, got = 0, txfree = SL, give = 0;
	struct axi_dma_stream_done d[SL];
	struct axi_dma_stream_cycle c;

	OPEN(fd);
	ALLOC(fd, stx, SL * SZ, &t);
	ALLOC(fd, srx, SL * SZ, &r);
	WANT(scycle(fd, srx, 0, NULL, d, SL, 0, 0, NULL), ENOENT);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, SL, SZ, &q));
	OK(sstart(fd, stx, AXI_DMA_DIR_MEM_TO_DEV, &t, SL, SZ, &q));
	/* Checked before the push: a bad reap half queues nothing. */
	uint32_t one = 16;
	WANT(scycle(fd, stx, 1, &one, d, 0, 0, 0, NULL), EINVAL);
	WANT(scycle(fd, stx, 1, &one, d, SL, SL + 1, 0, NULL), EINVAL);
	WANT(scycle(fd, stx, 1, &one, d, 257, 0, 0, NULL), EINVAL);
	n = scycle(fd, stx, 0, NULL, d, SL, 0, 0, &c);
	CHECK(n == 0 && c.queued == 0, "tx ring after refused cycles: %d reaped, %u queued (want 0, 0)", n, c.queued);
	/* The push half's errors. */
	WANT(scycle(fd, stx, SL + 1, NULL, d, SL, 0, 0, NULL), ENOSPC);
	WANT(scycle(fd, srx, 1, &one, d, SL, 0, 0, NULL), EINVAL); /* lens on rx */
	WANT(scycle(fd, srx, 1, NULL, d, SL, 0, 0, NULL), ENOSPC); /* every rx slot is queued */
	WANT(scycle(fd, stx, 0, &one, d, SL, 0, 0, NULL), EINVAL); /* lens without a push */
	/* Zero rule on the outputs. */
	c = (struct axi_dma_stream_cycle){ .chan = stx, .entries = (uintptr_t)d, .max = SL, .first = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_CYCLE, &c), EINVAL);
	c = (struct axi_dma_stream_cycle){ .chan = stx, .entries = (uintptr_t)d, .max = SL, .overruns = 1 };
	WANT(io(fd, AXI_DMA_IOC_STREAM_CYCLE, &c), EINVAL);
	while (got < N) {
		if (sent < N && txfree > 0 && sent - got < SL - 1) {
			uint32_t len = 1 + (sent * 577u) % SZ;

			fill(t.p + (sent % SL) * SZ, len, 1000 + sent);
			n = scycle(fd, stx, 1, &len, d, SL, 0, 0, &c);
			CHECK(n >= 0, "tx cycle: %s", ename(n));
			CHECK(c.push == 1 && c.first == sent % SL, "tx cycle %u: pushed %u first %u, want 1 and %u", sent, c.push,
			      c.first, sent % SL);
			sent++;
			txfree = txfree - 1 + (uint32_t)n;
		}
		/* rx: give back what was consumed, collect what came. */
		n = scycle(fd, srx, give, NULL, d, SL, 1, 5000, &c);
		CHECK(n > 0, "rx cycle (giving back %u): %s (%u of %u received)", give, n < 0 ? ename(n) : "nothing", got, N);
		CHECK(c.push == give, "rx cycle: pushed %u, want %u", c.push, give);
		for (int i = 0; i < n; i++, got++) {
			uint32_t len = 1 + (got * 577u) % SZ;
			uint8_t want[SZ];

			CHECK(d[i].seq == got && d[i].error == 0 && d[i].bytes == len, "rx %u: seq %llu error %d bytes %llu", got,
			      (unsigned long long)d[i].seq, d[i].error, (unsigned long long)d[i].bytes);
			fill(want, len, 1000 + got);
			CHECK(!memcmp(want, r.p + d[i].slot * SZ, len), "rx %u: data differs", got);
		}
		give = (uint32_t)n;
		n = scycle(fd, stx, 0, NULL, d, SL, 0, 0, NULL);
		CHECK(n >= 0, "tx reap by cycle: %s", ename(n));
		txfree += (uint32_t)n;
	}
	struct axi_dma_stream_stop st = { .chan = srx };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	CHECK(st.completed == N, "rx STOP: completed %llu, want %u", (unsigned long long)st.completed, N);
	st = (struct axi_dma_stream_stop){ .chan = stx };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	close(fd);
	return 0;
}

static int c_ring_data(void)
{
	enum { SL = 4, SZ = 2048, N = 24 };
	int fd;
	struct buf t, r;
	uint32_t q, first, sent = 0, got = 0, txfree = SL;
	struct axi_dma_stream_done d[SL];
	uint64_t ovr = 9;

	OPEN(fd);
	ALLOC(fd, stx, SL * SZ, &t);
	ALLOC(fd, srx, SL * SZ, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, SL, SZ, &q));
	OK(sstart(fd, stx, AXI_DMA_DIR_MEM_TO_DEV, &t, SL, SZ, &q));
	while (got < N) {
		while (sent < N && txfree > 0 && sent - got < SL - 1) {
			uint32_t len = 1 + (sent * 331u) % SZ;

			fill(t.p + (sent % SL) * SZ, len, sent);
			OK(spush(fd, stx, 1, &len, &first, &q));
			CHECK(first == sent % SL, "tx push %u: first %u, want %u", sent, first, sent % SL);
			sent++;
			txfree--;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "no POLLIN within 5 s (%u of %u received)", got, N);
		int n = sreap(fd, srx, d, SL, 0, 0, &q, &ovr);
		CHECK(n >= 0, "rx reap: %s", ename(n));
		for (int i = 0; i < n; i++, got++) {
			uint32_t len = 1 + (got * 331u) % SZ;
			uint8_t want[SZ];

			CHECK(d[i].seq == got && d[i].slot == got % SL, "rx: seq %llu slot %u, want %u/%u",
			      (unsigned long long)d[i].seq, d[i].slot, got, got % SL);
			CHECK(d[i].error == 0 && d[i].bytes == len && !(d[i].flags & AXI_DMA_STREAM_GAP) && d[i].pad == 0,
			      "rx %u: error %d bytes %llu (want %u) flags %#x", got, d[i].error, (unsigned long long)d[i].bytes,
			      len, d[i].flags);
			fill(want, len, got);
			CHECK(!memcmp(want, r.p + d[i].slot * SZ, len), "rx %u: data differs", got);
		}
		if (n)
			OK(spush(fd, srx, (uint32_t)n, NULL, NULL, NULL));
		n = sreap(fd, stx, d, SL, 0, 0, NULL, NULL);
		CHECK(n >= 0, "tx reap: %s", ename(n));
		txfree += (uint32_t)n;
	}
	CHECK(ovr == 0, "overruns %llu while keeping up", (unsigned long long)ovr);
	while (txfree < SL) { /* every tx slot back */
		int n = sreap(fd, stx, d, SL, 1, 3000, NULL, NULL);

		CHECK(n > 0, "tx reap of the last slots: %s", ename(n));
		txfree += (uint32_t)n;
	}
	struct axi_dma_stream_stop st = { .chan = srx };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	CHECK(st.completed == N && st.aborted == SL, "rx STOP: completed %llu aborted %u, want %u and %u",
	      (unsigned long long)st.completed, st.aborted, N, SL);
	st = (struct axi_dma_stream_stop){ .chan = stx };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	CHECK(st.completed == N, "tx STOP: completed %llu", (unsigned long long)st.completed);
	close(fd);
	return 0;
}

/* Overrun: the rx ring runs dry; the next PUSH's first slot carries AXI_DMA_STREAM_GAP, and
 * the count comes back from reap and stop. */
static int c_ring_overrun(void)
{
	int fd;
	struct buf t, r;
	uint32_t q, len = 100, first;
	struct axi_dma_stream_done d[2];
	uint64_t ovr = 0;

	OPEN(fd);
	ALLOC(fd, stx, 2 * 4096, &t);
	ALLOC(fd, srx, 2 * 4096, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 2, 4096, &q));
	OK(sstart(fd, stx, AXI_DMA_DIR_MEM_TO_DEV, &t, 2, 4096, &q));
	for (int i = 0; i < 2; i++)
		OK(spush(fd, stx, 1, &len, &first, NULL));
	int n = 0;
	for (int i = 0; i < 50 && n < 2; i++) {
		int k = sreap(fd, srx, d + n, 2 - (uint32_t)n, 1, 200, NULL, NULL);
		if (k > 0)
			n += k;
	}
	CHECK(n == 2, "rx got %d of 2 packets", n);
	/* every slot completed: the ring ran dry; give one back */
	OK(spush(fd, srx, 1, NULL, NULL, NULL));
	sreap(fd, stx, d, 2, 2, 1000, NULL, NULL);
	OK(spush(fd, stx, 1, &len, &first, NULL));
	n = sreap(fd, srx, d, 1, 1, 3000, &q, &ovr);
	CHECK(n == 1 && d[0].seq == 2, "third packet: n %d", n);
	CHECK(d[0].flags & AXI_DMA_STREAM_GAP, "the slot pushed after the ring ran dry has no GAP flag (flags %#x)", d[0].flags);
	CHECK(ovr == 1, "overruns %llu from reap, want 1", (unsigned long long)ovr);
	struct axi_dma_stream_stop st = { .chan = srx };
	OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	CHECK(st.overruns == 1, "overruns %llu from stop, want 1", (unsigned long long)st.overruns);
	close(fd);
	return 0;
}

/* "-EIO for a packet longer than the slot" (the ring goes on). Loopback provider only:
 * README says the AXI DMA gives no completion for that (its own behaviour). */
static int c_ring_slot_eio(void)
{
	int fd;
	struct buf t, r;
	uint32_t q, len = 3000, first;
	struct axi_dma_stream_done d[1];
	struct axi_dma_xfer x;

	OPEN(fd);
	ALLOC(fd, stx, 4096, &t);
	ALLOC(fd, srx, 2 * 1024, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 2, 1024, &q));
	x = xf(stx, AXI_DMA_XFER_TO_DEV, t.id, 0, len);
	x.timeout_ms = 3000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	int n = sreap(fd, srx, d, 1, 1, 3000, NULL, NULL);
	CHECK(n == 1 && d[0].error == -EIO, "a packet longer than the slot: n %d error %d, want -EIO", n, n == 1 ? d[0].error : 0);
	(void)first;
	close(fd);
	return 0;
}

/* Cancel of a running rx ring's slots: -ECANCELED completions (README: "-ECANCELED"). A
 * CANCEL by the ring's own file. */
static int c_ring_cancel(void)
{
	int fd;
	struct buf r;
	uint32_t q;
	struct axi_dma_stream_done d[4];
	struct axi_dma_cancel cn = { .chan = srx };

	OPEN(fd);
	ALLOC(fd, srx, 4 * 1024, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 4, 1024, &q));
	OK(io(fd, AXI_DMA_IOC_CANCEL, &cn));
	int n = sreap(fd, srx, d, 4, 4, 3000, &q, NULL);
	CHECK(n == 4, "REAP after CANCEL: %s", ename(n));
	for (int i = 0; i < 4; i++)
		CHECK(d[i].error == -ECANCELED, "slot %u: error %d, want -ECANCELED", d[i].slot, d[i].error);
	close(fd);
	return 0;
}

/* Cached rings: "synced by the driver" -> data correct without SYNC calls. */
static int c_ring_cached(void)
{
	int fd;
	struct buf t, r;
	uint32_t q, len = 777, first;
	struct axi_dma_stream_done d[1];

	OPEN(fd);
	ALLOCF(fd, stx, 2 * 1024, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &t);
	ALLOCF(fd, srx, 2 * 1024, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE, &r);
	OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &r, 2, 1024, &q));
	OK(sstart(fd, stx, AXI_DMA_DIR_MEM_TO_DEV, &t, 2, 1024, &q));
	fill(t.p, len, 55);
	OK(spush(fd, stx, 1, &len, &first, NULL));
	int n = sreap(fd, srx, d, 1, 1, 3000, NULL, NULL);
	CHECK(n == 1 && d[0].bytes == len && !memcmp(r.p, t.p, len), "cached ring: n %d bytes %llu or data differs", n,
	      n == 1 ? (unsigned long long)d[0].bytes : 0ull);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * REGISTER (revision 4): DMA straight into the caller's own memory. docs/uapi.md
 * "AXI_DMA_IOC_REGISTER" and the header's comment above struct axi_dma_register.
 */

/* REGISTER is revision 4: an older driver does not have it (uapi.md "Versions"). */
#define REV4() CHECK(info.abi_revision >= 4, "abi_revision %u: REGISTER needs revision 4", info.abi_revision)

/* REGISTER [p, p + size) on ch: 0 (and the id) or -errno. */
static int reg(int fd, const void *p, uint64_t size, uint32_t ch, uint32_t flags, uint32_t *id)
{
	struct axi_dma_register r = { .addr = (uintptr_t)p, .size = size, .chan = ch, .flags = flags };
	int e = io(fd, AXI_DMA_IOC_REGISTER, &r);

	if (!e && id)
		*id = r.id;
	return e;
}
#define REG(fd, p, size, ch, fl, idp) do { int r_ = reg(fd, p, size, ch, fl, idp); \
	if (r_) FAIL("REGISTER of %llu bytes at %p on chan %u flags %#x: %s", (unsigned long long)(size), \
		     (const void *)(p), (unsigned)(ch), (unsigned)(fl), ename(r_)); } while (0)

static int bfree(int fd, uint32_t id)
{
	struct axi_dma_free f = { .id = id };

	return io(fd, AXI_DMA_IOC_FREE, &f);
}

static int bsync(int fd, uint32_t id, uint32_t op, uint64_t off, uint64_t len)
{
	struct axi_dma_sync s = { .id = id, .op = op, .offset = off, .len = len };

	return io(fd, AXI_DMA_IOC_SYNC, &s);
}
#define TODEV(fd, id, off, len) OK(bsync(fd, id, AXI_DMA_SYNC_FOR_DEVICE, off, len))
#define TOCPU(fd, id, off, len) OK(bsync(fd, id, AXI_DMA_SYNC_FOR_CPU, off, len))

/* A blocking memcpy on ch, src[so..] -> dst[dof..]: 0 or -errno; *bytes. */
static int mcpy(int fd, uint32_t ch, uint32_t src, uint64_t so, uint32_t dst, uint64_t dof, uint64_t len, uint64_t *bytes)
{
	struct axi_dma_xfer x = xf(ch, AXI_DMA_XFER_MEMCPY, src, dst, len);
	int r;

	x.src_off = so;
	x.dst_off = dof;
	x.timeout_ms = 10000;
	r = io(fd, AXI_DMA_IOC_XFER, &x);
	*bytes = x.bytes;
	return r ? r : x.error;
}
#define MCPY(fd, ch, s, so, d, dof, len) do { uint64_t b_ = 0; int r_ = mcpy(fd, ch, s, so, d, dof, len, &b_); \
	CHECK(!r_ && b_ == (uint64_t)(len), "memcpy on chan %u of %llu bytes, buffer %u+%llu -> buffer %u+%llu: %s, bytes %llu", \
	      (unsigned)(ch), (unsigned long long)(len), (unsigned)(s), (unsigned long long)(so), (unsigned)(d), \
	      (unsigned long long)(dof), ename(r_), (unsigned long long)b_); } while (0)
#define MCPY_WANT(fd, ch, s, so, d, dof, len, e) do { uint64_t b_ = 0; int r_ = mcpy(fd, ch, s, so, d, dof, len, &b_); \
	CHECK(r_ == -(e), "memcpy on chan %u of %llu bytes, buffer %u+%llu -> buffer %u+%llu: %s, want %s", (unsigned)(ch), \
	      (unsigned long long)(len), (unsigned)(s), (unsigned long long)(so), (unsigned)(d), (unsigned long long)(dof), \
	      ename(r_), #e); } while (0)

/* n pages of anonymous private memory, readable and writable, not touched yet. */
static uint8_t *anon(size_t n)
{
	void *p = mmap(NULL, n * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
#define ANON(p, n) do { if (!((p) = anon(n))) FAIL("mmap of %zu anonymous pages: %s", (size_t)(n), strerror(errno)); } while (0)

/* n pages of anonymous memory made physically scattered: no huge pages, faulted in a
 * pseudo-random order, so pages next to each other virtually were allocated far apart
 * (uapi.md: "one run per group of physically contiguous pages"). */
static uint8_t *scattered(size_t n, uint32_t seed)
{
	uint8_t *p = anon(n);
	uint32_t *ord, x = seed * 2654435761u + 7;

	if (!p)
		return NULL;
	madvise(p, n * (size_t)page, MADV_NOHUGEPAGE);
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ord[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		size_t j = x % (i + 1);
		uint32_t t = ord[i];

		ord[i] = ord[j];
		ord[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		p[(size_t)ord[i] * (size_t)page] = 1;
	free(ord);
	return p;
}
#define SCATTERED(p, n, seed) do { if (!((p) = scattered(n, seed))) FAIL("scattered memory of %zu pages: %s", \
	(size_t)(n), strerror(errno)); } while (0)

/* Runs of physically contiguous pages in [p, p + n pages), from /proc/self/pagemap (after
 * REGISTER: the pinned pages do not move any more); 0 if the frame numbers cannot be read. */
static char pm_note[96]; /* why phys_runs() said 0 */
static uint64_t phys_runs(const void *p, size_t n)
{
	int f = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t runs = 0, prev = 0, e = 0;

	snprintf(pm_note, sizeof(pm_note), "pagemap: %s", f < 0 ? strerror(errno) : "ok");
	if (f < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn;
		ssize_t got = pread(f, &e, 8, (off_t)(((uintptr_t)p / (uintptr_t)page + i) * 8));

		if (got != 8 || !(e >> 63)) {
			snprintf(pm_note, sizeof(pm_note), "pagemap: page %zu: read %zd, entry %#llx", i, got, (unsigned long long)e);
			runs = 0;
			break;
		}
		pfn = e & ((1ull << 55) - 1);
		if (!pfn) {
			snprintf(pm_note, sizeof(pm_note), "pagemap: page %zu: entry %#llx, no frame number", i, (unsigned long long)e);
			runs = 0;
			break;
		}
		if (i == 0 || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	close(f);
	return runs;
}

/* Whether channel c's DMA device is behind an IOMMU ("unless an IOMMU maps it as one"). */
static int behind_iommu(uint32_t c)
{
	char p[160];

	snprintf(p, sizeof(p), "/sys/class/dma/%s/device/iommu_group", ci[c].provider);
	return access(p, F_OK) == 0;
}

/* The first byte where a and b differ, or -1. */
static long diff_at(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* The first byte of p[0..n) that is not v, or -1. */
static long not_all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return (long)i;
	return -1;
}

/* A memfd of n pages, filled with fill(seed), mapped with prot (MAP_SHARED). */
static uint8_t *memfd_map(size_t n, int prot, uint32_t seed, int *mfd)
{
	size_t len = n * (size_t)page;
	uint8_t *tmp = malloc(len);
	void *p;

	*mfd = memfd_create("axi-dma-conf", MFD_CLOEXEC);
	if (*mfd < 0 || !tmp)
		return NULL;
	fill(tmp, len, seed);
	if (write(*mfd, tmp, len) != (ssize_t)len) {
		free(tmp);
		return NULL;
	}
	free(tmp);
	p = mmap(NULL, len, prot, MAP_SHARED, *mfd, 0);
	return p == MAP_FAILED ? NULL : p;
}
#define MEMFD(p, n, prot, seed, mfd) do { if (!((p) = memfd_map(n, prot, seed, &(mfd)))) \
	FAIL("memfd of %zu pages: %s", (size_t)(n), strerror(errno)); } while (0)

/* REGISTER: "any range the process may access (malloc memory from posix_memalign(.., page,
 * ..), anonymous or file mmap, a memfd), as one buffer id"; id >= 1, an id of its own
 * among the file's buffers; every valid flag (0, TO_DEVICE, FROM_DEVICE); any channel;
 * read-only memory with TO_DEVICE; FREE drops each. */
static int c_register(void)
{
	int fd, mfd, tfd;
	size_t pg = (size_t)page;
	void *m;
	uint8_t *a, *mf, *fm, *fp, *ro, *chp;
	uint32_t ids[16 + AXI_DMA_MAX_CHANNELS], n = 0;
	struct buf b;
	char tname[] = "/tmp/axi-dma-conf-XXXXXX";

	REV4();
	OPEN(fd);
	ALLOC(fd, 0, pg, &b);
	CHECK(!posix_memalign(&m, pg, 4 * pg), "posix_memalign of 4 pages failed");
	memset(m, 1, 4 * pg);
	REG(fd, m, 4 * pg, 0, 0, &ids[n++]);
	ANON(a, 12);
	REG(fd, a, 4 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &ids[n++]);
	REG(fd, a + 4 * pg, 4 * pg, nch - 1, AXI_DMA_REGISTER_FROM_DEVICE, &ids[n++]);
	memset(a + 8 * pg, 2, 4 * pg);
	REG(fd, a + 8 * pg, 4 * pg, nch - 1, 0, &ids[n++]);
	/* A memfd, shared. */
	MEMFD(mf, 4, PROT_READ | PROT_WRITE, 1, mfd);
	REG(fd, mf, 4 * pg, 0, 0, &ids[n++]);
	/* A file mmap, shared and private. */
	tfd = mkstemp(tname);
	CHECK(tfd >= 0, "mkstemp in /tmp: %s", strerror(errno));
	unlink(tname);
	CHECK(ftruncate(tfd, (off_t)(8 * pg)) == 0, "ftruncate: %s", strerror(errno));
	fm = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	fp = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, tfd, (off_t)(4 * pg));
	CHECK(fm != MAP_FAILED && fp != MAP_FAILED, "mmap of a file in /tmp: %s", strerror(errno));
	memset(fm, 3, 4 * pg);
	{
		int r = reg(fd, fm, 4 * pg, 0, 0, &ids[n]);
		struct statfs sf;

		if (fstatfs(tfd, &sf))
			sf.f_type = 0;
		CHECK(!r, "REGISTER of a shared file mapping (a file in /tmp, fs magic %#lx), flags 0: %s (uapi.md: \"anonymous or file mmap\")",
		      (unsigned long)sf.f_type, ename(r));
		n++;
	}
	REG(fd, fp, 4 * pg, 0, 0, &ids[n++]);
	/* "read-only memory may be registered this way" (TO_DEVICE). */
	ro = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap: %s", strerror(errno));
	REG(fd, ro, 2 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &ids[n++]);
	/* On every channel ("through the DMA device of channel chan"). */
	ANON(chp, nch);
	for (uint32_t c = 0; c < nch; c++)
		REG(fd, chp + c * pg, pg, c, 0, &ids[n++]);
	for (uint32_t i = 0; i < n; i++) {
		CHECK(ids[i] >= 1, "registration %u: id %u (uapi.md: >= 1)", i, ids[i]);
		CHECK(ids[i] != b.id, "registration %u got id %u, the id of an ALLOC'd buffer of the file", i, ids[i]);
		for (uint32_t j = 0; j < i; j++)
			CHECK(ids[i] != ids[j], "registrations %u and %u both got id %u", j, i, ids[i]);
	}
	for (uint32_t i = 0; i < n; i++) {
		int r = bfree(fd, ids[i]);

		CHECK(r == 0, "FREE of registration %u (id %u): %s", i, ids[i], ename(r));
	}
	close(fd);
	munmap(a, 12 * pg);
	munmap(mf, 4 * pg);
	munmap(fm, 4 * pg);
	munmap(fp, 4 * pg);
	munmap(ro, 2 * pg);
	munmap(chp, nch * pg);
	munmap(b.p, b.mmap_size);
	close(mfd);
	close(tfd);
	free(m);
	return 0;
}

/* REGISTER's EINVAL: address or size not page-aligned, size 0 or above max_buffer_size,
 * bad flags (also both directions), bad channel, the zero rule (pad, the output id); all
 * "before doing anything" (the range registers afterwards). The largest size,
 * max_buffer_size, is accepted. EFAULT for a bad argument pointer, ENOTTY for another size. */
static int c_register_einval(void)
{
	int fd;
	size_t pg = (size_t)page;
	uint8_t *a, *big;
	uint64_t maxr = info.max_buffer_size - info.max_buffer_size % pg;
	struct axi_dma_register r;
	uint32_t id;
	char junk[64] = { 0 };

	REV4();
	OPEN(fd);
	ANON(a, 8);
	memset(a, 5, 8 * pg);
#define R(field, val, e) do { r = (struct axi_dma_register){ .addr = (uintptr_t)a, .size = 4 * pg }; r.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_REGISTER, &r); \
		CHECK(r_ == -(e), "REGISTER with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	R(addr, (uintptr_t)a + 1, EINVAL);
	R(addr, (uintptr_t)a + pg / 2, EINVAL);
	R(addr, (uintptr_t)a + pg - 8, EINVAL);
	R(size, 0, EINVAL);
	R(size, 1, EINVAL);
	R(size, pg - 1, EINVAL);
	R(size, pg + 1, EINVAL);
	R(size, 4 * pg - 512, EINVAL);
	R(flags, 1u << 0, EINVAL); /* AXI_DMA_ALLOC_CACHED's bit: no REGISTER flag */
	R(flags, AXI_DMA_REGISTER_TO_DEVICE | AXI_DMA_REGISTER_FROM_DEVICE, EINVAL);
	R(flags, 1u << 3, EINVAL);
	R(flags, 1u << 31, EINVAL);
	R(flags, 0xffffffffu, EINVAL);
	R(chan, nch, EINVAL);
	R(chan, 0xffffffffu, EINVAL);
	R(pad, 1, EINVAL);
	R(pad, 0x80000000u, EINVAL);
	R(id, 1, EINVAL);
#undef R
	/* Above max_buffer_size, the whole range mapped (so that only the size is wrong). */
	big = mmap(NULL, maxr + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	r = (struct axi_dma_register){ .addr = big == MAP_FAILED ? (uintptr_t)a : (uintptr_t)big, .size = maxr + pg };
	WANT(io(fd, AXI_DMA_IOC_REGISTER, &r), EINVAL);
	r = (struct axi_dma_register){ .addr = (uintptr_t)a, .size = ~0ull - (pg - 1) };
	WANT(io(fd, AXI_DMA_IOC_REGISTER, &r), EINVAL);
	/* "1 page .. max_buffer_size bytes": the largest (if it is cheap: up to 64 MiB, read only). */
	if (big != MAP_FAILED && maxr <= (64u << 20)) {
		REG(fd, big, maxr, 0, AXI_DMA_REGISTER_TO_DEVICE, &id);
		OK(bfree(fd, id));
	} else {
		printf("# max_buffer_size %llu: the largest registration not tried\n", (unsigned long long)info.max_buffer_size);
	}
	if (big != MAP_FAILED)
		munmap(big, maxr + pg);
	/* Nothing of the refused calls was registered: the whole range registers now. */
	REG(fd, a, 8 * pg, 0, 0, &id);
	/* The shared rules: a bad argument pointer, a known number with another size. */
	WANT(io(fd, AXI_DMA_IOC_REGISTER, NULL), EFAULT);
	WANT(io(fd, AXI_DMA_IOC_REGISTER, (void *)(uintptr_t)8), EFAULT);
	WANT(io(fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x15, struct axi_dma_info), junk), ENOTTY);
	WANT(io(fd, _IOW(AXI_DMA_IOC_MAGIC, 0x15, struct axi_dma_register), junk), ENOTTY);
	OK(bfree(fd, id));
	close(fd);
	munmap(a, 8 * pg);
	return 0;
}

/* REGISTER's EFAULT: "part of the range is not mapped, or not writable while the device
 * may write it": a hole (flags 0 and TO_DEVICE), a range wholly unmapped, read-only memory
 * with flags 0 or FROM_DEVICE (anonymous, a read-only memfd mapping, a range only partly
 * read-only); the same read-only memory with TO_DEVICE registers. Refusals register
 * nothing. */
static int c_register_efault(void)
{
	int fd, mfd;
	size_t pg = (size_t)page;
	uint8_t *a, *ro, *mro;
	uint32_t id, id2, id3;

	REV4();
	OPEN(fd);
	ANON(a, 8);
	memset(a, 6, 8 * pg);
	CHECK(munmap(a + 2 * pg, pg) == 0, "munmap: %s", strerror(errno));
	WANT(reg(fd, a, 4 * pg, 0, 0, NULL), EFAULT);
	WANT(reg(fd, a, 4 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), EFAULT);
	WANT(reg(fd, a, 4 * pg, 0, AXI_DMA_REGISTER_FROM_DEVICE, NULL), EFAULT);
	WANT(reg(fd, a + pg, 2 * pg, 0, 0, NULL), EFAULT); /* ends in the hole */
	WANT(reg(fd, a + 2 * pg, 2 * pg, 0, 0, NULL), EFAULT); /* starts in it */
	WANT(reg(fd, a + 2 * pg, pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), EFAULT); /* nothing mapped */
	WANT(reg(fd, NULL, pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), EFAULT);
	/* Read-only anonymous memory. */
	ro = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap: %s", strerror(errno));
	WANT(reg(fd, ro, 2 * pg, 0, 0, NULL), EFAULT);
	WANT(reg(fd, ro, 2 * pg, 0, AXI_DMA_REGISTER_FROM_DEVICE, NULL), EFAULT);
	/* A range of which one page is read-only. */
	CHECK(mprotect(a + 5 * pg, pg, PROT_READ) == 0, "mprotect: %s", strerror(errno));
	WANT(reg(fd, a + 4 * pg, 3 * pg, 0, 0, NULL), EFAULT);
	WANT(reg(fd, a + 4 * pg, 3 * pg, 0, AXI_DMA_REGISTER_FROM_DEVICE, NULL), EFAULT);
	/* A memfd mapped read-only. */
	MEMFD(mro, 2, PROT_READ, 4, mfd);
	WANT(reg(fd, mro, 2 * pg, 0, 0, NULL), EFAULT);
	WANT(reg(fd, mro, 2 * pg, 0, AXI_DMA_REGISTER_FROM_DEVICE, NULL), EFAULT);
	/* The same read-only memory with TO_DEVICE: fine. */
	REG(fd, ro, 2 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &id);
	REG(fd, mro, 2 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &id2);
	REG(fd, a + 4 * pg, 3 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &id3);
	OK(bfree(fd, id3));
	/* Nothing of the refused calls stayed registered: hole filled, write access back,
	 * the whole range registers with flags 0. */
	CHECK(mmap(a + 2 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == a + 2 * pg,
	      "mmap MAP_FIXED: %s", strerror(errno));
	CHECK(mprotect(a + 5 * pg, pg, PROT_READ | PROT_WRITE) == 0, "mprotect: %s", strerror(errno));
	REG(fd, a, 8 * pg, 0, 0, &id3);
	OK(bfree(fd, id));
	OK(bfree(fd, id2));
	OK(bfree(fd, id3));
	close(fd);
	munmap(a, 8 * pg);
	munmap(ro, 2 * pg);
	munmap(mro, 2 * pg);
	close(mfd);
	return 0;
}

/* REGISTER's EEXIST: "the range overlaps memory this file registered already" (the same
 * range, overlapping either end, inside, around; whatever the flags or channel);
 * adjacent ranges are fine; another open file registers the same memory; after FREE the
 * range is free again. */
static int c_register_eexist(void)
{
	int fd, fd2;
	size_t pg = (size_t)page;
	uint8_t *a;
	uint32_t id, lo, hi, o1, o2, in;

	REV4();
	OPEN(fd);
	OPEN(fd2);
	ANON(a, 12);
	memset(a, 7, 12 * pg);
	REG(fd, a + 4 * pg, 4 * pg, 0, 0, &id); /* pages 4..7 */
	WANT(reg(fd, a + 4 * pg, 4 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 2 * pg, 4 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 6 * pg, 4 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 3 * pg, 2 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 7 * pg, 2 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 5 * pg, pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a, 12 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 7 * pg, pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), EEXIST);
	WANT(reg(fd, a + 4 * pg, pg, 0, AXI_DMA_REGISTER_FROM_DEVICE, NULL), EEXIST);
	WANT(reg(fd, a + 4 * pg, 4 * pg, nch - 1, 0, NULL), EEXIST);
	/* Adjacent on both sides. */
	REG(fd, a, 4 * pg, 0, 0, &lo);
	REG(fd, a + 8 * pg, 4 * pg, nch - 1, AXI_DMA_REGISTER_TO_DEVICE, &hi);
	WANT(reg(fd, a + 3 * pg, 2 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 7 * pg, 2 * pg, 0, 0, NULL), EEXIST);
	WANT(reg(fd, a + 11 * pg, pg, 0, 0, NULL), EEXIST);
	/* Another file: the same range, and one covering all three of the first file's, for
	 * the device to read only (the docs: memory the device may write should be registered
	 * by one file only). */
	REG(fd2, a + 4 * pg, 4 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &o1);
	REG(fd2, a + 8 * pg, 4 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &o2);
	WANT(reg(fd2, a + 6 * pg, 4 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), EEXIST); /* its own overlap */
	OK(bfree(fd2, o1));
	OK(bfree(fd2, o2));
	REG(fd2, a, 12 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &o1);
	/* FREE makes the range free again. */
	OK(bfree(fd, id));
	REG(fd, a + 5 * pg, 2 * pg, 0, 0, &in);
	WANT(reg(fd, a + 4 * pg, 2 * pg, 0, 0, NULL), EEXIST);
	OK(bfree(fd, in));
	REG(fd, a + 4 * pg, 4 * pg, 0, 0, &in);
	close(fd2);
	close(fd);
	munmap(a, 12 * pg);
	return 0;
}

/* FREE of a registration: 0, then ENOENT (a second FREE), also for SYNC with the id; the
 * id means nothing in another file (ENOENT); pad: EINVAL. "It has no mmap offset": no
 * offset of the file maps it (the offsets of its ALLOC'd buffers around it, a linear
 * guess from their ids, the first 256 pages of offsets): EINVAL. */
static int c_register_free(void)
{
	int fd, fd2;
	size_t pg = (size_t)page;
	uint8_t *a;
	uint32_t id, id2;
	struct axi_dma_free f;
	struct buf b1, b2;

	REV4();
	OPEN(fd);
	OPEN(fd2);
	ANON(a, 4);
	memset(a, 8, 4 * pg);
	ALLOC(fd, 0, 2 * pg, &b1);
	REG(fd, a, 2 * pg, 0, 0, &id);
	ALLOC(fd, 0, 2 * pg, &b2);
	REG(fd, a + 2 * pg, 2 * pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &id2);
	/* No mmap offset. */
	for (uint64_t k = 0; k < 256; k++) {
		uint64_t off = k * pg;

		if ((off >= b1.off && off < b1.off + b1.mmap_size) || (off >= b2.off && off < b2.off + b2.mmap_size))
			continue;
		int r = mm_err(pg, PROT_READ, MAP_SHARED, fd, off);

		CHECK(r == -EINVAL, "mmap at offset %#llx (no ALLOC'd buffer there; the file has registrations %u, %u): %s, want EINVAL",
		      (unsigned long long)off, id, id2, ename(r));
	}
	if (b2.id != b1.id && (b2.off - b1.off) % (uint64_t)(b2.id - b1.id) == 0) {
		uint64_t s = (b2.off - b1.off) / (uint64_t)(b2.id - b1.id);
		uint32_t rid[2] = { id, id2 };

		for (int k = 0; k < 2; k++) {
			uint64_t off = b1.off + (uint64_t)(rid[k] - b1.id) * s;

			if ((off >= b1.off && off < b1.off + b1.mmap_size) || (off >= b2.off && off < b2.off + b2.mmap_size))
				continue;
			WANT(mm_err(pg, PROT_READ, MAP_SHARED, fd, off), EINVAL);
			WANT(mm_err(2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off), EINVAL);
		}
	}
	WANT(mm_err(pg, PROT_READ, MAP_SHARED, fd, b2.off + b2.mmap_size), EINVAL);
	/* Another file has no such buffer. */
	f = (struct axi_dma_free){ .id = id };
	WANT(io(fd2, AXI_DMA_IOC_FREE, &f), ENOENT);
	WANT(bsync(fd2, id, AXI_DMA_SYNC_FOR_CPU, 0, pg), ENOENT);
	/* Zero rule. */
	f = (struct axi_dma_free){ .id = id, .pad = 1 };
	WANT(io(fd, AXI_DMA_IOC_FREE, &f), EINVAL);
	/* FREE, then a second FREE: ENOENT; the id is gone for SYNC too. */
	OK(bfree(fd, id));
	WANT(bfree(fd, id), ENOENT);
	WANT(bsync(fd, id, AXI_DMA_SYNC_FOR_CPU, 0, pg), ENOENT);
	/* The other registration and the ALLOC'd buffers are untouched by it. */
	TODEV(fd, id2, 0, 2 * pg);
	OK(bfree(fd, id2));
	WANT(bfree(fd, id2), ENOENT);
	OK(bfree(fd, b1.id));
	OK(bfree(fd, b2.id));
	close(fd2);
	close(fd);
	munmap(b1.p, b1.mmap_size);
	munmap(b2.p, b2.mmap_size);
	munmap(a, 4 * pg);
	return 0;
}

/* "ENOSPC (this file holds max_buffers buffers": registrations count as buffers, with
 * the ALLOC'd ones; FREE makes room; another file still registers. */
static int c_register_enospc(void)
{
	int fd, fd2;
	size_t pg = (size_t)page;
	uint32_t n = info.max_buffers, *ids, x;
	uint8_t *a;
	struct axi_dma_alloc al;

	REV4();
	if (n > 4096) {
		printf("# max_buffers %u: not tried\n", n);
		return 0;
	}
	ids = calloc(n, sizeof(*ids));
	CHECK(ids, "calloc");
	OPEN(fd);
	ANON(a, n + 3);
	memset(a, 9, (n + 3) * pg);
	for (uint32_t i = 0; i < n; i++) {
		int r = reg(fd, a + i * pg, pg, 0, 0, &ids[i]);

		CHECK(!r, "registration %u of max_buffers %u: %s", i, n, ename(r));
	}
	WANT(reg(fd, a + n * pg, pg, 0, 0, NULL), ENOSPC);
	WANT(reg(fd, a + n * pg, pg, 0, AXI_DMA_REGISTER_TO_DEVICE, NULL), ENOSPC);
	al = (struct axi_dma_alloc){ .size = 1 };
	WANT(io(fd, AXI_DMA_IOC_ALLOC, &al), ENOSPC);
	/* FREE of one makes room for one (an ALLOC), then it is full again. */
	OK(bfree(fd, ids[0]));
	al = (struct axi_dma_alloc){ .size = 1 };
	OK(io(fd, AXI_DMA_IOC_ALLOC, &al));
	WANT(reg(fd, a, pg, 0, 0, NULL), ENOSPC);
	OK(bfree(fd, al.id));
	REG(fd, a + n * pg, pg, 0, 0, &x);
	WANT(reg(fd, a, pg, 0, 0, NULL), ENOSPC);
	/* Per open file. */
	OPEN(fd2);
	REG(fd2, a + (n + 1) * pg, 2 * pg, 0, 0, &x);
	close(fd2);
	close(fd);
	munmap(a, (n + 3) * pg);
	free(ids);
	return 0;
}

/* SYNC on a registered id "like a CACHED buffer's": any byte range inside it; len 0, a
 * bad op, a range past it EINVAL; offset + len wrapping EOVERFLOW. */
static int c_register_sync(void)
{
	int fd;
	size_t pg = (size_t)page;
	uint8_t *a;
	uint32_t id, ro;
	struct axi_dma_sync s;

	REV4();
	OPEN(fd);
	ANON(a, 4);
	memset(a, 10, 4 * pg);
	REG(fd, a, 3 * pg, 0, 0, &id);
	REG(fd, a + 3 * pg, pg, 0, AXI_DMA_REGISTER_TO_DEVICE, &ro);
	TODEV(fd, id, 0, 3 * pg);
	TOCPU(fd, id, 0, 3 * pg);
	TODEV(fd, id, 5, 1000);
	TOCPU(fd, id, 3 * pg - 1, 1);
	TODEV(fd, ro, 0, pg);
#define S(field, val, e) do { s = (struct axi_dma_sync){ .id = id, .op = AXI_DMA_SYNC_FOR_CPU, .len = 16 }; \
		s.field = val; int r_ = io(fd, AXI_DMA_IOC_SYNC, &s); \
		CHECK(r_ == -(e), "SYNC of a registration with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	S(op, 0, EINVAL);
	S(op, 3, EINVAL);
	S(len, 0, EINVAL);
	S(offset, 3 * pg - 8, EINVAL);
	S(offset, 3 * pg, EINVAL);
	S(len, 3 * pg + 1, EINVAL);
	S(offset, ~0ull - 4, EOVERFLOW);
#undef S
	OK(bfree(fd, id));
	OK(bfree(fd, ro));
	close(fd);
	munmap(a, 4 * pg);
	return 0;
}

/* The id in XFER, SUBMIT and SYNC on every memcpy channel, 8 pages with the channel's
 * alignment: registered (posix_memalign) -> ALLOC'd, ALLOC'd -> registered (anonymous),
 * registered TO_DEVICE (a memfd) -> registered FROM_DEVICE, within one registration,
 * non-blocking with WAIT, a SUBMIT batch; data checked after SYNC FOR_CPU, nothing outside
 * the range written. */
static int c_register_xfer(void)
{
	int fd, mfd;
	size_t pg = (size_t)page, sz = 8 * pg;

	REV4();
	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		uint32_t al = ci[c].addr_align, so = al, dof = 2 * al;
		uint64_t len = sz - 3 * al;
		uint32_t rs, rd, rt, rf;
		void *m;
		uint8_t *q, *mf, *fr;
		struct buf d;
		struct axi_dma_xfer x, bx[2];
		struct axi_dma_wait w;
		long at;

		if (!(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM))
			continue;
		len -= len % al;
		/* registered -> ALLOC'd */
		CHECK(!posix_memalign(&m, pg, sz), "posix_memalign");
		fill(m, sz, c);
		REG(fd, m, sz, c, 0, &rs);
		TODEV(fd, rs, 0, sz);
		ALLOC(fd, c, sz, &d);
		memset(d.p, 0xee, sz);
		MCPY(fd, c, rs, so, d.id, dof, len);
		at = diff_at(d.p + dof, (uint8_t *)m + so, len);
		CHECK(at < 0, "chan %u: registered -> ALLOC'd: byte %ld differs", c, at);
		CHECK(not_all(d.p, dof, 0xee) < 0 && not_all(d.p + dof + len, sz - dof - len, 0xee) < 0,
		      "chan %u: registered -> ALLOC'd wrote outside its range", c);
		/* ALLOC'd -> registered */
		ANON(q, 8);
		memset(q, 0xee, sz);
		REG(fd, q, sz, c, 0, &rd);
		TODEV(fd, rd, 0, sz);
		fill(d.p, sz, c + 100);
		MCPY(fd, c, d.id, so, rd, dof, len);
		TOCPU(fd, rd, 0, sz);
		at = diff_at(q + dof, d.p + so, len);
		CHECK(at < 0, "chan %u: ALLOC'd -> registered: byte %ld differs after SYNC FOR_CPU", c, at);
		CHECK(not_all(q, dof, 0xee) < 0 && not_all(q + dof + len, sz - dof - len, 0xee) < 0,
		      "chan %u: ALLOC'd -> registered wrote outside its range", c);
		/* registered TO_DEVICE (a memfd) -> registered FROM_DEVICE */
		MEMFD(mf, 8, PROT_READ | PROT_WRITE, c + 200, mfd);
		REG(fd, mf, sz, c, AXI_DMA_REGISTER_TO_DEVICE, &rt);
		TODEV(fd, rt, 0, sz);
		ANON(fr, 8);
		memset(fr, 0xee, sz);
		REG(fd, fr, sz, c, AXI_DMA_REGISTER_FROM_DEVICE, &rf);
		TODEV(fd, rf, 0, sz);
		MCPY(fd, c, rt, so, rf, dof, len);
		TOCPU(fd, rf, 0, sz);
		at = diff_at(fr + dof, mf + so, len);
		CHECK(at < 0, "chan %u: registered TO_DEVICE -> FROM_DEVICE: byte %ld differs", c, at);
		CHECK(not_all(fr, dof, 0xee) < 0 && not_all(fr + dof + len, sz - dof - len, 0xee) < 0,
		      "chan %u: registered -> registered wrote outside its range", c);
		/* Within one registration (non-overlapping halves). */
		fill(q, sz, c + 300);
		TODEV(fd, rd, 0, sz);
		MCPY(fd, c, rd, 0, rd, sz / 2, sz / 2);
		TOCPU(fd, rd, 0, sz);
		CHECK(!memcmp(q, q + sz / 2, sz / 2), "chan %u: copy within a registration differs", c);
		/* Non-blocking, collected with WAIT. */
		memset(d.p, 0, sz);
		x = xf(c, AXI_DMA_XFER_MEMCPY, rs, d.id, len);
		x.flags = AXI_DMA_XFER_NONBLOCK;
		x.user_data = 77;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		w = (struct axi_dma_wait){ .xfer_id = x.xfer_id, .timeout_ms = 5000 };
		OK(io(fd, AXI_DMA_IOC_WAIT, &w));
		CHECK(w.error == 0 && w.bytes == len && w.user_data == 77, "chan %u: WAIT: error %d bytes %llu", c, w.error,
		      (unsigned long long)w.bytes);
		CHECK(!memcmp(d.p, m, len), "chan %u: non-blocking registered -> ALLOC'd differs", c);
		/* SUBMIT: registered -> ALLOC'd and ALLOC'd -> registered in one batch. */
		{
			struct axi_dma_completion cc[2];
			struct axi_dma_submit sb = { .xfers = (uintptr_t)bx, .count = 2, .entries = (uintptr_t)cc, .max = 2,
						     .min = 2, .timeout_ms = 5000 };

			memset(q, 0xee, sz);
			TODEV(fd, rd, 0, sz);
			memset(d.p, 0, sz);
			bx[0] = xf(c, AXI_DMA_XFER_MEMCPY, rs, d.id, 4 * pg);
			bx[1] = xf(c, AXI_DMA_XFER_MEMCPY, rt, rd, 4 * pg);
			bx[1].src_off = bx[1].dst_off = 4 * pg;
			OK(io(fd, AXI_DMA_IOC_SUBMIT, &sb));
			CHECK(sb.queued == 2 && sb.reaped == 2 && cc[0].error == 0 && cc[1].error == 0 && cc[0].bytes == 4 * pg &&
			      cc[1].bytes == 4 * pg, "chan %u: SUBMIT of registered ids: queued %u reaped %u errors %d %d", c,
			      sb.queued, sb.reaped, cc[0].error, cc[1].error);
			TOCPU(fd, rd, 0, sz);
			CHECK(!memcmp(d.p, m, 4 * pg), "chan %u: SUBMIT registered -> ALLOC'd differs", c);
			CHECK(!memcmp(q + 4 * pg, mf + 4 * pg, 4 * pg) && not_all(q, 4 * pg, 0xee) < 0,
			      "chan %u: SUBMIT registered -> registered differs", c);
		}
		OK(bfree(fd, rs));
		OK(bfree(fd, rd));
		OK(bfree(fd, rt));
		OK(bfree(fd, rf));
		OK(bfree(fd, d.id));
		munmap(d.p, d.mmap_size);
		munmap(q, sz);
		munmap(mf, sz);
		munmap(fr, sz);
		close(mfd);
		free(m);
	}
	close(fd);
	return 0;
}

/* The direction rules: "TO_DEVICE: only reads it ... FROM_DEVICE: only writes it. A
 * transfer that would do otherwise: EINVAL" (a TO_DEVICE id as memcpy destination, a
 * FROM_DEVICE id as source, also within one registration); the allowed ways work; a
 * range past the registration EINVAL; offset + len wrapping EOVERFLOW; nothing was
 * submitted; another file: the id is unknown there. */
static int c_register_dir(void)
{
	int fd, fd2;
	size_t pg = (size_t)page;
	uint32_t al = ci[mc].addr_align, rt, rf, r0;
	uint8_t *a;
	struct buf b;
	struct axi_dma_completion cc[4];
	uint32_t pend = 9;

	REV4();
	OPEN(fd);
	ANON(a, 6);
	fill(a, 6 * pg, 44);
	REG(fd, a, 2 * pg, mc, AXI_DMA_REGISTER_TO_DEVICE, &rt);
	REG(fd, a + 2 * pg, 2 * pg, mc, AXI_DMA_REGISTER_FROM_DEVICE, &rf);
	REG(fd, a + 4 * pg, 2 * pg, mc, 0, &r0);
	TODEV(fd, rt, 0, 2 * pg);
	TODEV(fd, rf, 0, 2 * pg);
	TODEV(fd, r0, 0, 2 * pg);
	ALLOC(fd, mc, 2 * pg, &b);
	MCPY_WANT(fd, mc, b.id, 0, rt, 0, pg, EINVAL);
	MCPY_WANT(fd, mc, r0, 0, rt, 0, pg, EINVAL);
	MCPY_WANT(fd, mc, rf, 0, b.id, 0, pg, EINVAL);
	MCPY_WANT(fd, mc, rf, 0, r0, 0, pg, EINVAL);
	MCPY_WANT(fd, mc, rf, 0, rt, 0, pg, EINVAL);
	MCPY_WANT(fd, mc, rt, 0, rt, pg, pg, EINVAL);
	MCPY_WANT(fd, mc, rf, 0, rf, pg, pg, EINVAL);
	/* A range past the registration; wrapping. */
	MCPY_WANT(fd, mc, rt, pg, b.id, 0, pg + al, EINVAL);
	MCPY_WANT(fd, mc, rt, 2 * pg, b.id, 0, al, EINVAL);
	MCPY_WANT(fd, mc, b.id, 0, rf, pg + al, pg, EINVAL);
	MCPY_WANT(fd, mc, rt, 0 - (uint64_t)al, b.id, 0, 2 * al, EOVERFLOW);
	MCPY_WANT(fd, mc, b.id, 0, r0, 0 - (uint64_t)al, 2 * al, EOVERFLOW);
	{
		int n = reap(fd, cc, 4, 0, 0, &pend);

		CHECK(n == 0 && pend == 0, "after the refused transfers: REAP %s pending %u, want nothing", ename(n), pend);
	}
	/* What the flags allow. */
	MCPY(fd, mc, rt, 0, rf, 0, 2 * pg);
	MCPY(fd, mc, rt, 0, b.id, 0, pg);
	MCPY(fd, mc, b.id, 0, rf, pg, pg);
	MCPY(fd, mc, rt, 0, r0, 0, pg);
	MCPY(fd, mc, r0, 0, rf, 0, pg);
	MCPY(fd, mc, r0, 0, r0, pg, pg);
	TOCPU(fd, rf, 0, 2 * pg);
	TOCPU(fd, r0, 0, 2 * pg);
	CHECK(!memcmp(a + 2 * pg, a, pg) && !memcmp(a + 4 * pg, a, pg) && !memcmp(a + 5 * pg, a, pg),
	      "data of the allowed copies differs");
	/* Another file does not know the ids. */
	OPEN(fd2);
	{
		struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, rt, r0, pg);
		int r = io(fd2, AXI_DMA_IOC_XFER, &x);

		CHECK(r == -ENOENT || r == -EINVAL, "another file's registered ids in a transfer: %s, want ENOENT/EINVAL", ename(r));
	}
	close(fd2);
	OK(bfree(fd, rt));
	OK(bfree(fd, rf));
	OK(bfree(fd, r0));
	OK(bfree(fd, b.id));
	close(fd);
	munmap(b.p, b.mmap_size);
	munmap(a, 6 * pg);
	return 0;
}

/* "usable on every channel of chan's DMA device, not on another's (EINVAL, as for ALLOC)". */
static int c_register_other_device(void)
{
	int fd;
	size_t pg = (size_t)page;
	uint8_t *a;

	REV4();
	OPEN(fd);
	ANON(a, nch);
	memset(a, 11, nch * pg);
	for (uint32_t s = 0; s < nch; s++)
		for (uint32_t c = 0; c < nch; c++) {
			struct buf d;
			uint32_t id;
			uint64_t bytes = 0;

			if (s == c || !(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM))
				continue;
			REG(fd, a + s * pg, pg, s, 0, &id);
			TODEV(fd, id, 0, pg);
			ALLOC(fd, c, pg, &d);
			int r = mcpy(fd, c, id, 0, d.id, 0, pg, &bytes);

			if (same_dev(s, c))
				CHECK(r == 0 && !memcmp(d.p, a + s * pg, pg), "registered on chan %u (%s), memcpy on chan %u (%s), same device: %s%s",
				      s, ci[s].provider, c, ci[c].provider, ename(r), r ? "" : ", data differs");
			else
				CHECK(r == -EINVAL, "registered on chan %u (%s), memcpy on chan %u (%s), another device: %s, want EINVAL",
				      s, ci[s].provider, c, ci[c].provider, ename(r));
			OK(bfree(fd, id));
			OK(bfree(fd, d.id));
			munmap(d.p, d.mmap_size);
		}
	close(fd);
	munmap(a, nch * pg);
	return 0;
}

/* "munmap of the range meanwhile only removes the process's view: DMA goes on into the
 * pinned pages, never into memory given to someone else": after munmap the id still reads
 * the old data and takes writes (read back through the device); new memory mapped at the
 * same address is not written. */
static int c_register_munmap(void)
{
	int fd;
	size_t pg = (size_t)page, sz = 4 * pg;
	uint8_t *a, *b, *saved;
	uint32_t id;
	struct buf s, d;

	REV4();
	OPEN(fd);
	saved = malloc(sz);
	CHECK(saved, "malloc");
	ANON(a, 4);
	fill(a, sz, 61);
	memcpy(saved, a, sz);
	REG(fd, a, sz, mc, 0, &id);
	TODEV(fd, id, 0, sz);
	ALLOC(fd, mc, sz, &s);
	ALLOC(fd, mc, sz, &d);
	CHECK(munmap(a, sz) == 0, "munmap: %s", strerror(errno));
	MCPY(fd, mc, id, 0, d.id, 0, sz);
	CHECK(!memcmp(d.p, saved, sz), "after munmap, the registration no longer holds what was written before");
	/* Other memory at the same address now. */
	b = mmap(a, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(b == a, "mmap MAP_FIXED: %s", strerror(errno));
	memset(b, 0x33, sz);
	fill(s.p, sz, 62);
	TODEV(fd, id, 0, sz);
	MCPY(fd, mc, s.id, 0, id, 0, sz);
	{
		long at = not_all(b, sz, 0x33);

		CHECK(at < 0, "DMA into the registration wrote the memory now mapped at its old address (byte %ld is %#x, %s)",
		      at, b[at], b[at] == s.p[at] ? "the DMA's data" : "not the DMA's data");
	}
	memset(d.p, 0, sz);
	MCPY(fd, mc, id, 0, d.id, 0, sz);
	CHECK(!memcmp(d.p, s.p, sz), "after munmap, DMA written into the registration did not read back");
	OK(bfree(fd, id));
	OK(bfree(fd, s.id));
	OK(bfree(fd, d.id));
	close(fd);
	munmap(s.p, s.mmap_size);
	munmap(d.p, d.mmap_size);
	munmap(b, sz);
	free(saved);
	return 0;
}

/* "After fork, the child gets its own copy of pinned private memory: the device keeps
 * writing the parent's pages": the parent sees the device's write, the child its own copy
 * from before; the child's writes reach neither the parent nor the device. */
static int c_register_fork(void)
{
	int fd, go[2], res[2], st;
	size_t pg = (size_t)page, sz = 4 * pg;
	uint8_t *a, ok = 0;
	uint32_t id;
	struct buf s, d;
	pid_t ch;

	REV4();
	OPEN(fd);
	ANON(a, 4);
	memset(a, 0xaa, sz);
	REG(fd, a, sz, mc, 0, &id);
	TODEV(fd, id, 0, sz);
	ALLOC(fd, mc, sz, &s);
	ALLOC(fd, mc, sz, &d);
	memset(s.p, 0xbb, sz);
	CHECK(pipe(go) == 0 && pipe(res) == 0, "pipe: %s", strerror(errno));
	ch = fork();
	CHECK(ch >= 0, "fork: %s", strerror(errno));
	if (ch == 0) {
		char c;
		uint8_t r;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		r = not_all(a, sz, 0xaa) < 0 ? 1 : (a[0] == 0xbb ? 2 : 3);
		memset(a, 0xcc, sz);
		(void)!write(res[1], &r, 1);
		_exit(0);
	}
	MCPY(fd, mc, s.id, 0, id, 0, sz);
	TOCPU(fd, id, 0, sz);
	{
		long at = not_all(a, sz, 0xbb);

		(void)!write(go[1], "g", 1);
		(void)!read(res[0], &ok, 1);
		waitpid(ch, &st, 0);
		CHECK(at < 0, "parent after fork: byte %ld of the registration is %#x, not the device's 0xbb", at, a[at]);
	}
	CHECK(ok == 1, "child: its copy of the registered memory %s", ok == 2 ? "got the device's write (0xbb)" :
	      ok == 3 ? "is neither the old data nor the device's" : "(child failed)");
	CHECK(not_all(a, sz, 0xbb) < 0, "the child's writes reached the parent's registered memory");
	MCPY(fd, mc, id, 0, d.id, 0, sz);
	CHECK(not_all(d.p, sz, 0xbb) < 0, "the device reads the child's writes, not the parent's pages (byte %ld is %#x)",
	      not_all(d.p, sz, 0xbb), d.p[not_all(d.p, sz, 0xbb) < 0 ? 0 : not_all(d.p, sz, 0xbb)]);
	OK(bfree(fd, id));
	OK(bfree(fd, s.id));
	OK(bfree(fd, d.id));
	close(go[0]); close(go[1]); close(res[0]); close(res[1]);
	close(fd);
	munmap(s.p, s.mmap_size);
	munmap(d.p, d.mmap_size);
	munmap(a, sz);
	return 0;
}

/* "pinned ... until the id is dropped with FREE ... and after that until the last transfer
 * using them ended": FREE and munmap while a non-blocking memcpy from the registration is
 * in flight; it completes with the data. */
static int c_register_free_inflight(void)
{
	int fd;
	size_t pg = (size_t)page, sz = 32 * pg;
	uint8_t *a, *saved;
	uint32_t id;
	struct buf d;
	struct axi_dma_xfer x;
	struct axi_dma_wait w;

	REV4();
	OPEN(fd);
	saved = malloc(sz);
	CHECK(saved, "malloc");
	ANON(a, 32);
	fill(a, sz, 63);
	memcpy(saved, a, sz);
	REG(fd, a, sz, mc, AXI_DMA_REGISTER_TO_DEVICE, &id);
	TODEV(fd, id, 0, sz);
	ALLOC(fd, mc, sz, &d);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, id, d.id, sz);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	OK(bfree(fd, id));
	CHECK(munmap(a, sz) == 0, "munmap: %s", strerror(errno));
	w = (struct axi_dma_wait){ .xfer_id = x.xfer_id, .timeout_ms = 10000 };
	OK(io(fd, AXI_DMA_IOC_WAIT, &w));
	CHECK(w.error == 0 && w.bytes == sz, "WAIT: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	CHECK(!memcmp(d.p, saved, sz), "a transfer from a registration freed and unmapped while in flight: data differs");
	WANT(bfree(fd, id), ENOENT);
	OK(bfree(fd, d.id));
	close(fd);
	munmap(d.p, d.mmap_size);
	free(saved);
	return 0;
}

/* Scattered memory (uapi.md: "one run per group of physically contiguous pages"), on one
 * memcpy channel of each DMA device: a memcpy spanning more than
 * AXI_DMA_REGISTER_MAX_RUNS (64) runs is E2BIG (blocking, non-blocking: nothing to
 * collect; in SUBMIT it stops the batch); split into 32-page transfers ("32 pages never
 * span more than 64 runs on both sides together") it works: registered -> ALLOC'd,
 * ALLOC'd -> registered and registered -> registered, data checked; "at most 64 runs"
 * means up to 64 work: 48 runs -> ALLOC'd, and 32-page transfers at the channel's
 * alignment between a registration and an ALLOC'd buffer (34 runs). */
static int c_register_runs(void)
{
	size_t pg = (size_t)page, n = 1024, w = 256, chunk = 32;
	uint64_t maxr = info.max_buffer_size - info.max_buffer_size % pg;

	REV4();
	if (n * pg > maxr)
		n = (size_t)(maxr / pg);
	if (w > n)
		w = n;
	CHECK(w >= 2 * chunk + 2, "max_buffer_size %llu: too small for this check", (unsigned long long)info.max_buffer_size);
	n -= n % w;
	for (uint32_t c = 0; c < nch; c++) {
		int fd, done = 0, iommu = behind_iommu(c);
		uint8_t *src, *dst;
		uint32_t rs, rd;
		uint64_t runs_s, runs_d, runs_w, runs_65, bytes;
		struct buf b;
		struct axi_dma_xfer x;
		struct axi_dma_completion cc[4];
		uint32_t pend = 9;
		int want, r;

		if (!(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM))
			continue;
		for (uint32_t e = 0; e < c; e++)
			if ((ci[e].directions & AXI_DMA_DIR_MEM_TO_MEM) && same_dev(e, c))
				done = 1;
		if (done)
			continue;
		OPEN(fd);
		SCATTERED(src, n, 1 + c);
		SCATTERED(dst, n, 100 + c);
		fill(src, n * pg, 71 + c);
		memset(dst, 0xee, n * pg);
		REG(fd, src, n * pg, c, 0, &rs);
		REG(fd, dst, n * pg, c, 0, &rd);
		TODEV(fd, rs, 0, n * pg);
		TODEV(fd, rd, 0, n * pg);
		ALLOC(fd, c, w * pg, &b);
		runs_s = phys_runs(src, n);
		runs_d = phys_runs(dst, n);
		printf("# chan %u (%s): %zu pages registered twice, %llu and %llu physical runs (0: unknown; %s)%s\n", c,
		       ci[c].provider, n, (unsigned long long)runs_s, (unsigned long long)runs_d, pm_note,
		       iommu ? ", behind an IOMMU" : "");
		runs_w = phys_runs(src, w);
		runs_65 = phys_runs(src, 65);
		/* E2BIG: W pages (about W runs) between a registration and an ALLOC'd buffer,
		 * both ways, and between two registrations; 65 pages (65 runs + the buffer's one). */
		want = !iommu && (runs_w == 0 || runs_w > 64);
#define BIG(s_, d_, len_, rn_) do { r = mcpy(fd, c, s_, 0, d_, 0, len_, &bytes); \
		if (want && (rn_ == 0 || rn_ > 64)) \
			CHECK(r == -E2BIG, "chan %u: memcpy of %llu scattered pages (%llu runs) %s -> %s: %s, want E2BIG", c, \
			      (unsigned long long)((len_) / pg), (unsigned long long)rn_, #s_, #d_, ename(r)); \
		else \
			CHECK(r == 0 || r == -E2BIG, "chan %u: memcpy of %llu pages (%llu runs%s): %s", c, \
			      (unsigned long long)((len_) / pg), (unsigned long long)rn_, iommu ? ", IOMMU" : "", ename(r)); \
	} while (0)
		BIG(rs, b.id, w * pg, runs_w);
		BIG(b.id, rd, w * pg, phys_runs(dst, w));
		BIG(rs, rd, w * pg, runs_w);
		BIG(rs, b.id, 65 * pg, runs_65);
		BIG(b.id, rd, 65 * pg, phys_runs(dst, 65));
#undef BIG
		if (want) {
			x = xf(c, AXI_DMA_XFER_MEMCPY, rs, b.id, w * pg);
			x.flags = AXI_DMA_XFER_NONBLOCK;
			WANT(io(fd, AXI_DMA_IOC_XFER, &x), E2BIG);
			r = reap(fd, cc, 4, 0, 0, &pend);
			CHECK(r == 0 && pend == 0, "chan %u: after E2BIG: REAP %s pending %u, want nothing", c, ename(r), pend);
			/* SUBMIT: the E2BIG one stops the batch; the one before it ran. */
			struct axi_dma_xfer bx[3] = {
				xf(c, AXI_DMA_XFER_MEMCPY, rs, b.id, chunk * pg),
				xf(c, AXI_DMA_XFER_MEMCPY, rs, b.id, w * pg),
				xf(c, AXI_DMA_XFER_MEMCPY, rs, b.id, chunk * pg),
			};
			struct axi_dma_submit sb = { .xfers = (uintptr_t)bx, .count = 3 };

			WANT(io(fd, AXI_DMA_IOC_SUBMIT, &sb), E2BIG);
			CHECK(sb.queued == 1 && sb.error == -E2BIG && bx[0].xfer_id != 0 && bx[2].xfer_id == 0,
			      "chan %u: SUBMIT [ok, E2BIG, ok]: queued %u error %d ids %llu/%llu", c, sb.queued, sb.error,
			      (unsigned long long)bx[0].xfer_id, (unsigned long long)bx[2].xfer_id);
			struct axi_dma_wait wt = { .xfer_id = bx[0].xfer_id, .timeout_ms = 5000 };
			OK(io(fd, AXI_DMA_IOC_WAIT, &wt));
			CHECK(wt.error == 0 && wt.bytes == chunk * pg, "chan %u: the transfer before the E2BIG one: error %d bytes %llu",
			      c, wt.error, (unsigned long long)wt.bytes);
		}
		/* Not asserted (uapi.md does not say how the runs of the two sides add up): what
		 * the driver does at the boundary, for the report. */
		if (want) {
			uint64_t b1 = 0, b2 = 0, b3 = 0;
			int p1 = mcpy(fd, c, rs, 0, b.id, 0, 64 * pg, &b1);
			int p2 = mcpy(fd, c, rs, 0, rd, 0, 33 * pg, &b2);
			int p3 = mcpy(fd, c, rs, ci[c].addr_align, rd, 2 * ci[c].addr_align, chunk * pg, &b3);

			printf("# chan %u: 64 scattered pages -> ALLOC'd: %s (bytes %llu); 33 pages registered -> registered: %s "
			       "(bytes %llu); 32 pages registered -> registered at offsets %u/%u: %s\n", c, ename(p1),
			       (unsigned long long)b1, ename(p2), (unsigned long long)b2, ci[c].addr_align,
			       2 * ci[c].addr_align, ename(p3));
		}
		/* Split into 32-page transfers: registered -> ALLOC'd, window by window. */
		for (size_t wi = 0; wi < n / w; wi++) {
			memset(b.p, 0, w * pg);
			for (size_t k = 0; k < w / chunk; k++)
				MCPY(fd, c, rs, (wi * w + k * chunk) * pg, b.id, k * chunk * pg, chunk * pg);
			long at = diff_at(b.p, src + wi * w * pg, w * pg);

			CHECK(at < 0, "chan %u: registered -> ALLOC'd in 32-page transfers: byte %ld of window %zu differs", c, at, wi);
		}
		/* ALLOC'd -> registered. */
		for (size_t wi = 0; wi < n / w; wi++) {
			fill(b.p, w * pg, 500 + (uint32_t)wi);
			for (size_t k = 0; k < w / chunk; k++)
				MCPY(fd, c, b.id, k * chunk * pg, rd, (wi * w + k * chunk) * pg, chunk * pg);
		}
		TOCPU(fd, rd, 0, n * pg);
		for (size_t wi = 0; wi < n / w; wi++) {
			fill(b.p, w * pg, 500 + (uint32_t)wi);
			long at = diff_at(dst + wi * w * pg, b.p, w * pg);

			CHECK(at < 0, "chan %u: ALLOC'd -> registered in 32-page transfers: byte %ld of window %zu differs", c, at, wi);
		}
		/* registered -> registered, both sides scattered. */
		memset(dst, 0xee, n * pg);
		TODEV(fd, rd, 0, n * pg);
		for (size_t k = 0; k < n / chunk; k++)
			MCPY(fd, c, rs, k * chunk * pg, rd, k * chunk * pg, chunk * pg);
		TOCPU(fd, rd, 0, n * pg);
		{
			long at = diff_at(dst, src, n * pg);

			CHECK(at < 0, "chan %u: registered -> registered in 32-page transfers: byte %ld differs", c, at);
		}
		/* Up to 64 runs is no E2BIG and moves the data: 48 scattered pages -> ALLOC'd (48
		 * runs and the buffer's one), and 32-page transfers at the channel's alignment
		 * rather than at page boundaries (33 runs of the registration and the buffer's
		 * one). Both results in one message. */
		{
			uint32_t al = ci[c].addr_align;
			uint64_t b48 = 0, bu = 0, r48pg = phys_runs(src, 48);
			int r48, ru = 0;
			long a48 = -1, au = -1;
			size_t ku = 0;

			memset(b.p, 0, w * pg);
			r48 = mcpy(fd, c, rs, 0, b.id, 0, 48 * pg, &b48);
			if (!r48)
				a48 = diff_at(b.p, src, 48 * pg);
			memset(b.p, 0, w * pg);
			for (ku = 0; ku + 1 < w / chunk && !ru; ku++)
				ru = mcpy(fd, c, rs, ku * chunk * pg + al, b.id, ku * chunk * pg + 2 * al, chunk * pg, &bu);
			if (!ru)
				au = diff_at(b.p + 2 * al, src + al, (w - chunk) * pg);
			CHECK(!r48 && a48 < 0 && !ru && au < 0,
			      "chan %u: 48 scattered pages (%llu runs) -> ALLOC'd: %s, bytes %llu of %llu%s; "
			      "32-page transfers registered+%u -> ALLOC'd+%u: %s%s (transfer %zu, bytes %llu of %llu)%s",
			      c, (unsigned long long)r48pg, ename(r48), (unsigned long long)b48, (unsigned long long)(48 * pg),
			      a48 >= 0 ? ", data differs" : "", al, 2 * al, ru ? "the first failure " : "", ename(ru),
			      ru ? ku - 1 : ku, (unsigned long long)bu, (unsigned long long)(chunk * pg),
			      au >= 0 ? ", data differs" : "");
		}
		OK(bfree(fd, rs));
		OK(bfree(fd, rd));
		OK(bfree(fd, b.id));
		close(fd);
		munmap(b.p, b.mmap_size);
		munmap(src, n * pg);
		munmap(dst, n * pg);
	}
	return 0;
}

/* The longest stretch of [p, p + n pages) that is physically contiguous (pagemap): its
 * length in pages (0 if unknown), its first page in *first. */
static size_t longest_run(const uint8_t *p, size_t n, size_t *first)
{
	size_t best = 0, cur = 0;
	int f = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t prev = 0, e;

	if (f < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (pread(f, &e, 8, (off_t)(((uintptr_t)p / (uintptr_t)page + i) * 8)) != 8 || !(e >> 63) ||
		    !(e & ((1ull << 55) - 1))) {
			best = 0;
			break;
		}
		e &= (1ull << 55) - 1;
		cur = i && e == prev + 1 ? cur + 1 : 1;
		prev = e;
		if (cur > best) {
			best = cur;
			*first = i + 1 - cur;
		}
	}
	close(f);
	return best;
}

/* "one run per group of physically contiguous pages": a registration of pages that are
 * physically contiguous (found with pagemap in memory faulted in order; the pages were
 * pinned once before, so pinning does not move them any more) is one run, however many
 * pages: a memcpy of all of it works both ways (at the channel's alignment too, data
 * checked after SYNC), and KBENCH ("needs a range that is one run") takes it. Not tried
 * where no stretch of 8 contiguous pages turns up or pagemap cannot be read. */
static int c_register_one_run(void)
{
	int fd;
	size_t pg = (size_t)page, n = 512, k = 0, k2, f1 = 0, f2 = 0, hp;
	uint8_t *up, *down, *h;
	uint32_t id, id2, al = ci[mc].addr_align;
	uint64_t runs, len;
	struct buf d;
	struct axi_dma_kbench kb;
	long at;

	REV4();
	OPEN(fd);
	ANON(up, n);
	ANON(down, n);
	for (size_t i = 0; i < n; i++) /* in order */
		up[i * pg] = 1;
	for (size_t i = 0; i < n; i++) /* in reverse order (whichever way the allocator hands out pages) */
		down[(n - 1 - i) * pg] = 1;
	REG(fd, up, n * pg, mc, 0, &id);
	REG(fd, down, n * pg, mc, 0, &id2);
	OK(bfree(fd, id));
	OK(bfree(fd, id2));
	k = longest_run(up, n, &f1);
	k2 = longest_run(down, n, &f2);
	h = k >= k2 ? up + f1 * pg : down + f2 * pg;
	k = k >= k2 ? k : k2;
	if (k > 256)
		k = 256;
	/* A run is at most the channel's max_seg_size (docs: REGISTER). */
	if (k > ci[mc].max_seg_size / pg)
		k = ci[mc].max_seg_size / pg;
	if (k < 8) {
		printf("# no 8 physically contiguous pages found (longest %zu): not tried\n", k);
		close(fd);
		munmap(up, n * pg);
		munmap(down, n * pg);
		return 0;
	}
	hp = k * pg;
	len = hp - 3 * al;
	len -= len % al;
	fill(h, hp, 101);
	REG(fd, h, hp, mc, 0, &id);
	runs = phys_runs(h, k);
	printf("# a registration of %zu physically contiguous pages: %llu runs\n", k, (unsigned long long)runs);
	CHECK(runs == 1, "%zu contiguous pages moved when registered: %llu runs now", k, (unsigned long long)runs);
	TODEV(fd, id, 0, hp);
	ALLOC(fd, mc, hp, &d);
	MCPY(fd, mc, id, 0, d.id, 0, hp);
	at = diff_at(d.p, h, hp);
	CHECK(at < 0, "one-run registration of %zu pages -> ALLOC'd: byte %ld differs", k, at);
	fill(d.p, hp, 102);
	TODEV(fd, id, 0, hp);
	MCPY(fd, mc, d.id, al, id, 2 * al, len);
	TOCPU(fd, id, 0, hp);
	at = diff_at(h + 2 * al, d.p + al, len);
	CHECK(at < 0, "ALLOC'd+%u -> one-run registration+%u: byte %ld differs", al, 2 * al, at);
	memset(d.p, 0, hp);
	TODEV(fd, id, 0, hp);
	kb = (struct axi_dma_kbench){ .chan = mc, .src_buf = id, .dst_buf = d.id, .depth = 1, .len = hp, .iters = 2 };
	int r = io(fd, AXI_DMA_IOC_KBENCH, &kb);
	CHECK(r == 0, "KBENCH from a registration of %zu pages in one run: %s", k, ename(r));
	CHECK(!memcmp(d.p, h, hp), "KBENCH from a one-run registration: data differs");
	OK(bfree(fd, id));
	OK(bfree(fd, d.id));
	close(fd);
	munmap(d.p, d.mmap_size);
	munmap(up, n * pg);
	munmap(down, n * pg);
	return 0;
}

/* "Rings and KBENCH need a range that is one run: EINVAL": KBENCH from a scattered
 * registration; from a one-page registration (one run) it works. */
static int c_register_kbench(void)
{
	int fd;
	size_t pg = (size_t)page, n = 64;
	uint8_t *a, *sc;
	uint32_t one, many;
	uint64_t runs;
	struct buf d;
	struct axi_dma_kbench k;

	REV4();
	OPEN(fd);
	ANON(a, 1);
	fill(a, pg, 81);
	REG(fd, a, pg, mc, 0, &one);
	TODEV(fd, one, 0, pg);
	ALLOC(fd, mc, n * pg, &d);
	k = (struct axi_dma_kbench){ .chan = mc, .src_buf = one, .dst_buf = d.id, .depth = 2, .len = pg, .iters = 4 };
	OK(io(fd, AXI_DMA_IOC_KBENCH, &k));
	CHECK(!memcmp(d.p, a, pg), "KBENCH from a one-page registration: data differs");
	SCATTERED(sc, n, 82);
	REG(fd, sc, n * pg, mc, 0, &many);
	TODEV(fd, many, 0, n * pg);
	runs = phys_runs(sc, n);
	k = (struct axi_dma_kbench){ .chan = mc, .src_buf = many, .dst_buf = d.id, .depth = 1, .len = n * pg, .iters = 1 };
	if (runs == 1 || behind_iommu(mc)) {
		printf("# the scattered registration is one run (%s)\n", runs == 1 ? "pagemap" : "IOMMU");
	} else {
		int r = io(fd, AXI_DMA_IOC_KBENCH, &k);

		CHECK(r == -EINVAL, "KBENCH from a registration of %zu pages in %llu runs (0: unknown): %s, want EINVAL", n,
		      (unsigned long long)runs, ename(r));
	}
	OK(bfree(fd, one));
	OK(bfree(fd, many));
	OK(bfree(fd, d.id));
	close(fd);
	munmap(d.p, d.mmap_size);
	munmap(a, pg);
	munmap(sc, n * pg);
	return 0;
}

/* Send and receive on a streaming pair: LOOPBACK from a TO_DEVICE registration into a
 * FROM_DEVICE one (data after SYNC FOR_CPU), a registration of tx used on rx (same
 * device); the direction rules for TO_DEV / FROM_DEV / LOOPBACK (EINVAL); several runs:
 * the test provider refuses (EINVAL), AXI DMA takes a scatter list or refuses without
 * scatter-gather; rings: a scattered registration EINVAL, a one-page one works. */
static int c_register_stream(void)
{
	int fd;
	size_t pg = (size_t)page, half = pg / 2, n = 16;
	uint8_t *a, *sc, *sc2;
	uint32_t rt, rf, r0, rsc, rsc2, q;
	uint64_t runs, runs2;
	struct buf s;
	struct axi_dma_xfer x;
	struct axi_dma_stream_done dn[2];
	int r;

	REV4();
	OPEN(fd);
	ANON(a, 3);
	fill(a, pg, 91);
	memset(a + pg, 0xcc, 2 * pg);
	REG(fd, a, pg, stx, AXI_DMA_REGISTER_TO_DEVICE, &rt);
	REG(fd, a + pg, pg, srx, AXI_DMA_REGISTER_FROM_DEVICE, &rf);
	REG(fd, a + 2 * pg, pg, stx, 0, &r0);
	TODEV(fd, rt, 0, pg);
	TODEV(fd, rf, 0, pg);
	TODEV(fd, r0, 0, pg);
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, rt, rf, half);
	x.rx_chan = srx;
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	CHECK(x.bytes == half && x.error == 0, "LOOPBACK registered -> registered: bytes %llu error %d",
	      (unsigned long long)x.bytes, x.error);
	TOCPU(fd, rf, 0, pg);
	CHECK(!memcmp(a + pg, a, half) && not_all(a + pg + half, half, 0xcc) < 0,
	      "LOOPBACK registered -> registered: data differs or written past the packet");
	/* r0 was registered on tx: usable on rx, a channel of the same device. */
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, rt, r0, 300);
	x.rx_chan = srx;
	x.timeout_ms = 5000;
	OK(io(fd, AXI_DMA_IOC_XFER, &x));
	TOCPU(fd, r0, 0, pg);
	CHECK(x.bytes == 300 && !memcmp(a + 2 * pg, a, 300), "a registration of tx received into on rx: bytes %llu or data differs",
	      (unsigned long long)x.bytes);
	/* The direction rules. */
	x = xf(stx, AXI_DMA_XFER_TO_DEV, rf, 0, 64);
	x.timeout_ms = 500;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, rt, 64);
	x.timeout_ms = 500;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, rf, r0, 64);
	x.rx_chan = srx;
	x.timeout_ms = 500;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	x = xf(stx, AXI_DMA_XFER_LOOPBACK, r0, rt, 64);
	x.rx_chan = srx;
	x.timeout_ms = 500;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
	/* Several runs. */
	SCATTERED(sc, n, 92);
	SCATTERED(sc2, n, 93);
	fill(sc, n * pg, 94);
	memset(sc2, 0xcc, n * pg);
	REG(fd, sc, n * pg, stx, 0, &rsc);
	REG(fd, sc2, n * pg, srx, 0, &rsc2);
	TODEV(fd, rsc, 0, n * pg);
	TODEV(fd, rsc2, 0, n * pg);
	runs = phys_runs(sc, n);
	runs2 = phys_runs(sc2, n);
	printf("# %zu-page registrations in %llu and %llu runs (0: unknown)%s\n", n, (unsigned long long)runs,
	       (unsigned long long)runs2, behind_iommu(stx) ? ", behind an IOMMU" : "");
	if (behind_iommu(stx) || runs == 1 || runs2 == 1) {
		printf("# not scattered: the several-runs part not tried\n");
	} else if (have_fault) {
		/* The test provider "cannot take a scatter list". */
		x = xf(stx, AXI_DMA_XFER_TO_DEV, rsc, 0, n * pg);
		x.timeout_ms = 500;
		WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
		x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, rsc2, n * pg);
		x.timeout_ms = 500;
		WANT(io(fd, AXI_DMA_IOC_XFER, &x), EINVAL);
		/* One page of it is one run. */
		x = xf(stx, AXI_DMA_XFER_LOOPBACK, rsc, rsc2, pg);
		x.src_off = x.dst_off = 3 * pg;
		x.rx_chan = srx;
		x.timeout_ms = 5000;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		TOCPU(fd, rsc2, 0, n * pg);
		CHECK(!memcmp(sc2 + 3 * pg, sc + 3 * pg, pg), "LOOPBACK of one page of scattered registrations: data differs");
	} else {
		x = xf(stx, AXI_DMA_XFER_LOOPBACK, rsc, rsc2, n * pg);
		x.rx_chan = srx;
		x.timeout_ms = 5000;
		r = io(fd, AXI_DMA_IOC_XFER, &x);
		CHECK(r == 0 || r == -EINVAL, "LOOPBACK of %zu scattered pages: %s, want success (scatter-gather) or EINVAL", n,
		      ename(r));
		if (!r) {
			TOCPU(fd, rsc2, 0, n * pg);
			CHECK(x.bytes == n * pg && !memcmp(sc2, sc, n * pg), "LOOPBACK of %zu scattered pages: bytes %llu or data differs",
			      n, (unsigned long long)x.bytes);
		}
		printf("# a send/receive of several runs: %s\n", r ? "refused (no scatter-gather)" : "a scatter list");
	}
	/* Rings: one run needed. */
	{
		struct buf rb = { .id = rsc2 }, one = { .id = rf };

		if (!behind_iommu(srx) && runs2 != 1)
			WANT(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &rb, 4, 4 * pg, &q), EINVAL);
		memset(a + pg, 0xcc, pg);
		TODEV(fd, rf, 0, pg);
		OK(sstart(fd, srx, AXI_DMA_DIR_DEV_TO_MEM, &one, 2, half, &q));
		CHECK(q == 2, "rx ring on a one-page registration: queued %u, want 2", q);
		ALLOC(fd, stx, pg, &s);
		fill(s.p, 300, 95);
		x = xf(stx, AXI_DMA_XFER_TO_DEV, s.id, 0, 300);
		x.timeout_ms = 5000;
		OK(io(fd, AXI_DMA_IOC_XFER, &x));
		r = sreap(fd, srx, dn, 1, 1, 5000, NULL, NULL);
		CHECK(r == 1 && dn[0].error == 0 && dn[0].bytes == 300 && dn[0].slot == 0, "rx ring reap: %s, error %d bytes %llu",
		      ename(r), r == 1 ? dn[0].error : 0, r == 1 ? (unsigned long long)dn[0].bytes : 0ull);
		TOCPU(fd, rf, 0, pg);
		CHECK(!memcmp(a + pg, s.p, 300), "rx ring into a registration: data differs");
		struct axi_dma_stream_stop st = { .chan = srx };
		OK(io(fd, AXI_DMA_IOC_STREAM_STOP, &st));
	}
	OK(bfree(fd, rt));
	OK(bfree(fd, rf));
	OK(bfree(fd, r0));
	OK(bfree(fd, rsc));
	OK(bfree(fd, rsc2));
	OK(bfree(fd, s.id));
	close(fd);
	munmap(s.p, s.mmap_size);
	munmap(a, 3 * pg);
	munmap(sc, n * pg);
	munmap(sc2, n * pg);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * EXPORT and IMPORT (revision 4): dma-buf. docs/uapi.md "AXI_DMA_IOC_EXPORT" and
 * "AXI_DMA_IOC_IMPORT", the header's comment above struct axi_dma_export. The dma-bufs of
 * other exporters come from the DMA heaps (/dev/dma_heap/system, a CMA heap) and udmabuf (a
 * memfd sealed against shrinking); unsignalled fences from sw_sync (debugfs). Platform fact:
 * DMA-API debugging rejects a scatter list segment longer than the device's max_seg_size
 * (64 KiB on the ZynqMP GDMA), so the dma-bufs imported here are at most that long per
 * segment: 16 pages (or max_seg_size), the system heap's 512 KiB (64 KiB pieces) once.
 */

#define REV4D() CHECK(info.abi_revision >= 4, "abi_revision %u: EXPORT and IMPORT need revision 4", info.abi_revision)

/* sw_sync's ioctls (not in the UAPI headers). */
struct conf_sw_sync_create_fence {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define CONF_SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct conf_sw_sync_create_fence)
#define CONF_SW_SYNC_IOC_INC          _IOW('W', 1, __u32)
#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"

/* The length of the dma-bufs imported on channel c: 16 pages, at most max_seg_size. */
static uint64_t dbsz(uint32_t c)
{
	uint64_t pg = (uint64_t)page, n = 16 * pg, m = ci[c].max_seg_size - ci[c].max_seg_size % pg;

	if (m < n)
		n = m;
	return n < pg ? pg : n;
}

/* EXPORT of buffer id: 0 (and the dma-buf's fd, or it is closed) or -errno. */
static int exp_buf(int fd, uint32_t id, uint32_t flags, int *dfd)
{
	struct axi_dma_export e = { .id = id, .flags = flags };
	int r = io(fd, AXI_DMA_IOC_EXPORT, &e);

	if (!r && dfd)
		*dfd = e.fd;
	else if (!r)
		close(e.fd);
	return r;
}
#define EXPORT(fd, id, fl, dfdp) do { int r_ = exp_buf(fd, id, fl, dfdp); \
	if (r_) FAIL("EXPORT of buffer %u flags %#x: %s", (unsigned)(id), (unsigned)(fl), ename(r_)); } while (0)

/* IMPORT of dma-buf dfd on ch: 0 (id, size) or -errno. */
static int imp(int fd, int dfd, uint32_t ch, uint32_t flags, uint32_t *id, uint64_t *size)
{
	struct axi_dma_import m = { .fd = dfd, .chan = ch, .flags = flags };
	int r = io(fd, AXI_DMA_IOC_IMPORT, &m);

	if (!r && id)
		*id = m.id;
	if (!r && size)
		*size = m.size;
	return r;
}
#define IMPORT(fd, dfd, ch, fl, idp) do { int r_ = imp(fd, dfd, ch, fl, idp, NULL); \
	if (r_) FAIL("IMPORT of dma-buf fd %d on chan %u flags %#x: %s", (int)(dfd), (unsigned)(ch), (unsigned)(fl), \
		     ename(r_)); } while (0)

/* A dma-buf of len bytes from /dev/dma_heap/<heap>, or -1 (why says it). */
static int heap_buf(const char *heap, uint64_t len)
{
	char p[300];
	struct dma_heap_allocation_data a = { .len = len, .fd_flags = O_RDWR | O_CLOEXEC };
	int h, r;

	snprintf(p, sizeof(p), "/dev/dma_heap/%s", heap);
	h = open(p, O_RDWR | O_CLOEXEC);
	if (h < 0) {
		snprintf(why, sizeof(why), "open %s: %s", p, strerror(errno));
		return -1;
	}
	r = io(h, DMA_HEAP_IOCTL_ALLOC, &a);
	close(h);
	if (r) {
		snprintf(why, sizeof(why), "DMA_HEAP_IOCTL_ALLOC of %llu bytes from %s: %s", (unsigned long long)len, p, ename(r));
		return -1;
	}
	return (int)a.fd;
}
#define HEAP(dfd, heap, len) do { if (((dfd) = heap_buf(heap, len)) < 0) return -1; } while (0)

/* The name of a CMA heap under /dev/dma_heap (any heap not named system*), or NULL. */
static const char *cma_heap(void)
{
	static char name[256];
	DIR *d = opendir("/dev/dma_heap");
	struct dirent *e;

	name[0] = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strncmp(e->d_name, "system", 6)) {
			snprintf(name, sizeof(name), "%s", e->d_name);
			break;
		}
	closedir(d);
	return name[0] ? name : NULL;
}

/* A udmabuf of len bytes (a memfd sealed with F_SEAL_SHRINK, kept in *mfd), or -1. */
static int udmabuf_make(uint64_t len, int *mfd)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = len };
	int u, r;

	*mfd = memfd_create("axi-dma-conf-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*mfd < 0 || ftruncate(*mfd, (off_t)len) || fcntl(*mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		snprintf(why, sizeof(why), "memfd for a udmabuf: %s", strerror(errno));
		return -1;
	}
	u = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (u < 0) {
		snprintf(why, sizeof(why), "open /dev/udmabuf: %s", strerror(errno));
		return -1;
	}
	c.memfd = (__u32)*mfd;
	r = ioctl(u, UDMABUF_CREATE, &c);
	if (r < 0)
		snprintf(why, sizeof(why), "UDMABUF_CREATE of %llu bytes: %s", (unsigned long long)len, strerror(errno));
	close(u);
	return r < 0 ? -1 : r;
}
#define UDMABUF(dfd, len, mfd) do { if (((dfd) = udmabuf_make(len, &(mfd))) < 0) return -1; } while (0)

/* mmap of a dma-buf, MAP_SHARED, read and write. */
#define DBMAP(p, dfd, len) do { void *q_ = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0); \
	if (q_ == MAP_FAILED) FAIL("mmap of %llu bytes of dma-buf fd %d: %s", (unsigned long long)(len), (int)(dfd), \
				   strerror(errno)); (p) = q_; } while (0)

static int dbsync(int dfd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return io(dfd, DMA_BUF_IOCTL_SYNC, &s);
}
#define CPU_START(dfd) OK(dbsync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
#define CPU_END(dfd) OK(dbsync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))

/* The size of a dma-buf (its SEEK_END). */
static uint64_t dbsize(int dfd)
{
	off_t e = lseek(dfd, 0, SEEK_END);

	lseek(dfd, 0, SEEK_SET);
	return e < 0 ? 0 : (uint64_t)e;
}

/* The lowest free file descriptor number. */
static int lowest_free_fd(void)
{
	int f = dup(0);

	if (f >= 0)
		close(f);
	return f;
}

/* A sw_sync fence at value `value` of timeline tl attached to dma-buf dfd with
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE (flags DMA_BUF_SYNC_READ or _WRITE): 0 or -1 (why). */
static int fence_attach(int tl, int dfd, uint32_t value, uint32_t flags)
{
	struct conf_sw_sync_create_fence c = { .value = value, .name = "axi-dma-conf" };
	struct dma_buf_import_sync_file s = { .flags = flags };
	int r;

	if (ioctl(tl, CONF_SW_SYNC_IOC_CREATE_FENCE, &c)) {
		snprintf(why, sizeof(why), "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
		return -1;
	}
	s.fd = c.fence;
	r = io(dfd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &s);
	close(c.fence);
	if (r)
		snprintf(why, sizeof(why), "DMA_BUF_IOCTL_IMPORT_SYNC_FILE flags %#x: %s", flags, ename(r));
	return r ? -1 : 0;
}
#define FENCE(tl, dfd, v, fl) do { if (fence_attach(tl, dfd, v, fl)) return -1; } while (0)
#define SIGNAL(tl) do { __u32 one_ = 1; OK(io(tl, CONF_SW_SYNC_IOC_INC, &one_)); } while (0)

/* SCM_RIGHTS over a Unix socket. */
static int send_fd(int s, int f)
{
	char c = 'f';
	struct iovec v = { .iov_base = &c, .iov_len = 1 };
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } u;
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *h;

	memset(&u, 0, sizeof(u));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &f, sizeof(int));
	return sendmsg(s, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int s)
{
	char c;
	struct iovec v = { .iov_base = &c, .iov_len = 1 };
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } u;
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *h;
	int f = -1;

	if (recvmsg(s, &m, 0) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
		memcpy(&f, CMSG_DATA(h), sizeof(int));
	return f;
}

/* EXPORT: "Out: fd, a new dma-buf file descriptor for the buffer's memory"; flags "O_CLOEXEC
 * and O_RDWR, or a part of them": 0, O_CLOEXEC, O_RDWR, O_CLOEXEC|O_RDWR all work; FD_CLOEXEC
 * is set exactly with O_CLOEXEC; the access mode is O_RDWR exactly with O_RDWR ("without
 * O_RDWR the dma-buf is read-only": a PROT_WRITE MAP_SHARED mmap fails, mprotect adding
 * PROT_WRITE to a read mapping fails, a read mapping works and shows the buffer); the fd is
 * a dma-buf (DMA_BUF_IOCTL_SYNC takes it; its size, SEEK_END, is the buffer's); "The same
 * buffer may be exported several times": distinct fds of the same memory (a write through
 * one shows in the buffer's own mapping and the others); a buffer of every channel exports. */
static int c_export(void)
{
	int fd, d[4], x;
	size_t pg = (size_t)page, sz = 2 * pg;
	const uint32_t fl[4] = { 0, O_CLOEXEC, O_RDWR, O_CLOEXEC | O_RDWR };
	uint8_t *m[4];
	struct buf b;
	char rdfail[300] = "";

	REV4D();
	OPEN(fd);
	ALLOC(fd, 0, sz, &b);
	fill(b.p, sz, 1);
	for (int i = 0; i < 4; i++) {
		int fdf, stf;

		EXPORT(fd, b.id, fl[i], &d[i]);
		CHECK(d[i] >= 0, "EXPORT flags %#x: fd %d", fl[i], d[i]);
		for (int j = 0; j < i; j++)
			CHECK(d[i] != d[j], "two EXPORTs of one buffer returned the same fd %d", d[i]);
		fdf = fcntl(d[i], F_GETFD);
		stf = fcntl(d[i], F_GETFL);
		CHECK(fdf >= 0 && !!(fdf & FD_CLOEXEC) == !!(fl[i] & O_CLOEXEC), "EXPORT flags %#x: FD_CLOEXEC is %s",
		      fl[i], fdf < 0 ? strerror(errno) : (fdf & FD_CLOEXEC) ? "set" : "clear");
		CHECK(stf >= 0 && (stf & O_ACCMODE) == ((fl[i] & O_RDWR) ? O_RDWR : O_RDONLY),
		      "EXPORT flags %#x: the fd's access mode is %#x", fl[i], stf < 0 ? 0xffffffffu : (unsigned)(stf & O_ACCMODE));
		CHECK(dbsize(d[i]) == sz, "EXPORT of a %zu-byte buffer: the dma-buf's size (SEEK_END) is %llu", sz,
		      (unsigned long long)dbsize(d[i]));
		OK(dbsync(d[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		OK(dbsync(d[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
		m[i] = mmap(NULL, sz, PROT_READ, MAP_SHARED, d[i], 0);
		if (m[i] == MAP_FAILED) {
			size_t l = strlen(rdfail);

			snprintf(rdfail + l, sizeof(rdfail) - l, "%s flags %#x: %s", l ? ";" : "", fl[i], strerror(errno));
		} else {
			CHECK(!memcmp(m[i], b.p, sz), "the dma-buf exported with flags %#x does not show the buffer's bytes", fl[i]);
		}
		if (!(fl[i] & O_RDWR)) {
			void *w = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, d[i], 0);

			CHECK(w == MAP_FAILED, "EXPORT without O_RDWR (flags %#x): a PROT_WRITE MAP_SHARED mmap of the dma-buf "
			      "worked (uapi.md: \"without O_RDWR the dma-buf is read-only\")", fl[i]);
			CHECK(m[i] == MAP_FAILED || mprotect(m[i], sz, PROT_READ | PROT_WRITE) != 0,
			      "EXPORT without O_RDWR (flags %#x): mprotect added PROT_WRITE to a mapping of the dma-buf", fl[i]);
		} else {
			if (m[i] != MAP_FAILED)
				munmap(m[i], sz);
			DBMAP(m[i], d[i], sz);
			CPU_START(d[i]);
			m[i][i * 100] = (uint8_t)(0xa0 + i);
			CPU_END(d[i]);
			CHECK(b.p[i * 100] == 0xa0 + i, "a write through the dma-buf (flags %#x) does not show in the buffer's mapping",
			      fl[i]);
		}
	}
	for (int i = 0; i < 4; i++)
		CHECK(m[i] == MAP_FAILED || !memcmp(m[i], b.p, sz), "the dma-buf exported with flags %#x no longer shows the buffer's bytes",
		      fl[i]);
	for (int i = 0; i < 4; i++) {
		if (m[i] != MAP_FAILED)
			munmap(m[i], sz);
		close(d[i]);
	}
	/* For comparison: a PROT_READ-only MAP_SHARED mapping of the buffer through the device file. */
	{
		void *r = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, (off_t)b.off);

		printf("# PROT_READ MAP_SHARED mmap of a buffer through the device file: %s\n",
		       r == MAP_FAILED ? strerror(errno) : "works");
		if (r != MAP_FAILED)
			munmap(r, sz);
	}
	/* A buffer of every channel. */
	for (uint32_t c = 0; c < nch; c++) {
		struct buf cb;

		ALLOC(fd, c, pg, &cb);
		EXPORT(fd, cb.id, O_RDWR | O_CLOEXEC, &x);
		close(x);
		OK(bfree(fd, cb.id));
		munmap(cb.p, cb.mmap_size);
	}
	/* Not a multiple of the page size (what size the dma-buf has, the docs do not say). */
	{
		struct buf ob;

		ALLOC(fd, 0, 100, &ob);
		EXPORT(fd, ob.id, O_RDWR, &x);
		printf("# EXPORT of a 100-byte buffer (mmap_size %llu): a dma-buf of %llu bytes\n",
		       (unsigned long long)ob.mmap_size, (unsigned long long)dbsize(x));
		close(x);
		OK(bfree(fd, ob.id));
		munmap(ob.p, ob.mmap_size);
	}
	OK(bfree(fd, b.id));
	close(fd);
	munmap(b.p, b.mmap_size);
	CHECK(!rdfail[0], "a PROT_READ MAP_SHARED mmap of the dma-buf (uapi.md: \"mmap(2) of the fd (MAP_SHARED, offset 0 .. "
	      "size) maps the memory\"; read-only without O_RDWR) failed:%s", rdfail);
	return 0;
}

/* EXPORT's errors: EINVAL for flags other than O_CLOEXEC/O_RDWR (O_WRONLY, O_NONBLOCK,
 * O_APPEND, with O_RDWR too, unknown bits), registered memory, imported memory (a system
 * heap dma-buf), the zero rule (pad; the output fd, also -1); ENOENT for no such buffer (an
 * unknown id, a freed one, another file's id); EMFILE without a free file descriptor;
 * EFAULT, ENOTTY (the shared rules); no refused call made a file descriptor, and the
 * buffer exports afterwards. */
static int c_export_errors(void)
{
	int fd, fd2, hb, x, low;
	size_t pg = (size_t)page;
	uint8_t *a;
	uint32_t rid, iid;
	struct buf b;
	struct axi_dma_export e;
	struct rlimit rl, rl0;
	char junk[64] = { 0 };

	REV4D();
	OPEN(fd);
	OPEN(fd2);
	ALLOC(fd, 0, pg, &b);
	ANON(a, 1);
	memset(a, 1, pg);
	REG(fd, a, pg, 0, 0, &rid);
	HEAP(hb, "system", pg);
	IMPORT(fd, hb, 0, 0, &iid);
	low = lowest_free_fd();
#define X(field, val, err) do { e = (struct axi_dma_export){ .id = b.id, .flags = O_RDWR }; e.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_EXPORT, &e); \
		if (!r_) close(e.fd); \
		CHECK(r_ == -(err), "EXPORT with %s = %s: %s, want %s", #field, #val, ename(r_), #err); } while (0)
	X(flags, O_WRONLY, EINVAL);
	X(flags, O_WRONLY | O_CLOEXEC, EINVAL);
	X(flags, O_NONBLOCK, EINVAL);
	X(flags, O_RDWR | O_NONBLOCK, EINVAL);
	X(flags, O_APPEND, EINVAL);
	X(flags, O_RDWR | O_SYNC, EINVAL);
	X(flags, O_RDWR | O_CREAT, EINVAL);
	X(flags, O_RDWR | O_WRONLY, EINVAL);
	X(flags, 0x80000000u, EINVAL);
	X(flags, 0xffffffffu, EINVAL);
	X(pad, 1, EINVAL);
	X(pad, 0x80000000u, EINVAL);
	X(fd, 1, EINVAL);
	X(fd, -1, EINVAL);
	X(fd, fd, EINVAL);
	X(id, rid, EINVAL);
	X(id, iid, EINVAL);
	X(id, b.id + 1000, ENOENT);
#undef X
	/* Another file's id: fd2 holds no buffer at all. */
	WANT(exp_buf(fd2, b.id, O_RDWR, NULL), ENOENT);
	WANT(exp_buf(fd2, rid, 0, NULL), ENOENT);
	WANT(io(fd, AXI_DMA_IOC_EXPORT, NULL), EFAULT);
	WANT(io(fd, AXI_DMA_IOC_EXPORT, (void *)(uintptr_t)8), EFAULT);
	WANT(io(fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x16, struct axi_dma_info), junk), ENOTTY);
	WANT(io(fd, _IOW(AXI_DMA_IOC_MAGIC, 0x16, struct axi_dma_export), junk), ENOTTY);
	CHECK(lowest_free_fd() == low, "after the refused EXPORTs the lowest free fd is %d, was %d (a file descriptor leaked)",
	      lowest_free_fd(), low);
	/* EMFILE: no free file descriptor below the limit. */
	CHECK(!getrlimit(RLIMIT_NOFILE, &rl0), "getrlimit: %s", strerror(errno));
	rl = rl0;
	rl.rlim_cur = (rlim_t)low;
	CHECK(!setrlimit(RLIMIT_NOFILE, &rl), "setrlimit: %s", strerror(errno));
	{
		int r = exp_buf(fd, b.id, O_RDWR, NULL);

		setrlimit(RLIMIT_NOFILE, &rl0);
		CHECK(r == -EMFILE, "EXPORT with RLIMIT_NOFILE %d (no free fd): %s, want EMFILE", low, ename(r));
	}
	/* The buffer exports now; after FREE its id is unknown. */
	EXPORT(fd, b.id, O_RDWR | O_CLOEXEC, &x);
	close(x);
	OK(bfree(fd, b.id));
	WANT(exp_buf(fd, b.id, O_RDWR, NULL), ENOENT);
	OK(bfree(fd, rid));
	WANT(exp_buf(fd, rid, O_RDWR, NULL), ENOENT);
	OK(bfree(fd, iid));
	WANT(exp_buf(fd, iid, O_RDWR, NULL), ENOENT);
	close(hb);
	close(fd2);
	close(fd);
	munmap(b.p, b.mmap_size);
	munmap(a, pg);
	return 0;
}

/* mmap of the dma-buf "maps the memory with the same memory type and refusals as mmap of
 * the buffer through the device file": after a memcpy wrote the buffer, the dma-buf's
 * mapping (between DMA_BUF_SYNC_START and END) shows those bytes, whole and from a page
 * offset; what the CPU writes through it a memcpy reads; refused: MAP_PRIVATE, a range past
 * the size, an offset past it (EINVAL), PROT_EXEC (EPERM; mprotect adding it EACCES). */
static int c_export_mmap(void)
{
	int fd, d;
	size_t pg = (size_t)page, sz = 4 * pg;
	uint8_t *m, *m2;
	struct buf s, t, o;

	REV4D();
	OPEN(fd);
	ALLOC(fd, mc, sz, &s);
	ALLOC(fd, mc, sz, &t);
	ALLOC(fd, mc, sz, &o);
	fill(s.p, sz, 21);
	EXPORT(fd, t.id, O_RDWR | O_CLOEXEC, &d);
	MCPY(fd, mc, s.id, 0, t.id, 0, sz);
	DBMAP(m, d, sz);
	m2 = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, d, (off_t)(2 * pg));
	CHECK(m2 != MAP_FAILED, "mmap of the dma-buf's last 2 pages (offset 2 pages): %s", strerror(errno));
	CPU_START(d);
	{
		long at = diff_at(m, s.p, sz);

		CHECK(at < 0, "the dma-buf's mapping after a memcpy into the buffer: byte %ld differs", at);
	}
	CHECK(!memcmp(m2, s.p + 2 * pg, 2 * pg), "the dma-buf's mapping at offset 2 pages differs from the buffer's bytes there");
	fill(m, sz, 22);
	CPU_END(d);
	MCPY(fd, mc, t.id, 0, o.id, 0, sz);
	CHECK(!memcmp(o.p, m, sz), "a memcpy from the buffer does not read what the CPU wrote through its dma-buf");
	/* The refusals of mmap of a buffer. */
	WANT(mm_err(sz, PROT_READ | PROT_WRITE, MAP_PRIVATE, d, 0), EINVAL);
	WANT(mm_err(sz, PROT_READ, MAP_PRIVATE, d, 0), EINVAL);
	WANT(mm_err(sz + pg, PROT_READ | PROT_WRITE, MAP_SHARED, d, 0), EINVAL);
	WANT(mm_err(2 * pg, PROT_READ, MAP_SHARED, d, 3 * pg), EINVAL);
	WANT(mm_err(pg, PROT_READ, MAP_SHARED, d, sz), EINVAL);
	WANT(mm_err(pg, PROT_READ, MAP_SHARED, d, sz + 1000 * pg), EINVAL);
	WANT(mm_err(sz, PROT_READ | PROT_EXEC, MAP_SHARED, d, 0), EPERM);
	CHECK(mprotect(m, sz, PROT_READ | PROT_EXEC) != 0 && errno == EACCES,
	      "mprotect(PROT_EXEC) of the dma-buf's mapping: %s, want EACCES",
	      mprotect(m, sz, PROT_READ | PROT_EXEC) ? strerror(errno) : "success");
	munmap(m, sz);
	munmap(m2, 2 * pg);
	close(d);
	OK(bfree(fd, s.id));
	OK(bfree(fd, t.id));
	OK(bfree(fd, o.id));
	close(fd);
	munmap(s.p, s.mmap_size);
	munmap(t.p, t.mmap_size);
	munmap(o.p, o.mmap_size);
	return 0;
}

/* "The memory lives as long as the dma-buf (every fd, mapping and importer of it): after
 * FREE of the id, after close of the exporting file"; "another process may receive the fd
 * over a Unix socket (SCM_RIGHTS) and use it the same way": a memcpy wrote the buffer, its
 * id was freed and its device-file mapping removed, the exporting file closed; the
 * dma-buf's mapping still shows the bytes; another process that receives the fd maps it
 * and sees them; another open file IMPORTs it and copies them out and in; the mapping
 * outlives close of the fd. */
static int c_export_lifetime(void)
{
	int fd, fd2, d, sp[2], st = 0;
	uint64_t sz = dbsz(mc);
	uint8_t *m, *want;
	uint32_t iid;
	struct buf s, t, o;
	pid_t kid;
	char msg[200] = "";
	ssize_t got;

	REV4D();
	want = malloc(sz);
	CHECK(want, "malloc");
	fill(want, sz, 31);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), "socketpair: %s", strerror(errno));
	fflush(stdout);
	kid = fork();
	CHECK(kid >= 0, "fork: %s", strerror(errno));
	if (kid == 0) {
		/* The other process: receives the dma-buf, maps it, compares, answers. */
		int f;
		uint8_t *p;
		const char *res = "ok";
		char buf[200];

		close(sp[0]);
		alarm(30);
		f = recv_fd(sp[1]);
		if (f < 0) {
			res = "no fd received";
		} else if ((p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0)) == MAP_FAILED) {
			snprintf(buf, sizeof(buf), "the receiving process: mmap of the dma-buf: %s", strerror(errno));
			res = buf;
		} else {
			struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

			if (ioctl(f, DMA_BUF_IOCTL_SYNC, &sy))
				res = "the receiving process: DMA_BUF_IOCTL_SYNC START failed";
			else if (memcmp(p, want, sz))
				res = "the receiving process sees other bytes in the dma-buf";
			else
				p[0] ^= 0xff; /* the parent checks that this write arrives */
			sy.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
			ioctl(f, DMA_BUF_IOCTL_SYNC, &sy);
			munmap(p, sz);
		}
		if (f >= 0)
			close(f);
		(void)!write(sp[1], res, strlen(res));
		_exit(0);
	}
	close(sp[1]);
	OPEN(fd);
	ALLOC(fd, mc, sz, &s);
	ALLOC(fd, mc, sz, &t);
	memcpy(s.p, want, sz);
	MCPY(fd, mc, s.id, 0, t.id, 0, sz);
	EXPORT(fd, t.id, O_RDWR | O_CLOEXEC, &d);
	DBMAP(m, d, sz);
	munmap(t.p, t.mmap_size);
	OK(bfree(fd, t.id));
	OK(bfree(fd, s.id));
	munmap(s.p, s.mmap_size);
	close(fd);
	CPU_START(d);
	CHECK(!memcmp(m, want, sz), "after FREE and close of the exporting file, the dma-buf's mapping shows other bytes");
	CPU_END(d);
	CHECK(!send_fd(sp[0], d), "sendmsg SCM_RIGHTS: %s", strerror(errno));
	got = read(sp[0], msg, sizeof(msg) - 1);
	msg[got > 0 ? got : 0] = 0;
	waitpid(kid, &st, 0);
	close(sp[0]);
	CHECK(!strcmp(msg, "ok"), "%s", msg[0] ? msg : "the receiving process gave no answer");
	CPU_START(d);
	{
		uint8_t flipped = want[0];

		flipped ^= 0xff;
		CHECK(m[0] == flipped, "the receiving process's write through the dma-buf does not show here");
	}
	CPU_END(d);
	want[0] ^= 0xff;
	/* Another open file imports it: copies out and in. */
	OPEN(fd2);
	IMPORT(fd2, d, mc, 0, &iid);
	ALLOC(fd2, mc, sz, &o);
	MCPY(fd2, mc, iid, 0, o.id, 0, sz);
	CHECK(!memcmp(o.p, want, sz), "another file's import of the dma-buf (exporting file closed): copied out other bytes");
	fill(o.p, sz, 32);
	MCPY(fd2, mc, o.id, 0, iid, 0, sz);
	/* The mapping outlives close of the fd. */
	close(d);
	CHECK(!memcmp(m, o.p, sz), "a copy into the import does not show in the dma-buf's mapping (made before the fd was closed)");
	OK(bfree(fd2, iid));
	OK(bfree(fd2, o.id));
	close(fd2);
	CHECK(!memcmp(m, o.p, sz), "the dma-buf's mapping changed after the importer's FREE");
	munmap(o.p, o.mmap_size);
	munmap(m, sz);
	free(want);
	return 0;
}

/* "DMA_BUF_IOCTL_SYNC on the fd hands a CACHED buffer over: DMA_BUF_SYNC_START as
 * SYNC_FOR_CPU, DMA_BUF_SYNC_END as SYNC_FOR_DEVICE (the whole buffer)": a CACHED buffer's
 * dma-buf, the CPU writes through its mapping between START and END, a memcpy reads that;
 * a memcpy writes it, after START the dma-buf's mapping (and the device file's) shows the
 * bytes; the same with CACHED|TO_DEVICE (a source) and CACHED|FROM_DEVICE (a destination);
 * "a no-op for coherent buffers" (START/END on a coherent buffer's dma-buf succeed). */
static int c_export_cached(void)
{
	int fd, d, dt, df;
	size_t pg = (size_t)page, sz = 4 * pg;
	uint8_t *m, *mt, *mf;
	struct buf cb, tb, fb, pl;

	REV4D();
	OPEN(fd);
	ALLOCF(fd, mc, sz, AXI_DMA_ALLOC_CACHED, &cb);
	ALLOCF(fd, mc, sz, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_TO_DEVICE, &tb);
	ALLOCF(fd, mc, sz, AXI_DMA_ALLOC_CACHED | AXI_DMA_ALLOC_FROM_DEVICE, &fb);
	ALLOC(fd, mc, sz, &pl);
	EXPORT(fd, cb.id, O_RDWR | O_CLOEXEC, &d);
	EXPORT(fd, tb.id, O_RDWR | O_CLOEXEC, &dt);
	EXPORT(fd, fb.id, O_RDWR | O_CLOEXEC, &df);
	DBMAP(m, d, sz);
	DBMAP(mt, dt, sz);
	DBMAP(mf, df, sz);
	/* CACHED: CPU -> device. */
	CPU_START(d);
	fill(m, sz, 41);
	CPU_END(d);
	MCPY(fd, mc, cb.id, 0, pl.id, 0, sz);
	CHECK(!memcmp(pl.p, m, sz), "CACHED buffer: written through the dma-buf, DMA_BUF_SYNC_END, memcpy out: differs");
	/* CACHED: device -> CPU. */
	fill(pl.p, sz, 42);
	MCPY(fd, mc, pl.id, 0, cb.id, 0, sz);
	CPU_START(d);
	CHECK(!memcmp(m, pl.p, sz), "CACHED buffer: memcpy in, DMA_BUF_SYNC_START: the dma-buf's mapping differs");
	CHECK(!memcmp(cb.p, pl.p, sz), "CACHED buffer: memcpy in, DMA_BUF_SYNC_START: the device file's mapping differs");
	CPU_END(d);
	/* CACHED|TO_DEVICE as the source. */
	CPU_START(dt);
	fill(mt, sz, 43);
	CPU_END(dt);
	MCPY(fd, mc, tb.id, 0, pl.id, 0, sz);
	CHECK(!memcmp(pl.p, mt, sz), "CACHED|TO_DEVICE buffer: written through the dma-buf, END, memcpy out: differs");
	/* CACHED|FROM_DEVICE as the destination. */
	fill(pl.p, sz, 44);
	MCPY(fd, mc, pl.id, 0, fb.id, 0, sz);
	CPU_START(df);
	CHECK(!memcmp(mf, pl.p, sz), "CACHED|FROM_DEVICE buffer: memcpy in, START: the dma-buf's mapping differs");
	CPU_END(df);
	/* Coherent: a no-op that succeeds. */
	{
		int dp;

		EXPORT(fd, pl.id, O_RDWR, &dp);
		CPU_START(dp);
		CPU_END(dp);
		OK(dbsync(dp, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
		OK(dbsync(dp, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
		close(dp);
	}
	munmap(m, sz);
	munmap(mt, sz);
	munmap(mf, sz);
	close(d);
	close(dt);
	close(df);
	OK(bfree(fd, cb.id));
	OK(bfree(fd, tb.id));
	OK(bfree(fd, fb.id));
	OK(bfree(fd, pl.id));
	close(fd);
	munmap(cb.p, cb.mmap_size);
	munmap(tb.p, tb.mmap_size);
	munmap(fb.p, fb.mmap_size);
	munmap(pl.p, pl.mmap_size);
	return 0;
}

/* IMPORT of one dma-buf dfd of sz bytes (mapped at m) on c with flags fl, used as memcpy
 * destination (unless TO_DEVICE) and source (unless FROM_DEVICE), data checked through m
 * between DMA_BUF_SYNC_START and END. */
static int import_use(int fd, uint32_t c, int dfd, uint8_t *m, uint64_t sz, uint32_t fl, const char *what)
{
	uint32_t id;
	uint64_t isz = 0;
	struct buf a;
	int r;
	/* The CPU's access direction as DMA_BUF_IOCTL_SYNC flags: the exporter syncs each
	 * attachment with it, and DMA-API debugging wants it to match the attachment's
	 * direction where that is not bidirectional (CPU reads of what a FROM_DEVICE import
	 * got, CPU writes of what a TO_DEVICE import reads). */
	uint64_t rd = fl ? DMA_BUF_SYNC_READ : DMA_BUF_SYNC_RW, wr = fl ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_RW;

	r = imp(fd, dfd, c, fl, &id, &isz);
	CHECK(!r, "IMPORT of %s on chan %u flags %#x: %s", what, c, fl, ename(r));
	CHECK(isz == sz && dbsize(dfd) == sz, "IMPORT of %s (%llu bytes, SEEK_END %llu): size %llu", what,
	      (unsigned long long)sz, (unsigned long long)dbsize(dfd), (unsigned long long)isz);
	CHECK(id >= 1, "IMPORT of %s: id %u", what, id);
	ALLOC(fd, c, sz, &a);
	if (!(fl & AXI_DMA_IMPORT_TO_DEVICE)) {
		fill(a.p, sz, c + 51);
		MCPY(fd, c, a.id, 0, id, 0, sz);
		OK(dbsync(dfd, DMA_BUF_SYNC_START | rd));
		long at = diff_at(m, a.p, sz);
		OK(dbsync(dfd, DMA_BUF_SYNC_END | rd));
		CHECK(at < 0, "chan %u: memcpy into the import of %s (flags %#x): byte %ld differs in the dma-buf's mapping",
		      c, what, fl, at);
	}
	if (!(fl & AXI_DMA_IMPORT_FROM_DEVICE)) {
		OK(dbsync(dfd, DMA_BUF_SYNC_START | wr));
		fill(m, sz, c + 52);
		OK(dbsync(dfd, DMA_BUF_SYNC_END | wr));
		memset(a.p, 0, sz);
		MCPY(fd, c, id, 0, a.id, 0, sz);
		long at = diff_at(a.p, m, sz);
		CHECK(at < 0, "chan %u: memcpy out of the import of %s (flags %#x): byte %ld differs", c, what, fl, at);
	}
	OK(bfree(fd, id));
	OK(bfree(fd, a.id));
	munmap(a.p, a.mmap_size);
	return 0;
}

/* IMPORT of other exporters' dma-bufs ("from a DMA heap such as /dev/dma_heap/system, a
 * udmabuf made from a memfd"): the system heap, a CMA heap, a udmabuf; each with flags 0,
 * TO_DEVICE, FROM_DEVICE on every memcpy channel: `size` is the dma-buf's size; memcpy into
 * and out of the import, data checked through the dma-buf's own mmap with
 * DMA_BUF_IOCTL_SYNC (and the udmabuf's memfd); import -> import; a non-blocking XFER with
 * WAIT and a SUBMIT on imports; a 512 KiB system heap buffer (several segments). */
static int c_import(void)
{
	int fd;
	const char *cma = cma_heap();

	REV4D();
	if (!cma)
		printf("# no CMA heap under /dev/dma_heap: only the system heap and udmabuf\n");
	else
		printf("# CMA heap: /dev/dma_heap/%s\n", cma);
	OPEN(fd);
	for (uint32_t c = 0; c < nch; c++) {
		uint64_t sz = dbsz(c);
		int hs, hc = -1, ub, mfd;
		uint8_t *ms, *mcm = NULL, *mu, *mm;
		const uint32_t fls[3] = { 0, AXI_DMA_IMPORT_TO_DEVICE, AXI_DMA_IMPORT_FROM_DEVICE };

		if (!(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM))
			continue;
		HEAP(hs, "system", sz);
		DBMAP(ms, hs, sz);
		if (cma) {
			HEAP(hc, cma, sz);
			DBMAP(mcm, hc, sz);
		}
		UDMABUF(ub, sz, mfd);
		DBMAP(mu, ub, sz);
		for (int i = 0; i < 3; i++) {
			if (import_use(fd, c, hs, ms, sz, fls[i], "a system heap dma-buf") ||
			    (cma && import_use(fd, c, hc, mcm, sz, fls[i], "a CMA heap dma-buf")) ||
			    import_use(fd, c, ub, mu, sz, fls[i], "a udmabuf"))
				return -1;
		}
		/* The udmabuf's memfd sees what a memcpy wrote. */
		mm = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
		CHECK(mm != MAP_FAILED, "mmap of the memfd: %s", strerror(errno));
		{
			uint32_t iu, is, ic = 0;
			struct buf a;
			struct axi_dma_xfer x, bx[2];
			struct axi_dma_wait w;
			struct axi_dma_completion cc[2];
			struct axi_dma_submit sb = { .xfers = (uintptr_t)bx, .count = 2, .entries = (uintptr_t)cc, .max = 2,
						     .min = 2, .timeout_ms = 5000 };

			IMPORT(fd, ub, c, AXI_DMA_IMPORT_FROM_DEVICE, &iu);
			IMPORT(fd, hs, c, AXI_DMA_IMPORT_TO_DEVICE, &is);
			OK(dbsync(hs, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
			fill(ms, sz, c + 61);
			OK(dbsync(hs, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
			MCPY(fd, c, is, 0, iu, 0, sz);
			OK(dbsync(ub, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
			CHECK(!memcmp(mu, ms, sz), "chan %u: memcpy system heap import -> udmabuf import: differs", c);
			CHECK(!memcmp(mm, ms, sz), "chan %u: memcpy into a udmabuf import: its memfd shows other bytes", c);
			OK(dbsync(ub, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
			/* Non-blocking, WAIT. */
			ALLOC(fd, c, sz, &a);
			x = xf(c, AXI_DMA_XFER_MEMCPY, is, a.id, sz);
			x.flags = AXI_DMA_XFER_NONBLOCK;
			x.user_data = 5;
			OK(io(fd, AXI_DMA_IOC_XFER, &x));
			w = (struct axi_dma_wait){ .xfer_id = x.xfer_id, .timeout_ms = 5000 };
			OK(io(fd, AXI_DMA_IOC_WAIT, &w));
			CHECK(w.error == 0 && w.bytes == sz && !memcmp(a.p, ms, sz), "chan %u: non-blocking memcpy out of an import: "
			      "error %d bytes %llu%s", c, w.error, (unsigned long long)w.bytes, memcmp(a.p, ms, sz) ? ", differs" : "");
			/* SUBMIT: ALLOC'd -> udmabuf import, system heap import -> CMA heap import (or ALLOC'd). */
			fill(a.p, sz, c + 62);
			if (cma)
				IMPORT(fd, hc, c, 0, &ic);
			bx[0] = xf(c, AXI_DMA_XFER_MEMCPY, a.id, iu, sz / 2);
			bx[1] = xf(c, AXI_DMA_XFER_MEMCPY, is, cma ? ic : a.id, sz / 2);
			bx[1].src_off = bx[1].dst_off = sz / 2;
			OK(io(fd, AXI_DMA_IOC_SUBMIT, &sb));
			CHECK(sb.queued == 2 && sb.reaped == 2 && cc[0].error == 0 && cc[1].error == 0,
			      "chan %u: SUBMIT of imports: queued %u reaped %u errors %d %d", c, sb.queued, sb.reaped, cc[0].error,
			      cc[1].error);
			OK(dbsync(ub, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
			CHECK(!memcmp(mu, a.p, sz / 2), "chan %u: SUBMIT ALLOC'd -> udmabuf import differs", c);
			OK(dbsync(ub, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
			if (cma) {
				CPU_START(hc);
				CHECK(!memcmp(mcm + sz / 2, ms + sz / 2, sz / 2), "chan %u: SUBMIT system heap -> CMA heap import differs", c);
				CPU_END(hc);
				OK(bfree(fd, ic));
			}
			OK(bfree(fd, iu));
			OK(bfree(fd, is));
			OK(bfree(fd, a.id));
			munmap(a.p, a.mmap_size);
		}
		munmap(mm, sz);
		munmap(ms, sz);
		munmap(mu, sz);
		close(hs);
		close(ub);
		close(mfd);
		if (cma) {
			munmap(mcm, sz);
			close(hc);
		}
	}
	/* 512 KiB from the system heap (pieces of at most 64 KiB) on the first memcpy channel. */
	{
		uint64_t big = 512u << 10;
		int hb;
		uint8_t *mb;

		HEAP(hb, "system", big);
		DBMAP(mb, hb, big);
		if (import_use(fd, mc, hb, mb, big, 0, "a 512 KiB system heap dma-buf"))
			return -1;
		munmap(mb, big);
		close(hb);
	}
	close(fd);
	return 0;
}

/* "The caller keeps fd (close it whenever: the import holds its own reference)": the
 * dma-buf's fd closed and its mapping removed right after IMPORT (nothing else holds it);
 * memcpy into the import and out again gives the data back; FREE then. */
static int c_import_fd_closed(void)
{
	int fd, h;
	uint64_t sz = dbsz(mc), isz = 0;
	uint32_t id;
	struct buf a, b;

	REV4D();
	OPEN(fd);
	HEAP(h, "system", sz);
	{
		int r = imp(fd, h, mc, 0, &id, &isz);

		CHECK(!r && isz == sz, "IMPORT of a system heap dma-buf: %s, size %llu", ename(r), (unsigned long long)isz);
	}
	close(h);
	ALLOC(fd, mc, sz, &a);
	ALLOC(fd, mc, sz, &b);
	fill(a.p, sz, 71);
	MCPY(fd, mc, a.id, 0, id, 0, sz);
	MCPY(fd, mc, id, 0, b.id, 0, sz);
	CHECK(!memcmp(a.p, b.p, sz), "after close of the dma-buf's fd, data through the import differs");
	OK(bfree(fd, id));
	OK(bfree(fd, a.id));
	OK(bfree(fd, b.id));
	close(fd);
	munmap(a.p, a.mmap_size);
	munmap(b.p, b.mmap_size);
	return 0;
}

/* IMPORT's errors: EBADF ("fd is not an open file": -1, a closed fd, a huge number); EINVAL
 * (not a dma-buf: a memfd, /dev/null, a pipe, the device file itself, a sync_file; bad
 * flags: unknown bits, both directions; a bad channel; the zero rule: the output id and
 * size); EFAULT, ENOTTY; nothing was imported by a refused call (max_buffers - 1 ALLOCs
 * then one IMPORT fit); "SYNC refuses an imported id: EINVAL"; EXPORT refuses one. */
static int c_import_errors(void)
{
	int fd, hb, mfd, nul, pp[2], closed, low;
	size_t pg = (size_t)page;
	uint32_t id, id2;
	struct axi_dma_import m;
	char junk[64] = { 0 };

	REV4D();
	OPEN(fd);
	HEAP(hb, "system", pg);
	mfd = memfd_create("axi-dma-conf", MFD_CLOEXEC);
	CHECK(mfd >= 0 && !ftruncate(mfd, (off_t)pg), "memfd: %s", strerror(errno));
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(nul >= 0, "open /dev/null: %s", strerror(errno));
	CHECK(!pipe(pp), "pipe: %s", strerror(errno));
	closed = dup(hb);
	CHECK(closed >= 0, "dup: %s", strerror(errno));
	close(closed);
	low = lowest_free_fd();
#define M(field, val, e) do { m = (struct axi_dma_import){ .fd = hb }; m.field = val; \
		int r_ = io(fd, AXI_DMA_IOC_IMPORT, &m); \
		CHECK(r_ == -(e), "IMPORT with %s = %s: %s, want %s", #field, #val, ename(r_), #e); } while (0)
	M(fd, -1, EBADF);
	M(fd, closed, EBADF);
	M(fd, 1 << 20, EBADF);
	M(fd, 0x7fffffff, EBADF);
	M(fd, mfd, EINVAL);
	M(fd, nul, EINVAL);
	M(fd, pp[0], EINVAL);
	M(fd, fd, EINVAL);
	M(flags, 1u << 0, EINVAL);
	M(flags, AXI_DMA_IMPORT_TO_DEVICE | AXI_DMA_IMPORT_FROM_DEVICE, EINVAL);
	M(flags, 1u << 3, EINVAL);
	M(flags, 1u << 31, EINVAL);
	M(flags, 0xffffffffu, EINVAL);
	M(chan, nch, EINVAL);
	M(chan, 0xffffffffu, EINVAL);
	M(id, 1, EINVAL);
	M(id, 0xffffffffu, EINVAL);
	M(size, 1, EINVAL);
	M(size, pg, EINVAL);
	M(size, 1ull << 63, EINVAL);
#undef M
	{
		int tl = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);

		if (tl >= 0) {
			struct conf_sw_sync_create_fence c = { .value = 1, .name = "axi-dma-conf" };

			CHECK(!ioctl(tl, CONF_SW_SYNC_IOC_CREATE_FENCE, &c), "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(errno));
			WANT(imp(fd, c.fence, 0, 0, NULL, NULL), EINVAL);
			close(c.fence);
			close(tl);
		} else {
			printf("# %s: %s: IMPORT of a sync_file not tried\n", SW_SYNC_PATH, strerror(errno));
		}
	}
	WANT(io(fd, AXI_DMA_IOC_IMPORT, NULL), EFAULT);
	WANT(io(fd, AXI_DMA_IOC_IMPORT, (void *)(uintptr_t)8), EFAULT);
	WANT(io(fd, _IOWR(AXI_DMA_IOC_MAGIC, 0x17, struct axi_dma_info), junk), ENOTTY);
	WANT(io(fd, _IOW(AXI_DMA_IOC_MAGIC, 0x17, struct axi_dma_import), junk), ENOTTY);
	CHECK(lowest_free_fd() == low, "after the refused IMPORTs the lowest free fd is %d, was %d", lowest_free_fd(), low);
	/* SYNC refuses an imported id (any op, any range); EXPORT too. */
	IMPORT(fd, hb, 0, 0, &id);
	IMPORT(fd, hb, nch - 1, AXI_DMA_IMPORT_TO_DEVICE, &id2);
	WANT(bsync(fd, id, AXI_DMA_SYNC_FOR_CPU, 0, pg), EINVAL);
	WANT(bsync(fd, id, AXI_DMA_SYNC_FOR_DEVICE, 0, pg), EINVAL);
	WANT(bsync(fd, id, AXI_DMA_SYNC_FOR_DEVICE, 0, 1), EINVAL);
	WANT(bsync(fd, id2, AXI_DMA_SYNC_FOR_DEVICE, 0, pg), EINVAL);
	WANT(exp_buf(fd, id, O_RDWR, NULL), EINVAL);
	OK(bfree(fd, id));
	OK(bfree(fd, id2));
	WANT(bfree(fd, id), ENOENT);
	/* Nothing was imported: max_buffers - 1 ALLOCs and one IMPORT fit in the file. */
	if (info.max_buffers <= 4096) {
		for (uint32_t i = 0; i + 1 < info.max_buffers; i++) {
			struct axi_dma_alloc a = { .size = 1 };

			OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
		}
	}
	IMPORT(fd, hb, 0, 0, &id);
	if (info.max_buffers <= 4096) {
		/* ENOSPC: "this file holds max_buffers buffers". */
		struct axi_dma_alloc a = { .size = 1 };

		WANT(imp(fd, hb, 0, AXI_DMA_IMPORT_TO_DEVICE, NULL, NULL), ENOSPC);
		WANT(io(fd, AXI_DMA_IOC_ALLOC, &a), ENOSPC);
		OK(bfree(fd, id));
		OK(io(fd, AXI_DMA_IOC_ALLOC, &a));
		WANT(imp(fd, hb, 0, 0, NULL, NULL), ENOSPC);
		OK(bfree(fd, a.id));
		IMPORT(fd, hb, 0, 0, &id);
	} else {
		printf("# max_buffers %u: ENOSPC not tried\n", info.max_buffers);
	}
	OK(bfree(fd, id));
	close(hb);
	close(mfd);
	close(nul);
	close(pp[0]);
	close(pp[1]);
	close(fd);
	return 0;
}

/* The direction flags "as for REGISTER": a TO_DEVICE import as memcpy destination, a
 * FROM_DEVICE import as source: EINVAL (nothing submitted); the allowed ways work; a range
 * past the import EINVAL; another open file does not know the id; "attached to the DMA
 * device of channel chan ... on that device's channels": a memcpy on a channel of another
 * DMA device EINVAL, of the same one works. */
static int c_import_dir(void)
{
	int fd, fd2, ht, hf;
	uint64_t sz = dbsz(mc);
	uint32_t it, ifr;
	uint8_t *mt, *mf;
	struct buf b;
	struct axi_dma_completion cc[4];
	uint32_t pend = 9;

	REV4D();
	OPEN(fd);
	HEAP(ht, "system", sz);
	HEAP(hf, "system", sz);
	DBMAP(mt, ht, sz);
	DBMAP(mf, hf, sz);
	CPU_START(ht);
	fill(mt, sz, 81);
	CPU_END(ht);
	IMPORT(fd, ht, mc, AXI_DMA_IMPORT_TO_DEVICE, &it);
	IMPORT(fd, hf, mc, AXI_DMA_IMPORT_FROM_DEVICE, &ifr);
	ALLOC(fd, mc, sz, &b);
	MCPY_WANT(fd, mc, b.id, 0, it, 0, sz, EINVAL);
	MCPY_WANT(fd, mc, ifr, 0, b.id, 0, sz, EINVAL);
	MCPY_WANT(fd, mc, ifr, 0, it, 0, sz, EINVAL);
	MCPY_WANT(fd, mc, it, 0, it, sz / 2, sz / 2, EINVAL);
	MCPY_WANT(fd, mc, ifr, 0, ifr, sz / 2, sz / 2, EINVAL);
	MCPY_WANT(fd, mc, it, sz / 2, b.id, 0, sz / 2 + ci[mc].addr_align, EINVAL);
	MCPY_WANT(fd, mc, b.id, 0, ifr, sz, ci[mc].addr_align, EINVAL);
	{
		int n = reap(fd, cc, 4, 0, 0, &pend);

		CHECK(n == 0 && pend == 0, "after the refused transfers: REAP %s pending %u, want nothing", ename(n), pend);
	}
	MCPY(fd, mc, it, 0, ifr, 0, sz);
	MCPY(fd, mc, it, 0, b.id, 0, sz);
	OK(dbsync(hf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	CHECK(!memcmp(mf, mt, sz) && !memcmp(b.p, mt, sz), "TO_DEVICE import -> FROM_DEVICE import / ALLOC'd: differs");
	OK(dbsync(hf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	OPEN(fd2);
	{
		struct axi_dma_xfer x = xf(mc, AXI_DMA_XFER_MEMCPY, it, ifr, sz);
		int r = io(fd2, AXI_DMA_IOC_XFER, &x);

		CHECK(r == -ENOENT || r == -EINVAL, "another file's imported ids in a transfer: %s, want ENOENT/EINVAL", ename(r));
		WANT(bfree(fd2, it), ENOENT);
	}
	close(fd2);
	OK(bfree(fd, it));
	OK(bfree(fd, ifr));
	OK(bfree(fd, b.id));
	/* Another DMA device's channels. */
	for (uint32_t s = 0; s < nch; s++)
		for (uint32_t c = 0; c < nch; c++) {
			struct buf d;
			uint64_t bytes = 0, l = dbsz(s) < dbsz(c) ? dbsz(s) : dbsz(c);
			int r;

			if (s == c || !(ci[c].directions & AXI_DMA_DIR_MEM_TO_MEM) || (same_dev(s, c) && c != mc))
				continue;
			IMPORT(fd, ht, s, AXI_DMA_IMPORT_TO_DEVICE, &it);
			ALLOC(fd, c, l, &d);
			r = mcpy(fd, c, it, 0, d.id, 0, l, &bytes);
			if (same_dev(s, c))
				CHECK(r == 0 && !memcmp(d.p, mt, l), "imported on chan %u (%s), memcpy on chan %u (%s), same device: %s%s",
				      s, ci[s].provider, c, ci[c].provider, ename(r), r ? "" : ", data differs");
			else
				CHECK(r == -EINVAL, "imported on chan %u (%s), memcpy on chan %u (%s), another device: %s, want EINVAL",
				      s, ci[s].provider, c, ci[c].provider, ename(r));
			OK(bfree(fd, it));
			OK(bfree(fd, d.id));
			munmap(d.p, d.mmap_size);
		}
	close(fd);
	munmap(mt, sz);
	munmap(mf, sz);
	close(ht);
	close(hf);
	munmap(b.p, b.mmap_size);
	return 0;
}

/* Another client node with a memcpy channel (not this one): its path and channel, or -1. */
static int other_node(char *path, size_t n, uint32_t *chan, uint32_t *seg)
{
	struct stat me, st;

	if (stat(dev_path, &me))
		return -1;
	for (int i = 0; i < 16; i++) {
		struct axi_dma_info oi;
		int f;

		snprintf(path, n, "/dev/axi-dma%d", i);
		if (stat(path, &st) || st.st_rdev == me.st_rdev)
			continue;
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		if (!io(f, AXI_DMA_IOC_INFO, &oi))
			for (uint32_t c = 0; c < oi.num_channels && c < AXI_DMA_MAX_CHANNELS; c++) {
				struct conf_chan_info oc = { .index = c };

				if (!io(f, CHAN_INFO_IOC, &oc) && (oc.directions & AXI_DMA_DIR_MEM_TO_MEM)) {
					*chan = c;
					*seg = oc.max_seg_size;
					close(f);
					return 0;
				}
			}
		close(f);
	}
	return -1;
}

/* EXPORT and IMPORT together: "another node of this driver through IMPORT" may attach and
 * map an export; imported by the same file: memcpy out of the import reads the buffer,
 * memcpy into it writes the buffer (its device file mapping shows it: the same memory);
 * imported by another node (another open device, a memcpy channel there): the same both
 * ways, zero-copy. */
static int c_import_export(void)
{
	int fd, d;
	uint64_t sz = dbsz(mc), isz = 0;
	uint32_t iid, oc, oseg;
	struct buf b, o;
	char op[64];

	REV4D();
	OPEN(fd);
	if (other_node(op, sizeof(op), &oc, &oseg) == 0 && oseg - oseg % (uint32_t)page < sz)
		sz = oseg - oseg % (uint32_t)page;
	ALLOC(fd, mc, sz, &b);
	ALLOC(fd, mc, sz, &o);
	fill(b.p, sz, 91);
	EXPORT(fd, b.id, O_RDWR | O_CLOEXEC, &d);
	{
		int r = imp(fd, d, mc, 0, &iid, &isz);

		CHECK(!r && isz == sz, "IMPORT of this file's own export (%llu bytes): %s, size %llu", (unsigned long long)sz,
		      ename(r), (unsigned long long)isz);
	}
	MCPY(fd, mc, iid, 0, o.id, 0, sz);
	CHECK(!memcmp(o.p, b.p, sz), "memcpy out of the import of this file's export differs from the buffer");
	fill(o.p, sz, 92);
	MCPY(fd, mc, o.id, 0, iid, 0, sz);
	CHECK(!memcmp(o.p, b.p, sz), "memcpy into the import of this file's export: the buffer's mapping shows other bytes");
	OK(bfree(fd, iid));
	if (other_node(op, sizeof(op), &oc, &oseg) == 0) {
		int f;
		uint32_t oid;
		struct buf ob;

		f = open(op, O_RDWR | O_CLOEXEC);
		CHECK(f >= 0, "open %s: %s", op, strerror(errno));
		{
			int r = imp(f, d, oc, 0, &oid, &isz);

			CHECK(!r && isz == sz, "IMPORT on %s chan %u of an export of %s: %s, size %llu", op, oc, dev_path, ename(r),
			      (unsigned long long)isz);
		}
		ALLOC(f, oc, sz, &ob);
		MCPY(f, oc, oid, 0, ob.id, 0, sz);
		CHECK(!memcmp(ob.p, b.p, sz), "%s: memcpy out of the import of an export of %s differs", op, dev_path);
		fill(ob.p, sz, 93);
		MCPY(f, oc, ob.id, 0, oid, 0, sz);
		CHECK(!memcmp(ob.p, b.p, sz), "%s: memcpy into the import of an export of %s: the exporter's mapping differs",
		      op, dev_path);
		OK(bfree(f, oid));
		OK(bfree(f, ob.id));
		munmap(ob.p, ob.mmap_size);
		close(f);
	} else {
		printf("# no other node with a memcpy channel: import by another node not tried\n");
	}
	close(d);
	OK(bfree(fd, b.id));
	OK(bfree(fd, o.id));
	close(fd);
	munmap(b.p, b.mmap_size);
	munmap(o.p, o.mmap_size);
	return 0;
}

/* Fences: "a transfer on the id is refused with EBUSY while the dma-buf's reservation object
 * holds unsignalled fences it must wait for (a transfer that writes waits for every reader
 * and writer, one that only reads for the writers); retry once they signalled". An
 * unsignalled sw_sync fence attached as a writer (DMA_BUF_IOCTL_IMPORT_SYNC_FILE with
 * DMA_BUF_SYNC_WRITE): memcpy reading the import and memcpy writing it (blocking and
 * non-blocking) EBUSY, nothing in flight; signalled: both work. A reader fence
 * (DMA_BUF_SYNC_READ): reading the import works, writing it EBUSY until it signalled.
 * Other buffers of the file are not held up. */
static int c_import_fence(void)
{
	int fd, h, tl;
	uint64_t sz = dbsz(mc);
	uint32_t id;
	uint8_t *m;
	struct buf a, b;
	struct axi_dma_xfer x;
	struct axi_dma_completion cc[4];
	uint32_t pend = 9;

	REV4D();
	tl = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	if (tl < 0) {
		printf("# %s: %s: fences not tried\n", SW_SYNC_PATH, strerror(errno));
		return 0;
	}
	OPEN(fd);
	HEAP(h, "system", sz);
	DBMAP(m, h, sz);
	IMPORT(fd, h, mc, 0, &id);
	ALLOC(fd, mc, sz, &a);
	ALLOC(fd, mc, sz, &b);
	fill(a.p, sz, 101);
	/* A writer fence. */
	FENCE(tl, h, 1, DMA_BUF_SYNC_WRITE);
	MCPY_WANT(fd, mc, id, 0, b.id, 0, sz, EBUSY);
	MCPY_WANT(fd, mc, a.id, 0, id, 0, sz, EBUSY);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, a.id, id, sz);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EBUSY);
	x = xf(mc, AXI_DMA_XFER_MEMCPY, id, b.id, sz);
	x.flags = AXI_DMA_XFER_NONBLOCK;
	WANT(io(fd, AXI_DMA_IOC_XFER, &x), EBUSY);
	MCPY(fd, mc, a.id, 0, b.id, 0, sz);
	{
		int n = reap(fd, cc, 4, 0, 0, &pend);

		CHECK(n == 0 && pend == 0, "after the refused transfers: REAP %s pending %u, want nothing", ename(n), pend);
	}
	SIGNAL(tl);
	MCPY(fd, mc, a.id, 0, id, 0, sz);
	memset(b.p, 0, sz);
	MCPY(fd, mc, id, 0, b.id, 0, sz);
	CHECK(!memcmp(b.p, a.p, sz), "after the writer fence signalled: data through the import differs");
	CPU_START(h);
	CHECK(!memcmp(m, a.p, sz), "after the writer fence signalled: the dma-buf's mapping differs");
	CPU_END(h);
	/* A reader fence: reading goes on, writing waits. */
	FENCE(tl, h, 2, DMA_BUF_SYNC_READ);
	memset(b.p, 0, sz);
	MCPY(fd, mc, id, 0, b.id, 0, sz);
	CHECK(!memcmp(b.p, a.p, sz), "under a reader fence: memcpy out of the import differs");
	MCPY_WANT(fd, mc, a.id, 0, id, 0, sz, EBUSY);
	MCPY_WANT(fd, mc, id, 0, id, sz / 2, sz / 2, EBUSY);
	SIGNAL(tl);
	fill(a.p, sz, 102);
	MCPY(fd, mc, a.id, 0, id, 0, sz);
	CPU_START(h);
	CHECK(!memcmp(m, a.p, sz), "after the reader fence signalled: memcpy into the import: the dma-buf's mapping differs");
	CPU_END(h);
	/* An import made while a fence is pending is held up the same way. */
	FENCE(tl, h, 3, DMA_BUF_SYNC_WRITE);
	{
		uint32_t id2;

		IMPORT(fd, h, mc, AXI_DMA_IMPORT_TO_DEVICE, &id2);
		MCPY_WANT(fd, mc, id2, 0, b.id, 0, sz, EBUSY);
		SIGNAL(tl);
		MCPY(fd, mc, id2, 0, b.id, 0, sz);
		OK(bfree(fd, id2));
	}
	OK(bfree(fd, id));
	OK(bfree(fd, a.id));
	OK(bfree(fd, b.id));
	close(fd);
	close(tl);
	munmap(m, sz);
	close(h);
	munmap(a.p, a.mmap_size);
	munmap(b.p, b.mmap_size);
	return 0;
}

/* ---------------------------------------------------------------------------------------
 * The table and the runner.
 */
enum need { ANY, MEMCPY, SLAVE, NOSLAVE, STREAM, FIFO, FAULT, RXRING };

static const struct check {
	const char *name;
	int (*fn)(void);
	enum need need;
} checks[] = {
	{ "enotty", c_enotty, ANY },
	{ "sysfs_stats", c_sysfs_stats, ANY },
	{ "info", c_info, ANY },
	{ "efault", c_efault, ANY },
	{ "chan_info_fields", c_chan_info_fields, ANY },
	{ "chan_info_index", c_chan_info_index, ANY },
	{ "chan_info_zero_in", c_chan_info_zero_in, ANY },
	{ "chan_info_pair", c_chan_info_pair, ANY },
	{ "chan_info_flags", c_chan_info_flags, ANY },
	{ "chan_info_table", c_chan_info_table, ANY },
	{ "alloc", c_alloc, ANY },
	{ "alloc_zeroed", c_alloc_zeroed, ANY },
	{ "alloc_einval", c_alloc_einval, ANY },
	{ "alloc_zero_in", c_alloc_zero_in, ANY },
	{ "alloc_enospc", c_alloc_enospc, ANY },
	{ "free", c_free, ANY },
	{ "free_mapped", c_free_mapped, ANY },
	{ "mmap_rules", c_mmap_rules, ANY },
	{ "wait_status_einval", c_wait_status_einval, ANY },
	{ "reap_einval", c_reap_einval, ANY },
	{ "sync", c_sync, ANY },
	{ "claim_einval", c_claim_einval, ANY },
	{ "cancel_idle", c_cancel_idle, ANY },
	{ "xfer_eopnotsupp", c_xfer_eopnotsupp, ANY },
	{ "kbench_eopnotsupp", c_kbench_eopnotsupp, ANY },
	{ "ring_eopnotsupp", c_ring_eopnotsupp, ANY },
	{ "ring_enoent", c_ring_enoent, ANY },
	{ "slave_config", c_slave_config, ANY },
	{ "xfer_memcpy", c_xfer_memcpy, MEMCPY },
	{ "xfer_nonblock_wait", c_xfer_nonblock_wait, MEMCPY },
	{ "reap", c_reap, MEMCPY },
	{ "reap_efault", c_reap_efault, MEMCPY },
	{ "xfer_einval", c_xfer_einval, MEMCPY },
	{ "xfer_long", c_xfer_long, MEMCPY },
	{ "xfer_other_device", c_xfer_other_device, MEMCPY },
	{ "xfer_other_file", c_xfer_other_file, MEMCPY },
	{ "xfer_cached_dir", c_xfer_cached_dir, MEMCPY },
	{ "xfer_ebusy_inflight", c_xfer_ebusy_inflight, MEMCPY },
	{ "poll", c_poll, MEMCPY },
	{ "kbench", c_kbench, MEMCPY },
	{ "kbench_claims", c_kbench_claims, MEMCPY },
	{ "kbench_bare", c_kbench_bare, MEMCPY },
	{ "kbench_loopback", c_kbench_loopback, STREAM },
	{ "kbench_loopback_nopair", c_kbench_loopback_nopair, ANY },
	{ "claim", c_claim, MEMCPY },
	{ "slave_config_memcpy_only", c_slave_config_memcpy_only, NOSLAVE },
	{ "slave_config_einval", c_slave_config_einval, SLAVE },
	{ "slave_config_get", c_slave_config_get, SLAVE },
	{ "ring_start_errors", c_ring_start_errors, SLAVE },
	{ "ring_rx_rules", c_ring_rx_rules, RXRING },
	{ "slave_fifo_data", c_slave_fifo_data, FIFO },
	{ "loop_data", c_loop_data, STREAM },
	{ "loop_kind", c_loop_kind, STREAM },
	{ "etimedout", c_etimedout, STREAM },
	{ "wait_reap_timeout", c_wait_reap_timeout, STREAM },
	{ "wait_ebusy_eintr", c_wait_ebusy_eintr, STREAM },
	{ "ecanceled", c_ecanceled, STREAM },
	{ "eintr", c_eintr, STREAM },
	{ "ebusy_waiting", c_ebusy_waiting, STREAM },
	{ "blocking_ecanceled", c_blocking_ecanceled, STREAM },
	{ "default_timeout", c_default_timeout, STREAM },
	{ "free_inflight", c_free_inflight, STREAM },
	{ "ring_reap_rules", c_ring_reap_rules, STREAM },
	{ "ring_tx_overrun", c_ring_tx_overrun, STREAM },
	{ "ring_tx_rules", c_ring_tx_rules, STREAM },
	{ "ring_data", c_ring_data, STREAM },
	{ "ring_cycle", c_ring_cycle, STREAM },
	{ "ring_overrun", c_ring_overrun, STREAM },
	{ "ring_cancel", c_ring_cancel, STREAM },
	{ "ring_cached", c_ring_cached, STREAM },
	{ "register", c_register, ANY },
	{ "register_einval", c_register_einval, ANY },
	{ "register_efault", c_register_efault, ANY },
	{ "register_eexist", c_register_eexist, ANY },
	{ "register_free", c_register_free, ANY },
	{ "register_enospc", c_register_enospc, ANY },
	{ "register_sync", c_register_sync, ANY },
	{ "register_xfer", c_register_xfer, MEMCPY },
	{ "register_dir", c_register_dir, MEMCPY },
	{ "register_other_device", c_register_other_device, MEMCPY },
	{ "register_munmap", c_register_munmap, MEMCPY },
	{ "register_fork", c_register_fork, MEMCPY },
	{ "register_free_inflight", c_register_free_inflight, MEMCPY },
	{ "register_runs", c_register_runs, MEMCPY },
	{ "register_one_run", c_register_one_run, MEMCPY },
	{ "register_kbench", c_register_kbench, MEMCPY },
	{ "register_stream", c_register_stream, STREAM },
	{ "export", c_export, ANY },
	{ "export_errors", c_export_errors, ANY },
	{ "export_mmap", c_export_mmap, MEMCPY },
	{ "export_lifetime", c_export_lifetime, MEMCPY },
	{ "export_cached", c_export_cached, MEMCPY },
	{ "import", c_import, MEMCPY },
	{ "import_fd_closed", c_import_fd_closed, MEMCPY },
	{ "import_errors", c_import_errors, ANY },
	{ "import_dir", c_import_dir, MEMCPY },
	{ "import_export", c_import_export, MEMCPY },
	{ "import_fence", c_import_fence, MEMCPY },
	{ "eio", c_eio, FAULT },
	{ "ring_slot_eio", c_ring_slot_eio, FAULT },
	{ "loopback_eintr", c_loopback_eintr, FAULT },
	{ NULL, NULL, ANY },
};

static int applies(enum need n)
{
	switch (n) {
	case ANY: return 1;
	case MEMCPY: return mc != NONE;
	case SLAVE: return slave != NONE;
	case NOSLAVE: return noslave != NONE;
	case STREAM: return stx != NONE;
	case FIFO: return ftx != NONE && frx != NONE && same_dev(ftx, frx) && fifo_addr[ftx] == fifo_addr[frx];
	case FAULT: return stx != NONE && mc != NONE && have_fault;
	case RXRING: return srx != NONE || frx != NONE;
	}
	return 0;
}

/* Receives and drops whatever the stream still holds (the loopback provider keeps a packet
 * sent with no receive posted until one comes: what a FIFO in the PL would do; the docs
 * do not say either way), so each check starts on an empty stream. */
static void drain(const char *name)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);
	struct axi_dma_alloc a = { .size = 1 << 20, .chan = srx };

	if (fd < 0)
		return;
	if (!io(fd, AXI_DMA_IOC_ALLOC, &a))
		for (int i = 0; i < 64; i++) {
			struct axi_dma_xfer x = xf(srx, AXI_DMA_XFER_FROM_DEV, 0, a.id, 1 << 20);

			/* Once a packet came, more of the same burst may still be on its way (a loaded
			 * host delays the provider's worker): wait longer for those. */
			x.timeout_ms = i ? 300 : 30;
			if (io(fd, AXI_DMA_IOC_XFER, &x) == -ETIMEDOUT)
				break;
			printf("# drained a %llu-byte packet before %s\n", (unsigned long long)x.bytes, name);
		}
	close(fd);
}

/* Runs one check in a child process with a watchdog; prints its line; 1 if it failed. */
static int run(const struct check *c)
{
	int pfd[2];
	pid_t pid;
	char msg[sizeof(why)] = "";
	ssize_t n, got = 0;
	int st = 0;

	if (c->need == STREAM || c->need == FAULT)
		drain(c->name);
	if (pipe(pfd))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		alarm(60);
		why[0] = 0;
		int r = c->fn();

		if (r)
			(void)!write(pfd[1], why[0] ? why : "failed", strlen(why[0] ? why : "failed"));
		_exit(r ? 1 : 0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	reset_faults();
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("ok %s\n", c->name);
		return 0;
	}
	if (WIFSIGNALED(st))
		printf("not ok %s: killed by signal %d%s%s\n", c->name, WTERMSIG(st),
		       WTERMSIG(st) == SIGALRM ? " (hung for 60 s)" : "", msg);
	else
		printf("not ok %s: %s\n", c->name, msg[0] ? msg : "failed");
	return 1;
}

/* The FIFO address of channel i from the node's DT ("linux,fifo-addresses", one cell per
 * channel), as a user finds it under /sys/class/misc/<dev>/device/of_node. */
static void read_fifo_addrs(void)
{
	char path[256];
	const char *base = strrchr(dev_path, '/');
	uint8_t cells[AXI_DMA_MAX_CHANNELS * 4];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/sys/class/misc/%s/device/of_node/linux,fifo-addresses", base ? base + 1 : dev_path);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(cells, 1, sizeof(cells), f);
	fclose(f);
	for (size_t i = 0; i + 4 <= n && i / 4 < AXI_DMA_MAX_CHANNELS; i += 4)
		fifo_addr[i / 4] = (uint64_t)cells[i] << 24 | (uint64_t)cells[i + 1] << 16 | (uint64_t)cells[i + 2] << 8 | cells[i + 3];
}

static int is_loop_node(void)
{
	char path[256], link[256];
	const char *base = strrchr(dev_path, '/');
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/misc/%s/device", base ? base + 1 : dev_path);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return strstr(link, "dma-user-loop") && access("/sys/module/axi_dma_loopback/parameters/fail", W_OK) == 0;
}

int main(int argc, char **argv)
{
	int opt, list = 0, fd, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "d:l")) != -1) {
		switch (opt) {
		case 'd': dev_path = optarg; break;
		case 'l': list = 1; break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-l]\n", argv[0]);
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	fd = open(dev_path, O_RDWR);
	if (fd < 0 || io(fd, AXI_DMA_IOC_INFO, &info)) {
		printf("not ok open: %s: %s\n", dev_path, strerror(errno));
		return 1;
	}
	nch = info.num_channels > AXI_DMA_MAX_CHANNELS ? AXI_DMA_MAX_CHANNELS : info.num_channels;
	for (uint32_t i = 0; i < nch; i++) {
		ci[i].index = i;
		if (io(fd, CHAN_INFO_IOC, &ci[i])) {
			printf("not ok open: CHAN_INFO %u: %s\n", i, strerror(errno));
			return 1;
		}
	}
	close(fd);
	read_fifo_addrs();
	if ((info.abi_revision ? info.abi_revision : 1) < 2) {
		/* Revision 1 has no pair/flags: guess them from the DT (dma-names tx/rx, FIFO
		 * addresses), so the data checks run on an old driver too. */
		for (uint32_t i = 0; i < nch; i++) {
			ci[i].pair = AXI_DMA_NO_PAIR;
			ci[i].flags = fifo_addr[i] ? AXI_DMA_CHAN_FIFO : 0;
		}
		for (uint32_t i = 0; i + 1 < nch; i++)
			if (!strcmp(ci[i].name, "tx") && !strcmp(ci[i + 1].name, "rx") && !fifo_addr[i]) {
				ci[i].pair = i + 1;
				ci[i + 1].pair = i;
				ci[i].flags = ci[i + 1].flags = AXI_DMA_CHAN_STREAMING;
			}
		printf("# ABI revision 1: pair and flags guessed\n");
	}
	have_fault = is_loop_node();
	for (uint32_t i = 0; i < nch; i++) {
		uint32_t d = ci[i].directions, sl = d & (AXI_DMA_DIR_MEM_TO_DEV | AXI_DMA_DIR_DEV_TO_MEM);
		size_t l0 = strcspn(ci[0].provider, "c"), li = strcspn(ci[i].provider, "c");

		if (mc == NONE && (d & AXI_DMA_DIR_MEM_TO_MEM))
			mc = i;
		if (slave == NONE && sl)
			slave = i;
		if (noslave == NONE && !sl)
			noslave = i;
		if (stx == NONE && (ci[i].flags & AXI_DMA_CHAN_STREAMING) && (d & AXI_DMA_DIR_MEM_TO_DEV) &&
		    ci[i].pair < nch && (ci[ci[i].pair].directions & AXI_DMA_DIR_DEV_TO_MEM)) {
			stx = i;
			srx = ci[i].pair;
		}
		if (ftx == NONE && (ci[i].flags & AXI_DMA_CHAN_FIFO) && (d & AXI_DMA_DIR_MEM_TO_DEV))
			ftx = i;
		if (frx == NONE && (ci[i].flags & AXI_DMA_CHAN_FIFO) && (d & AXI_DMA_DIR_DEV_TO_MEM))
			frx = i;
		if (l0 != li || strncmp(ci[0].provider, ci[i].provider, l0))
			two_devices = 1;
	}
	printf("# %s: %u channels", dev_path, nch);
	for (uint32_t i = 0; i < nch; i++)
		printf(" %s(%s dirs %#x pair %d flags %#x fifo %#llx)", ci[i].name, ci[i].provider, ci[i].directions,
		       (int)ci[i].pair, ci[i].flags, (unsigned long long)fifo_addr[i]);
	printf("%s\n", have_fault ? ", fault injection" : "");
	for (const struct check *c = checks; c->name; c++) {
		if (!applies(c->need))
			continue;
		if (list)
			printf("%s\n", c->name);
		else
			failed += run(c);
	}
	return failed ? 1 : 0;
}
