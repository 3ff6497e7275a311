// SPDX-License-Identifier: MIT
/* libaxidma: see axidma.h. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "axidma.h"

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int axidma_open(struct axidma_dev *d, const char *path)
{
	int r;

	d->fd = open(path ? path : "/dev/axi-dma0", O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	memset(&d->info, 0, sizeof(d->info));
	r = xioctl(d->fd, AXI_DMA_IOC_INFO, &d->info);
	/* Another ABI version is incompatible; an older revision lacks parts of ours (drivers
	 * before revision 2 report 0); a newer revision runs us unchanged. */
	if (!r && (d->info.abi_version != AXI_DMA_ABI_VERSION ||
		   (d->info.abi_revision ? d->info.abi_revision : 1) < AXI_DMA_ABI_REVISION))
		r = -EPROTO;
	if (r) {
		close(d->fd);
		d->fd = -1;
	}
	return r;
}

void axidma_close(struct axidma_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int axidma_chan_info(struct axidma_dev *d, uint32_t index, struct axi_dma_chan_info *out)
{
	memset(out, 0, sizeof(*out));
	out->index = index;
	return xioctl(d->fd, AXI_DMA_IOC_CHAN_INFO, out);
}

int axidma_chan_find(struct axidma_dev *d, const char *name)
{
	struct axi_dma_chan_info ci;
	uint32_t i;

	for (i = 0; i < d->info.num_channels; i++)
		if (!axidma_chan_info(d, i, &ci) && !strncmp(ci.name, name, sizeof(ci.name)))
			return (int)i;
	return -ENOENT;
}

int axidma_buf_alloc(struct axidma_dev *d, uint32_t chan, uint64_t size, struct axidma_buf *b)
{
	return axidma_buf_alloc_flags(d, chan, size, 0, b);
}

int axidma_sync(struct axidma_dev *d, const struct axidma_buf *b, uint32_t op, uint64_t off, uint64_t len)
{
	struct axi_dma_sync s = { .id = b->id, .op = op, .offset = off, .len = len };

	return xioctl(d->fd, AXI_DMA_IOC_SYNC, &s);
}

int axidma_buf_alloc_flags(struct axidma_dev *d, uint32_t chan, uint64_t size, uint32_t flags,
			   struct axidma_buf *b)
{
	struct axi_dma_alloc a = { .size = size, .chan = chan, .flags = flags };
	struct axi_dma_free f = { 0 };
	void *p;
	int r = xioctl(d->fd, AXI_DMA_IOC_ALLOC, &a);

	if (r)
		return r;
	p = mmap(NULL, a.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)a.mmap_offset);
	if (p == MAP_FAILED) {
		r = -errno;
		f.id = a.id;
		xioctl(d->fd, AXI_DMA_IOC_FREE, &f);
		return r;
	}
	b->id = a.id;
	b->chan = chan;
	b->size = size;
	b->map_size = a.mmap_size;
	b->offset = a.mmap_offset;
	b->ptr = p;
	return 0;
}

int axidma_register(struct axidma_dev *d, uint32_t chan, void *addr, uint64_t size, uint32_t flags,
		    struct axidma_buf *b)
{
	struct axi_dma_register r = { .addr = (uint64_t)(uintptr_t)addr, .size = size, .chan = chan, .flags = flags };
	int e = xioctl(d->fd, AXI_DMA_IOC_REGISTER, &r);

	if (e)
		return e;
	b->id = r.id;
	b->chan = chan;
	b->size = size;
	b->map_size = 0;
	b->offset = 0;
	b->ptr = addr;
	return 0;
}

int axidma_export(struct axidma_dev *d, const struct axidma_buf *b, uint32_t flags)
{
	struct axi_dma_export e = { .id = b->id, .flags = flags };
	int r = xioctl(d->fd, AXI_DMA_IOC_EXPORT, &e);

	return r ? r : e.fd;
}

int axidma_import(struct axidma_dev *d, uint32_t chan, int fd, uint32_t flags, struct axidma_buf *b)
{
	struct axi_dma_import i = { .fd = fd, .chan = chan, .flags = flags };
	int r = xioctl(d->fd, AXI_DMA_IOC_IMPORT, &i);

	if (r)
		return r;
	b->id = i.id;
	b->chan = chan;
	b->size = i.size;
	b->map_size = 0;
	b->offset = 0;
	b->ptr = NULL;
	return 0;
}

int axidma_buf_free(struct axidma_dev *d, struct axidma_buf *b)
{
	struct axi_dma_free f = { .id = b->id };

	if (b->ptr && b->map_size)
		munmap(b->ptr, b->map_size);
	b->ptr = NULL;
	return xioctl(d->fd, AXI_DMA_IOC_FREE, &f);
}

int axidma_xfer(struct axidma_dev *d, struct axi_dma_xfer *x)
{
	/* The ABI wants output fields zero on input: a reused request must not fail. */
	x->xfer_id = 0;
	x->bytes = 0;
	x->error = 0;
	return xioctl(d->fd, AXI_DMA_IOC_XFER, x);
}

int axidma_memcpy(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst, uint64_t dst_off,
		  const struct axidma_buf *src, uint64_t src_off, uint64_t len, uint32_t timeout_ms)
{
	struct axi_dma_xfer x = {
		.chan = chan, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = src->id, .dst_buf = dst->id,
		.src_off = src_off, .dst_off = dst_off, .len = len, .timeout_ms = timeout_ms,
	};
	return axidma_xfer(d, &x);
}

int axidma_send(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *src, uint64_t off,
		uint64_t len, uint32_t timeout_ms)
{
	struct axi_dma_xfer x = {
		.chan = chan, .kind = AXI_DMA_XFER_TO_DEV, .src_buf = src->id, .src_off = off,
		.len = len, .timeout_ms = timeout_ms,
	};
	return axidma_xfer(d, &x);
}

int axidma_recv(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst, uint64_t off,
		uint64_t len, uint32_t timeout_ms, uint64_t *bytes)
{
	struct axi_dma_xfer x = {
		.chan = chan, .kind = AXI_DMA_XFER_FROM_DEV, .dst_buf = dst->id, .dst_off = off,
		.len = len, .timeout_ms = timeout_ms,
	};
	int r = axidma_xfer(d, &x);

	if (bytes)
		*bytes = x.bytes;
	return r;
}

int axidma_loopback(struct axidma_dev *d, uint32_t tx, const struct axidma_buf *src, uint64_t src_off,
		    uint32_t rx, const struct axidma_buf *dst, uint64_t dst_off, uint64_t len,
		    uint32_t timeout_ms, uint64_t *bytes)
{
	struct axi_dma_xfer x = {
		.chan = tx, .rx_chan = rx, .kind = AXI_DMA_XFER_LOOPBACK, .src_buf = src->id,
		.src_off = src_off, .dst_buf = dst->id, .dst_off = dst_off, .len = len,
		.timeout_ms = timeout_ms,
	};
	int r = axidma_xfer(d, &x);

	if (bytes)
		*bytes = x.bytes;
	return r;
}

int axidma_slave_config(struct axidma_dev *d, uint32_t chan, uint32_t direction, uint64_t dev_addr,
			uint32_t width, uint32_t burst)
{
	struct axi_dma_slave_config c = {
		.chan = chan, .direction = direction, .dev_addr = dev_addr,
		.addr_width = width, .maxburst = burst,
	};
	return xioctl(d->fd, AXI_DMA_IOC_SLAVE_CONFIG, &c);
}

int axidma_submit(struct axidma_dev *d, struct axi_dma_xfer *x, uint32_t count, struct axi_dma_completion *c,
		  uint32_t max, uint32_t min, uint32_t timeout_ms, struct axi_dma_submit *out)
{
	for (uint32_t i = 0; i < count; i++) {
		x[i].xfer_id = 0;
		x[i].bytes = 0;
		x[i].error = 0;
	}
	memset(out, 0, sizeof(*out));
	out->xfers = (uintptr_t)x;
	out->count = count;
	out->entries = (uintptr_t)c;
	out->max = max;
	out->min = min;
	out->timeout_ms = timeout_ms;
	return xioctl(d->fd, AXI_DMA_IOC_SUBMIT, out);
}

int axidma_slave_config_get(struct axidma_dev *d, uint32_t chan, uint32_t direction,
			    struct axi_dma_slave_config *out)
{
	memset(out, 0, sizeof(*out));
	out->chan = chan;
	out->direction = direction;
	return xioctl(d->fd, AXI_DMA_IOC_SLAVE_CONFIG_GET, out);
}

int64_t axidma_submit_memcpy(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst,
			     uint64_t dst_off, const struct axidma_buf *src, uint64_t src_off,
			     uint64_t len, uint64_t user_data)
{
	struct axi_dma_xfer x = {
		.chan = chan, .kind = AXI_DMA_XFER_MEMCPY, .src_buf = src->id, .dst_buf = dst->id,
		.src_off = src_off, .dst_off = dst_off, .len = len, .flags = AXI_DMA_XFER_NONBLOCK,
		.user_data = user_data,
	};
	int r = axidma_xfer(d, &x);

	return r ? r : (int64_t)x.xfer_id;
}

int axidma_wait(struct axidma_dev *d, uint64_t xfer_id, uint32_t timeout_ms, struct axi_dma_wait *out)
{
	struct axi_dma_wait w = { .xfer_id = xfer_id, .timeout_ms = timeout_ms };
	int r = xioctl(d->fd, AXI_DMA_IOC_WAIT, &w);

	if (out)
		*out = w;
	return r;
}

int axidma_reap(struct axidma_dev *d, struct axi_dma_completion *c, uint32_t max, uint32_t min,
		uint32_t timeout_ms, uint32_t *pending)
{
	struct axi_dma_reap r = {
		.entries = (uint64_t)(uintptr_t)c, .max = max, .min = min, .timeout_ms = timeout_ms,
	};
	int ret = xioctl(d->fd, AXI_DMA_IOC_REAP, &r);

	if (ret)
		return ret;
	if (pending)
		*pending = r.pending;
	return (int)r.count;
}

int axidma_status(struct axidma_dev *d, uint64_t xfer_id, struct axi_dma_status *out)
{
	memset(out, 0, sizeof(*out));
	out->xfer_id = xfer_id;
	return xioctl(d->fd, AXI_DMA_IOC_STATUS, out);
}

int axidma_cancel(struct axidma_dev *d, uint32_t chan)
{
	struct axi_dma_cancel c = { .chan = chan };
	int r = xioctl(d->fd, AXI_DMA_IOC_CANCEL, &c);

	return r ? r : (int)c.cancelled;
}

int axidma_stream_start(struct axidma_dev *d, uint32_t chan, uint32_t direction,
			const struct axidma_buf *b, uint64_t off, uint32_t count, uint64_t slot_size)
{
	struct axi_dma_stream_start s = {
		.chan = chan, .direction = direction, .buf = b->id, .count = count,
		.offset = off, .slot_size = slot_size,
	};
	int r = xioctl(d->fd, AXI_DMA_IOC_STREAM_START, &s);

	return r ? r : (int)s.queued;
}

int axidma_stream_push(struct axidma_dev *d, uint32_t chan, uint32_t count, const uint32_t *lens,
		       uint32_t *first)
{
	struct axi_dma_stream_push p = {
		.chan = chan, .count = count, .lens = (uintptr_t)lens,
	};
	int r = xioctl(d->fd, AXI_DMA_IOC_STREAM_PUSH, &p);

	if (r)
		return r;
	if (first)
		*first = p.first;
	return (int)p.count;
}

int axidma_stream_reap(struct axidma_dev *d, uint32_t chan, struct axi_dma_stream_done *done,
		       uint32_t max, uint32_t min, uint32_t timeout_ms, uint32_t *queued,
		       uint64_t *overruns)
{
	struct axi_dma_stream_reap r = {
		.chan = chan, .max = max, .entries = (uintptr_t)done, .min = min,
		.timeout_ms = timeout_ms,
	};
	int e = xioctl(d->fd, AXI_DMA_IOC_STREAM_REAP, &r);

	if (e)
		return e;
	if (queued)
		*queued = r.queued;
	if (overruns)
		*overruns = r.overruns;
	return (int)r.count;
}

int axidma_stream_cycle(struct axidma_dev *d, uint32_t chan, uint32_t push, const uint32_t *lens,
			uint32_t *pushed, uint32_t *first, struct axi_dma_stream_done *done, uint32_t max,
			uint32_t min, uint32_t timeout_ms, uint32_t *queued, uint64_t *overruns)
{
	struct axi_dma_stream_cycle c = {
		.chan = chan, .push = push, .lens = (uintptr_t)lens, .entries = (uintptr_t)done,
		.max = max, .min = min, .timeout_ms = timeout_ms,
	};
	int e = xioctl(d->fd, AXI_DMA_IOC_STREAM_CYCLE, &c);

	if (e)
		return e;
	if (pushed)
		*pushed = c.push;
	if (first)
		*first = c.first;
	if (queued)
		*queued = c.queued;
	if (overruns)
		*overruns = c.overruns;
	return (int)c.count;
}

int axidma_stream_stop(struct axidma_dev *d, uint32_t chan, struct axi_dma_stream_stop *out)
{
	struct axi_dma_stream_stop s = { .chan = chan };
	int r = xioctl(d->fd, AXI_DMA_IOC_STREAM_STOP, &s);

	if (!r && out)
		*out = s;
	return r;
}

int axidma_claim(struct axidma_dev *d, uint32_t chan)
{
	struct axi_dma_claim c = { .chan = chan };

	return xioctl(d->fd, AXI_DMA_IOC_CLAIM, &c);
}

int axidma_unclaim(struct axidma_dev *d, uint32_t chan)
{
	struct axi_dma_claim c = { .chan = chan };

	return xioctl(d->fd, AXI_DMA_IOC_UNCLAIM, &c);
}
