//! [`Buffer`]: a DMA buffer mapped into the process.

use crate::{abi, Device, Result};

/// A mapped DMA buffer. Unmapped and freed when dropped.
#[derive(Debug)]
pub struct Buffer<'d> {
    pub(crate) dev: &'d Device,
    pub(crate) id: u32,
    pub(crate) chan: u32,
    pub(crate) size: u64,
    pub(crate) ptr: *mut u8,
    pub(crate) map_len: usize,
}

// SAFETY: The mapping is plain shared memory owned by this value; access follows the
// borrow rules of the slice accessors.
unsafe impl Send for Buffer<'_> {}
// SAFETY: As above: `&Buffer` only gives `&[u8]`.
unsafe impl Sync for Buffer<'_> {}

impl Buffer<'_> {
    /// The driver's id of the buffer.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// The channel it was allocated for.
    pub fn chan(&self) -> u32 {
        self.chan
    }
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.size as usize
    }
    /// Whether it has no bytes (never: the driver refuses empty buffers).
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` maps at least `size` bytes for the lifetime of `self`; no DMA
        // writes into it while `&self` is borrowed here (a transfer writing into it holds
        // `&mut self`).
        unsafe { std::slice::from_raw_parts(self.ptr, self.size as usize) }
    }
    /// Hands `[off, off + len)` to the device after the CPU wrote it (cached buffers;
    /// a no-op otherwise).
    pub fn sync_for_device(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.id, op: abi::SYNC_FOR_DEVICE, offset: off, len };
        self.dev.ioctl("sync for device", abi::IOC_SYNC, &mut s)
    }

    /// Hands `[off, off + len)` back to the CPU after the device wrote it.
    pub fn sync_for_cpu(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.id, op: abi::SYNC_FOR_CPU, offset: off, len };
        self.dev.ioctl("sync for cpu", abi::IOC_SYNC, &mut s)
    }

    /// The bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: As in `as_slice`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.size as usize) }
    }
}

impl Drop for Buffer<'_> {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`map_len` is our mapping, unmapped once.
        unsafe { libc::munmap(self.ptr.cast(), self.map_len) };
        let mut f = abi::Free { id: self.id, pad: 0 };
        let _ = self.dev.ioctl("free buffer", abi::IOC_FREE, &mut f);
    }
}
