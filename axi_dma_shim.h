/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prototypes of the C shim (axi_dma_shim.c). The Rust side declares the same functions in
 * dma_chan.rs (mod ffi); keep the two in step.
 */
#ifndef AXI_DMA_SHIM_H
#define AXI_DMA_SHIM_H

#include <linux/types.h>

struct device;
struct dma_chan;
struct dma_async_tx_descriptor;
struct wait_queue_head;
struct file;
struct poll_table_struct;
struct vm_area_struct;
struct vm_operations_struct;

/* Implemented in Rust (dma_chan.rs). */
void axi_dma_rust_xfer_done(void *param, u32 result, u32 residue);

struct dma_chan *axi_dma_shim_request_chan(struct device *dev, const char *name);
void axi_dma_shim_release_chan(struct dma_chan *chan);
struct device *axi_dma_shim_dma_device(struct dma_chan *chan);
const char *axi_dma_shim_chan_name(struct dma_chan *chan);
bool axi_dma_shim_can_memcpy(struct dma_chan *chan);
bool axi_dma_shim_can_slave(struct dma_chan *chan);
u32 axi_dma_shim_copy_align(struct dma_chan *chan);
u32 axi_dma_shim_max_seg_size(struct dma_chan *chan);
int axi_dma_shim_directions(struct dma_chan *chan, u32 *dirs, u32 *residue_gran);
int axi_dma_shim_slave_config(struct dma_chan *chan, u32 dir, u64 dev_addr, u32 width, u32 burst);
struct dma_async_tx_descriptor *axi_dma_shim_prep_memcpy(struct dma_chan *chan, u64 dst, u64 src, size_t len);
struct dma_async_tx_descriptor *axi_dma_shim_prep_slave(struct dma_chan *chan, u64 buf, size_t len, u32 dir);
s32 axi_dma_shim_submit(struct dma_async_tx_descriptor *tx, void *param);
void axi_dma_shim_issue_pending(struct dma_chan *chan);
int axi_dma_shim_terminate_sync(struct dma_chan *chan);
u32 axi_dma_shim_tx_status(struct dma_chan *chan, s32 cookie, u32 *residue);
size_t axi_dma_shim_waitqueue_size(void);
void axi_dma_shim_init_waitqueue(struct wait_queue_head *wq);
void axi_dma_shim_wake_up_all(struct wait_queue_head *wq);
long axi_dma_shim_wait_ne(struct wait_queue_head *wq, const u32 *word, u32 val, u32 ms);
long axi_dma_shim_wait_ne_killable(struct wait_queue_head *wq, const u32 *word, u32 val, u32 ms);
void axi_dma_shim_poll_wait(struct file *f, struct wait_queue_head *wq, struct poll_table_struct *pt);
u64 axi_dma_shim_dma_to_pfn(struct device *dev, u64 dma);
bool axi_dma_shim_dev_is_coherent(struct device *dev);
bool axi_dma_shim_iommu_mapped(struct device *dev);
void axi_dma_shim_vma_set_dmacoherent(struct vm_area_struct *vma);
unsigned long axi_dma_shim_vma_pgoff(struct vm_area_struct *vma);
void *axi_dma_shim_vma_private(struct vm_area_struct *vma);
void axi_dma_shim_vma_set_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops, void *priv);
int axi_dma_shim_remap(struct vm_area_struct *vma, u64 pfn, unsigned long size);
void *axi_dma_shim_alloc_noncoherent(struct device *dev, size_t size, u64 *handle, u32 dir);
void axi_dma_shim_free_noncoherent(struct device *dev, size_t size, void *vaddr, u64 handle, u32 dir);
void axi_dma_shim_sync_for_cpu(struct device *dev, u64 addr, size_t size, u32 dir);
void axi_dma_shim_sync_for_device(struct device *dev, u64 addr, size_t size, u32 dir);
u64 axi_dma_shim_virt_to_pfn(void *vaddr);

#endif /* AXI_DMA_SHIM_H */
