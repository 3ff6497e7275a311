//! DMA buffers mapped into the process: [`Buffer`] (the CPU's) and [`SharedBuffer`] (the
//! engine's, possibly in several transfers at once).

use crate::{abi, device::DevInner, Result};
use std::sync::Arc;

/// One allocation of the driver and its mapping in this process. Unmapped and freed when the
/// last handle goes. Its bytes are reached only through a [`Buffer`], the one handle that
/// exists while no transfer holds the mapping (see the crate's `# Soundness`).
/// (`pub` only for the sealed trait; nothing outside the crate can name it.)
#[derive(Debug)]
pub struct Mapping {
    /// Keeps the file open: the id is only meaningful for it.
    pub(crate) dev: Arc<DevInner>,
    pub(crate) id: u32,
    pub(crate) chan: u32,
    pub(crate) size: u64,
    pub(crate) ptr: *mut u8,
    pub(crate) map_len: usize,
}

// SAFETY: The mapping is plain shared memory; `Mapping` itself gives no access to it. The
// handles that do ([`Buffer`]) follow the borrow rules, and the file descriptor is `Sync`.
unsafe impl Send for Mapping {}
// SAFETY: As above.
unsafe impl Sync for Mapping {}

impl Drop for Mapping {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            // SAFETY: `ptr`/`map_len` is our mapping, unmapped once. Unmapping while a
            // transfer still uses the buffer is fine: the driver keeps the memory until the
            // transfer ends.
            unsafe { libc::munmap(self.ptr.cast(), self.map_len) };
        }
        let mut f = abi::Free { id: self.id, pad: 0 };
        let _ = self.dev.ioctl("free buffer", abi::IOC_FREE, &mut f);
    }
}

mod sealed {
    pub trait Sealed {
        /// The mapping behind the handle.
        fn mapping(&self) -> &std::sync::Arc<super::Mapping>;
    }
}

/// A buffer handle a non-blocking transfer can own: [`Buffer`] or [`SharedBuffer`].
/// Sealed: only this crate's handles, whose memory safe code cannot reach while a transfer
/// owns them.
pub trait DmaBuf: sealed::Sealed + Send + Sync + 'static {
    /// The driver's id of the buffer.
    fn buf_id(&self) -> u32 {
        self.mapping().id
    }
}

/// A mapped DMA buffer, the one handle with CPU access to its bytes. Unmapped and freed when
/// dropped.
///
/// Blocking calls borrow it (`&` to read from it, `&mut` to write into it) until the DMA is
/// over; non-blocking ones take it by value and give it back when the transfer is over. It is
/// not `Clone`: while a `Buffer` exists, no transfer holds its memory.
#[derive(Debug)]
pub struct Buffer {
    /// Never shared: the strong count is 1 whenever a `Buffer` exists.
    map: Arc<Mapping>,
}

impl Buffer {
    pub(crate) fn new(map: Mapping) -> Self {
        Self { map: Arc::new(map) }
    }
    pub(crate) fn mapping(&self) -> &Mapping {
        &self.map
    }
    /// The driver's id of the buffer.
    pub fn id(&self) -> u32 {
        self.map.id
    }
    /// The channel it was allocated for.
    pub fn chan(&self) -> u32 {
        self.map.chan
    }
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.map.size as usize
    }
    /// Whether it has no bytes (never: the driver refuses empty buffers).
    pub fn is_empty(&self) -> bool {
        self.map.size == 0
    }
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` maps at least `size` bytes while the mapping lives, which is at least
        // as long as `self`. No transfer holds this buffer (a non-blocking one owns the
        // `Buffer`, and `SharedBuffer::try_into_buffer` only succeeds once none holds a
        // clone), and a blocking one writing into it holds `&mut self`.
        unsafe { std::slice::from_raw_parts(self.map.ptr, self.map.size as usize) }
    }
    /// The bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: As in `as_slice`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.map.ptr, self.map.size as usize) }
    }
    /// Hands `[off, off + len)` to the device after the CPU wrote it (cached buffers;
    /// a no-op otherwise).
    pub fn sync_for_device(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.map.id, op: abi::SYNC_FOR_DEVICE, offset: off, len };
        self.map.dev.ioctl("sync for device", abi::IOC_SYNC, &mut s)
    }
    /// Hands `[off, off + len)` back to the CPU after the device wrote it.
    pub fn sync_for_cpu(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.map.id, op: abi::SYNC_FOR_CPU, offset: off, len };
        self.map.dev.ioctl("sync for cpu", abi::IOC_SYNC, &mut s)
    }
    /// The buffer as a new dma-buf file descriptor (ABI revision 4): for another driver to
    /// import, or another process to map (send it over a Unix socket). `rdwr`: writable
    /// mappings allowed. The memory lives as long as the dma-buf, also after this buffer is
    /// dropped. Only buffers the driver allocated (`EINVAL` for registered memory).
    pub fn export(&self, rdwr: bool) -> Result<std::os::fd::OwnedFd> {
        let flags = libc::O_CLOEXEC as u32 | if rdwr { libc::O_RDWR as u32 } else { 0 };
        let mut e = abi::Export { id: self.map.id, flags, ..Default::default() };
        self.map.dev.ioctl("export buffer", abi::IOC_EXPORT, &mut e)?;
        // SAFETY: The driver installed `fd` for us; nothing else owns it.
        Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(e.fd) })
    }
    /// Gives up CPU access so that several transfers can use the buffer at once (e.g. the
    /// same source and destination for a pipeline of copies). Get it back with
    /// [`SharedBuffer::try_into_buffer`].
    pub fn into_shared(self) -> SharedBuffer {
        SharedBuffer { map: self.map }
    }
}

impl sealed::Sealed for Buffer {
    fn mapping(&self) -> &Arc<Mapping> {
        &self.map
    }
}
impl DmaBuf for Buffer {}

/// A buffer for the engine only: clones can be handed to any number of non-blocking
/// transfers (as source or destination), and none of them gives access to the bytes.
///
/// [`SharedBuffer::try_into_buffer`] turns the last handle back into a [`Buffer`]; a clone
/// held by a transfer that was forgotten (`mem::forget`) keeps that from ever succeeding,
/// so the memory stays out of reach for as long as the engine may use it.
#[derive(Debug, Clone)]
pub struct SharedBuffer {
    map: Arc<Mapping>,
}

impl SharedBuffer {
    /// The driver's id of the buffer.
    pub fn id(&self) -> u32 {
        self.map.id
    }
    /// The channel it was allocated for.
    pub fn chan(&self) -> u32 {
        self.map.chan
    }
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.map.size as usize
    }
    /// Whether it has no bytes (never: the driver refuses empty buffers).
    pub fn is_empty(&self) -> bool {
        self.map.size == 0
    }
    /// Handles to this buffer, this one included (those owned by transfers count).
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.map)
    }
    /// CPU access again, if this is the last handle (every transfer that held one was
    /// waited for, finished with a reaped completion, or dropped); otherwise `self` back.
    /// Never for an imported dma-buf ([`crate::Device::import`]): its CPU side is the
    /// exporter's.
    pub fn try_into_buffer(mut self) -> std::result::Result<Buffer, SharedBuffer> {
        // No `Weak` is ever made, so `get_mut` succeeds exactly when this handle is the last.
        if !self.map.ptr.is_null() && Arc::get_mut(&mut self.map).is_some() {
            Ok(Buffer { map: self.map })
        } else {
            Err(self)
        }
    }
}

impl sealed::Sealed for SharedBuffer {
    fn mapping(&self) -> &Arc<Mapping> {
        &self.map
    }
}
impl DmaBuf for SharedBuffer {}
