// SPDX-License-Identifier: GPL-2.0
/*
 * One-line wrappers for the static-inline dmaengine, DMA-mapping, wait-queue and mm
 * helpers that Linux 7.2's Rust `kernel` crate cannot reach (its bindings do not include
 * <linux/dmaengine.h>). No policy lives here: every decision is made in the Rust code,
 * which declares these functions in `dma_chan.rs` and `mmap.rs`.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/wait.h>

#include "axi_dma_shim.h"




static void axi_dma_shim_callback(void *param, const struct dmaengine_result *r)
{
	axi_dma_rust_xfer_done(param, r ? r->result : DMA_TRANS_NOERROR, r ? r->residue : 0);
}

/* --- channels --- */
struct dma_chan *axi_dma_shim_request_chan(struct device *dev, const char *name)
{ return dma_request_chan(dev, name); }
void axi_dma_shim_release_chan(struct dma_chan *chan) { dma_release_channel(chan); }
struct device *axi_dma_shim_dma_device(struct dma_chan *chan) { return dmaengine_get_dma_device(chan); }
const char *axi_dma_shim_chan_name(struct dma_chan *chan) { return dma_chan_name(chan); }
bool axi_dma_shim_can_memcpy(struct dma_chan *chan) { return dma_has_cap(DMA_MEMCPY, chan->device->cap_mask); }
bool axi_dma_shim_can_slave(struct dma_chan *chan) { return dma_has_cap(DMA_SLAVE, chan->device->cap_mask); }
u32 axi_dma_shim_copy_align(struct dma_chan *chan) { return 1U << chan->device->copy_align; }
u32 axi_dma_shim_max_seg_size(struct dma_chan *chan) { return dma_get_max_seg_size(chan->device->dev); }

/* Directions the provider reports (bit 0 mem-to-mem, 1 mem-to-dev, 2 dev-to-mem) or -errno. */
int axi_dma_shim_directions(struct dma_chan *chan, u32 *dirs, u32 *residue_gran)
{
	struct dma_slave_caps caps;
	int ret = dma_get_slave_caps(chan, &caps);

	if (ret)
		return ret;
	*dirs = caps.directions;
	*residue_gran = caps.residue_granularity;
	return 0;
}

/* A fixed device address for slave transfers (AXI DMA ignores it; PL330 needs it). */
int axi_dma_shim_slave_config(struct dma_chan *chan, u32 dir, u64 dev_addr, u32 width, u32 burst)
{
	struct dma_slave_config cfg = {
		.direction = dir, .src_addr = dev_addr, .dst_addr = dev_addr,
		.src_addr_width = width, .dst_addr_width = width,
		.src_maxburst = burst, .dst_maxburst = burst,
	};
	return dmaengine_slave_config(chan, &cfg);
}

/* --- descriptors --- */
struct dma_async_tx_descriptor *axi_dma_shim_prep_memcpy(struct dma_chan *chan, u64 dst, u64 src, size_t len)
{ return dmaengine_prep_dma_memcpy(chan, dst, src, len, DMA_PREP_INTERRUPT | DMA_CTRL_ACK); }
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave(struct dma_chan *chan, u64 buf, size_t len, u32 dir)
{ return dmaengine_prep_slave_single(chan, buf, len, dir, DMA_PREP_INTERRUPT | DMA_CTRL_ACK); }

/* Attach the completion callback and submit; returns the cookie (negative on error). */
s32 axi_dma_shim_submit(struct dma_async_tx_descriptor *tx, void *param)
{
	tx->callback_result = axi_dma_shim_callback;
	tx->callback_param = param;
	return dmaengine_submit(tx);
}
void axi_dma_shim_issue_pending(struct dma_chan *chan) { dma_async_issue_pending(chan); }
int axi_dma_shim_terminate_sync(struct dma_chan *chan) { return dmaengine_terminate_sync(chan); }
u32 axi_dma_shim_tx_status(struct dma_chan *chan, s32 cookie, u32 *residue)
{
	struct dma_tx_state st = { 0 };
	enum dma_status s = dmaengine_tx_status(chan, cookie, &st);

	*residue = st.residue;
	return s;
}

/* --- waiting (the wait_event family are macros) --- */
size_t axi_dma_shim_waitqueue_size(void) { return sizeof(struct wait_queue_head); }
void axi_dma_shim_init_waitqueue(struct wait_queue_head *wq) { init_waitqueue_head(wq); }
void axi_dma_shim_wake_up_all(struct wait_queue_head *wq) { wake_up_all(wq); }
/* Sleep until *word != val; >0 jiffies left, 0 timed out, -ERESTARTSYS on a signal. */
long axi_dma_shim_wait_ne(struct wait_queue_head *wq, const u32 *word, u32 val, u32 ms)
{ return wait_event_interruptible_timeout(*wq, READ_ONCE(*word) != val, msecs_to_jiffies(ms) ?: 1); }
/* Uninterruptible variant for release paths (a dying task must still drain). */
long axi_dma_shim_wait_ne_killable(struct wait_queue_head *wq, const u32 *word, u32 val, u32 ms)
{ return wait_event_timeout(*wq, READ_ONCE(*word) != val, msecs_to_jiffies(ms) ?: 1); }
void axi_dma_shim_poll_wait(struct file *f, struct wait_queue_head *wq, poll_table *pt) { poll_wait(f, wq, pt); }

/* --- mmap --- */
u64 axi_dma_shim_dma_to_pfn(struct device *dev, u64 dma) { return PHYS_PFN(dma_to_phys(dev, dma)); }
bool axi_dma_shim_dev_is_coherent(struct device *dev) { return dev_is_dma_coherent(dev); }
bool axi_dma_shim_iommu_mapped(struct device *dev) { return device_iommu_mapped(dev); }
/* The memory type of the kernel's own coherent mapping of a non-coherent device. */
void axi_dma_shim_vma_set_dmacoherent(struct vm_area_struct *vma) { vma->vm_page_prot = pgprot_dmacoherent(vma->vm_page_prot); }
unsigned long axi_dma_shim_vma_pgoff(struct vm_area_struct *vma) { return vma->vm_pgoff; }
void *axi_dma_shim_vma_private(struct vm_area_struct *vma) { return vma->vm_private_data; }
void axi_dma_shim_vma_set_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops, void *priv)
{ vma->vm_ops = ops; vma->vm_private_data = priv; }
int axi_dma_shim_remap(struct vm_area_struct *vma, u64 pfn, unsigned long size)
{ return remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot); }

/* --- cached (non-coherent) buffers --- */
void *axi_dma_shim_alloc_noncoherent(struct device *dev, size_t size, u64 *handle, u32 dir)
{
	dma_addr_t h;
	void *p = dma_alloc_noncoherent(dev, size, &h, dir, GFP_KERNEL | __GFP_NOWARN);

	if (p) {
		memset(p, 0, size);
		dma_sync_single_for_device(dev, h, size, dir); /* the zeroes reach memory */
		*handle = h;
	}
	return p;
}
void axi_dma_shim_free_noncoherent(struct device *dev, size_t size, void *vaddr, u64 handle, u32 dir)
{ dma_free_noncoherent(dev, size, vaddr, handle, dir); }
void axi_dma_shim_sync_for_cpu(struct device *dev, u64 addr, size_t size, u32 dir)
{ dma_sync_single_for_cpu(dev, addr, size, dir); }
void axi_dma_shim_sync_for_device(struct device *dev, u64 addr, size_t size, u32 dir)
{ dma_sync_single_for_device(dev, addr, size, dir); }
u64 axi_dma_shim_virt_to_pfn(void *vaddr) { return PHYS_PFN(virt_to_phys(vaddr)); }
