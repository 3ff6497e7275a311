// SPDX-License-Identifier: GPL-2.0

//! DMA buffers: coherent memory allocated on the device that performs the DMA.
//!
//! A [`Buffer`] is reference counted. The file that allocated it holds one reference until
//! user space frees it (or closes the file); every transfer using it and every user-space
//! mapping holds another. The memory is therefore released only when no mapping and no
//! transfer uses it any more, whatever order user space does things in.

use kernel::{
    alloc::flags::__GFP_NOWARN,
    device::{
        Bound,
        Device, //
    },
    dma::Coherent,
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
    },
};

use crate::dma_chan::{
    raw_device,
    DataDir,
    NonCoherent, //
};

/// Buffers alive in the whole module, and their bytes: the module's own accounting, which
/// must be back to zero whenever no file is open (checked at every unbind).
pub(crate) static LIVE_BUFFERS: Atomic<u32> = Atomic::new(0);
/// See [`LIVE_BUFFERS`].
pub(crate) static LIVE_BYTES: Atomic<u64> = Atomic::new(0);

/// One coherent DMA buffer.
/// The memory behind a buffer.
enum Mem {
    /// `dma_alloc_coherent()`: no hand-over needed (uncached where the device is not
    /// cache-coherent).
    Coherent(Coherent<[u8]>),
    /// `dma_alloc_noncoherent()`: cacheable, handed over with explicit syncs.
    Cached(NonCoherent),
}

pub(crate) struct Buffer {
    mem: Mem,
    /// The device the memory was allocated on (the channel's provider).
    dev: ARef<Device>,
    /// The size user space asked for.
    pub(crate) size: u64,
    /// The size rounded up to whole pages: what was allocated and what may be mapped.
    pub(crate) alloc_size: u64,
    /// Whether user mappings may be cacheable: a cache-coherent provider
    /// (`dma-coherent`), or a cached buffer (whose owner syncs explicitly).
    pub(crate) coherent: bool,
}

impl Buffer {
    /// Allocates `size` zeroed bytes (rounded up to whole pages) for DMA by `dev`:
    /// coherent memory, or cacheable memory for DMA in direction `cached`.
    pub(crate) fn alloc(
        dev: &Device<Bound>,
        size: u64,
        cached: Option<DataDir>,
    ) -> Result<Arc<Self>> {
        let alloc_size =
            size.checked_add(PAGE_SIZE as u64 - 1).ok_or(EOVERFLOW)? & !(PAGE_SIZE as u64 - 1);
        let len = usize::try_from(alloc_size).map_err(|_| EOVERFLOW)?;
        // Zeroed: user space must never see stale kernel data. Running out of DMA memory
        // is an ordinary answer to a user request (ENOMEM), not something to warn about
        // (without __GFP_NOWARN a too-large request even trips a WARN in the page
        // allocator).
        let mem = match cached {
            None => Mem::Coherent(
                Coherent::<u8>::zeroed_slice(dev, len, GFP_KERNEL | __GFP_NOWARN)
                    .map_err(|_| ENOMEM)?,
            ),
            // Zeroed (and written back) by the shim as well.
            Some(dir) => Mem::Cached(NonCoherent::alloc(dev, len, dir)?),
        };
        let coherent = cached.is_some() || crate::mmap::dev_is_coherent(dev);
        LIVE_BUFFERS.add(1, Relaxed);
        LIVE_BYTES.add(alloc_size, Relaxed);
        // From here on `Drop` undoes the accounting, also if the `Arc` allocation fails.
        Ok(Arc::new(
            Self {
                mem,
                dev: dev.into(),
                size,
                alloc_size,
                coherent,
            },
            GFP_KERNEL,
        )?)
    }

    /// The bus address of byte `off`.
    #[allow(
        clippy::useless_conversion,
        reason = "dma_addr_t is u32 on 32-bit arm without LPAE"
    )]
    pub(crate) fn dma_addr(&self, off: u64) -> u64 {
        self.dma_handle() + off
    }

    /// The DMA address of the start of the buffer.
    #[allow(
        clippy::useless_conversion,
        reason = "dma_addr_t is u32 on 32-bit arm without LPAE"
    )]
    pub(crate) fn dma_handle(&self) -> u64 {
        match &self.mem {
            Mem::Coherent(c) => c.dma_handle().into(),
            Mem::Cached(n) => n.dma_handle(),
        }
    }

    /// The kernel virtual address of a coherent buffer (for `dma_mmap_attrs`).
    pub(crate) fn coherent_cpu_addr(&self) -> Option<*mut u8> {
        match &self.mem {
            Mem::Coherent(c) => Some(c.as_mut_ptr().cast()),
            Mem::Cached(_) => None,
        }
    }

    /// For a cached buffer: its direction and the PFN of its first page.
    pub(crate) fn cached(&self) -> Option<(DataDir, u64)> {
        match &self.mem {
            Mem::Coherent(_) => None,
            Mem::Cached(n) => Some((n.dir(), n.pfn())),
        }
    }

    /// Whether the device may read this buffer (`false` for cached FROM_DEVICE buffers).
    pub(crate) fn device_may_read(&self) -> bool {
        !matches!(self.cached(), Some((DataDir::FromDevice, _)))
    }

    /// Whether the device may write this buffer (`false` for cached TO_DEVICE buffers).
    pub(crate) fn device_may_write(&self) -> bool {
        !matches!(self.cached(), Some((DataDir::ToDevice, _)))
    }

    /// Hands `[off, off + len)` over to the CPU (`for_cpu`) or to the device. A no-op for
    /// coherent buffers. The caller checked the range.
    pub(crate) fn sync(&self, off: u64, len: u64, for_cpu: bool) -> Result {
        if let Mem::Cached(n) = &self.mem {
            let len = usize::try_from(len).map_err(|_| EOVERFLOW)?;
            if for_cpu {
                n.sync_for_cpu(off, len);
            } else {
                n.sync_for_device(off, len);
            }
        }
        Ok(())
    }

    /// The raw device the buffer belongs to.
    pub(crate) fn raw_dev(&self) -> *mut kernel::bindings::device {
        raw_device(&*self.dev)
    }

    /// Checks that `[off, off + len)` lies inside the buffer; returns the end.
    pub(crate) fn check_range(&self, off: u64, len: u64) -> Result<u64> {
        let end = off.checked_add(len).ok_or(EOVERFLOW)?;
        if end > self.size {
            return Err(EINVAL);
        }
        Ok(end)
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        LIVE_BUFFERS.fetch_sub(1, Relaxed);
        LIVE_BYTES.fetch_sub(self.alloc_size, Relaxed);
        // `mem` is freed after this, with `dma_free_coherent`.
    }
}
