// SPDX-License-Identifier: MIT
/*
 * dma-buf (AXI_DMA_IOC_EXPORT / AXI_DMA_IOC_IMPORT, ABI revision 4), checked against what
 * the UAPI header and docs/uapi.md say: our buffers exported, mapped and handed over
 * through the dma-buf, passed to another process over a Unix socket, alive after FREE and
 * close; other drivers' dma-bufs (system heap: scattered pages, udmabuf from a memfd)
 * imported and moved by the engine, verified through their own mappings; fences honoured
 * (sw_sync); every errno the docs list.
 */
#include "fixture.h"

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/* drivers/dma-buf/sw_sync.c (debugfs; no UAPI header). */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, __u32)

#define KB64 (64 * 1024)

static int dbuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/* Sends fd `fd` over the Unix socket `s`. */
static int send_fd(int s, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(s, &m, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int s)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h;
	int fd;

	if (recvmsg(s, &m, 0) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

/* A `len`-byte buffer from the system heap (scattered pages): its dma-buf fd or -errno. */
static int heap_alloc(const char *heap, uint64_t len)
{
	char path[64];
	int h, r;
	struct dma_heap_allocation_data a = { .len = len, .fd_flags = O_RDWR | O_CLOEXEC };

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	h = open(path, O_RDWR | O_CLOEXEC);
	if (h < 0)
		return -errno;
	r = ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : (int)a.fd;
	close(h);
	return r;
}

/* Our buffers as dma-bufs: mmap of the fd, another process, FREE and close of the exporter
 * while the fd lives, cached buffers handed over with DMA_BUF_IOCTL_SYNC, the errnos. */
static int t_dmabuf_export(void)
{
	struct axidma_dev d;
	struct axidma_buf a, c, src;
	struct axi_dma_export e;
	int fd, cfd, sv[2], st;
	uint8_t *m;
	pid_t pid;

	if (open_dev(&d)) return -1;
	CHECK(d.info.abi_revision >= 4, "abi_revision %u < 4", d.info.abi_revision);
	EXPECT_OK(axidma_buf_alloc(&d, chan, KB64, &src));
	EXPECT_OK(axidma_buf_alloc(&d, chan, KB64, &a));
	fill(src.ptr, KB64, 71);
	EXPECT_OK(axidma_memcpy(&d, chan, &a, 0, &src, 0, KB64, 0)); /* the engine wrote it */
	/* Refusals. */
	EXPECT_ERR(axidma_export(&d, &a, O_WRONLY), EINVAL);
	EXPECT_ERR(axidma_export(&d, &a, O_NONBLOCK), EINVAL);
	memset(&e, 0, sizeof(e));
	e.id = a.id; e.pad = 1;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_EXPORT, &e) < 0 && errno == EINVAL, "pad not zero");
	e.pad = 0; e.fd = 3;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_EXPORT, &e) < 0 && errno == EINVAL, "output fd not zero");
	e.fd = 0; e.id = 999999;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_EXPORT, &e) < 0 && errno == ENOENT, "unknown buffer");
	{
		uint8_t *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct axidma_buf u;

		CHECK(mem != MAP_FAILED, "mmap");
		EXPECT_OK(axidma_register(&d, chan, mem, 4096, 0, &u));
		EXPECT_ERR(axidma_export(&d, &u, O_CLOEXEC), EINVAL); /* registered memory */
		axidma_buf_free(&d, &u);
		munmap(mem, 4096);
	}
	fd = axidma_export(&d, &a, O_CLOEXEC | O_RDWR);
	CHECK(fd >= 0, "export: %s", strerror(-fd));
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "O_CLOEXEC not applied");
	/* Mapped through the dma-buf: the bytes the engine wrote. */
	m = mmap(NULL, KB64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap of the dma-buf: %s", strerror(errno));
	EXPECT_OK(dbuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	CHECK(first_diff(m, src.ptr, KB64) < 0, "dma-buf mapping differs from what DMA wrote");
	EXPECT_OK(dbuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	CHECK(mmap(NULL, KB64, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED, "MAP_PRIVATE of the dma-buf");
	CHECK(mmap(NULL, 2 * KB64, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED, "mapping past the dma-buf");
	/* The exporter lets go of everything: FREE, close. The dma-buf keeps the memory. */
	EXPECT_OK(axidma_buf_free(&d, &a));
	axidma_buf_free(&d, &src);
	axidma_close(&d);
	/* Another process gets the fd over a Unix socket and sees the same bytes. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int rfd = recv_fd(sv[1]);
		uint8_t want[KB64], *p;

		if (rfd < 0)
			_exit(2);
		p = mmap(NULL, KB64, PROT_READ, MAP_SHARED, rfd, 0);
		if (p == MAP_FAILED)
			_exit(3);
		fill(want, KB64, 71);
		_exit(memcmp(p, want, KB64) ? 4 : 0);
	}
	close(sv[1]);
	EXPECT_OK(send_fd(sv[0], fd));
	close(sv[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the receiving process saw other bytes (exit %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	munmap(m, KB64);
	close(fd);
	/* A cached buffer: DMA_BUF_IOCTL_SYNC is its hand-over. */
	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_buf_alloc(&d, chan, KB64, &src));
	EXPECT_OK(axidma_buf_alloc_flags(&d, chan, KB64, AXI_DMA_ALLOC_CACHED, &c));
	fill(src.ptr, KB64, 72);
	cfd = axidma_export(&d, &c, O_RDWR);
	CHECK(cfd >= 0, "export cached: %s", strerror(-cfd));
	CHECK(!(fcntl(cfd, F_GETFD) & FD_CLOEXEC), "O_CLOEXEC set without being asked for");
	m = mmap(NULL, KB64, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
	CHECK(m != MAP_FAILED, "mmap of the cached dma-buf");
	EXPECT_OK(dbuf_sync(cfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_OK(axidma_memcpy(&d, chan, &c, 0, &src, 0, KB64, 0));
	EXPECT_OK(dbuf_sync(cfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	CHECK(first_diff(m, src.ptr, KB64) < 0, "cached dma-buf differs after DMA_BUF_SYNC_START");
	EXPECT_OK(dbuf_sync(cfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	/* Two exports of one buffer are fine. */
	{
		int fd2 = axidma_export(&d, &c, O_CLOEXEC);

		CHECK(fd2 >= 0, "second export: %s", strerror(-fd2));
		close(fd2);
	}
	munmap(m, KB64);
	close(cfd);
	axidma_buf_free(&d, &c);
	axidma_buf_free(&d, &src);
	axidma_close(&d);
	return 0;
}

/* `n` bytes of the imported `ib` checked against `want` through a copy into `stage`
 * (32 pages at a time). */
static int check_import(struct axidma_dev *d, struct axidma_buf *ib, struct axidma_buf *stage, const uint8_t *want,
			uint64_t n)
{
	const uint64_t piece = 32 * 4096;

	for (uint64_t off = 0; off < n; off += piece) {
		uint64_t len = n - off < piece ? n - off : piece;

		EXPECT_OK(axidma_memcpy(d, chan, stage, 0, ib, off, len, 0));
		CHECK(first_diff(stage->ptr, want + off, len) < 0, "imported bytes differ at %llu",
		      (unsigned long long)off);
	}
	return 0;
}

/* Other drivers' dma-bufs: a 4 MiB system-heap buffer and a udmabuf made from a memfd, both
 * ways through the engine, checked through their own mappings; the errnos. The system heap
 * hands out 1 MiB segments: on a channel whose device declares shorter ones (the ZynqMP
 * GDMA keeps the kernel's 64 KiB default) that mapping is what DMA-API debugging rejects,
 * so there the heap buffer is 512 KiB (segments of 64 KiB at most). */
static int t_dmabuf_import(void)
{
	struct axi_dma_chan_info ci;
	uint64_t n = 4 << 20, un = 1 << 20;
	struct axidma_dev d;
	struct axidma_buf ib, ub, stage;
	struct axi_dma_import im;
	uint8_t *m, *want = malloc(n);
	int hfd, mfd, ufd, dev;

	CHECK(want, "malloc");
	if (open_dev(&d)) return -1;
	EXPECT_OK(axidma_chan_info(&d, chan, &ci));
	if (ci.max_seg_size < (1 << 20)) {
		/* (udmabuf maps a memfd's folios as they are: shmem's large ones too.) */
		n = 512 << 10;
		un = ci.max_seg_size < 65536 ? 4096 : 65536;
		printf("# channel segments up to %u bytes: a %llu-byte heap buffer\n", ci.max_seg_size,
		       (unsigned long long)n);
	}
	EXPECT_OK(axidma_buf_alloc(&d, chan, 32 * 4096, &stage));
	/* System heap. */
	hfd = heap_alloc("system", n);
	CHECK(hfd >= 0, "system heap: %s", strerror(-hfd));
	m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	CHECK(m != MAP_FAILED, "mmap heap buffer");
	EXPECT_OK(dbuf_sync(hfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	fill(m, n, 73);
	memcpy(want, m, n);
	EXPECT_OK(dbuf_sync(hfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	EXPECT_OK(axidma_import(&d, chan, hfd, 0, &ib));
	CHECK(ib.size == n, "imported size %llu, want %llu", (unsigned long long)ib.size, (unsigned long long)n);
	if (check_import(&d, &ib, &stage, want, n)) return -1;
	/* The engine writes it; the CPU reads it through the heap's own mapping. */
	fill(stage.ptr, 32 * 4096, 74);
	EXPECT_OK(axidma_memcpy(&d, chan, &ib, n - 32 * 4096, &stage, 0, 32 * 4096, 0));
	EXPECT_OK(dbuf_sync(hfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	CHECK(first_diff(m + n - 32 * 4096, stage.ptr, 32 * 4096) < 0, "DMA into the heap buffer not seen");
	EXPECT_OK(dbuf_sync(hfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	/* Its CPU side is the exporter's: SYNC refuses it; a range past it is refused. */
	EXPECT_ERR(axidma_sync(&d, &ib, AXI_DMA_SYNC_FOR_CPU, 0, 4096), EINVAL);
	EXPECT_ERR(axidma_memcpy(&d, chan, &stage, 0, &ib, n - 4096, 8192, 0), EINVAL);
	/* Fences: an unsignalled write fence (sw_sync) on the dma-buf holds transfers off. */
	{
		int tl = open("/sys/kernel/debug/sync/sw_sync", O_RDWR);
		struct sw_sync_create_fence_data f = { .value = 1, .name = "axi-dma-test" };
		struct dma_buf_import_sync_file isf = { .flags = DMA_BUF_SYNC_WRITE };
		__u32 one = 1;

		CHECK(tl >= 0, "sw_sync: %s", strerror(errno));
		CHECK(ioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &f) == 0, "create fence: %s", strerror(errno));
		isf.fd = f.fence;
		CHECK(ioctl(hfd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &isf) == 0, "attach fence: %s", strerror(errno));
		EXPECT_ERR(axidma_memcpy(&d, chan, &stage, 0, &ib, 0, 4096, 0), EBUSY); /* reads: waits for writers */
		EXPECT_ERR(axidma_memcpy(&d, chan, &ib, 0, &stage, 0, 4096, 0), EBUSY); /* writes: waits for all */
		CHECK(ioctl(tl, SW_SYNC_IOC_INC, &one) == 0, "signal: %s", strerror(errno));
		EXPECT_OK(axidma_memcpy(&d, chan, &stage, 0, &ib, 0, 4096, 0));
		close(f.fence);
		close(tl);
	}
	close(hfd); /* the import keeps its own reference */
	EXPECT_OK(axidma_memcpy(&d, chan, &stage, 0, &ib, 4096, 4096, 0));
	CHECK(first_diff(stage.ptr, want + 4096, 4096) < 0, "heap bytes after the fd was closed");
	munmap(m, n);
	EXPECT_OK(axidma_buf_free(&d, &ib));
	/* udmabuf from a memfd. */
	mfd = (int)syscall(SYS_memfd_create, "axi-dma-test", MFD_ALLOW_SEALING);
	CHECK(mfd >= 0, "memfd_create: %s", strerror(errno));
	CHECK(ftruncate(mfd, (off_t)un) == 0, "ftruncate");
	CHECK(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0, "seal");
	m = mmap(NULL, un, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(m != MAP_FAILED, "mmap memfd");
	fill(m, un, 75);
	memcpy(want, m, un);
	dev = open("/dev/udmabuf", O_RDWR);
	CHECK(dev >= 0, "/dev/udmabuf: %s", strerror(errno));
	{
		struct udmabuf_create c = { .memfd = (__u32)mfd, .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = un };

		ufd = ioctl(dev, UDMABUF_CREATE, &c);
		CHECK(ufd >= 0, "UDMABUF_CREATE: %s", strerror(errno));
	}
	close(dev);
	/* (No DMA_BUF_IOCTL_SYNC on the udmabuf: its CPU hand-over maps the memfd's folios for
	 * udmabuf's own misc device, whose 64 KiB default segment limit DMA-API debugging
	 * enforces against shmem's large folios. QEMU has no caches; on a board the memfd's
	 * pages would be handed over that way all the same.) */
	EXPECT_OK(axidma_import(&d, chan, ufd, 0, &ub));
	CHECK(ub.size == un, "udmabuf size %llu", (unsigned long long)ub.size);
	if (check_import(&d, &ub, &stage, want, un)) return -1;
	{
		uint64_t ul = un < 32 * 4096 ? un : 32 * 4096;

		fill(stage.ptr, ul, 76);
		EXPECT_OK(axidma_memcpy(&d, chan, &ub, 0, &stage, 0, ul, 0));
		CHECK(first_diff(m, stage.ptr, ul) < 0, "DMA into the udmabuf not seen through the memfd");
	}
	EXPECT_OK(axidma_buf_free(&d, &ub));
	close(ufd);
	munmap(m, un);
	/* Refusals: not a dma-buf (EINVAL), not an open fd (EBADF), flags, zero rule. */
	EXPECT_ERR(axidma_import(&d, chan, mfd, 0, &ub), EINVAL);
	close(mfd);
	EXPECT_ERR(axidma_import(&d, chan, mfd, 0, &ub), EBADF);
	EXPECT_ERR(axidma_import(&d, chan, -1, 0, &ub), EBADF);
	hfd = heap_alloc("system", 4096);
	CHECK(hfd >= 0, "system heap");
	EXPECT_ERR(axidma_import(&d, chan, hfd, 1, &ub), EINVAL);
	EXPECT_ERR(axidma_import(&d, chan, hfd, AXI_DMA_IMPORT_TO_DEVICE | AXI_DMA_IMPORT_FROM_DEVICE, &ub), EINVAL);
	EXPECT_ERR(axidma_import(&d, 9999, hfd, 0, &ub), EINVAL);
	memset(&im, 0, sizeof(im));
	im.fd = hfd; im.chan = chan; im.id = 1;
	CHECK(ioctl(d.fd, AXI_DMA_IOC_IMPORT, &im) < 0 && errno == EINVAL, "output id not zero");
	/* Directions: a TO_DEVICE import is never written by the engine. */
	EXPECT_OK(axidma_import(&d, chan, hfd, AXI_DMA_IMPORT_TO_DEVICE, &ub));
	EXPECT_ERR(axidma_memcpy(&d, chan, &ub, 0, &stage, 0, 4096, 0), EINVAL);
	EXPECT_OK(axidma_memcpy(&d, chan, &stage, 0, &ub, 0, 4096, 0));
	close(hfd);
	axidma_buf_free(&d, &stage);
	axidma_close(&d); /* detaches ub */
	free(want);
	return 0;
}

/* Zero-copy between two DMA devices: a buffer of /dev/axi-dma0 (the memcpy node) exported
 * and imported by this node's (-d) tx channel, sent through the loopback, received here. */
static int t_dmabuf_cross(void)
{
	struct loop l;
	struct axidma_dev d0;
	struct axidma_buf a, t, r;
	struct axi_dma_wait w;
	int fd;
	int64_t id;

	if (loop_open(&l)) return -1;
	CHECK(axidma_open(&d0, "/dev/axi-dma0") == 0, "open /dev/axi-dma0");
	EXPECT_OK(axidma_buf_alloc(&d0, 0, KB64, &a));
	fill(a.ptr, KB64, 77);
	fd = axidma_export(&d0, &a, O_CLOEXEC | O_RDWR);
	CHECK(fd >= 0, "export: %s", strerror(-fd));
	EXPECT_OK(axidma_import(&l.d, (uint32_t)l.tx, fd, AXI_DMA_IMPORT_TO_DEVICE, &t));
	close(fd);
	axidma_buf_free(&d0, &a); /* still alive: exported and imported */
	EXPECT_OK(axidma_buf_alloc(&l.d, (uint32_t)l.rx, KB64, &r));
	CHECK((id = submit_rx(&l, &r, 0, KB64, 1)) > 0, "rx: %s", strerror((int)-id));
	EXPECT_OK(axidma_send(&l.d, (uint32_t)l.tx, &t, 0, KB64, 2000));
	EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 2000, &w));
	CHECK(w.error == 0 && w.bytes == KB64, "rx: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	{
		uint8_t want[KB64];

		fill(want, KB64, 77);
		CHECK(first_diff(r.ptr, want, KB64) < 0, "bytes sent from the other node's export differ");
	}
	axidma_close(&l.d);
	axidma_close(&d0);
	return 0;
}

/* The contiguous heap (the CMA heap: one segment, whatever its name under /dev/dma_heap). */
static int cma_heap_alloc(uint64_t len)
{
	static const char *const names[] = { "reserved", "linux,cma", "default_cma_region", "cma" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd = heap_alloc(names[i], len);

		if (fd != -ENOENT)
			return fd;
	}
	return -ENOENT;
}

/* Imported dma-bufs on a stream pair (run with -d on the loopback node or the AXI DMA
 * node): a packet sent from one heap buffer is received into another. The loopback
 * provider takes one segment per descriptor (CMA heap); xilinx_dma does scatter-gather,
 * so on the AXI DMA the receive also goes into scattered system-heap pages. */
static int t_dmabuf_stream(void)
{
	const uint64_t n = KB64;
	struct loop l;
	struct axidma_buf t, r;
	struct axi_dma_chan_info ci;
	struct axi_dma_wait w;
	int tfd, rfd, sg;
	uint8_t *tp, *rp;
	int64_t id;

	if (loop_open(&l)) return -1;
	EXPECT_OK(axidma_chan_info(&l.d, (uint32_t)l.rx, &ci));
	sg = !(ci.directions & AXI_DMA_DIR_MEM_TO_MEM); /* the AXI DMA (no memcpy): scatter-gather */
	tfd = cma_heap_alloc(n);
	CHECK(tfd >= 0, "CMA heap: %s", strerror(-tfd));
	rfd = sg ? heap_alloc("system", n) : cma_heap_alloc(n);
	CHECK(rfd >= 0, "heap: %s", strerror(-rfd));
	tp = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	rp = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	CHECK(tp != MAP_FAILED && rp != MAP_FAILED, "mmap heap buffers");
	EXPECT_OK(dbuf_sync(tfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	fill(tp, n, 78);
	EXPECT_OK(dbuf_sync(tfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	EXPECT_OK(dbuf_sync(rfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	memset(rp, 0xee, n);
	EXPECT_OK(dbuf_sync(rfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	EXPECT_OK(axidma_import(&l.d, (uint32_t)l.tx, tfd, AXI_DMA_IMPORT_TO_DEVICE, &t));
	EXPECT_OK(axidma_import(&l.d, (uint32_t)l.rx, rfd, AXI_DMA_IMPORT_FROM_DEVICE, &r));
	CHECK((id = submit_rx(&l, &r, 0, n, 1)) > 0, "rx into the import: %s", strerror((int)-id));
	EXPECT_OK(axidma_send(&l.d, (uint32_t)l.tx, &t, 0, n - 100, 2000));
	EXPECT_OK(axidma_wait(&l.d, (uint64_t)id, 5000, &w));
	CHECK(w.error == 0 && w.bytes == n - 100, "rx: error %d bytes %llu", w.error, (unsigned long long)w.bytes);
	EXPECT_OK(dbuf_sync(rfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	CHECK(first_diff(rp, tp, n - 100) < 0, "packet between two imported dma-bufs differs");
	CHECK(rp[n - 100] == 0xee && rp[n - 1] == 0xee, "bytes past the packet written");
	EXPECT_OK(dbuf_sync(rfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(tp, n);
	munmap(rp, n);
	close(tfd);
	close(rfd);
	axidma_close(&l.d);
	return 0;
}

/* Imported system-heap memory (scattered) on the PL330's slave channels, which take
 * scatter lists: every word sent goes to the FIFO address, and receiving reads the last
 * one back into every word (run on the Zynq-7000 node, like slave_fifo). */
static int t_dmabuf_fifo(void)
{
	const uint32_t n = 256 * 1024;
	struct axidma_dev d;
	struct axidma_buf s, t;
	uint64_t bytes = 0;
	int tx, rx, sfd, tfd;
	uint32_t *w, *r;

	if (open_dev(&d)) return -1;
	tx = axidma_chan_find(&d, "tx");
	rx = axidma_chan_find(&d, "rx");
	CHECK(tx >= 0 && rx >= 0, "no tx/rx channels");
	sfd = heap_alloc("system", n);
	tfd = heap_alloc("system", n);
	CHECK(sfd >= 0 && tfd >= 0, "system heap");
	w = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	r = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	CHECK(w != MAP_FAILED && r != MAP_FAILED, "mmap");
	EXPECT_OK(dbuf_sync(sfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	for (uint32_t i = 0; i < n / 4; i++)
		w[i] = 0x3c000000u + i * 7;
	EXPECT_OK(dbuf_sync(sfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	EXPECT_OK(axidma_import(&d, (uint32_t)tx, sfd, AXI_DMA_IMPORT_TO_DEVICE, &s));
	EXPECT_OK(axidma_import(&d, (uint32_t)rx, tfd, AXI_DMA_IMPORT_FROM_DEVICE, &t));
	EXPECT_OK(axidma_slave_config(&d, (uint32_t)tx, AXI_DMA_DIR_MEM_TO_DEV, 0, 4, 1));
	EXPECT_OK(axidma_slave_config(&d, (uint32_t)rx, AXI_DMA_DIR_DEV_TO_MEM, 0, 4, 1));
	EXPECT_OK(axidma_send(&d, (uint32_t)tx, &s, 0, n, 0));
	EXPECT_OK(axidma_recv(&d, (uint32_t)rx, &t, 0, n, 0, &bytes));
	CHECK(bytes == n, "received %llu of %u bytes", (unsigned long long)bytes, n);
	EXPECT_OK(dbuf_sync(tfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (uint32_t i = 0; i < n / 4; i++)
		CHECK(r[i] == w[n / 4 - 1], "word %u is %#x, want the FIFO's %#x", i, r[i], w[n / 4 - 1]);
	EXPECT_OK(dbuf_sync(tfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(w, n);
	munmap(r, n);
	close(sfd);
	close(tfd);
	axidma_close(&d);
	return 0;
}

const struct test dmabuf_tests[] = {
	{ "dmabuf_export", t_dmabuf_export, 1 },
	{ "dmabuf_import", t_dmabuf_import, 1 },
	{ "dmabuf_cross", t_dmabuf_cross, 0 },
	{ "dmabuf_stream", t_dmabuf_stream, 0 },
	{ "dmabuf_fifo", t_dmabuf_fifo, 0 },
	{ 0 }
};
