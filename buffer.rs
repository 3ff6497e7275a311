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

use crate::dma_chan::raw_device;

/// Buffers alive in the whole module, and their bytes: the module's own accounting, which
/// must be back to zero whenever no file is open (checked at every unbind).
pub(crate) static LIVE_BUFFERS: Atomic<u32> = Atomic::new(0);
/// See [`LIVE_BUFFERS`].
pub(crate) static LIVE_BYTES: Atomic<u64> = Atomic::new(0);

/// One coherent DMA buffer.
pub(crate) struct Buffer {
    mem: Coherent<[u8]>,
    /// The device the memory was allocated on (the channel's provider).
    dev: ARef<Device>,
    /// The size user space asked for.
    pub(crate) size: u64,
    /// The size rounded up to whole pages: what was allocated and what may be mapped.
    pub(crate) alloc_size: u64,
    /// Whether the provider is cache-coherent (`dma-coherent`).
    pub(crate) coherent: bool,
}

impl Buffer {
    /// Allocates `size` zeroed bytes (rounded up to whole pages) for DMA by `dev`.
    pub(crate) fn alloc(dev: &Device<Bound>, size: u64) -> Result<Arc<Self>> {
        let alloc_size =
            size.checked_add(PAGE_SIZE as u64 - 1).ok_or(EOVERFLOW)? & !(PAGE_SIZE as u64 - 1);
        let len = usize::try_from(alloc_size).map_err(|_| EOVERFLOW)?;
        // Zeroed: user space must never see stale kernel data. Running out of DMA memory
        // is an ordinary answer to a user request (ENOMEM), not something to warn about
        // (without __GFP_NOWARN a too-large request even trips a WARN in the page
        // allocator).
        let mem = Coherent::<u8>::zeroed_slice(dev, len, GFP_KERNEL | __GFP_NOWARN)
            .map_err(|_| ENOMEM)?;
        let coherent = crate::mmap::dev_is_coherent(dev);
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
        u64::from(self.mem.dma_handle()) + off
    }

    /// The DMA address of the start of the buffer.
    #[allow(
        clippy::useless_conversion,
        reason = "dma_addr_t is u32 on 32-bit arm without LPAE"
    )]
    pub(crate) fn dma_handle(&self) -> u64 {
        self.mem.dma_handle().into()
    }

    /// The kernel virtual address of the buffer.
    pub(crate) fn cpu_addr(&self) -> *mut u8 {
        self.mem.as_mut_ptr().cast()
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
