// SPDX-License-Identifier: GPL-2.0

//! Mapping DMA buffers into user space.
//!
//! The PFN comes from the buffer's DMA address (`PHYS_PFN(dma_to_phys(dev, dma))`) and is
//! mapped with `remap_pfn_range()`. The page protection is the memory type of the kernel's
//! own coherent mapping for that device, as `dma_pgprot()` chooses it: unchanged (cacheable)
//! for a `dma-coherent` device, `pgprot_dmacoherent()` (non-cacheable / write-combine)
//! otherwise. When the device sits behind an IOMMU the DMA address is an IOVA, not a
//! physical address: then `dma_mmap_attrs()` maps the right pages instead. Cached buffers
//! are cacheable memory of the kernel's linear map, mapped with their own PFNs.
//!
//! Every mapping holds a reference to its [`Buffer`] (taken here, copied in `vm_ops->open`
//! on fork or split, dropped in `vm_ops->close`), so a buffer is never freed while mapped,
//! except by unbind, which zaps the mappings first (`buffer.rs`). The mapping is made with
//! the buffer's memory locked, so that a concurrent revocation waits for it and zaps it.

use kernel::{
    bindings,
    ffi::c_void,
    mm::virt::VmaNew,
    page::PAGE_SHIFT,
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    },
};

use crate::{
    buffer::{
        Buffer,
        Mem, //
    },
    compat,
    dma_mem,
    ffi, //
};

/// The offset, in bytes, that user space passed to `mmap()`.
///
/// # Safety
///
/// `vma` must be a VMA under construction in an `mmap` file operation.
pub(crate) unsafe fn vma_offset(vma: *mut bindings::vm_area_struct) -> Result<u64> {
    // SAFETY: Guaranteed by the caller; `vm_pgoff` is set before `->mmap` is called.
    let pgoff = u64::try_from(unsafe { (*vma).vm_pgoff }).map_err(|_| EOVERFLOW)?;
    pgoff.checked_mul(1u64 << PAGE_SHIFT).ok_or(EOVERFLOW)
}

/// Maps `[in_off, in_off + vma length)` of `buf` into `vma`.
///
/// # Safety
///
/// `vma` must be a VMA under construction in an `mmap` file operation of a file that keeps
/// this module loaded while the VMA exists (the VMA holds the file).
pub(crate) unsafe fn map_buffer(
    vma: *mut bindings::vm_area_struct,
    buf: &Arc<Buffer>,
    in_off: u64,
) -> Result {
    // SAFETY: Guaranteed by the caller: `vma` is valid and being set up by us.
    let area = unsafe { VmaNew::from_raw(vma) };
    let len = u64::try_from(area.end() - area.start()).map_err(|_| EOVERFLOW)?;
    let end = in_off.checked_add(len).ok_or(EOVERFLOW)?;
    if end > buf.alloc_size {
        // Mapping past the buffer's end would expose memory we do not own.
        return Err(EINVAL);
    }
    // `VM_MAYSHARE` is what `MAP_SHARED` sets; `VM_SHARED` is cleared for a read-only
    // file (a dma-buf exported without `O_RDWR`), whose shared mappings are then read-only.
    // (Read in C: 7.2's `kernel::mm::virt::flags::MAYSHARE` is `VM_MAYEXEC`, a typo in its
    // `bindings_helper.h`.)
    // SAFETY: `vma` is valid (the caller's guarantee).
    if !unsafe { ffi::axi_dma_shim_vma_may_share(vma) } {
        // A private (copy-on-write) mapping of device memory makes no sense: the device
        // would never see the CPU's writes.
        return Err(EINVAL);
    }
    // No executable DMA memory, ever.
    if area.executable() {
        return Err(EPERM);
    }
    area.try_clear_mayexec()?;
    // `end <= alloc_size`, which is a `usize` (it was allocated).
    let ulen = usize::try_from(len).map_err(|_| EOVERFLOW)?;

    let guard = buf.lock_mem()?;
    let dev = ffi::raw_device(buf.device());
    match guard.mem().ok_or(ENODEV)? {
        Mem::Cached(n) => {
            // Cacheable memory from the kernel's linear map: its own PFNs, whatever the DMA
            // address is, mapped with the default (cached) protection.
            let pfn = n.pfn() + (in_off >> PAGE_SHIFT);
            // SAFETY: `vma` is valid; the PFN range is the allocation's (checked against
            // `alloc_size`) and stays allocated while mapped (the VMA holds a reference,
            // and a revocation zaps the mapping before freeing).
            kernel::error::to_result(unsafe { ffi::axi_dma_shim_remap(vma, pfn, ulen) })?;
        }
        Mem::Coherent(c) if dma_mem::dev_iommu_mapped(buf.device()) => {
            // The DMA address is an IOVA: let the DMA layer find the pages. It maps from
            // `vm_pgoff` into the allocation, so express our offset that way.
            let pgoff = usize::try_from(in_off >> PAGE_SHIFT)?;
            // SAFETY: `vma` is valid and under construction; we only adjust its offset.
            unsafe { (*vma).vm_pgoff = pgoff };
            let size = usize::try_from(buf.alloc_size)?;
            // SAFETY: `c` is one live coherent allocation of `alloc_size` bytes on `dev`;
            // the VMA is valid.
            kernel::error::to_result(unsafe {
                bindings::dma_mmap_attrs(
                    dev,
                    vma,
                    c.as_mut_ptr().cast::<c_void>(),
                    compat::dma_address(c),
                    size,
                    0,
                )
            })?;
        }
        // Registered user memory has no mmap offset (ALLOC hands those out): unreachable,
        // refused all the same.
        Mem::User { .. } | Mem::Imported(_) => return Err(EINVAL),
        Mem::Coherent(_) => {
            let pfn = dma_mem::dma_to_pfn(buf.device(), buf.dma_addr(in_off));
            if !buf.cacheable_mapping() {
                // SAFETY: `vma` is valid and under construction.
                unsafe { ffi::axi_dma_shim_vma_set_dmacoherent(vma) };
            }
            // SAFETY: `vma` is valid; the PFN range belongs to our allocation (checked
            // above against `alloc_size`, which is whole pages) and stays allocated while
            // mapped, as for cached buffers.
            kernel::error::to_result(unsafe { ffi::axi_dma_shim_remap(vma, pfn, ulen) })?;
        }
    }
    drop(guard);
    area.set_dontexpand();
    area.set_dontdump();

    let private = Arc::into_raw(buf.clone());
    // SAFETY: `vma` is valid; `VM_OPS` is static; `private` is a buffer reference that
    // `vma_close` gives back.
    unsafe { ffi::axi_dma_shim_vma_set_ops(vma, &VM_OPS.0, private.cast_mut().cast()) };
    Ok(())
}

/// `vm_ops->open`: a VMA was copied (fork) or split; it takes its own buffer reference.
///
/// # Safety
///
/// Called by the mm core only, as `VM_OPS` entry of a VMA set up by [`map_buffer`].
unsafe extern "C" fn vma_open(vma: *mut bindings::vm_area_struct) {
    // SAFETY: The VMA was set up by `map_buffer`, so its private data is an `Arc<Buffer>`
    // reference that the original VMA still holds for the duration of this call.
    let p = unsafe { ffi::axi_dma_shim_vma_private(vma) }
        .cast_const()
        .cast::<Buffer>();
    // SAFETY: `p` comes from `Arc::into_raw` and is alive (see above).
    let borrowed = unsafe { ArcBorrow::from_raw(p) };
    // The new VMA's reference, given back by its `vma_close`.
    let _ = Arc::into_raw(Arc::<Buffer>::from(borrowed));
}

/// `vm_ops->close`: the VMA goes away and drops its buffer reference.
///
/// # Safety
///
/// Called by the mm core only, as `VM_OPS` entry of a VMA set up by [`map_buffer`].
unsafe extern "C" fn vma_close(vma: *mut bindings::vm_area_struct) {
    // SAFETY: The VMA was set up by `map_buffer` or copied with `vma_open`, so it owns one
    // reference made by `Arc::into_raw`.
    let p = unsafe { ffi::axi_dma_shim_vma_private(vma) }
        .cast_const()
        .cast::<Buffer>();
    // SAFETY: See above; this gives the VMA's reference back exactly once.
    drop(unsafe { Arc::from_raw(p) });
}

/// `vm_operations_struct` wrapper so that it can be a `static` (it holds raw pointers).
struct VmOps(bindings::vm_operations_struct);
// SAFETY: The table is immutable and only holds function pointers.
unsafe impl Sync for VmOps {}

static VM_OPS: VmOps = VmOps(bindings::vm_operations_struct {
    open: Some(vma_open),
    close: Some(vma_close),
    // SAFETY: All-zero is a valid `vm_operations_struct` (no callbacks).
    ..unsafe { core::mem::zeroed() }
});
