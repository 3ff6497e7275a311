/* SPDX-License-Identifier: MIT */
/*
 * libaxidma: a small C library over the axi_dma UAPI (include/uapi/axi_dma.h).
 *
 * Every function returns 0 (or a non-negative count/id) on success and a negative errno
 * on failure; errno is left as the kernel set it. Buffers are mapped on allocation:
 * struct axidma_buf.ptr points at the buffer's bytes until axidma_buf_free().
 *
 *   struct axidma_dev d;
 *   struct axidma_buf a, b;
 *   axidma_open(&d, NULL);                       // /dev/axi-dma0
 *   axidma_buf_alloc(&d, 0, 4096, &a);           // on channel 0's DMA device
 *   axidma_buf_alloc(&d, 0, 4096, &b);
 *   memset(a.ptr, 0x5a, 4096);
 *   axidma_memcpy(&d, 0, &b, 0, &a, 0, 4096, 0); // blocking, default timeout
 *   axidma_buf_free(&d, &a); axidma_buf_free(&d, &b); axidma_close(&d);
 */
#ifndef AXIDMA_H
#define AXIDMA_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/uapi/axi_dma.h"

#ifdef __cplusplus
extern "C" {
#endif

struct axidma_dev {
	int fd;
	struct axi_dma_info info;
};

struct axidma_buf {
	uint32_t id;
	uint32_t chan;
	uint64_t size;     /* bytes asked for */
	uint64_t map_size; /* bytes mapped (whole pages); 0 for registered user memory */
	uint64_t offset;   /* mmap offset */
	uint8_t *ptr;      /* the mapping (registered memory: the caller's own) */
};

/* Open a device (NULL: /dev/axi-dma0) and check the ABI version. */
int axidma_open(struct axidma_dev *d, const char *path);
void axidma_close(struct axidma_dev *d);
int axidma_chan_info(struct axidma_dev *d, uint32_t index, struct axi_dma_chan_info *out);
/* Index of the channel named `name` in dma-names, or -ENOENT. */
int axidma_chan_find(struct axidma_dev *d, const char *name);

int axidma_buf_alloc(struct axidma_dev *d, uint32_t chan, uint64_t size, struct axidma_buf *b);
int axidma_buf_free(struct axidma_dev *d, struct axidma_buf *b);
/* flags: AXI_DMA_ALLOC_* (CACHED: cacheable, hand over with axidma_sync around each DMA). */
int axidma_buf_alloc_flags(struct axidma_dev *d, uint32_t chan, uint64_t size, uint32_t flags,
			   struct axidma_buf *b);
/*
 * Registers `size` bytes of the caller's own memory at `addr` (both page-aligned: e.g. from
 * posix_memalign(.., sysconf(_SC_PAGESIZE), ..) or mmap) for DMA through `chan`'s provider
 * (ABI revision 4); flags: 0 or AXI_DMA_REGISTER_TO_DEVICE/FROM_DEVICE. b->ptr is `addr`.
 * Use b in every transfer like a CACHED buffer (axidma_sync around each DMA); transfers
 * that span more than AXI_DMA_REGISTER_MAX_RUNS contiguous runs fail with -E2BIG (split
 * them). axidma_buf_free() unregisters it and leaves the memory to the caller.
 */
int axidma_register(struct axidma_dev *d, uint32_t chan, void *addr, uint64_t size, uint32_t flags,
		    struct axidma_buf *b);
/*
 * dma-buf (ABI revision 4). axidma_export: buffer b as a new dma-buf fd (flags: O_CLOEXEC,
 * O_RDWR); returns the fd or -errno. The memory lives while the fd (or any mapping or
 * importer of it) does, also after axidma_buf_free() and axidma_close(). axidma_import: the
 * dma-buf `fd` (a heap buffer, a udmabuf, another driver's export) as buffer b, attached to
 * `chan`'s DMA device (flags: 0 or AXI_DMA_IMPORT_TO_DEVICE/FROM_DEVICE); b->ptr is NULL
 * (map the dma-buf itself; hand it over with DMA_BUF_IOCTL_SYNC on it); the caller may
 * close `fd`. axidma_buf_free() detaches it.
 */
int axidma_export(struct axidma_dev *d, const struct axidma_buf *b, uint32_t flags);
int axidma_import(struct axidma_dev *d, uint32_t chan, int fd, uint32_t flags, struct axidma_buf *b);
/* op: AXI_DMA_SYNC_FOR_DEVICE (after CPU writes) or AXI_DMA_SYNC_FOR_CPU (before CPU reads). */
int axidma_sync(struct axidma_dev *d, const struct axidma_buf *b, uint32_t op, uint64_t off, uint64_t len);

/* Blocking transfers (timeout_ms 0: the module's default). *bytes may be NULL. */
int axidma_memcpy(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst, uint64_t dst_off,
		  const struct axidma_buf *src, uint64_t src_off, uint64_t len, uint32_t timeout_ms);
int axidma_send(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *src, uint64_t off,
		uint64_t len, uint32_t timeout_ms);
int axidma_recv(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst, uint64_t off,
		uint64_t len, uint32_t timeout_ms, uint64_t *bytes);
/* tx from src, rx into dst, both waited for (AXI DMA with a PL loopback); *bytes = received. */
int axidma_loopback(struct axidma_dev *d, uint32_t tx, const struct axidma_buf *src, uint64_t src_off,
		    uint32_t rx, const struct axidma_buf *dst, uint64_t dst_off, uint64_t len,
		    uint32_t timeout_ms, uint64_t *bytes);
int axidma_slave_config(struct axidma_dev *d, uint32_t chan, uint32_t direction, uint64_t dev_addr,
			uint32_t width, uint32_t burst);
/* The setting in force for a slave direction (dev_addr, addr_width, maxburst filled in). */
int axidma_slave_config_get(struct axidma_dev *d, uint32_t chan, uint32_t direction,
			    struct axi_dma_slave_config *out);

/* Any transfer (x->flags may hold AXI_DMA_XFER_NONBLOCK). Returns 0; x->xfer_id is set.
 * The output fields (xfer_id, bytes, error) are cleared first, so x can be reused. */
int axidma_xfer(struct axidma_dev *d, struct axi_dma_xfer *x);
/* A batch (AXI_DMA_IOC_SUBMIT): the `count` transfers of x (their output fields are
 * cleared first; each one's xfer_id is set), then with max > 0 a reap into c like
 * axidma_reap(). Returns 0 or -errno; out->queued, out->error, out->reaped, out->pending
 * say what happened (a refused transfer: -errno, out->queued went before it). */
int axidma_submit(struct axidma_dev *d, struct axi_dma_xfer *x, uint32_t count, struct axi_dma_completion *c,
		  uint32_t max, uint32_t min, uint32_t timeout_ms, struct axi_dma_submit *out);
/* Non-blocking submission helpers: return the transfer id (> 0) or -errno. */
int64_t axidma_submit_memcpy(struct axidma_dev *d, uint32_t chan, const struct axidma_buf *dst,
			     uint64_t dst_off, const struct axidma_buf *src, uint64_t src_off,
			     uint64_t len, uint64_t user_data);
int axidma_wait(struct axidma_dev *d, uint64_t xfer_id, uint32_t timeout_ms, struct axi_dma_wait *out);
/* Collect finished transfers; waits up to timeout_ms until `min` are there. Returns the count. */
int axidma_reap(struct axidma_dev *d, struct axi_dma_completion *c, uint32_t max, uint32_t min,
		uint32_t timeout_ms, uint32_t *pending);
int axidma_status(struct axidma_dev *d, uint64_t xfer_id, struct axi_dma_status *out);
/* Terminate every transfer of this file on a channel. Returns how many were cancelled. */
int axidma_cancel(struct axidma_dev *d, uint32_t chan);
/* Own a channel exclusively until axidma_unclaim() or close (other files get -EBUSY). */
int axidma_claim(struct axidma_dev *d, uint32_t chan);
int axidma_unclaim(struct axidma_dev *d, uint32_t chan);

/*
 * Ring streaming (see struct axi_dma_stream_start in the UAPI header): `count` slots of
 * `slot_size` bytes at `off` in buffer b, kept queued back to back on a slave channel.
 *   rx: axidma_stream_start(.., AXI_DMA_DIR_DEV_TO_MEM, ..) queues every slot; loop:
 *       n = axidma_stream_reap(..) -> consume done[i].slot's bytes in order ->
 *       axidma_stream_push(d, chan, n, NULL, NULL) gives those slots back.
 *   tx: fill slot `first` (returned by push; slots go round in order), push with its length,
 *       reap to learn which slots are free again.
 * Returns: start -> slots queued; push -> slots queued by this call (*first: the first
 * slot's index); reap -> completions written (*queued, *overruns may be NULL).
 */
int axidma_stream_start(struct axidma_dev *d, uint32_t chan, uint32_t direction,
			const struct axidma_buf *b, uint64_t off, uint32_t count, uint64_t slot_size);
int axidma_stream_push(struct axidma_dev *d, uint32_t chan, uint32_t count, const uint32_t *lens,
		       uint32_t *first);
int axidma_stream_reap(struct axidma_dev *d, uint32_t chan, struct axi_dma_stream_done *done,
		       uint32_t max, uint32_t min, uint32_t timeout_ms, uint32_t *queued,
		       uint64_t *overruns);
/*
 * A ring's steady state in one system call (ABI revision 3): push `push` slots (as
 * axidma_stream_push; 0 = none; pushed and first may be NULL), then reap (as
 * axidma_stream_reap). rx: n = axidma_stream_cycle(d, rx, n, NULL, ...) gives back the n
 * slots consumed and collects the next ones. Returns completions written, or -errno (the
 * push was refused: nothing reaped). A signal after the push does not fail the call.
 */
int axidma_stream_cycle(struct axidma_dev *d, uint32_t chan, uint32_t push, const uint32_t *lens,
			uint32_t *pushed, uint32_t *first, struct axi_dma_stream_done *done, uint32_t max,
			uint32_t min, uint32_t timeout_ms, uint32_t *queued, uint64_t *overruns);
/* Stop the ring (terminating the channel if slots are still queued); out may be NULL. */
int axidma_stream_stop(struct axidma_dev *d, uint32_t chan, struct axi_dma_stream_stop *out);

#ifdef __cplusplus
}
#endif
#endif /* AXIDMA_H */
