/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * axi_dma: zero-copy DMA between user space and FPGA logic (dmaengine channels).
 *
 * The one ABI definition shared by the kernel module (ioctl.rs mirrors it and checks sizes
 * at build time), the C library (lib/c) and the Rust crate (lib/rust, checked in tests).
 * All structures have fixed-width fields and explicit padding: the same layout on 32-bit
 * and 64-bit user space, so compat tasks need no translation. User pointers are __u64.
 */
#ifndef _UAPI_AXI_DMA_H
#define _UAPI_AXI_DMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Versions. AXI_DMA_ABI_VERSION changes only if the ABI ever changes incompatibly (it
 * never has): a program checks it for equality. AXI_DMA_ABI_REVISION counts compatible
 * additions: a program built for revision N runs on every driver of revision >= N
 * (drivers before revision 2 report 0 there, meaning 1).
 *  revision 1  first release.
 *  revision 2  struct axi_dma_chan_info gains `pair` and `flags` (from its reserved space)
 *              and reports each channel's own directions; AXI_DMA_IOC_SLAVE_CONFIG_GET;
 *              AXI_DMA_IOC_SUBMIT (batches);
 *              padding, reserved and output-only fields of a request must be zero.
 *  revision 3  struct axi_dma_kbench: `flags` (was `pad`): AXI_DMA_KBENCH_BARE (the bare
 *              dmaengine floor) and AXI_DMA_KBENCH_LOOPBACK (tx -> rx round trips);
 *              AXI_DMA_IOC_STREAM_CYCLE (a ring's push and reap in one call).
 *  revision 4  AXI_DMA_IOC_REGISTER (DMA straight into the caller's own memory);
 *              AXI_DMA_IOC_EXPORT and AXI_DMA_IOC_IMPORT (dma-buf).
 * docs/uapi.md is the reference: every field, errno, limit and default of every ioctl.
 */
#define AXI_DMA_ABI_VERSION 1
#define AXI_DMA_ABI_REVISION 4
#define AXI_DMA_IOC_MAGIC 0xAD
#define AXI_DMA_MAX_CHANNELS 8
#define AXI_DMA_NAME_LEN 32

/* Channel directions (bit masks of struct axi_dma_chan_info.directions). */
#define AXI_DMA_DIR_MEM_TO_MEM (1U << 0) /* memcpy */
#define AXI_DMA_DIR_MEM_TO_DEV (1U << 1) /* e.g. AXI DMA MM2S, "tx" */
#define AXI_DMA_DIR_DEV_TO_MEM (1U << 2) /* e.g. AXI DMA S2MM, "rx" */

struct axi_dma_info {
	__u32 abi_version;     /* out: AXI_DMA_ABI_VERSION */
	__u32 num_channels;    /* out */
	__u32 max_buffers;     /* out: per open file */
	__u32 max_inflight;    /* out: per open file */
	__u64 max_buffer_size; /* out: bytes */
	__u32 abi_revision;    /* out: AXI_DMA_ABI_REVISION (0 from drivers before 2: 1) */
	__u32 reserved32;
	__u64 reserved[3];
};

#define AXI_DMA_NO_PAIR 0xffffffffU /* axi_dma_chan_info.pair of a channel without one */
/* Bits of axi_dma_chan_info.flags. */
#define AXI_DMA_CHAN_STREAMING (1U << 0) /* slave side is a stream (AXI DMA): no address */
#define AXI_DMA_CHAN_FIFO      (1U << 1) /* slave side is a fixed address from the DT */

struct axi_dma_chan_info {
	__u32 index;        /* in: 0 .. num_channels-1 */
	__u32 directions;   /* out: AXI_DMA_DIR_* this channel can do (not its engine's) */
	__u32 addr_align;   /* out: bytes; offsets and lengths must be multiples for memcpy */
	__u32 max_seg_size; /* out: largest single transfer in bytes */
	__u32 residue_granularity; /* out: 0 descriptor, 1 segment, 2 burst */
	__u32 coherent;     /* out: 1 if the provider is cache-coherent (dma-coherent) */
	char name[AXI_DMA_NAME_LEN];     /* out: the dma-names entry, NUL-terminated */
	char provider[AXI_DMA_NAME_LEN]; /* out: provider channel, e.g. "dma0chan1" */
	__u32 pair;         /* out: the channel of the same engine with the opposite slave
			     * direction (tx <-> rx: a LOOPBACK partner if the PL loops the
			     * stream back), or AXI_DMA_NO_PAIR */
	__u32 flags;        /* out: AXI_DMA_CHAN_* */
	__u64 reserved;
};

/* Allocation flags. Default: coherent memory (uncached where the device is not
 * dma-coherent), no hand-over needed. CACHED: cacheable memory, fast for the CPU, handed
 * over with AXI_DMA_IOC_SYNC around every DMA; TO_/FROM_DEVICE narrow its direction. */
#define AXI_DMA_ALLOC_CACHED      (1U << 0)
#define AXI_DMA_ALLOC_TO_DEVICE   (1U << 1) /* with CACHED: the device only reads it */
#define AXI_DMA_ALLOC_FROM_DEVICE (1U << 2) /* with CACHED: the device only writes it */

struct axi_dma_alloc {
	__u64 size;        /* in: bytes, 1 .. max_buffer_size */
	__u32 chan;        /* in: channel whose provider will access the buffer */
	__u32 flags;       /* in: AXI_DMA_ALLOC_* */
	__u32 id;          /* out: buffer handle */
	__u32 pad;
	__u64 mmap_offset; /* out: pass to mmap(); the mapping may cover the whole buffer */
	__u64 mmap_size;   /* out: size rounded up to whole pages */
};

struct axi_dma_free {
	__u32 id;  /* in */
	__u32 pad;
};

/* Transfer kinds. */
#define AXI_DMA_XFER_MEMCPY   0 /* src_buf/src_off -> dst_buf/dst_off */
#define AXI_DMA_XFER_TO_DEV   1 /* src_buf/src_off -> device (MM2S, "tx") */
#define AXI_DMA_XFER_FROM_DEV 2 /* device -> dst_buf/dst_off (S2MM, "rx") */
#define AXI_DMA_XFER_LOOPBACK 3 /* src_buf/src_off -> chan (tx) ... rx_chan -> dst_buf/dst_off;
				 * blocking only; bytes = what rx received */

/* Transfer flags. */
#define AXI_DMA_XFER_NONBLOCK (1U << 0) /* return after submission; collect with REAP */

struct axi_dma_xfer {
	__u32 chan;       /* in */
	__u32 kind;       /* in: AXI_DMA_XFER_* */
	__u32 src_buf;    /* in: buffer id (MEMCPY, TO_DEV) */
	__u32 dst_buf;    /* in: buffer id (MEMCPY, FROM_DEV) */
	__u64 src_off;    /* in */
	__u64 dst_off;    /* in */
	__u64 len;        /* in: bytes, >= 1 */
	__u32 flags;      /* in: AXI_DMA_XFER_* flags */
	__u32 timeout_ms; /* in: blocking wait; 0 = the module's default */
	__u64 user_data;  /* in: returned with the completion */
	__u64 xfer_id;    /* out: transfer id (NONBLOCK; or after EINTR: collect it with WAIT) */
	__u64 bytes;      /* out (blocking): bytes transferred = len - residue */
	__s32 error;      /* out (blocking): 0 or a negative errno */
	__u32 rx_chan;    /* in: the receive channel of AXI_DMA_XFER_LOOPBACK, else 0 */
};

struct axi_dma_completion {
	__u64 xfer_id;
	__u64 user_data;
	__u64 bytes;      /* bytes transferred */
	__s32 error;      /* 0, -EIO (provider reported an error), -ECANCELED, -ETIMEDOUT */
	__u32 chan;
};

struct axi_dma_reap {
	__u64 entries;    /* in: user pointer to struct axi_dma_completion[max] */
	__u32 max;        /* in: 1 .. 256 */
	__u32 min;        /* in: wait until at least this many (0 = don't wait) */
	__u32 timeout_ms; /* in: how long to wait for `min` (0 = the module's default) */
	__u32 count;      /* out: completions written */
	__u32 pending;    /* out: transfers of this file still in flight */
	__u32 pad;
};

struct axi_dma_status {
	__u64 xfer_id;    /* in */
	__u32 state;      /* out: AXI_DMA_STATE_* */
	__s32 error;      /* out */
	__u64 bytes;      /* out: bytes transferred so far (residue-based while in flight) */
};
#define AXI_DMA_STATE_PENDING 0
#define AXI_DMA_STATE_DONE    1

struct axi_dma_wait {
	__u64 xfer_id;    /* in */
	__u32 timeout_ms; /* in: 0 = the module's default */
	__s32 error;      /* out */
	__u64 bytes;      /* out */
	__u64 user_data;  /* out */
};

struct axi_dma_cancel {
	__u32 chan;       /* in: terminates every transfer on this channel */
	__u32 cancelled;  /* out: transfers that were still in flight */
};

/*
 * Device-side settings of a slave channel (MEM_TO_DEV or DEV_TO_MEM): the fixed device
 * address (a FIFO), bus width in bytes and burst length in words. Applies to the channel
 * as a whole, for every open file. The address comes from the DT (linux,fifo-addresses):
 * dev_addr 0 means "that one", another value is EPERM; streaming channels (AXI DMA,
 * AXI_DMA_CHAN_STREAMING) have none and keep width and burst only for SLAVE_CONFIG_GET.
 * Default: the DT's address, width 4, burst 1. SLAVE_CONFIG_GET (chan and direction in,
 * the other fields 0) reads the setting back.
 */
struct axi_dma_slave_config {
	__u32 chan;       /* in */
	__u32 direction;  /* in: AXI_DMA_DIR_MEM_TO_DEV or AXI_DMA_DIR_DEV_TO_MEM */
	__u64 dev_addr;   /* in (SLAVE_CONFIG) / out (SLAVE_CONFIG_GET) */
	__u32 addr_width; /* in / out: 1, 2, 4 or 8 */
	__u32 maxburst;   /* in / out: >= 1 */
};

/*
 * In-kernel measurement, the baselines of the benchmarks: `iters` memcpys of `len` bytes
 * between two of this file's buffers on `chan`, submitted from the kernel with `depth`
 * in flight and no user space in the loop. It owns the channel while it runs (EBUSY for
 * other files), is checked like a memcpy XFER, ends with EINTR on SIGKILL and with
 * ETIMEDOUT after 5 minutes, and never returns with a transfer in flight.
 * Flags (revision 3):
 *  AXI_DMA_KBENCH_BARE      the floor: the bare dmaengine path (prepare, submit, issue,
 *                           sleep until the callback) with none of the driver's per-transfer
 *                           machinery (records, lists, statistics); without it the loop
 *                           runs through the same path as XFER.
 *  AXI_DMA_KBENCH_LOOPBACK  round trips instead of memcpys: `src_buf` is sent on `chan`
 *                           (a slave channel that sends) and received into `dst_buf` on its
 *                           pair (CHAN_INFO `pair`); both channels are owned while it runs.
 */
#define AXI_DMA_KBENCH_BARE     (1u << 0)
#define AXI_DMA_KBENCH_LOOPBACK (1u << 1)
struct axi_dma_kbench {
	__u32 chan;       /* in */
	__u32 src_buf;    /* in */
	__u32 dst_buf;    /* in */
	__u32 depth;      /* in: 1 .. 64 transfers in flight */
	__u64 len;        /* in: bytes per transfer */
	__u32 iters;      /* in: 1 .. 1000000 */
	__u32 flags;      /* in: AXI_DMA_KBENCH_* (0 before revision 3) */
	__u64 total_ns;   /* out: first submission to last completion */
	__u64 submit_ns;  /* out: of which preparing, submitting and issuing */
};

/*
 * Ownership hand-over of a byte range of a CACHED buffer: FOR_DEVICE after the CPU wrote
 * it and before the device reads it; FOR_CPU after the device wrote it and before the CPU
 * reads it. A cheap no-op on coherent buffers.
 */
#define AXI_DMA_SYNC_FOR_CPU    1
#define AXI_DMA_SYNC_FOR_DEVICE 2
struct axi_dma_sync {
	__u32 id;         /* in: buffer */
	__u32 op;         /* in: AXI_DMA_SYNC_* */
	__u64 offset;     /* in */
	__u64 len;        /* in: >= 1 */
};

/*
 * Ring streaming: a slave channel keeps `count` slots of one buffer queued back to back,
 * and user space consumes their completions in order (REAP below, poll()/epoll: readable).
 * One ring per channel and open file; its slots count apart from max_inflight.
 *  - rx (DEV_TO_MEM): every slot is queued at START. A reaped slot belongs to user space
 *    until PUSH gives it back (oldest first) and queues it again.
 *  - tx (MEM_TO_DEV): no slot is queued at START. PUSH queues the next free slots (in ring
 *    order, `first` tells which) with their lengths; a reaped slot is free again at once.
 * Cached buffers are synced by the driver: for the device at PUSH/START, for the CPU at REAP.
 * Overruns: a PUSH whose first slot is queued when every slot before it had already
 * completed means the ring ran dry in between (rx: the stream had no buffer to go to; tx: a
 * gap in the output). It is counted (per ring, and per channel in debugfs) and flagged on
 * that slot's completion with AXI_DMA_STREAM_GAP.
 */
struct axi_dma_stream_start {
	__u32 chan;       /* in: a slave channel */
	__u32 direction;  /* in: AXI_DMA_DIR_DEV_TO_MEM (rx) or AXI_DMA_DIR_MEM_TO_DEV (tx) */
	__u32 buf;        /* in: the buffer that holds the slots back to back */
	__u32 count;      /* in: slots, 1 .. max_inflight */
	__u64 offset;     /* in: where slot 0 starts in the buffer */
	__u64 slot_size;  /* in: bytes per slot (>= 1; the last slot must end in the buffer) */
	__u32 flags;      /* in: 0 */
	__u32 queued;     /* out: slots queued to the device */
};

struct axi_dma_stream_push {
	__u32 chan;       /* in */
	__u32 count;      /* in: slots to queue, 1 .. the slots that are free */
	__u64 lens;       /* in: tx: user pointer to __u32 lens[count], each 1 .. slot_size;
			   * 0: whole slots. rx: must be 0 */
	__u32 first;      /* out: the slot index of the first slot queued */
	__u32 queued;     /* out: slots now queued to the device */
};

#define AXI_DMA_STREAM_GAP (1U << 0) /* the ring ran dry before this slot was queued */

struct axi_dma_stream_done {
	__u64 seq;        /* the buffer's running number in the stream, from 0 */
	__u64 bytes;      /* bytes transferred (rx: of the packet received) */
	__u32 slot;       /* slot index */
	__s32 error;      /* 0, -EIO (provider error), -ECANCELED; an rx packet longer
			   * than its slot is provider-dependent (docs/uapi.md) */
	__u32 flags;      /* AXI_DMA_STREAM_GAP */
	__u32 pad;
};

struct axi_dma_stream_reap {
	__u32 chan;       /* in */
	__u32 max;        /* in: 1 .. 256 */
	__u64 entries;    /* in: user pointer to struct axi_dma_stream_done[max] */
	__u32 min;        /* in: wait until at least this many (0 = don't wait) */
	__u32 timeout_ms; /* in: how long to wait for `min` (0 = the module's default) */
	__u32 count;      /* out: completions written, oldest first */
	__u32 queued;     /* out: slots still queued to the device */
	__u64 overruns;   /* out: overruns of this ring so far */
};

/*
 * Revision 3: a ring's steady state in one system call: first queue `push` slots exactly
 * as STREAM_PUSH with `count` = `push` and `lens` (0 = queue none), then collect exactly
 * as STREAM_REAP with `entries`, `max`, `min` and `timeout_ms` (checked before the push:
 * EINVAL). If the push is refused, the call fails with the push's errno and reaps nothing.
 * Once slots were queued the call does not fail with EINTR: a signal only ends the wait,
 * and `count` may be below `min`.
 */
struct axi_dma_stream_cycle {
	__u32 chan;       /* in */
	__u32 push;       /* in: slots to queue first, 0 .. the slots that are free;
			   * out: slots queued (as STREAM_PUSH's `count`) */
	__u64 lens;       /* in: as STREAM_PUSH's `lens` (tx lengths, or 0) */
	__u64 entries;    /* in: user pointer to struct axi_dma_stream_done[max] */
	__u32 max;        /* in: 1 .. 256 */
	__u32 min;        /* in: wait until at least this many (0 = don't wait) */
	__u32 timeout_ms; /* in: how long to wait for `min` (0 = the module's default) */
	__u32 first;      /* out: the slot index of the first slot queued (push > 0) */
	__u32 count;      /* out: completions written, oldest first */
	__u32 queued;     /* out: slots queued to the device after the call */
	__u64 overruns;   /* out: overruns of this ring so far */
};

struct axi_dma_stream_stop {
	__u32 chan;       /* in */
	__u32 aborted;    /* out: queued slots that were still in flight (terminated) */
	__u64 completed;  /* out: buffers completed over the ring's life */
	__u64 overruns;   /* out */
};

/*
 * Exclusive use of a channel. A terminate (CANCEL, a timed-out blocking transfer, a
 * closing file with transfers in flight, a stopped ring) aborts every transfer on its
 * channel, whichever file submitted it: that is how dmaengine works. A file that claims a
 * channel owns it until UNCLAIM or close: other files get EBUSY for transfers, rings,
 * KBENCH, CANCEL and CLAIM on it. CLAIM fails with EBUSY while another file owns the
 * channel or has transfers in flight on it; claiming twice is not an error. UNCLAIM of a
 * channel this file has not claimed: EINVAL. Rings and KBENCH claim their channel the same
 * way while they run.
 */
struct axi_dma_claim {
	__u32 chan;       /* in */
	__u32 flags;      /* in: 0 */
};

/*
 * Batched submission (revision 2): `count` transfers, each a struct axi_dma_xfer of kind
 * MEMCPY, TO_DEV or FROM_DEV on any channel (LOOPBACK is refused), submitted in array
 * order as non-blocking transfers with one issue per channel; each one's xfer_id is
 * written back into the array. A refused transfer stops the batch: nothing of it started,
 * the ones after it were not tried, `queued` says how many went, `error` is its -errno and
 * the ioctl fails with that errno (the structure and the ids are written back all the
 * same). When all were queued and `max` > 0, the call then reaps like AXI_DMA_IOC_REAP
 * (`entries`, `max`, `min`, `timeout_ms` in; `reaped`, `pending` out): one system call per
 * batch for a steady pipeline.
 */
#define AXI_DMA_SUBMIT_MAX 64
struct axi_dma_submit {
	__u64 xfers;      /* in: user pointer to struct axi_dma_xfer[count] (ids written back) */
	__u32 count;      /* in: 1 .. AXI_DMA_SUBMIT_MAX */
	__u32 flags;      /* in: 0 */
	__u32 queued;     /* out: transfers submitted, the first `queued` of the array */
	__s32 error;      /* out: 0, or the -errno of transfer `queued` (refused) */
	__u64 entries;    /* in: user pointer to struct axi_dma_completion[max] (max > 0) */
	__u32 max;        /* in: 0 (no reap) .. 256 */
	__u32 min;        /* in: wait until at least this many (0 = don't wait); <= max */
	__u32 timeout_ms; /* in: how long to wait for `min` (0 = the module's default) */
	__u32 reaped;     /* out: completions written */
	__u32 pending;    /* out: transfers of this file still in flight after the reap */
	__u32 pad;
};

/*
 * User memory (revision 4): registers `size` bytes of the caller's own memory at `addr`
 * (anonymous memory: malloc, mmap; shared memory: a memfd, tmpfs; a MAP_SHARED mapping of
 * a regular file only with TO_DEVICE; both page-aligned) for DMA through `chan`'s provider. The pages are pinned until FREE (with
 * `id`), close or unbind; munmap of the range meanwhile does not free them under DMA. The
 * result is a buffer id usable in XFER, SUBMIT and SYNC like a CACHED buffer's (hand it over
 * with AXI_DMA_IOC_SYNC around every DMA); it has no mmap offset. The memory may be
 * scattered in DMA space: a memcpy takes one descriptor per contiguous run (at most
 * AXI_DMA_REGISTER_MAX_RUNS per transfer, E2BIG beyond: split the transfer), a send or
 * receive one scatter list; rings and KBENCH need a range that is one run (EINVAL).
 * Registrations of one file may not overlap (EEXIST); each counts as a buffer against
 * max_buffers and max_buffer_size, and all of a device together against max_pinned_bytes
 * (ENOSPC).
 */
#define AXI_DMA_REGISTER_TO_DEVICE   (1U << 1) /* the device only reads it */
#define AXI_DMA_REGISTER_FROM_DEVICE (1U << 2) /* the device only writes it */
#define AXI_DMA_REGISTER_MAX_RUNS    64

struct axi_dma_register {
	__u64 addr;  /* in: user address, page-aligned */
	__u64 size;  /* in: bytes, page-aligned, 1 page .. max_buffer_size */
	__u32 chan;  /* in: channel whose provider will access the memory */
	__u32 flags; /* in: 0 (the device reads and writes) or one AXI_DMA_REGISTER_* */
	__u32 id;    /* out: buffer handle (FREE unregisters) */
	__u32 pad;
};

/*
 * dma-buf (revision 4). EXPORT: buffer `id` of this file (memory ALLOC made: not registered
 * or imported memory, EINVAL) as a new dma-buf file descriptor `fd`; `flags` takes O_CLOEXEC
 * and O_RDWR from <fcntl.h> (without O_RDWR the dma-buf is read-only), nothing else. Any
 * importer may attach and map it; mmap() of the fd maps it as mmap() of the buffer does;
 * DMA_BUF_IOCTL_SYNC on it hands a CACHED buffer over. The memory lives as long as the
 * dma-buf: after FREE, after close of this file, across an unbind.
 * IMPORT: the dma-buf of file descriptor `fd` (a DMA heap buffer, a udmabuf, another
 * driver's or another node's export) attached and mapped for `chan`'s DMA device, as a
 * buffer id of `size` bytes usable in XFER and SUBMIT (scattered memory as for REGISTER).
 * The CPU side is the exporter's: hand it over with DMA_BUF_IOCTL_SYNC on the dma-buf, not
 * AXI_DMA_IOC_SYNC (EINVAL). A transfer on it is refused with EBUSY while the dma-buf has
 * unsignalled fences it must wait for. FREE, close or unbind detach it. Errors: EBADF (not
 * an open fd), EINVAL (not a dma-buf, bad flags), ENOSPC (max_buffers).
 */
#define AXI_DMA_IMPORT_TO_DEVICE   (1U << 1) /* the device only reads it */
#define AXI_DMA_IMPORT_FROM_DEVICE (1U << 2) /* the device only writes it */

struct axi_dma_export {
	__u32 id;    /* in: buffer */
	__u32 flags; /* in: O_CLOEXEC | O_RDWR, or a part of that */
	__s32 fd;    /* out: the dma-buf */
	__u32 pad;
};

struct axi_dma_import {
	__s32 fd;    /* in: a dma-buf file descriptor (the caller keeps it: close it when done) */
	__u32 chan;  /* in: channel whose provider will access the memory */
	__u32 flags; /* in: 0 (the device reads and writes) or one AXI_DMA_IMPORT_* */
	__u32 id;    /* out: buffer handle (FREE detaches it) */
	__u64 size;  /* out: bytes (the dma-buf's size) */
};

#define AXI_DMA_IOC_INFO      _IOR(AXI_DMA_IOC_MAGIC, 0x00, struct axi_dma_info)
#define AXI_DMA_IOC_CHAN_INFO _IOWR(AXI_DMA_IOC_MAGIC, 0x01, struct axi_dma_chan_info)
#define AXI_DMA_IOC_ALLOC     _IOWR(AXI_DMA_IOC_MAGIC, 0x02, struct axi_dma_alloc)
#define AXI_DMA_IOC_FREE      _IOW(AXI_DMA_IOC_MAGIC, 0x03, struct axi_dma_free)
#define AXI_DMA_IOC_XFER      _IOWR(AXI_DMA_IOC_MAGIC, 0x04, struct axi_dma_xfer)
#define AXI_DMA_IOC_WAIT      _IOWR(AXI_DMA_IOC_MAGIC, 0x05, struct axi_dma_wait)
#define AXI_DMA_IOC_REAP      _IOWR(AXI_DMA_IOC_MAGIC, 0x06, struct axi_dma_reap)
#define AXI_DMA_IOC_STATUS    _IOWR(AXI_DMA_IOC_MAGIC, 0x07, struct axi_dma_status)
#define AXI_DMA_IOC_CANCEL    _IOWR(AXI_DMA_IOC_MAGIC, 0x08, struct axi_dma_cancel)
#define AXI_DMA_IOC_SLAVE_CONFIG _IOW(AXI_DMA_IOC_MAGIC, 0x09, struct axi_dma_slave_config)
#define AXI_DMA_IOC_KBENCH    _IOWR(AXI_DMA_IOC_MAGIC, 0x0a, struct axi_dma_kbench)
#define AXI_DMA_IOC_SYNC      _IOW(AXI_DMA_IOC_MAGIC, 0x0b, struct axi_dma_sync)
#define AXI_DMA_IOC_STREAM_START _IOWR(AXI_DMA_IOC_MAGIC, 0x0c, struct axi_dma_stream_start)
#define AXI_DMA_IOC_STREAM_PUSH  _IOWR(AXI_DMA_IOC_MAGIC, 0x0d, struct axi_dma_stream_push)
#define AXI_DMA_IOC_STREAM_REAP  _IOWR(AXI_DMA_IOC_MAGIC, 0x0e, struct axi_dma_stream_reap)
#define AXI_DMA_IOC_STREAM_STOP  _IOWR(AXI_DMA_IOC_MAGIC, 0x0f, struct axi_dma_stream_stop)
#define AXI_DMA_IOC_CLAIM        _IOW(AXI_DMA_IOC_MAGIC, 0x10, struct axi_dma_claim)
#define AXI_DMA_IOC_UNCLAIM      _IOW(AXI_DMA_IOC_MAGIC, 0x11, struct axi_dma_claim)
#define AXI_DMA_IOC_SLAVE_CONFIG_GET _IOWR(AXI_DMA_IOC_MAGIC, 0x12, struct axi_dma_slave_config)
#define AXI_DMA_IOC_SUBMIT       _IOWR(AXI_DMA_IOC_MAGIC, 0x13, struct axi_dma_submit)
#define AXI_DMA_IOC_STREAM_CYCLE _IOWR(AXI_DMA_IOC_MAGIC, 0x14, struct axi_dma_stream_cycle)
#define AXI_DMA_IOC_REGISTER     _IOWR(AXI_DMA_IOC_MAGIC, 0x15, struct axi_dma_register)
#define AXI_DMA_IOC_EXPORT       _IOWR(AXI_DMA_IOC_MAGIC, 0x16, struct axi_dma_export)
#define AXI_DMA_IOC_IMPORT       _IOWR(AXI_DMA_IOC_MAGIC, 0x17, struct axi_dma_import)

#endif /* _UAPI_AXI_DMA_H */
