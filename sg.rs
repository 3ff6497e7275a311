// SPDX-License-Identifier: GPL-2.0

//! Scatter lists: an owned `struct sg_table` and the DMA segments it describes.
//!
//! Used for memory the driver did not allocate as one block: registered user memory
//! (`user_mem.rs`), and the short-lived lists handed to `dmaengine_prep_slave_sg()` for a
//! transfer on such memory (`dmaengine.rs`).

use kernel::{
    bindings,
    prelude::*,
    types::Opaque, //
};

use crate::ffi;

/// A contiguous run of DMA addresses: (address, length in bytes).
pub(crate) type Seg = (u64, u64);

/// An allocated `struct sg_table`, freed (with `sg_free_table()`) on drop.
///
/// # Invariants
///
/// `raw` was initialised by a successful `sg_alloc_table*()` call and is freed once, in
/// `Drop`.
pub(crate) struct SgTable {
    raw: KBox<Opaque<bindings::sg_table>>,
}

// SAFETY: The table is plain memory owned by this value; no `&self` method mutates it.
unsafe impl Send for SgTable {}
// SAFETY: As above.
unsafe impl Sync for SgTable {}

impl SgTable {
    /// Storage for a table, zeroed, not yet initialised.
    fn storage() -> Result<KBox<Opaque<bindings::sg_table>>> {
        Ok(KBox::new(Opaque::zeroed(), GFP_KERNEL)?)
    }

    /// A table of the `n` pages at `pages` (`size` bytes from the first page's start),
    /// physically contiguous pages merged into segments of at most `max_seg` bytes.
    ///
    /// # Safety
    ///
    /// `pages` points to `n` valid page pointers that stay valid (pinned) for as long as the
    /// table is used.
    pub(crate) unsafe fn from_pages(
        pages: *mut *mut bindings::page,
        n: u32,
        size: u64,
        max_seg: u32,
    ) -> Result<Self> {
        let raw = Self::storage()?;
        // SAFETY: `raw` is zeroed storage for a table; `pages` holds `n` valid pages (the
        // function's safety requirement).
        let r = unsafe {
            ffi::axi_dma_shim_sgt_from_pages(
                raw.get(),
                pages,
                n,
                size,
                max_seg,
                bindings::GFP_KERNEL,
            )
        };
        kernel::error::to_result(r)?;
        // INVARIANT: initialised by the successful call above.
        Ok(Self { raw })
    }

    /// A table of `segs.len()` entries carrying the DMA addresses and lengths of `segs`
    /// (already mapped memory): what `dmaengine_prep_slave_sg()` reads. `EINVAL` for an
    /// empty list or a segment longer than 4 GiB - 1.
    pub(crate) fn of_dma_segments(segs: &[Seg]) -> Result<Self> {
        let n = u32::try_from(segs.len()).map_err(|_| EINVAL)?;
        if n == 0 {
            return Err(EINVAL);
        }
        let raw = Self::storage()?;
        // SAFETY: `raw` is zeroed storage for a table.
        let r = unsafe { ffi::axi_dma_shim_sgt_alloc(raw.get(), n, bindings::GFP_KERNEL) };
        kernel::error::to_result(r)?;
        // INVARIANT: initialised by the successful call above.
        let t = Self { raw };
        // SAFETY: The table is initialised with `n` entries.
        let mut sg = unsafe { ffi::axi_dma_shim_sgt_first(t.raw()) };
        for &(addr, len) in segs {
            let len = u32::try_from(len).map_err(|_| EINVAL)?;
            if sg.is_null() {
                return Err(EINVAL);
            }
            // SAFETY: `sg` is one of the table's `n` entries (the walk stops after `n`).
            unsafe {
                ffi::axi_dma_shim_sg_set_dma(sg, addr, len);
                sg = ffi::axi_dma_shim_sg_next(sg);
            }
        }
        Ok(t)
    }

    /// A table describing a coherent allocation of `dev` (`cpu`, `dma`, `size` as
    /// `dma_alloc_coherent()` returned them), as `dma_get_sgtable()` makes it: for
    /// exporting it to other devices.
    ///
    /// # Safety
    ///
    /// `cpu`/`dma`/`size` describe a live coherent allocation of `dev` that outlives the
    /// table's use.
    pub(crate) unsafe fn of_coherent(
        dev: &kernel::device::Device,
        cpu: *mut u8,
        dma: u64,
        size: usize,
    ) -> Result<Self> {
        let raw = Self::storage()?;
        // SAFETY: `raw` is zeroed storage; the allocation is live (safety requirement).
        let r = unsafe {
            ffi::axi_dma_shim_get_sgtable(ffi::raw_device(dev), raw.get(), cpu.cast(), dma, size)
        };
        kernel::error::to_result(r)?;
        // INVARIANT: initialised by the successful call above.
        Ok(Self { raw })
    }

    /// A one-entry table of `len` bytes of the kernel's linear map at `virt`.
    ///
    /// # Safety
    ///
    /// `virt..virt + len` is memory of the linear map that outlives the table's use.
    pub(crate) unsafe fn of_linear(virt: *mut u8, len: u32) -> Result<Self> {
        let raw = Self::storage()?;
        // SAFETY: `raw` is zeroed storage for a table.
        let r = unsafe { ffi::axi_dma_shim_sgt_alloc(raw.get(), 1, bindings::GFP_KERNEL) };
        kernel::error::to_result(r)?;
        let t = Self { raw };
        // SAFETY: The table has one entry; `virt` is in the linear map (safety requirement).
        unsafe {
            ffi::axi_dma_shim_sg_set_virt(ffi::axi_dma_shim_sgt_first(t.raw()), virt.cast(), len)
        };
        Ok(t)
    }

    /// Gives the table to C (a `map_dma_buf` result); [`SgTable::from_raw`] takes it back.
    pub(crate) fn into_raw(self) -> *mut bindings::sg_table {
        let t = core::mem::ManuallyDrop::new(self);
        // SAFETY: `t` is never used or dropped again; its box moves out once.
        let raw = unsafe { core::ptr::read(&t.raw) };
        KBox::into_raw(raw).cast()
    }

    /// Takes back a table given away by [`SgTable::into_raw`].
    ///
    /// # Safety
    ///
    /// `p` came from [`SgTable::into_raw`] and is taken back once.
    pub(crate) unsafe fn from_raw(p: *mut bindings::sg_table) -> Self {
        // SAFETY: `p` is the box `into_raw` gave away (safety requirement); `Opaque<T>` has
        // the layout of `T`.
        let raw = unsafe { KBox::from_raw(p.cast()) };
        Self { raw }
    }

    /// The raw table.
    pub(crate) fn raw(&self) -> *mut bindings::sg_table {
        self.raw.get()
    }

    /// The DMA segments of a table mapped with `dma_map_sgtable()`.
    pub(crate) fn dma_segments(&self) -> Result<KVec<Seg>> {
        // SAFETY: The table is initialised (type invariant) and was mapped by the caller.
        unsafe { dma_segments_of(self.raw()) }
    }
}

/// The DMA segments of the mapped table `t`, one per mapped entry.
///
/// # Safety
///
/// `t` is an initialised table mapped for DMA, not changed during the call.
pub(crate) unsafe fn dma_segments_of(t: *mut bindings::sg_table) -> Result<KVec<Seg>> {
    // SAFETY: `t` is initialised and mapped (safety requirement).
    let n = unsafe { ffi::axi_dma_shim_sgt_dma_nents(t) };
    let mut v = KVec::with_capacity(n as usize, GFP_KERNEL)?;
    // SAFETY: As above.
    let mut sg = unsafe { ffi::axi_dma_shim_sgt_first(t) };
    for _ in 0..n {
        if sg.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `sg` is one of the table's first `nents` (mapped) entries.
        let (a, l) = unsafe {
            (
                ffi::axi_dma_shim_sg_dma_address(sg),
                ffi::axi_dma_shim_sg_dma_len(sg),
            )
        };
        // Entries are kept as they are, even where one continues the previous: the DMA API
        // (and its debugging) knows each mapped entry on its own, so a hand-over or a
        // descriptor may not cross from one into the next.
        v.push((a, u64::from(l)), GFP_KERNEL)?;
        // SAFETY: As above.
        sg = unsafe { ffi::axi_dma_shim_sg_next(sg) };
    }
    Ok(v)
}

impl Drop for SgTable {
    fn drop(&mut self) {
        // SAFETY: Initialised and freed once (type invariant).
        unsafe { ffi::axi_dma_shim_sgt_free(self.raw()) };
    }
}

/// The DMA runs covering `[off, off + len)` of memory whose runs are `segs` (in order,
/// covering the memory from byte 0), as `(address, length)` pairs, passed to `f` one by
/// one. `EINVAL` if the range goes past the end.
pub(crate) fn for_each_run(
    segs: &[Seg],
    off: u64,
    len: u64,
    mut f: impl FnMut(Seg) -> Result,
) -> Result {
    let mut skip = off;
    let mut left = len;
    for &(a, l) in segs {
        if left == 0 {
            break;
        }
        if skip >= l {
            skip -= l;
            continue;
        }
        let n = (l - skip).min(left);
        f((a + skip, n))?;
        left -= n;
        skip = 0;
    }
    if left != 0 {
        return Err(EINVAL);
    }
    Ok(())
}

/// The pairs of runs a memcpy from `src` to `dst` (each a list of runs of the same total
/// length) is made of: `(dst address, src address, length)` with both sides contiguous.
pub(crate) fn zip_runs(
    src: &[Seg],
    dst: &[Seg],
    mut f: impl FnMut(u64, u64, u64) -> Result,
) -> Result {
    let (mut i, mut j) = (0, 0);
    let (mut so, mut doff) = (0u64, 0u64);
    while i < src.len() && j < dst.len() {
        let (sa, sl) = src[i];
        let (da, dl) = dst[j];
        let n = (sl - so).min(dl - doff);
        f(da + doff, sa + so, n)?;
        so += n;
        doff += n;
        if so == sl {
            i += 1;
            so = 0;
        }
        if doff == dl {
            j += 1;
            doff = 0;
        }
    }
    if i != src.len() || j != dst.len() {
        return Err(EINVAL);
    }
    Ok(())
}
