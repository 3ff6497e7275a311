/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prototypes of the C shim (axi_dma_shim.c): one-line wrappers, no policy. The Rust side
 * declares the same functions in ffi.rs, the only `extern "C"` block of the module.
 */
#ifndef AXI_DMA_SHIM_H
#define AXI_DMA_SHIM_H

#include <linux/types.h>

struct address_space;
struct device;
struct dma_chan;
struct dma_async_tx_descriptor;
struct dmaengine_result;
struct wait_queue_head;
struct file;
struct poll_table_struct;
struct vm_area_struct;
struct vm_operations_struct;
struct page;
struct scatterlist;
struct sg_table;
struct dma_buf;
struct dma_buf_attachment;

struct dma_chan *axi_dma_shim_request_chan(struct device *dev, const char *name);
void axi_dma_shim_release_chan(struct dma_chan *chan);
struct device *axi_dma_shim_dma_device(struct dma_chan *chan);
const char *axi_dma_shim_chan_name(struct dma_chan *chan);
bool axi_dma_shim_can_memcpy(struct dma_chan *chan);
bool axi_dma_shim_can_slave(struct dma_chan *chan);
bool axi_dma_shim_has_synchronize(struct dma_chan *chan);
u32 axi_dma_shim_copy_align_log2(struct dma_chan *chan);
u32 axi_dma_shim_max_seg_size(struct dma_chan *chan);
int axi_dma_shim_slave_caps(struct dma_chan *chan, u32 *dirs, u32 *residue_gran);
int axi_dma_shim_slave_config(struct dma_chan *chan, u32 dir, u64 dev_addr, u32 width, u32 burst);
struct dma_async_tx_descriptor *axi_dma_shim_prep_memcpy(struct dma_chan *chan, u64 dst, u64 src, size_t len, unsigned long flags);
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave(struct dma_chan *chan, u64 buf, size_t len, u32 dir, unsigned long flags);
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave_sg(struct dma_chan *chan, struct sg_table *sgt, u32 dir, unsigned long flags);
s32 axi_dma_shim_submit(struct dma_async_tx_descriptor *tx,
			void (*cb)(void *param, const struct dmaengine_result *result), void *param);
u32 axi_dma_shim_result_code(const struct dmaengine_result *r);
u32 axi_dma_shim_result_residue(const struct dmaengine_result *r);
void axi_dma_shim_issue_pending(struct dma_chan *chan);
int axi_dma_shim_terminate_sync(struct dma_chan *chan);
u32 axi_dma_shim_tx_status(struct dma_chan *chan, s32 cookie, u32 *residue);
bool axi_dma_shim_link_consumer(struct device *consumer, struct device *supplier, u32 flags);
size_t axi_dma_shim_waitqueue_size(void);
void axi_dma_shim_init_waitqueue(struct wait_queue_head *wq);
void axi_dma_shim_synchronize_rcu_expedited(void);
void axi_dma_shim_wake_up_all(struct wait_queue_head *wq);
long axi_dma_shim_wait_interruptible(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies);
long axi_dma_shim_wait_killable(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies);
long axi_dma_shim_wait_uninterruptible(struct wait_queue_head *wq, const u32 *word, u32 val, bool eq, long jiffies);
bool axi_dma_shim_fatal_signal_pending(void);
void axi_dma_shim_poll_wait(struct file *f, struct wait_queue_head *wq, struct poll_table_struct *pt);
u64 axi_dma_shim_dma_to_pfn(struct device *dev, u64 dma);
bool axi_dma_shim_dev_is_coherent(struct device *dev);
bool axi_dma_shim_iommu_mapped(struct device *dev);
void axi_dma_shim_vma_set_dmacoherent(struct vm_area_struct *vma);
void *axi_dma_shim_vma_private(struct vm_area_struct *vma);
bool axi_dma_shim_vma_may_share(struct vm_area_struct *vma);
void axi_dma_shim_vma_set_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops, void *priv);
int axi_dma_shim_remap(struct vm_area_struct *vma, u64 pfn, unsigned long size);
struct address_space *axi_dma_shim_file_mapping(struct file *f);
void axi_dma_shim_unmap_mapping(struct address_space *m);
void *axi_dma_shim_alloc_noncoherent(struct device *dev, size_t size, u64 *handle, u32 dir, gfp_t gfp);
void axi_dma_shim_free_noncoherent(struct device *dev, size_t size, void *vaddr, u64 handle, u32 dir);
void axi_dma_shim_sync_for_cpu(struct device *dev, u64 addr, size_t size, u32 dir);
void axi_dma_shim_sync_for_device(struct device *dev, u64 addr, size_t size, u32 dir);
u64 axi_dma_shim_virt_to_pfn(void *vaddr);
int axi_dma_shim_pin_user(u64 start, int nr_pages, u32 gup_flags, struct page **pages);
void axi_dma_shim_unpin_user(struct page **pages, unsigned long n, bool dirty);
int axi_dma_shim_sgt_from_pages(struct sg_table *sgt, struct page **pages, u32 n, u64 size, u32 max_seg, gfp_t gfp);
int axi_dma_shim_sgt_alloc(struct sg_table *sgt, u32 nents, gfp_t gfp);
void axi_dma_shim_sgt_free(struct sg_table *sgt);
int axi_dma_shim_map_sgtable(struct device *dev, struct sg_table *sgt, u32 dir, unsigned long attrs);
void axi_dma_shim_unmap_sgtable(struct device *dev, struct sg_table *sgt, u32 dir, unsigned long attrs);
u32 axi_dma_shim_sgt_dma_nents(struct sg_table *sgt);
struct scatterlist *axi_dma_shim_sgt_first(struct sg_table *sgt);
struct scatterlist *axi_dma_shim_sg_next(struct scatterlist *sg);
u64 axi_dma_shim_sg_dma_address(struct scatterlist *sg);
u32 axi_dma_shim_sg_dma_len(struct scatterlist *sg);
void axi_dma_shim_sg_set_dma(struct scatterlist *sg, u64 addr, u32 len);
u32 axi_dma_shim_dma_max_mapping_size(struct device *dev);
u32 axi_dma_shim_dev_max_seg_size(struct device *dev);
int axi_dma_shim_dmabuf_export(void *priv, size_t size, int flags, struct dma_buf **out);
int axi_dma_shim_dmabuf_fd(struct dma_buf *b, int flags);
void axi_dma_shim_dmabuf_put(struct dma_buf *b);
int axi_dma_shim_dmabuf_get(int fd, struct dma_buf **out);
u64 axi_dma_shim_dmabuf_size(struct dma_buf *b);
int axi_dma_shim_dmabuf_attach(struct dma_buf *b, struct device *dev, struct dma_buf_attachment **out);
void axi_dma_shim_dmabuf_detach(struct dma_buf *b, struct dma_buf_attachment *a);
int axi_dma_shim_dmabuf_map(struct dma_buf_attachment *a, u32 dir, struct sg_table **out);
void axi_dma_shim_dmabuf_unmap(struct dma_buf_attachment *a, struct sg_table *t, u32 dir);
bool axi_dma_shim_dmabuf_idle(struct dma_buf *b, u32 usage);
int axi_dma_shim_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu, u64 dma, size_t size);
void axi_dma_shim_sg_set_virt(struct scatterlist *sg, void *virt, u32 len);

/* Implemented in Rust (dmabuf.rs): the exporter's dma_buf_ops. */
int axi_dma_rs_dmabuf_map(void *priv, struct device *dev, u32 dir, struct sg_table **out);
void axi_dma_rs_dmabuf_unmap(void *priv, struct device *dev, struct sg_table *sgt, u32 dir);
void axi_dma_rs_dmabuf_release(void *priv);
int axi_dma_rs_dmabuf_mmap(void *priv, struct vm_area_struct *vma);
int axi_dma_rs_dmabuf_cpu_access(void *priv, u32 dir, bool begin);

#endif /* AXI_DMA_SHIM_H */
