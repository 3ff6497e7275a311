// SPDX-License-Identifier: GPL-2.0
/*
 * One-line wrappers for the static-inline dmaengine, DMA-mapping, wait-queue and mm
 * helpers that Linux 7.2's Rust `kernel` crate cannot reach (its bindings do not include
 * <linux/dmaengine.h>, and the others are macros or inline functions).
 *
 * No policy lives here: no flag, no direction, no default and no clamp is chosen in C.
 * Every decision is made by the Rust code, which declares these functions in `ffi.rs`
 * (the prototypes below are the single C-side list, and `ffi.rs` mirrors it).
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "axi_dma_shim.h"

/* --- channels --- */
struct dma_chan *axi_dma_shim_request_chan(struct device *dev, const char *name)
{ return dma_request_chan(dev, name); }
void axi_dma_shim_release_chan(struct dma_chan *chan) { dma_release_channel(chan); }
struct device *axi_dma_shim_dma_device(struct dma_chan *chan) { return dmaengine_get_dma_device(chan); }
const char *axi_dma_shim_chan_name(struct dma_chan *chan) { return dma_chan_name(chan); }
bool axi_dma_shim_can_memcpy(struct dma_chan *chan) { return dma_has_cap(DMA_MEMCPY, chan->device->cap_mask); }
bool axi_dma_shim_can_slave(struct dma_chan *chan) { return dma_has_cap(DMA_SLAVE, chan->device->cap_mask); }
bool axi_dma_shim_has_synchronize(struct dma_chan *chan) { return chan->device->device_synchronize != NULL; }
u32 axi_dma_shim_copy_align_log2(struct dma_chan *chan) { return chan->device->copy_align; }
u32 axi_dma_shim_max_seg_size(struct dma_chan *chan) { return dma_get_max_seg_size(chan->device->dev); }
int axi_dma_shim_slave_caps(struct dma_chan *chan, u32 *dirs, u32 *residue_gran)
{
	struct dma_slave_caps caps;
	int ret = dma_get_slave_caps(chan, &caps);

	*dirs = ret ? 0 : caps.directions;
	*residue_gran = ret ? 0 : caps.residue_granularity;
	return ret;
}
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
struct dma_async_tx_descriptor *axi_dma_shim_prep_memcpy(struct dma_chan *chan, u64 dst, u64 src, size_t len, unsigned long flags)
{ return dmaengine_prep_dma_memcpy(chan, dst, src, len, flags); }
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave(struct dma_chan *chan, u64 buf, size_t len, u32 dir, unsigned long flags)
{ return dmaengine_prep_slave_single(chan, buf, len, dir, flags); }
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave_sg(struct dma_chan *chan, struct sg_table *sgt, u32 dir, unsigned long flags)
{ return dmaengine_prep_slave_sg(chan, sgt->sgl, sgt->orig_nents, dir, flags); }
s32 axi_dma_shim_submit(struct dma_async_tx_descriptor *tx, dma_async_tx_callback_result cb, void *param)
{ tx->callback_result = cb; tx->callback_param = param; return dmaengine_submit(tx); }
u32 axi_dma_shim_result_code(const struct dmaengine_result *r) { return r->result; }
u32 axi_dma_shim_result_residue(const struct dmaengine_result *r) { return r->residue; }
void axi_dma_shim_issue_pending(struct dma_chan *chan) { dma_async_issue_pending(chan); }
int axi_dma_shim_terminate_sync(struct dma_chan *chan) { return dmaengine_terminate_sync(chan); }
u32 axi_dma_shim_tx_status(struct dma_chan *chan, s32 cookie, u32 *residue)
{
	struct dma_tx_state st = { 0 };
	enum dma_status s = dmaengine_tx_status(chan, cookie, &st);

	*residue = st.residue;
	return s;
}

/* --- device links --- */
bool axi_dma_shim_link_consumer(struct device *consumer, struct device *supplier, u32 flags)
{ return device_link_add(consumer, supplier, flags) != NULL; }

/* --- waiting (the wait_event family are macros): 0 timed out, >0 jiffies left, <0 signal --- */
size_t axi_dma_shim_waitqueue_size(void) { return sizeof(struct wait_queue_head); }
void axi_dma_shim_init_waitqueue(struct wait_queue_head *wq) { init_waitqueue_head(wq); }
void axi_dma_shim_wake_up_all(struct wait_queue_head *wq) { wake_up_all(wq); }
long axi_dma_shim_wait_interruptible(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies)
{ return wait_event_interruptible_timeout(*wq, (READ_ONCE(*word) == val) == eq, jiffies); }
long axi_dma_shim_wait_killable(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies)
{ return wait_event_killable_timeout(*wq, (READ_ONCE(*word) == val) == eq, jiffies); }
long axi_dma_shim_wait_uninterruptible(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies)
{ return wait_event_timeout(*wq, (READ_ONCE(*word) == val) == eq, jiffies); }
bool axi_dma_shim_fatal_signal_pending(void) { return fatal_signal_pending(current); }
void axi_dma_shim_poll_wait(struct file *f, struct wait_queue_head *wq, poll_table *pt) { poll_wait(f, wq, pt); }
/* static inline on kernels with Tiny RCU */
void axi_dma_shim_synchronize_rcu_expedited(void) { synchronize_rcu_expedited(); }

/* --- mmap --- */
u64 axi_dma_shim_dma_to_pfn(struct device *dev, u64 dma) { return PHYS_PFN(dma_to_phys(dev, dma)); }
bool axi_dma_shim_dev_is_coherent(struct device *dev) { return dev_is_dma_coherent(dev); }
bool axi_dma_shim_iommu_mapped(struct device *dev) { return device_iommu_mapped(dev); }
void axi_dma_shim_vma_set_dmacoherent(struct vm_area_struct *vma) { vma->vm_page_prot = pgprot_dmacoherent(vma->vm_page_prot); }
void *axi_dma_shim_vma_private(struct vm_area_struct *vma) { return vma->vm_private_data; }
bool axi_dma_shim_vma_may_share(struct vm_area_struct *vma) { return vma->vm_flags & VM_MAYSHARE; }
void axi_dma_shim_vma_set_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops, void *priv)
{ vma->vm_ops = ops; vma->vm_private_data = priv; }
int axi_dma_shim_remap(struct vm_area_struct *vma, u64 pfn, unsigned long size)
{ return remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot); }
struct address_space *axi_dma_shim_file_mapping(struct file *f) { return f->f_mapping; }
void axi_dma_shim_unmap_mapping(struct address_space *m) { unmap_mapping_range(m, 0, 0, 1); }

/* --- cached (non-coherent) memory --- */
void *axi_dma_shim_alloc_noncoherent(struct device *dev, size_t size, u64 *handle, u32 dir, gfp_t gfp)
{
	dma_addr_t h;
	void *p = dma_alloc_noncoherent(dev, size, &h, dir, gfp);

	*handle = h;
	return p;
}
void axi_dma_shim_free_noncoherent(struct device *dev, size_t size, void *vaddr, u64 handle, u32 dir)
{ dma_free_noncoherent(dev, size, vaddr, handle, dir); }
void axi_dma_shim_sync_for_cpu(struct device *dev, u64 addr, size_t size, u32 dir)
{ dma_sync_single_for_cpu(dev, addr, size, dir); }
void axi_dma_shim_sync_for_device(struct device *dev, u64 addr, size_t size, u32 dir)
{ dma_sync_single_for_device(dev, addr, size, dir); }
u64 axi_dma_shim_virt_to_pfn(void *vaddr) { return PHYS_PFN(virt_to_phys(vaddr)); }

/* --- user memory and scatter lists --- */
int axi_dma_shim_pin_user(u64 start, int nr_pages, u32 gup_flags, struct page **pages)
{ return pin_user_pages_fast(start, nr_pages, gup_flags, pages); }
void axi_dma_shim_unpin_user(struct page **pages, unsigned long n, bool dirty) { unpin_user_pages_dirty_lock(pages, n, dirty); }
int axi_dma_shim_sgt_from_pages(struct sg_table *sgt, struct page **pages, u32 n, u64 size, u32 max_seg, gfp_t gfp)
{ return sg_alloc_table_from_pages_segment(sgt, pages, n, 0, size, max_seg, gfp); }
int axi_dma_shim_sgt_alloc(struct sg_table *sgt, u32 nents, gfp_t gfp) { return sg_alloc_table(sgt, nents, gfp); }
void axi_dma_shim_sgt_free(struct sg_table *sgt) { sg_free_table(sgt); }
int axi_dma_shim_map_sgtable(struct device *dev, struct sg_table *sgt, u32 dir, unsigned long attrs)
{ return dma_map_sgtable(dev, sgt, dir, attrs); }
void axi_dma_shim_unmap_sgtable(struct device *dev, struct sg_table *sgt, u32 dir, unsigned long attrs)
{ dma_unmap_sgtable(dev, sgt, dir, attrs); }
u32 axi_dma_shim_sgt_dma_nents(struct sg_table *sgt) { return sgt->nents; }
struct scatterlist *axi_dma_shim_sgt_first(struct sg_table *sgt) { return sgt->sgl; }
struct scatterlist *axi_dma_shim_sg_next(struct scatterlist *sg) { return sg_next(sg); }
u64 axi_dma_shim_sg_dma_address(struct scatterlist *sg) { return sg_dma_address(sg); }
u32 axi_dma_shim_sg_dma_len(struct scatterlist *sg) { return sg_dma_len(sg); }
void axi_dma_shim_sg_set_dma(struct scatterlist *sg, u64 addr, u32 len) { sg_dma_address(sg) = addr; sg_dma_len(sg) = len; }
u32 axi_dma_shim_dma_max_mapping_size(struct device *dev) { return min_t(size_t, dma_max_mapping_size(dev), U32_MAX); }
u32 axi_dma_shim_dev_max_seg_size(struct device *dev) { return dma_get_max_seg_size(dev); }

/*
 * --- dma-buf (dmabuf.rs) ---
 * The exporter's ops are the functions of dmabuf.rs; the table below only points at them and
 * turns their (errno, out-pointer) results into the ERR_PTR convention. Kernels without
 * CONFIG_DMA_SHARED_BUFFER get stubs that say so (-EOPNOTSUPP).
 */
#if IS_ENABLED(CONFIG_DMA_SHARED_BUFFER)
static struct sg_table *shim_map(struct dma_buf_attachment *a, enum dma_data_direction dir)
{ struct sg_table *t = NULL; int r = axi_dma_rs_dmabuf_map(a->dmabuf->priv, a->dev, dir, &t); return r ? ERR_PTR(r) : t; }
static void shim_unmap(struct dma_buf_attachment *a, struct sg_table *t, enum dma_data_direction dir)
{ axi_dma_rs_dmabuf_unmap(a->dmabuf->priv, a->dev, t, dir); }
static void shim_release(struct dma_buf *b) { axi_dma_rs_dmabuf_release(b->priv); }
static int shim_mmap(struct dma_buf *b, struct vm_area_struct *vma) { return axi_dma_rs_dmabuf_mmap(b->priv, vma); }
static int shim_begin(struct dma_buf *b, enum dma_data_direction dir) { return axi_dma_rs_dmabuf_cpu_access(b->priv, dir, true); }
static int shim_end(struct dma_buf *b, enum dma_data_direction dir) { return axi_dma_rs_dmabuf_cpu_access(b->priv, dir, false); }
static const struct dma_buf_ops axi_dma_buf_ops = {
	.map_dma_buf = shim_map, .unmap_dma_buf = shim_unmap, .release = shim_release,
	.mmap = shim_mmap, .begin_cpu_access = shim_begin, .end_cpu_access = shim_end,
};
int axi_dma_shim_dmabuf_export(void *priv, size_t size, int flags, struct dma_buf **out)
{
	DEFINE_DMA_BUF_EXPORT_INFO(e);

	e.ops = &axi_dma_buf_ops; e.size = size; e.flags = flags; e.priv = priv;
	*out = dma_buf_export(&e);
	return PTR_ERR_OR_ZERO(*out);
}
int axi_dma_shim_dmabuf_fd(struct dma_buf *b, int flags) { return dma_buf_fd(b, flags); }
void axi_dma_shim_dmabuf_put(struct dma_buf *b) { dma_buf_put(b); }
int axi_dma_shim_dmabuf_get(int fd, struct dma_buf **out) { *out = dma_buf_get(fd); return PTR_ERR_OR_ZERO(*out); }
u64 axi_dma_shim_dmabuf_size(struct dma_buf *b) { return b->size; }
int axi_dma_shim_dmabuf_attach(struct dma_buf *b, struct device *dev, struct dma_buf_attachment **out)
{ *out = dma_buf_attach(b, dev); return PTR_ERR_OR_ZERO(*out); }
void axi_dma_shim_dmabuf_detach(struct dma_buf *b, struct dma_buf_attachment *a) { dma_buf_detach(b, a); }
int axi_dma_shim_dmabuf_map(struct dma_buf_attachment *a, u32 dir, struct sg_table **out)
{ *out = dma_buf_map_attachment_unlocked(a, dir); return PTR_ERR_OR_ZERO(*out); }
void axi_dma_shim_dmabuf_unmap(struct dma_buf_attachment *a, struct sg_table *t, u32 dir) { dma_buf_unmap_attachment_unlocked(a, t, dir); }
bool axi_dma_shim_dmabuf_idle(struct dma_buf *b, u32 usage) { return dma_resv_test_signaled(b->resv, usage); }
MODULE_IMPORT_NS("DMA_BUF");
#else
int axi_dma_shim_dmabuf_export(void *priv, size_t size, int flags, struct dma_buf **out) { return -EOPNOTSUPP; }
int axi_dma_shim_dmabuf_fd(struct dma_buf *b, int flags) { return -EOPNOTSUPP; }
void axi_dma_shim_dmabuf_put(struct dma_buf *b) { }
int axi_dma_shim_dmabuf_get(int fd, struct dma_buf **out) { return -EOPNOTSUPP; }
u64 axi_dma_shim_dmabuf_size(struct dma_buf *b) { return 0; }
int axi_dma_shim_dmabuf_attach(struct dma_buf *b, struct device *dev, struct dma_buf_attachment **out) { return -EOPNOTSUPP; }
void axi_dma_shim_dmabuf_detach(struct dma_buf *b, struct dma_buf_attachment *a) { }
int axi_dma_shim_dmabuf_map(struct dma_buf_attachment *a, u32 dir, struct sg_table **out) { return -EOPNOTSUPP; }
void axi_dma_shim_dmabuf_unmap(struct dma_buf_attachment *a, struct sg_table *t, u32 dir) { }
bool axi_dma_shim_dmabuf_idle(struct dma_buf *b, u32 usage) { return true; }
#endif
/* Exported memory as a scatter list: a coherent allocation (as the DMA layer sees it) or
 * one block of the linear map (cached memory). */
int axi_dma_shim_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu, u64 dma, size_t size)
{ return dma_get_sgtable(dev, sgt, cpu, dma, size); }
void axi_dma_shim_sg_set_virt(struct scatterlist *sg, void *virt, u32 len) { sg_set_page(sg, virt_to_page(virt), len, offset_in_page(virt)); }

MODULE_VERSION(AXI_DMA_VERSION);
