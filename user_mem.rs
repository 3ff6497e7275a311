// SPDX-License-Identifier: GPL-2.0

//! User memory registered for DMA (`AXI_DMA_IOC_REGISTER`): the caller's own pages, pinned
//! long-term, described by a scatter list and mapped for the channel's provider.
//!
//! # Why it is safe against what user space does next
//!
//! - The pages are pinned with `FOLL_LONGTERM` (`pin_user_pages_fast()`): `munmap()`,
//!   `madvise(MADV_DONTNEED)` or the process's exit only drop the *mapping*; the pinned
//!   pages stay allocated until [`UserMem`] unpins them, so the engine never writes into
//!   pages the kernel has given to someone else. Long-term pins also move the pages out of
//!   `ZONE_MOVABLE`/CMA first and make `fork()` copy them for the child (the parent keeps
//!   the pinned ones), so what the device writes is what the registering process sees.
//! - The mapping is a streaming one (`dma_map_sgtable()`): the CPU's cacheable view and the
//!   device's meet only at the hand-overs (`AXI_DMA_IOC_SYNC`), exactly like a CACHED
//!   buffer, with the same per-architecture rules (`dma_mem.rs`): memory the device only
//!   writes is mapped `DMA_BIDIRECTIONAL`, so a hand-over to the device cleans on ARMv7 too
//!   and nothing the process wrote is silently discarded.
//! - A [`UserMem`] lives inside a `Buffer`, so every transfer, quarantine and revocation
//!   rule of `buffer.rs` applies: it is unmapped and unpinned only when no transfer can touch
//!   it any more (or at unbind, while the provider is still bound).

use kernel::{
    bindings,
    device::{
        Bound,
        Device, //
    },
    dma::DataDirection,
    ffi::c_ulong,
    page::PAGE_SIZE,
    prelude::*,
    sync::aref::ARef,
};

use crate::{
    dma_mem::bindings_dir,
    ffi,
    sg::{
        Seg,
        SgTable, //
    },
};

/// Registered user memory.
///
/// # Invariants
///
/// `pages` holds `pages.len()` pages pinned by this value (unpinned once, in `Drop`);
/// `sgt` describes them and is mapped for `dev` with `dma_dir` until `Drop`.
pub(crate) struct UserMem {
    dev: ARef<Device>,
    pages: KVVec<*mut bindings::page>,
    sgt: SgTable,
    dma_dir: DataDirection,
    dirty: bool,
}

// SAFETY: The page pointers and the table are owned by this value; pinned pages may be
// unpinned, and the table unmapped, from any thread.
unsafe impl Send for UserMem {}
// SAFETY: `&self` methods only read the fields and call the thread-safe sync functions.
unsafe impl Sync for UserMem {}

impl UserMem {
    /// Maps the pages `pinned` pinned (`size` bytes) for DMA by `dev` in direction `dir`
    /// (the device only reads: `ToDevice`; only writes: `FromDevice`).
    ///
    /// Returns the memory and its DMA segments (in order, together `size` bytes).
    pub(crate) fn map(
        dev: &Device<Bound>,
        mut pinned: Pinned,
        size: u64,
        dir: DataDirection,
    ) -> Result<(Self, KVec<Seg>)> {
        let n32 = u32::try_from(pinned.pages.len()).map_err(|_| EINVAL)?;
        // Memory the device only writes is mapped both ways (see the module docs).
        let dma_dir = match dir {
            DataDirection::FromDevice => DataDirection::Bidirectional,
            d => d,
        };
        // Segments no longer than the device takes in one mapping and in one segment
        // (`dma_get_max_seg_size()`: 64 KiB on the ZynqMP GDMA), whole pages.
        // SAFETY: `dev` is a valid device.
        let max_seg = unsafe {
            let d = ffi::raw_device(dev);
            ffi::axi_dma_shim_dma_max_mapping_size(d).min(ffi::axi_dma_shim_dev_max_seg_size(d))
        };
        let max_seg = (max_seg & !(PAGE_SIZE as u32 - 1)).max(PAGE_SIZE as u32);
        // SAFETY: `pinned.pages` holds `n32` pinned pages, which stay pinned while the table
        // lives (both end up in the returned value, whose `Drop` frees the table first).
        let sgt = unsafe { SgTable::from_pages(pinned.pages.as_mut_ptr(), n32, size, max_seg)? };
        // SAFETY: `dev` is a bound device and `sgt` an initialised table of pinned pages.
        let r = unsafe {
            ffi::axi_dma_shim_map_sgtable(ffi::raw_device(dev), sgt.raw(), bindings_dir(dma_dir), 0)
        };
        kernel::error::to_result(r)?;
        let segs = match sgt.dma_segments() {
            Ok(s) => s,
            Err(e) => {
                // SAFETY: Mapped just above with these values.
                unsafe {
                    ffi::axi_dma_shim_unmap_sgtable(
                        ffi::raw_device(dev),
                        sgt.raw(),
                        bindings_dir(dma_dir),
                        0,
                    )
                };
                return Err(e);
            }
        };
        let pages = core::mem::take(&mut pinned.pages);
        // INVARIANT: the pages are pinned, the table maps them for `dev` in `dma_dir`.
        Ok((
            Self {
                dev: dev.into(),
                pages,
                sgt,
                dma_dir,
                dirty: dir != DataDirection::ToDevice,
            },
            segs,
        ))
    }

    /// Hands the DMA range `[addr, addr + len)` over to the CPU (`for_cpu`) or to the
    /// device: only that range, so that bytes outside it keep what the CPU or the device
    /// last wrote there.
    ///
    /// # Safety
    ///
    /// The range lies inside one of the segments [`UserMem::pin`] returned for `self`.
    pub(crate) unsafe fn sync_run(&self, addr: u64, len: u64, for_cpu: bool) -> Result {
        let len = usize::try_from(len).map_err(|_| EOVERFLOW)?;
        let (dev, dir) = (ffi::raw_device(&*self.dev), bindings_dir(self.dma_dir));
        // SAFETY: The range lies in a segment of the table mapped for `dev` with `dma_dir`
        // (type invariant and the function's safety requirement).
        unsafe {
            if for_cpu {
                ffi::axi_dma_shim_sync_for_cpu(dev, addr, len, dir);
            } else {
                ffi::axi_dma_shim_sync_for_device(dev, addr, len, dir);
            }
        }
        Ok(())
    }
}

impl Drop for UserMem {
    fn drop(&mut self) {
        // SAFETY: Mapped for `dev` with `dma_dir` (type invariant), unmapped once here. The
        // owner quiesced every transfer using it (a buffer is dropped only when no
        // transfer, quarantine or revocation holds it, see `buffer.rs`).
        unsafe {
            ffi::axi_dma_shim_unmap_sgtable(
                ffi::raw_device(&*self.dev),
                self.sgt.raw(),
                bindings_dir(self.dma_dir),
                0,
            )
        };
        // Unpinned now; the table (freed when the fields drop, after this) only describes
        // the pages and is no longer mapped.
        drop(Pinned {
            pages: core::mem::take(&mut self.pages),
            dirty: self.dirty,
        });
    }
}

/// Pinned pages, unpinned on drop (marked dirty if the device may have written them).
pub(crate) struct Pinned {
    pages: KVVec<*mut bindings::page>,
    dirty: bool,
}

// SAFETY: Pinned pages may be unpinned from any thread; the pointers are only read.
unsafe impl Send for Pinned {}

impl Pinned {
    /// Pins the `size` bytes at user address `addr` (both page-aligned, checked by the
    /// caller) of the current process long-term, writable unless the device only reads
    /// them (`dir` is `ToDevice`). Takes the process's `mmap_lock`: never call it with a
    /// lock that an `munmap` (a VMA's close) may take, such as the registry's.
    ///
    /// `EFAULT` if part of the range is not mapped (or not writable where the device
    /// writes), the errno of the pinning otherwise (e.g. `ENOMEM`).
    pub(crate) fn pin(addr: u64, size: u64, dir: DataDirection) -> Result<Self> {
        let n = usize::try_from(size / PAGE_SIZE as u64).map_err(|_| EINVAL)?;
        let nr = i32::try_from(n).map_err(|_| EINVAL)?;
        let mut pages = KVVec::from_elem(core::ptr::null_mut(), n, GFP_KERNEL)?;
        let mut gup: u32 = bindings::FOLL_LONGTERM;
        if dir != DataDirection::ToDevice {
            gup |= bindings::FOLL_WRITE;
        }
        // SAFETY: `pages` has room for `nr` page pointers.
        let got = unsafe { ffi::axi_dma_shim_pin_user(addr, nr, gup, pages.as_mut_ptr()) };
        if got < 0 {
            return Err(Error::from_errno(got));
        }
        // The pages pinned so far, unpinned again (by `drop`) if not all were.
        pages.truncate(got as usize);
        let pinned = Self {
            pages,
            dirty: false,
        };
        if (got as usize) < n {
            return Err(EFAULT);
        }
        Ok(pinned)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if self.pages.is_empty() {
            return;
        }
        // SAFETY: Every pointer in `pages` is a page pinned once by `UserMem::pin`, not
        // unpinned yet (the vector is emptied by whoever takes them over).
        unsafe {
            ffi::axi_dma_shim_unpin_user(
                self.pages.as_mut_ptr(),
                self.pages.len() as c_ulong,
                self.dirty,
            )
        };
    }
}
