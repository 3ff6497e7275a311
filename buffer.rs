// SPDX-License-Identifier: GPL-2.0

//! DMA buffers, allocated on the device that performs the DMA, and their revocation.
//!
//! A [`Buffer`] is reference counted: the file's buffer table holds one reference until user
//! space frees it, and so do every transfer using it (through its channel's in-flight list
//! or quarantine, see `chan.rs`) and every user mapping (the VMA). The memory is released
//! when the last of them goes, whatever order user space does things in, or earlier when
//! the device is unbound: then [`Registry::revoke_all`] takes the memory out of every
//! buffer, zaps every user mapping of the device's files (later accesses fault with
//! `SIGBUS`) and frees it while the provider is still bound (the client is a device-link
//! consumer of its providers, so it is always unbound first).
//!
//! Lock order: `mmap_lock` -> [`Registry`] -> `Buffer::mem` -> the mm's `i_mmap_rwsem` and
//! page-table locks.

use kernel::{
    device::Device,
    dma::{
        Coherent,
        DataDirection, //
    },
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex,
        MutexGuard, //
    },
};

use crate::{
    compat,
    dma_mem::{
        self,
        NonCoherent, //
    },
    dmabuf::Imported,
    ffi,
    sg::{
        self,
        Seg, //
    },
    stats::{
        LIVE_BUFFERS,
        LIVE_BYTES, //
    },
    user_mem::{
        Pinned,
        UserMem, //
    },
};

mod registry;
use registry::BufPtr;
pub(crate) use registry::{
    FileRegistration,
    PinAccount,
    PinCharge,
    Registry, //
};

/// The memory behind a buffer.
pub(crate) enum Mem {
    /// `dma_alloc_coherent()`: no hand-over needed (uncached where the device is not
    /// cache-coherent).
    Coherent(Coherent<[u8]>),
    /// `dma_alloc_noncoherent()`: cacheable, handed over with explicit syncs.
    Cached(NonCoherent),
    /// Registered user memory (`AXI_DMA_IOC_REGISTER`): pinned, mapped, handed over with
    /// explicit syncs; possibly scattered. Unpinned before its charge is given back.
    User { mem: UserMem, _charge: PinCharge },
    /// Another driver's dma-buf (`AXI_DMA_IOC_IMPORT`), attached and mapped for the
    /// device; possibly scattered. Its CPU view is the exporter's business.
    Imported(Imported),
}

/// The memory of a buffer and whether it was revoked (the device was unbound).
pub(crate) struct MemSlot {
    mem: Option<Mem>,
    revoked: bool,
}

/// One DMA buffer.
///
/// # Invariants
///
/// While `mem` holds memory, its DMA range on `dev` is `dma_handle..dma_handle + alloc_size`
/// if `segs` is empty, else the runs of `segs` in order (together `alloc_size` bytes). The
/// buffer is listed in `registry` from construction until the start of `drop`.
#[pin_data(PinnedDrop)]
pub(crate) struct Buffer {
    #[pin]
    mem: Mutex<MemSlot>,
    dma_handle: u64,
    /// The DMA runs of scattered memory (registered user memory); empty when the memory is
    /// one run from `dma_handle`.
    segs: KVec<Seg>,
    /// The device the memory was allocated on (the channel's provider).
    dev: ARef<Device>,
    /// The size user space asked for.
    pub(crate) size: u64,
    /// The size rounded up to whole pages: what was allocated and what may be mapped.
    pub(crate) alloc_size: u64,
    /// For cached buffers, the direction the device may use it in.
    cached: Option<DataDirection>,
    /// Whether the memory is an imported dma-buf (whose fences a transfer must respect).
    imported: bool,
    /// The dma-bufs exporting this buffer that are alive. Changed under the registry's
    /// lock; while it is not 0, a revocation keeps the memory (see `dmabuf.rs`).
    exports: Atomic<u32>,
    registry: Arc<Registry>,
}

impl Buffer {
    /// Allocates `size` zeroed bytes (rounded up to whole pages) for DMA by `dev` (a
    /// channel's provider): coherent memory, or cacheable memory the device uses in
    /// direction `cached`. `ENODEV` once `registry` was revoked (the client was unbound).
    pub(crate) fn alloc(
        dev: &Device,
        size: u64,
        cached: Option<DataDirection>,
        registry: &Arc<Registry>,
    ) -> Result<Arc<Self>> {
        let page = PAGE_SIZE as u64;
        let alloc_size = size.checked_add(page - 1).ok_or(EOVERFLOW)? & !(page - 1);
        let len = usize::try_from(alloc_size).map_err(|_| EOVERFLOW)?;
        // The registry's lock is held across the allocation: unbind (`revoke_all`) waits
        // for it, so the provider stays bound meanwhile.
        let mut reg = registry.inner.lock();
        if reg.revoked {
            return Err(ENODEV);
        }
        // Room for the entry first: once the buffer exists, listing it cannot fail (its
        // `drop` would take the lock we hold).
        reg.buffers.reserve(1, GFP_KERNEL)?;
        // SAFETY: The registry is not revoked and we hold its lock: the client device is
        // bound (its unbind revokes the registry under this lock before it completes), and
        // so is every provider it holds channels of, because the client is a device-link
        // consumer of each of them (`device.rs`) and is therefore unbound first.
        let bound = unsafe { dev.as_bound() };
        // Zeroed: user space must never see stale kernel data. Running out of DMA memory is
        // an ordinary answer to a user request (ENOMEM), not something to warn about.
        let gfp = GFP_KERNEL | kernel::alloc::flags::__GFP_NOWARN;
        let mem = match cached {
            None => {
                Mem::Coherent(Coherent::<u8>::zeroed_slice(bound, len, gfp).map_err(|_| ENOMEM)?)
            }
            Some(dir) => Mem::Cached(NonCoherent::alloc_zeroed(bound, len, dir)?),
        };
        // CAST: `dma_addr_t` is at most 64 bits.
        #[allow(
            clippy::useless_conversion,
            reason = "dma_addr_t is u32 on arm without LPAE"
        )]
        let dma_handle = match &mem {
            Mem::Coherent(c) => u64::from(compat::dma_address(c)),
            Mem::Cached(n) => n.dma_handle(),
            // Not made here.
            Mem::User { .. } | Mem::Imported(_) => return Err(EINVAL),
        };
        let buf = Arc::pin_init(
            try_pin_init!(Self {
                mem <- kernel::new_mutex!(MemSlot { mem: Some(mem), revoked: false }, "Buffer::mem"),
                dma_handle,
                segs: KVec::new(),
                dev: dev.into(),
                size,
                alloc_size,
                cached,
                imported: false,
                exports: Atomic::new(0),
                registry: registry.clone(),
            }),
            GFP_KERNEL,
        )?;
        LIVE_BUFFERS.add(1, Relaxed);
        LIVE_BYTES.add(alloc_size, Relaxed);
        // INVARIANT: listed from here on (room was reserved above); `drop` unlists it.
        if let Err(kernel::alloc::kvec::PushError(_)) =
            reg.buffers.push_within_capacity(BufPtr(Arc::as_ptr(&buf)))
        {
            // Cannot happen (reserved); unlisted, it must not outlive a revocation.
            drop(reg);
            return Err(ENOMEM);
        }
        Ok(buf)
    }

    /// Registers the `size` bytes of user memory at `addr` of the current process (both
    /// page-aligned, checked by the caller) for DMA by `dev` (a channel's provider) in
    /// direction `dir`: pinned and mapped (see `user_mem.rs`), `charge` (the caller's, for
    /// `size` bytes) given back when the pages are unpinned. `ENODEV` once `registry` was
    /// revoked.
    pub(crate) fn register(
        dev: &Device,
        addr: u64,
        size: u64,
        dir: DataDirection,
        charge: PinCharge,
        registry: &Arc<Registry>,
    ) -> Result<Arc<Self>> {
        // Pinned before the registry's lock: pinning takes the `mmap_lock`, and an `munmap`
        // holding that drops buffers, which takes the registry's lock.
        let pinned = Pinned::pin(addr, size, dir)?;
        let mut reg = registry.inner.lock();
        if reg.revoked {
            return Err(ENODEV);
        }
        reg.buffers.reserve(1, GFP_KERNEL)?;
        // SAFETY: As in `alloc`: the registry is not revoked and we hold its lock.
        let bound = unsafe { dev.as_bound() };
        let (mem, segs) = UserMem::map(bound, pinned, size, dir)?;
        let (dma_handle, segs) = match segs.as_slice() {
            // One run (an IOMMU, or physically contiguous pages): like allocated memory.
            [(a, _)] => (*a, KVec::new()),
            _ => (0, segs),
        };
        let alloc_size = size;
        let buf = Arc::pin_init(
            try_pin_init!(Self {
                mem <- kernel::new_mutex!(MemSlot { mem: Some(Mem::User { mem, _charge: charge }), revoked: false }, "Buffer::mem"),
                dma_handle,
                segs,
                dev: dev.into(),
                size,
                alloc_size,
                cached: Some(dir),
                imported: false,
                exports: Atomic::new(0),
                registry: registry.clone(),
            }),
            GFP_KERNEL,
        )?;
        LIVE_BUFFERS.add(1, Relaxed);
        LIVE_BYTES.add(size, Relaxed);
        // INVARIANT: listed from here on (room was reserved above); `drop` unlists it.
        if let Err(kernel::alloc::kvec::PushError(_)) =
            reg.buffers.push_within_capacity(BufPtr(Arc::as_ptr(&buf)))
        {
            drop(reg);
            return Err(ENOMEM);
        }
        Ok(buf)
    }

    /// Imports the dma-buf behind file descriptor `fd` for DMA by `dev` (a channel's
    /// provider) in direction `dir`: attached and mapped (see `dmabuf.rs`). `ENODEV` once
    /// `registry` was revoked.
    pub(crate) fn import(
        dev: &Device,
        fd: i32,
        dir: DataDirection,
        registry: &Arc<Registry>,
    ) -> Result<Arc<Self>> {
        let mut reg = registry.inner.lock();
        if reg.revoked {
            return Err(ENODEV);
        }
        reg.buffers.reserve(1, GFP_KERNEL)?;
        // SAFETY: As in `alloc`: the registry is not revoked and we hold its lock.
        let bound = unsafe { dev.as_bound() };
        let (mem, segs, size) = Imported::new(bound, fd, dir)?;
        let (dma_handle, segs) = match segs.as_slice() {
            [(a, _)] => (*a, KVec::new()),
            _ => (0, segs),
        };
        let alloc_size = size;
        let buf = Arc::pin_init(
            try_pin_init!(Self {
                mem <- kernel::new_mutex!(MemSlot { mem: Some(Mem::Imported(mem)), revoked: false }, "Buffer::mem"),
                dma_handle,
                segs,
                dev: dev.into(),
                size,
                alloc_size,
                cached: Some(dir),
                imported: true,
                exports: Atomic::new(0),
                registry: registry.clone(),
            }),
            GFP_KERNEL,
        )?;
        LIVE_BUFFERS.add(1, Relaxed);
        LIVE_BYTES.add(size, Relaxed);
        // INVARIANT: listed from here on (room was reserved above); `drop` unlists it.
        if let Err(kernel::alloc::kvec::PushError(_)) =
            reg.buffers.push_within_capacity(BufPtr(Arc::as_ptr(&buf)))
        {
            drop(reg);
            return Err(ENOMEM);
        }
        Ok(buf)
    }

    /// Whether a transfer may start on the memory now: an imported dma-buf's fences must
    /// have signalled (all of them before the device writes, the writers' before it
    /// reads). `ENODEV` once revoked.
    pub(crate) fn dma_ready(&self, device_writes: bool) -> Result<bool> {
        if !self.imported {
            return Ok(true);
        }
        match self.mem.lock().mem.as_ref() {
            Some(Mem::Imported(i)) => Ok(i.idle(device_writes)),
            _ => Err(ENODEV),
        }
    }

    /// Counts a new export of the buffer (`AXI_DMA_IOC_EXPORT`): only memory the driver
    /// allocated, not revoked. Undone by [`Buffer::end_export`].
    pub(crate) fn begin_export(&self) -> Result {
        let reg = self.registry.inner.lock();
        let slot = self.mem.lock();
        if reg.revoked || slot.revoked {
            return Err(ENODEV);
        }
        match slot.mem {
            Some(Mem::Coherent(_) | Mem::Cached(_)) => {}
            _ => return Err(EINVAL),
        }
        self.exports.add(1, Relaxed);
        Ok(())
    }

    /// An export of the buffer is gone.
    pub(crate) fn end_export(&self) {
        let _reg = self.registry.inner.lock();
        self.exports.fetch_sub(1, Relaxed);
    }

    /// Runs `f` on the memory while it is present, also after a revocation (exported
    /// memory outlives the device's binding: see `dmabuf.rs`).
    pub(crate) fn with_kept_mem<R>(&self, f: impl FnOnce(&Mem) -> Result<R>) -> Result<R> {
        let slot = self.mem.lock();
        f(slot.mem.as_ref().ok_or(ENODEV)?)
    }

    /// The DMA address of byte `off` (the caller checked the range).
    pub(crate) fn dma_addr(&self, off: u64) -> u64 {
        if self.segs.is_empty() {
            return self.dma_handle + off;
        }
        let mut addr = 0;
        let _ = sg::for_each_run(&self.segs, off, 1, |(a, _)| {
            addr = a;
            Ok(())
        });
        addr
    }

    /// The DMA address of `[off, off + len)` (checked by the caller) if it is one run of
    /// DMA addresses: always for allocated memory, for registered memory when the range
    /// does not cross from one segment into another.
    pub(crate) fn contiguous(&self, off: u64, len: u64) -> Option<u64> {
        if self.segs.is_empty() {
            return Some(self.dma_handle + off);
        }
        let mut first = None;
        let mut n = 0;
        sg::for_each_run(&self.segs, off, len, |(a, _)| {
            first.get_or_insert(a);
            n += 1;
            Ok(())
        })
        .ok()?;
        if n == 1 {
            first
        } else {
            None
        }
    }

    /// Passes the DMA runs of `[off, off + len)` (checked by the caller) to `f`, in order.
    pub(crate) fn runs(&self, off: u64, len: u64, f: impl FnMut(Seg) -> Result) -> Result {
        if self.segs.is_empty() {
            let mut f = f;
            return f((self.dma_handle + off, len));
        }
        sg::for_each_run(&self.segs, off, len, f)
    }

    /// Whether the memory was allocated on `dev`: only that device may be handed its DMA
    /// addresses (another provider may sit behind an IOMMU, other `dma-ranges` or a
    /// narrower mask).
    pub(crate) fn is_on<Ctx: kernel::device::DeviceContext>(&self, dev: &Device<Ctx>) -> bool {
        ffi::raw_device(&*self.dev) == ffi::raw_device(dev)
    }

    /// Whether the device may read this buffer (`false` for cached FROM_DEVICE buffers).
    pub(crate) fn device_may_read(&self) -> bool {
        self.cached != Some(DataDirection::FromDevice)
    }

    /// Whether the device may write this buffer (`false` for cached TO_DEVICE buffers).
    pub(crate) fn device_may_write(&self) -> bool {
        self.cached != Some(DataDirection::ToDevice)
    }

    /// Whether user mappings may be cacheable: a cache-coherent provider, or a cached
    /// buffer (whose owner syncs explicitly).
    pub(crate) fn cacheable_mapping(&self) -> bool {
        self.cached.is_some() || dma_mem::dev_is_coherent(&*self.dev)
    }

    /// The device the memory belongs to.
    pub(crate) fn device(&self) -> &Device {
        &self.dev
    }

    /// Checks that `[off, off + len)` lies inside the buffer; returns the end.
    pub(crate) fn check_range(&self, off: u64, len: u64) -> Result<u64> {
        let end = off.checked_add(len).ok_or(EOVERFLOW)?;
        if end > self.size {
            return Err(EINVAL);
        }
        Ok(end)
    }

    /// Hands `[off, off + len)` over to the CPU (`for_cpu`) or to the device. A no-op for
    /// coherent buffers; `ENODEV` once revoked.
    pub(crate) fn sync(&self, off: u64, len: u64, for_cpu: bool) -> Result {
        self.check_range(off, len)?;
        let slot = self.mem.lock();
        if slot.revoked {
            return Err(ENODEV);
        }
        match slot.mem.as_ref() {
            None => Err(ENODEV),
            Some(Mem::Coherent(_)) => Ok(()),
            Some(Mem::Cached(n)) => {
                let off = usize::try_from(off).map_err(|_| EOVERFLOW)?;
                let len = usize::try_from(len).map_err(|_| EOVERFLOW)?;
                if for_cpu {
                    n.sync_for_cpu(off, len)
                } else {
                    n.sync_for_device(off, len)
                }
            }
            // The exporter's business: `DMA_BUF_IOCTL_SYNC` on the dma-buf.
            Some(Mem::Imported(_)) => Err(EINVAL),
            Some(Mem::User { mem: u, .. }) => self.runs(off, len, |(a, l)| {
                // SAFETY: `runs` yields parts of the segments `UserMem::pin` returned for
                // `u` (type invariant: `segs`, or the one run from `dma_handle`).
                unsafe { u.sync_run(a, l, for_cpu) }
            }),
        }
    }

    /// Locks the memory for mapping it (`ENODEV` once revoked). Holding the guard keeps a
    /// concurrent revocation waiting until the new mapping is in place, so that its zap
    /// covers it.
    pub(crate) fn lock_mem(&self) -> Result<MemGuard<'_>> {
        let g = self.mem.lock();
        if g.revoked || g.mem.is_none() {
            return Err(ENODEV);
        }
        Ok(MemGuard(g))
    }
}

/// The locked, unrevoked memory of a buffer.
pub(crate) struct MemGuard<'a>(MutexGuard<'a, MemSlot>);

impl MemGuard<'_> {
    /// The memory (present: checked by [`Buffer::lock_mem`]).
    pub(crate) fn mem(&self) -> Option<&Mem> {
        self.0.mem.as_ref()
    }
}

#[pinned_drop]
impl PinnedDrop for Buffer {
    fn drop(self: Pin<&mut Self>) {
        self.registry.remove(&self);
        let had = self.mem.lock().mem.is_some();
        if had {
            LIVE_BUFFERS.fetch_sub(1, Relaxed);
            LIVE_BYTES.fetch_sub(self.alloc_size, Relaxed);
        }
        // `mem` is freed after this, with `dma_free_coherent()`/`dma_free_noncoherent()`.
    }
}
