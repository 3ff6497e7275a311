// SPDX-License-Identifier: GPL-2.0

//! The C shim (`axi_dma_shim.c`): the module's only `extern "C"` block.
//!
//! Linux 7.2's `kernel` crate has no dmaengine abstraction and its bindings do not include
//! `<linux/dmaengine.h>`; the wait-queue, mm and DMA-mapping helpers used here are macros or
//! `static inline`. Each function below is a one-line C wrapper without policy. This module
//! may not be used directly by the driver's logic: `dmaengine.rs`, `dma_mem.rs`, `wait.rs`,
//! `mmap.rs` and `miscdev.rs` wrap it in safe types.

use kernel::{
    bindings,
    ffi::{
        c_char,
        c_int,
        c_long,
        c_ulong,
        c_void, //
    },
};

/// Opaque `struct dma_chan`.
#[repr(C)]
pub(crate) struct DmaChan {
    _p: [u8; 0],
}

/// Opaque `struct dma_async_tx_descriptor`.
#[repr(C)]
pub(crate) struct TxDesc {
    _p: [u8; 0],
}

/// Opaque `struct dmaengine_result`.
#[repr(C)]
pub(crate) struct DmaengineResult {
    _p: [u8; 0],
}

/// Opaque `struct address_space`.
#[repr(C)]
pub(crate) struct AddressSpace {
    _p: [u8; 0],
}

/// `dma_async_tx_callback_result`.
pub(crate) type Callback = unsafe extern "C" fn(param: *mut c_void, result: *const DmaengineResult);

// The kernel's own bindings crate allows this lint too: bindgen emits opaque zero-sized
// placeholders for some nested C types that pointers refer to.
#[expect(improper_ctypes, reason = "pointers to bindgen-generated C structs")]
extern "C" {
    pub(crate) fn axi_dma_shim_request_chan(
        dev: *mut bindings::device,
        name: *const c_char,
    ) -> *mut DmaChan;
    pub(crate) fn axi_dma_shim_release_chan(chan: *mut DmaChan);
    pub(crate) fn axi_dma_shim_dma_device(chan: *mut DmaChan) -> *mut bindings::device;
    pub(crate) fn axi_dma_shim_chan_name(chan: *mut DmaChan) -> *const c_char;
    pub(crate) fn axi_dma_shim_can_memcpy(chan: *mut DmaChan) -> bool;
    pub(crate) fn axi_dma_shim_can_slave(chan: *mut DmaChan) -> bool;
    pub(crate) fn axi_dma_shim_has_synchronize(chan: *mut DmaChan) -> bool;
    pub(crate) fn axi_dma_shim_copy_align_log2(chan: *mut DmaChan) -> u32;
    pub(crate) fn axi_dma_shim_max_seg_size(chan: *mut DmaChan) -> u32;
    pub(crate) fn axi_dma_shim_slave_caps(
        chan: *mut DmaChan,
        dirs: *mut u32,
        gran: *mut u32,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_slave_config(
        chan: *mut DmaChan,
        dir: u32,
        dev_addr: u64,
        width: u32,
        burst: u32,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_prep_memcpy(
        chan: *mut DmaChan,
        dst: u64,
        src: u64,
        len: usize,
        flags: c_ulong,
    ) -> *mut TxDesc;
    pub(crate) fn axi_dma_shim_prep_slave(
        chan: *mut DmaChan,
        buf: u64,
        len: usize,
        dir: u32,
        flags: c_ulong,
    ) -> *mut TxDesc;
    pub(crate) fn axi_dma_shim_prep_slave_sg(
        chan: *mut DmaChan,
        sgt: *mut bindings::sg_table,
        dir: u32,
        flags: c_ulong,
    ) -> *mut TxDesc;
    pub(crate) fn axi_dma_shim_submit(tx: *mut TxDesc, cb: Callback, param: *mut c_void) -> i32;
    pub(crate) fn axi_dma_shim_result_code(r: *const DmaengineResult) -> u32;
    pub(crate) fn axi_dma_shim_result_residue(r: *const DmaengineResult) -> u32;
    pub(crate) fn axi_dma_shim_issue_pending(chan: *mut DmaChan);
    pub(crate) fn axi_dma_shim_terminate_sync(chan: *mut DmaChan) -> c_int;
    pub(crate) fn axi_dma_shim_tx_status(chan: *mut DmaChan, cookie: i32, residue: *mut u32)
        -> u32;
    pub(crate) fn axi_dma_shim_link_consumer(
        consumer: *mut bindings::device,
        supplier: *mut bindings::device,
        flags: u32,
    ) -> bool;
    pub(crate) fn axi_dma_shim_waitqueue_size() -> usize;
    pub(crate) fn axi_dma_shim_init_waitqueue(wq: *mut bindings::wait_queue_head);
    pub(crate) fn axi_dma_shim_wake_up_all(wq: *mut bindings::wait_queue_head);
    pub(crate) fn axi_dma_shim_wait_interruptible(
        wq: *mut bindings::wait_queue_head,
        word: *const u32,
        val: u32,
        eq: bool,
        jiffies: c_long,
    ) -> c_long;
    pub(crate) fn axi_dma_shim_wait_killable(
        wq: *mut bindings::wait_queue_head,
        word: *const u32,
        val: u32,
        eq: bool,
        jiffies: c_long,
    ) -> c_long;
    pub(crate) fn axi_dma_shim_wait_uninterruptible(
        wq: *mut bindings::wait_queue_head,
        word: *const u32,
        val: u32,
        eq: bool,
        jiffies: c_long,
    ) -> c_long;
    pub(crate) fn axi_dma_shim_fatal_signal_pending() -> bool;
    pub(crate) fn axi_dma_shim_synchronize_rcu_expedited();
    pub(crate) fn axi_dma_shim_poll_wait(
        file: *mut bindings::file,
        wq: *mut bindings::wait_queue_head,
        pt: *mut bindings::poll_table_struct,
    );
    pub(crate) fn axi_dma_shim_dma_to_pfn(dev: *mut bindings::device, dma: u64) -> u64;
    pub(crate) fn axi_dma_shim_dev_is_coherent(dev: *mut bindings::device) -> bool;
    pub(crate) fn axi_dma_shim_iommu_mapped(dev: *mut bindings::device) -> bool;
    pub(crate) fn axi_dma_shim_vma_set_dmacoherent(vma: *mut bindings::vm_area_struct);
    pub(crate) fn axi_dma_shim_vma_may_share(vma: *mut bindings::vm_area_struct) -> bool;
    pub(crate) fn axi_dma_shim_vma_private(vma: *mut bindings::vm_area_struct) -> *mut c_void;
    pub(crate) fn axi_dma_shim_vma_set_ops(
        vma: *mut bindings::vm_area_struct,
        ops: *const bindings::vm_operations_struct,
        private: *mut c_void,
    );
    pub(crate) fn axi_dma_shim_remap(
        vma: *mut bindings::vm_area_struct,
        pfn: u64,
        size: c_ulong,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_file_mapping(file: *mut bindings::file) -> *mut AddressSpace;
    pub(crate) fn axi_dma_shim_unmap_mapping(mapping: *mut AddressSpace);
    pub(crate) fn axi_dma_shim_alloc_noncoherent(
        dev: *mut bindings::device,
        size: usize,
        handle: *mut u64,
        dir: u32,
        gfp: bindings::gfp_t,
    ) -> *mut c_void;
    pub(crate) fn axi_dma_shim_free_noncoherent(
        dev: *mut bindings::device,
        size: usize,
        vaddr: *mut c_void,
        handle: u64,
        dir: u32,
    );
    pub(crate) fn axi_dma_shim_sync_for_cpu(
        dev: *mut bindings::device,
        addr: u64,
        size: usize,
        dir: u32,
    );
    pub(crate) fn axi_dma_shim_sync_for_device(
        dev: *mut bindings::device,
        addr: u64,
        size: usize,
        dir: u32,
    );
    pub(crate) fn axi_dma_shim_virt_to_pfn(vaddr: *mut c_void) -> u64;
    pub(crate) fn axi_dma_shim_pin_user(
        start: u64,
        nr_pages: c_int,
        gup_flags: u32,
        pages: *mut *mut bindings::page,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_unpin_user(pages: *mut *mut bindings::page, n: c_ulong, dirty: bool);
    pub(crate) fn axi_dma_shim_sgt_from_pages(
        sgt: *mut bindings::sg_table,
        pages: *mut *mut bindings::page,
        n: u32,
        size: u64,
        max_seg: u32,
        gfp: bindings::gfp_t,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_sgt_alloc(
        sgt: *mut bindings::sg_table,
        nents: u32,
        gfp: bindings::gfp_t,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_sgt_free(sgt: *mut bindings::sg_table);
    pub(crate) fn axi_dma_shim_map_sgtable(
        dev: *mut bindings::device,
        sgt: *mut bindings::sg_table,
        dir: u32,
        attrs: c_ulong,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_unmap_sgtable(
        dev: *mut bindings::device,
        sgt: *mut bindings::sg_table,
        dir: u32,
        attrs: c_ulong,
    );
    pub(crate) fn axi_dma_shim_sgt_dma_nents(sgt: *mut bindings::sg_table) -> u32;
    pub(crate) fn axi_dma_shim_sgt_first(
        sgt: *mut bindings::sg_table,
    ) -> *mut bindings::scatterlist;
    pub(crate) fn axi_dma_shim_sg_next(
        sg: *mut bindings::scatterlist,
    ) -> *mut bindings::scatterlist;
    pub(crate) fn axi_dma_shim_sg_dma_address(sg: *mut bindings::scatterlist) -> u64;
    pub(crate) fn axi_dma_shim_sg_dma_len(sg: *mut bindings::scatterlist) -> u32;
    pub(crate) fn axi_dma_shim_sg_set_dma(sg: *mut bindings::scatterlist, addr: u64, len: u32);
    pub(crate) fn axi_dma_shim_dma_max_mapping_size(dev: *mut bindings::device) -> u32;
    pub(crate) fn axi_dma_shim_dev_max_seg_size(dev: *mut bindings::device) -> u32;
    pub(crate) fn axi_dma_shim_dmabuf_export(
        priv_: *mut c_void,
        size: usize,
        flags: c_int,
        out: *mut *mut bindings::dma_buf,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_dmabuf_fd(b: *mut bindings::dma_buf, flags: c_int) -> c_int;
    pub(crate) fn axi_dma_shim_dmabuf_put(b: *mut bindings::dma_buf);
    pub(crate) fn axi_dma_shim_dmabuf_get(fd: c_int, out: *mut *mut bindings::dma_buf) -> c_int;
    pub(crate) fn axi_dma_shim_dmabuf_size(b: *mut bindings::dma_buf) -> u64;
    pub(crate) fn axi_dma_shim_dmabuf_attach(
        b: *mut bindings::dma_buf,
        dev: *mut bindings::device,
        out: *mut *mut bindings::dma_buf_attachment,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_dmabuf_detach(
        b: *mut bindings::dma_buf,
        a: *mut bindings::dma_buf_attachment,
    );
    pub(crate) fn axi_dma_shim_dmabuf_map(
        a: *mut bindings::dma_buf_attachment,
        dir: u32,
        out: *mut *mut bindings::sg_table,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_dmabuf_unmap(
        a: *mut bindings::dma_buf_attachment,
        t: *mut bindings::sg_table,
        dir: u32,
    );
    pub(crate) fn axi_dma_shim_dmabuf_idle(b: *mut bindings::dma_buf, usage: u32) -> bool;
    pub(crate) fn axi_dma_shim_get_sgtable(
        dev: *mut bindings::device,
        sgt: *mut bindings::sg_table,
        cpu: *mut c_void,
        dma: u64,
        size: usize,
    ) -> c_int;
    pub(crate) fn axi_dma_shim_sg_set_virt(
        sg: *mut bindings::scatterlist,
        virt: *mut c_void,
        len: u32,
    );
}

/// Returns the raw `struct device` behind a Rust [`kernel::device::Device`].
pub(crate) fn raw_device<Ctx: kernel::device::DeviceContext>(
    dev: &kernel::device::Device<Ctx>,
) -> *mut bindings::device {
    // CAST: `Device<Ctx>` is `#[repr(transparent)]` over `Opaque<bindings::device>`, so a
    // reference to it is a pointer to the C `struct device`.
    core::ptr::from_ref(dev).cast_mut().cast()
}
