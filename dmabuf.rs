// SPDX-License-Identifier: GPL-2.0

//! dma-buf: exporting the driver's buffers to any other driver or process
//! (`AXI_DMA_IOC_EXPORT`) and importing anyone's dma-buf for DMA (`AXI_DMA_IOC_IMPORT`).
//!
//! # Export
//!
//! The dma-buf owns one reference to the [`Buffer`] (its `priv`), given back by `release`
//! when the last file reference to the dma-buf goes: the memory lives as long as the
//! dma-buf, after `FREE`, after the exporting file is closed and across an unbind. At
//! unbind the buffer is revoked for this driver (no new mapping through `/dev/axi-dmaN`, no
//! transfer: the channels are gone) but, while exported, its memory is kept
//! (`Registry::revoke_all`) and freed when the last reference goes, so importers' mappings
//! and `mmap`s of the dma-buf stay valid until they are released. (The memory is then
//! freed on a provider that may have been unbound meanwhile; with the dma-direct mapping
//! of the Zynq boards that needs nothing of the provider's driver.)
//!
//! The exporter's callbacks (`dma_buf_ops`, the table is in the C shim):
//! - `map_dma_buf`: a scatter list of the memory (`dma_get_sgtable()` for coherent
//!   memory, the linear-map block for cached memory) mapped for the importing device.
//!   Coherent memory is mapped with `DMA_ATTR_SKIP_CPU_SYNC`: the CPU reaches it only
//!   through uncached (or coherent) mappings, so there is nothing to clean or invalidate,
//!   and an invalidate of the linear map's cacheable alias would be wrong. Cached memory
//!   gets the usual maintenance from the mapping.
//! - `mmap`: the same mapping as `mmap(2)` of the buffer through our device file.
//! - `begin/end_cpu_access` (`DMA_BUF_IOCTL_SYNC`): the hand-over of a cached buffer to
//!   the CPU and back (`SYNC_FOR_CPU` / `SYNC_FOR_DEVICE`); nothing for coherent memory.
//!
//! # Import
//!
//! [`Imported`] attaches the dma-buf to the channel's DMA device and maps the attachment;
//! its DMA segments are the buffer's runs (usually scattered: see `chan/submit.rs`). It is
//! unmapped, detached and put in `Drop`, i.e. only when no transfer holds the buffer any
//! more, or at unbind (while the provider is bound). The exporter's fences are honoured:
//! a transfer on the memory is refused (`EBUSY`) while the dma-buf's reservation object
//! has unsignalled fences that conflict with it (`Buffer::dma_ready`). The CPU's view is the
//! exporter's business (`DMA_BUF_IOCTL_SYNC` on the dma-buf), not `AXI_DMA_IOC_SYNC`'s.

use core::mem::ManuallyDrop;
use kernel::{
    bindings,
    device::{
        Bound,
        Device, //
    },
    dma::DataDirection,
    ffi::{
        c_int,
        c_ulong,
        c_void, //
    },
    page::PAGE_SHIFT,
    prelude::*,
    sync::Arc,
};

use crate::{
    buffer::{
        Buffer,
        Mem, //
    },
    compat,
    dma_mem::bindings_dir,
    ffi, mmap,
    sg::{
        self,
        Seg,
        SgTable, //
    },
};

/// `DMA_ATTR_SKIP_CPU_SYNC`.
// CAST: a small bit mask (1 << 5) widened to `unsigned long`.
const SKIP_CPU_SYNC: c_ulong = bindings::DMA_ATTR_SKIP_CPU_SYNC as c_ulong;

/// `DMA_RESV_USAGE_WRITE`: the fences of writers (a reader waits for these).
const RESV_USAGE_WRITE: u32 = 1;
/// `DMA_RESV_USAGE_READ`: the fences of writers and readers (a writer waits for these).
const RESV_USAGE_READ: u32 = 2;

/// Exports `buf` as a dma-buf with file flags `file_flags` (`O_RDWR` or `O_RDONLY`) and
/// returns a new file descriptor for it (`O_CLOEXEC` in `fd_flags`). `EINVAL` for memory the
/// driver did not allocate (registered or imported), `ENODEV` once revoked, `EOPNOTSUPP`
/// on a kernel without dma-buf.
pub(crate) fn export(buf: &Arc<Buffer>, file_flags: u32, fd_flags: u32) -> Result<i32> {
    buf.begin_export()?;
    let size = usize::try_from(buf.alloc_size).map_err(|_| EOVERFLOW)?;
    let p = Arc::into_raw(buf.clone());
    let mut db = core::ptr::null_mut();
    // SAFETY: `p` is a reference to a buffer, owned by the dma-buf from here on and given
    // back by `axi_dma_rs_dmabuf_release`.
    let r = unsafe {
        ffi::axi_dma_shim_dmabuf_export(p.cast_mut().cast(), size, file_flags as c_int, &mut db)
    };
    if r != 0 {
        // SAFETY: No dma-buf took `p`: it is still ours.
        drop(unsafe { Arc::from_raw(p) });
        buf.end_export();
        return Err(Error::from_errno(r));
    }
    // SAFETY: `db` is the dma-buf just made; `dma_buf_fd` installs a file descriptor that
    // owns our reference to it, or fails and leaves the reference to us.
    let fd = unsafe { ffi::axi_dma_shim_dmabuf_fd(db, fd_flags as c_int) };
    if fd < 0 {
        // SAFETY: Our reference: its put releases the dma-buf, whose `release` gives back
        // the buffer's reference and the export count.
        unsafe { ffi::axi_dma_shim_dmabuf_put(db) };
        return Err(Error::from_errno(fd));
    }
    Ok(fd)
}

/// The buffer behind an exported dma-buf's `priv`.
///
/// # Safety
///
/// `p` is the `priv` of a dma-buf made by [`export`] that has not been released.
unsafe fn exported<'a>(p: *mut c_void) -> &'a Buffer {
    // SAFETY: The dma-buf owns a reference to the buffer until its release (safety
    // requirement).
    unsafe { &*p.cast::<Buffer>() }
}

/// Whether a mapping of `mem` for another device needs no cache maintenance.
fn skip_cpu_sync(mem: &Mem) -> bool {
    matches!(mem, Mem::Coherent(_))
}

/// The scatter list of the exported memory of `buf`, not yet mapped.
fn export_table(buf: &Buffer) -> Result<(SgTable, bool)> {
    buf.with_kept_mem(|mem| {
        let t = match mem {
            Mem::Coherent(c) => {
                #[allow(
                    clippy::useless_conversion,
                    reason = "dma_addr_t is u32 on arm without LPAE"
                )]
                let dma = u64::from(compat::dma_address(c));
                // SAFETY: `c` is the buffer's live coherent allocation on its device, kept
                // while the dma-buf holds the buffer (and the table is used while it does).
                unsafe {
                    SgTable::of_coherent(buf.device(), c.as_mut_ptr().cast::<u8>(), dma, c.size())?
                }
            }
            // SAFETY: As above: `n` is the buffer's live block of the linear map.
            Mem::Cached(n) => unsafe {
                SgTable::of_linear(n.vaddr(), u32::try_from(n.size()).map_err(|_| EOVERFLOW)?)?
            },
            Mem::User { .. } | Mem::Imported(_) => return Err(EINVAL),
        };
        Ok((t, skip_cpu_sync(mem)))
    })
}

/// `dma_buf_ops.map_dma_buf`: the memory mapped for the importer `dev` in direction `dir`.
///
/// # Safety
///
/// Called by the dma-buf core for a dma-buf made by [`export`], with a valid attached
/// device and a writable `out`.
#[no_mangle]
pub(crate) unsafe extern "C" fn axi_dma_rs_dmabuf_map(
    p: *mut c_void,
    dev: *mut bindings::device,
    dir: u32,
    out: *mut *mut bindings::sg_table,
) -> c_int {
    // SAFETY: The dma-buf is alive while it is being mapped (function's safety requirement).
    let buf = unsafe { exported(p) };
    let r = (|| -> Result<*mut bindings::sg_table> {
        let (t, skip) = export_table(buf)?;
        let attrs = if skip { SKIP_CPU_SYNC } else { 0 };
        // SAFETY: `dev` is the attached device; `t` an initialised table of the memory.
        kernel::error::to_result(unsafe {
            ffi::axi_dma_shim_map_sgtable(dev, t.raw(), dir, attrs)
        })?;
        Ok(t.into_raw())
    })();
    match r {
        Ok(t) => {
            // SAFETY: `out` is writable (function's safety requirement).
            unsafe { *out = t };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `dma_buf_ops.unmap_dma_buf`.
///
/// # Safety
///
/// `sgt` was returned by [`axi_dma_rs_dmabuf_map`] for the same dma-buf, `dev` and `dir`.
#[no_mangle]
pub(crate) unsafe extern "C" fn axi_dma_rs_dmabuf_unmap(
    p: *mut c_void,
    dev: *mut bindings::device,
    sgt: *mut bindings::sg_table,
    dir: u32,
) {
    // SAFETY: As in `axi_dma_rs_dmabuf_map`.
    let buf = unsafe { exported(p) };
    // The memory is kept while the dma-buf lives: the kind of memory did not change.
    let skip = buf.with_kept_mem(|m| Ok(skip_cpu_sync(m))).unwrap_or(false);
    let attrs = if skip { SKIP_CPU_SYNC } else { 0 };
    // SAFETY: `sgt` came from `into_raw` in the map callback and is given back once here
    // (safety requirement); it is unmapped with the values it was mapped with, then freed.
    unsafe {
        let t = SgTable::from_raw(sgt);
        ffi::axi_dma_shim_unmap_sgtable(dev, t.raw(), dir, attrs);
    }
}

/// `dma_buf_ops.release`: the last reference to the dma-buf is gone.
///
/// # Safety
///
/// Called once per dma-buf made by [`export`].
#[no_mangle]
pub(crate) unsafe extern "C" fn axi_dma_rs_dmabuf_release(p: *mut c_void) {
    // SAFETY: The dma-buf's reference, made by `Arc::into_raw` in `export`, given back
    // once (safety requirement).
    let buf = unsafe { Arc::from_raw(p.cast_const().cast::<Buffer>()) };
    buf.end_export();
    drop(buf);
}

/// `dma_buf_ops.mmap`: the buffer mapped as by `mmap(2)` on the device file.
///
/// # Safety
///
/// Called by the dma-buf core with a VMA being set up for a live dma-buf of ours, whose
/// offset and size it checked against the dma-buf's size.
#[no_mangle]
pub(crate) unsafe extern "C" fn axi_dma_rs_dmabuf_mmap(
    p: *mut c_void,
    vma: *mut bindings::vm_area_struct,
) -> c_int {
    // SAFETY: The dma-buf holds a reference to the buffer for the call (function's safety
    // requirement): borrow it as an `Arc` without taking it over.
    let buf = ManuallyDrop::new(unsafe { Arc::from_raw(p.cast_const().cast::<Buffer>()) });
    // SAFETY: `vma` is valid and being set up (function's safety requirement).
    let pgoff = unsafe { (*vma).vm_pgoff };
    // CAST: a page offset (at most 64 bits) widened; the dma-buf core checked it against
    // the dma-buf's size.
    let off = (pgoff as u64) << PAGE_SHIFT;
    // SAFETY: As above; `map_buffer` checks the range against the buffer again.
    match unsafe { mmap::map_buffer(vma, &buf, off) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `dma_buf_ops.begin_cpu_access` (`begin`) and `end_cpu_access`: the hand-over of a
/// cached buffer to the CPU and back to the devices.
///
/// # Safety
///
/// Called by the dma-buf core for a live dma-buf of ours.
#[no_mangle]
pub(crate) unsafe extern "C" fn axi_dma_rs_dmabuf_cpu_access(
    p: *mut c_void,
    _dir: u32,
    begin: bool,
) -> c_int {
    // SAFETY: As in `axi_dma_rs_dmabuf_map`.
    let buf = unsafe { exported(p) };
    let r = buf.with_kept_mem(|mem| match mem {
        Mem::Cached(n) => {
            let size = n.size();
            if begin {
                n.sync_for_cpu(0, size)
            } else {
                n.sync_for_device(0, size)
            }
        }
        _ => Ok(()),
    });
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// An imported dma-buf, attached and mapped for one device.
///
/// # Invariants
///
/// `db` is a dma-buf reference owned by this value; `attach` its attachment to the device,
/// mapped as `sgt` in direction `dma_dir`; all three are given back once, in `Drop`.
pub(crate) struct Imported {
    db: *mut bindings::dma_buf,
    attach: *mut bindings::dma_buf_attachment,
    sgt: *mut bindings::sg_table,
    dma_dir: DataDirection,
}

// SAFETY: The references are owned by this value; the dma-buf API may be called from any
// thread.
unsafe impl Send for Imported {}
// SAFETY: `&self` methods only test the reservation object, which has its own locking.
unsafe impl Sync for Imported {}

impl Imported {
    /// Imports the dma-buf of file descriptor `fd` for DMA by `dev` in direction `dir`:
    /// the import, its DMA segments and its size. `EBADF` (not an open file), `EINVAL` (not
    /// a dma-buf), or what the exporter answers to the attachment or the mapping.
    pub(crate) fn new(
        dev: &Device<Bound>,
        fd: i32,
        dir: DataDirection,
    ) -> Result<(Self, KVec<Seg>, u64)> {
        let mut db = core::ptr::null_mut();
        // SAFETY: `db` is a valid out-pointer.
        kernel::error::to_result(unsafe { ffi::axi_dma_shim_dmabuf_get(fd, &mut db) })?;
        let mut attach = core::ptr::null_mut();
        // SAFETY: `db` is our dma-buf reference; `dev` a bound device.
        let r = unsafe { ffi::axi_dma_shim_dmabuf_attach(db, ffi::raw_device(dev), &mut attach) };
        if r != 0 {
            // SAFETY: Our reference, given back once.
            unsafe { ffi::axi_dma_shim_dmabuf_put(db) };
            return Err(Error::from_errno(r));
        }
        let mut sgt = core::ptr::null_mut();
        // SAFETY: `attach` is our attachment of `db`.
        let r = unsafe { ffi::axi_dma_shim_dmabuf_map(attach, bindings_dir(dir), &mut sgt) };
        if r != 0 {
            // SAFETY: Our attachment and reference, given back once.
            unsafe {
                ffi::axi_dma_shim_dmabuf_detach(db, attach);
                ffi::axi_dma_shim_dmabuf_put(db);
            }
            return Err(Error::from_errno(r));
        }
        // INVARIANT: all three are ours from here on.
        let me = Self {
            db,
            attach,
            sgt,
            dma_dir: dir,
        };
        // SAFETY: `sgt` is the mapped table of our attachment, not changed while mapped.
        let segs = unsafe { sg::dma_segments_of(sgt)? };
        // SAFETY: `db` is a live dma-buf (ours).
        let size = unsafe { ffi::axi_dma_shim_dmabuf_size(db) };
        let mapped: u64 = segs.iter().map(|s| s.1).sum();
        if mapped < size || size == 0 {
            // A mapping that does not cover the dma-buf: not something to DMA into.
            return Err(EINVAL);
        }
        Ok((me, segs, size))
    }

    /// Whether the dma-buf's fences allow a transfer now: one that writes waits for every
    /// reader and writer, one that reads for the writers.
    pub(crate) fn idle(&self, device_writes: bool) -> bool {
        let usage = if device_writes {
            RESV_USAGE_READ
        } else {
            RESV_USAGE_WRITE
        };
        // SAFETY: `db` is a live dma-buf (type invariant).
        unsafe { ffi::axi_dma_shim_dmabuf_idle(self.db, usage) }
    }
}

impl Drop for Imported {
    fn drop(&mut self) {
        // SAFETY: Ours (type invariant), given back once, in the order the API wants. The
        // owner quiesced every transfer using the memory (a buffer is dropped only when no
        // transfer, quarantine or revocation holds it, see `buffer.rs`).
        unsafe {
            ffi::axi_dma_shim_dmabuf_unmap(self.attach, self.sgt, bindings_dir(self.dma_dir));
            ffi::axi_dma_shim_dmabuf_detach(self.db, self.attach);
            ffi::axi_dma_shim_dmabuf_put(self.db);
        }
    }
}
