// SPDX-License-Identifier: GPL-2.0

//! Cacheable ("non-coherent") DMA memory and the coherence facts of a DMA device: a seed for
//! what `kernel::dma` lacks in Linux 7.2 (it has `Coherent<T>` only).
//!
//! # Cache maintenance, per architecture
//!
//! `dma_sync_single_for_device()`/`_for_cpu()` do different things on the two boards:
//! - ARMv7 (Zynq-7000, `arch/arm/mm/dma-mapping.c`): for the device, `DMA_FROM_DEVICE`
//!   *invalidates* (dirty lines are discarded, not written back) and the other directions
//!   clean; for the CPU, everything but `DMA_TO_DEVICE` invalidates.
//! - arm64 (ZynqMP, `arch/arm64/mm/dma-mapping.c`): for the device, every direction
//!   cleans; for the CPU, everything but `DMA_TO_DEVICE` invalidates.
//!
//! So on ARMv7 a CPU write followed by a `DMA_FROM_DEVICE` hand-over to the device never
//! reaches memory. [`NonCoherent::alloc_zeroed`] therefore maps device-write-only memory as
//! `DMA_BIDIRECTIONAL` (a clean for the device, an invalidate for the CPU on both
//! architectures): the zeroes reach DRAM before the device or the user sees the memory, and
//! the previous owner's data can never be read through a cacheable user mapping.
//! The user-visible direction is enforced by the driver, not by the DMA layer.
//!
//! # Examples
//!
//! ```ignore
//! let mem = NonCoherent::alloc_zeroed(dev, 4096, DataDirection::FromDevice)?;
//! mem.sync_for_device(0, 4096)?; // before the device writes
//! // ... DMA ...
//! mem.sync_for_cpu(0, 4096)?;    // before the CPU reads
//! ```

use core::ptr::NonNull;
use kernel::{
    device::{
        Bound,
        Device, //
    },
    dma::DataDirection,
    ffi::c_void,
    prelude::*,
    sync::aref::ARef,
};

use crate::ffi;

/// Whether `dev`'s DMA is cache-coherent with the CPUs (`dma-coherent` in the DT).
pub(crate) fn dev_is_coherent<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>) -> bool {
    // SAFETY: `dev` is a valid device for the call.
    unsafe { ffi::axi_dma_shim_dev_is_coherent(ffi::raw_device(dev)) }
}

/// Whether `dev`'s DMA goes through an IOMMU (its DMA addresses are not physical).
pub(crate) fn dev_iommu_mapped<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>) -> bool {
    // SAFETY: `dev` is a valid device for the call.
    unsafe { ffi::axi_dma_shim_iommu_mapped(ffi::raw_device(dev)) }
}

/// The page frame number of the memory at DMA address `dma` of `dev` (no IOMMU).
pub(crate) fn dma_to_pfn<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>, dma: u64) -> u64 {
    // SAFETY: `dev` is a valid device; a pure address translation.
    unsafe { ffi::axi_dma_shim_dma_to_pfn(ffi::raw_device(dev), dma) }
}

/// Cacheable DMA memory from `dma_alloc_noncoherent()`: the CPU and the device see the same
/// bytes only after the explicit [`sync_for_device`](Self::sync_for_device) and
/// [`sync_for_cpu`](Self::sync_for_cpu) hand-overs.
///
/// # Invariants
///
/// `vaddr`/`handle`/`size` describe one live allocation on `dev` made with direction
/// `dma_dir`, freed exactly once in `Drop`.
pub(crate) struct NonCoherent {
    dev: ARef<Device>,
    vaddr: NonNull<c_void>,
    handle: u64,
    size: usize,
    dma_dir: DataDirection,
}

// SAFETY: The allocation is plain memory owned by this value; freeing it from any thread is
// allowed.
unsafe impl Send for NonCoherent {}
// SAFETY: `&self` methods only read the fields and call the thread-safe sync functions.
unsafe impl Sync for NonCoherent {}

impl NonCoherent {
    /// Allocates `size` zeroed bytes for DMA by `dev` that the device will access in
    /// direction `dir`. The zeroes are in DRAM when this returns (see the module docs).
    pub(crate) fn alloc_zeroed(
        dev: &Device<Bound>,
        size: usize,
        dir: DataDirection,
    ) -> Result<Self> {
        // A device that only writes is mapped both ways, so that the hand-over below cleans
        // (writes back) on ARMv7 too, where `DMA_FROM_DEVICE` would only invalidate.
        let dma_dir = match dir {
            DataDirection::FromDevice => DataDirection::Bidirectional,
            d => d,
        };
        let mut handle = 0u64;
        // Running out of DMA memory is an ordinary answer to a user request: no warning.
        let gfp = kernel::bindings::GFP_KERNEL | kernel::bindings::__GFP_NOWARN;
        // SAFETY: `dev` is a valid bound device; `handle` is a valid local.
        let p = unsafe {
            ffi::axi_dma_shim_alloc_noncoherent(
                ffi::raw_device(dev),
                size,
                &mut handle,
                bindings_dir(dma_dir),
                gfp,
            )
        };
        // INVARIANT: a non-NULL result is a live allocation of `size` bytes.
        let mem = Self {
            dev: dev.into(),
            vaddr: NonNull::new(p).ok_or(ENOMEM)?,
            handle,
            size,
            dma_dir,
        };
        // SAFETY: `vaddr` points to `size` bytes we own and nobody else accesses yet.
        unsafe { core::ptr::write_bytes(mem.vaddr.as_ptr().cast::<u8>(), 0, size) };
        mem.sync_for_device(0, size)?;
        Ok(mem)
    }

    /// The DMA address of the start.
    pub(crate) fn dma_handle(&self) -> u64 {
        self.handle
    }

    /// The kernel virtual address of byte 0 (in the linear map).
    pub(crate) fn vaddr(&self) -> *mut u8 {
        self.vaddr.as_ptr().cast()
    }

    /// The size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The page frame number of byte 0 (cacheable memory in the kernel's linear map).
    pub(crate) fn pfn(&self) -> u64 {
        // SAFETY: `vaddr` is a live allocation in the linear map (type invariant).
        unsafe { ffi::axi_dma_shim_virt_to_pfn(self.vaddr.as_ptr()) }
    }

    fn check(&self, off: usize, len: usize) -> Result {
        match off.checked_add(len) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(EINVAL),
        }
    }

    /// Hands `[off, off + len)` to the CPU (after the device wrote it).
    pub(crate) fn sync_for_cpu(&self, off: usize, len: usize) -> Result {
        self.check(off, len)?;
        // SAFETY: The range lies in the allocation (checked) on the device it was allocated
        // on, with the allocation's direction (type invariant).
        unsafe {
            ffi::axi_dma_shim_sync_for_cpu(
                ffi::raw_device(&*self.dev),
                self.handle + off as u64,
                len,
                bindings_dir(self.dma_dir),
            )
        };
        Ok(())
    }

    /// Hands `[off, off + len)` to the device (after the CPU wrote it).
    pub(crate) fn sync_for_device(&self, off: usize, len: usize) -> Result {
        self.check(off, len)?;
        // SAFETY: As in `sync_for_cpu`.
        unsafe {
            ffi::axi_dma_shim_sync_for_device(
                ffi::raw_device(&*self.dev),
                self.handle + off as u64,
                len,
                bindings_dir(self.dma_dir),
            )
        };
        Ok(())
    }
}

impl Drop for NonCoherent {
    fn drop(&mut self) {
        // SAFETY: Freed exactly once, with the values it was allocated with (type
        // invariant). The owner quiesced every transfer using it: a buffer is dropped only
        // when no transfer, quarantine or mapping holds it (see `buffer.rs`).
        unsafe {
            ffi::axi_dma_shim_free_noncoherent(
                ffi::raw_device(&*self.dev),
                self.size,
                self.vaddr.as_ptr(),
                self.handle,
                bindings_dir(self.dma_dir),
            )
        }
    }
}

/// The C value of `dir`.
pub(crate) fn bindings_dir(dir: DataDirection) -> u32 {
    // CAST: `DataDirection` is `#[repr(u32)]` and its discriminants are the C enum's values
    // (`bindings::dma_data_direction` is a plain `u32` in 7.2, a newtype in 7.3).
    dir as u32
}
