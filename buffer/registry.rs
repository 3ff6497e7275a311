// SPDX-License-Identifier: GPL-2.0

//! The registry of a bound device's live buffers and open files' address spaces (what an
//! unbind must reach), and the accounts of registered user memory (the device's and each
//! open file's).

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc, Mutex,
    },
};

use super::Buffer;
use crate::{
    ffi,
    stats::{
        LIVE_BUFFERS,
        LIVE_BYTES, //
    },
};

/// A listed buffer (see [`Registry`]).
pub(super) struct BufPtr(pub(super) *const Buffer);
/// A listed open file's `struct address_space` (see [`Registry`]).
struct MapPtr(*mut ffi::AddressSpace);

// SAFETY: The pointers are only dereferenced under the registry's lock, where the objects
// they point to are alive (see `Registry`'s invariants); the objects are `Sync`.
unsafe impl Send for BufPtr {}
// SAFETY: As above; `unmap_mapping_range()` may be called from any thread.
unsafe impl Send for MapPtr {}

/// The fields of a [`Registry`] protected by its lock.
pub(super) struct RegistryInner {
    pub(super) buffers: KVec<BufPtr>,
    mappings: KVec<MapPtr>,
    pub(super) revoked: bool,
}

/// The live buffers and the open files' address spaces of one bound device: what
/// [`revoke_all`](Self::revoke_all) must reach at unbind.
///
/// # Invariants
///
/// Every listed buffer pointer refers to a [`Buffer`] whose `drop` has not passed its call
/// to `remove` (which takes the lock), so under the lock it is fully alive. Every listed
/// mapping belongs to a file that is open until its [`FileRegistration`] is dropped (which
/// takes the lock).
#[pin_data]
pub(crate) struct Registry {
    #[pin]
    pub(super) inner: Mutex<RegistryInner>,
    /// Bytes of user memory registered (pinned) on the device now.
    pins: Arc<PinAccount>,
}

/// A count of pinned bytes held against a limit: a device's (all its files, in its
/// [`Registry`]) and each open file's.
pub(crate) struct PinAccount {
    pinned: Atomic<u64>,
}

impl PinAccount {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                pinned: Atomic::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    /// Adds `bytes` if that keeps the count at most `max`.
    fn charge(&self, bytes: u64, max: u64) -> Result {
        let mut now = self.pinned.load(Relaxed);
        loop {
            let next = now.checked_add(bytes).filter(|n| *n <= max).ok_or(ENOSPC)?;
            match self.pinned.cmpxchg(now, next, Relaxed) {
                Ok(_) => return Ok(()),
                Err(v) => now = v,
            }
        }
    }

    fn uncharge(&self, bytes: u64) {
        self.pinned.fetch_sub(bytes, Relaxed);
    }
}

/// Pinned bytes charged to a device and to one open file, given back on drop (when the
/// pages were unpinned: the charge lives beside them; it may outlive the file, e.g. in an
/// export, and keeps the file's account alive for that).
pub(crate) struct PinCharge {
    device: Arc<PinAccount>,
    file: Arc<PinAccount>,
    bytes: u64,
}

impl PinCharge {
    /// Charges `bytes` to the device of `registry` (at most `device_max` in all) and to
    /// `file` (at most `file_max`); `ENOSPC` if either would go over, nothing charged then.
    pub(crate) fn take(
        registry: &Registry,
        device_max: u64,
        file: &Arc<PinAccount>,
        file_max: u64,
        bytes: u64,
    ) -> Result<Self> {
        file.charge(bytes, file_max)?;
        if let Err(e) = registry.pins.charge(bytes, device_max) {
            file.uncharge(bytes);
            return Err(e);
        }
        Ok(Self {
            device: registry.pins.clone(),
            file: file.clone(),
            bytes,
        })
    }
}

impl Drop for PinCharge {
    fn drop(&mut self) {
        self.device.uncharge(self.bytes);
        self.file.uncharge(self.bytes);
    }
}

impl Registry {
    pub(crate) fn new() -> Result<Arc<Self>> {
        let pins = PinAccount::new()?;
        Arc::pin_init(
            pin_init!(Self {
                inner <- kernel::new_mutex!(
                    RegistryInner {
                        buffers: KVec::new(),
                        mappings: KVec::new(),
                        revoked: false,
                    },
                    "Registry::inner"
                ),
                pins,
            }),
            GFP_KERNEL,
        )
    }

    pub(super) fn remove(&self, buf: &Buffer) {
        let mut g = self.inner.lock();
        let p: *const Buffer = buf;
        if let Some(i) = g.buffers.iter().position(|b| b.0 == p) {
            let _ = g.buffers.remove(i);
        }
    }

    /// Lists an open file's address space for [`revoke_all`](Self::revoke_all).
    ///
    /// # Safety
    ///
    /// `mapping` must be the `f_mapping` of a file that stays open until the returned
    /// registration is dropped.
    pub(crate) unsafe fn register_file(
        self: &Arc<Self>,
        mapping: *mut ffi::AddressSpace,
    ) -> Result<FileRegistration> {
        let mut g = self.inner.lock();
        if g.revoked {
            return Err(ENODEV);
        }
        g.mappings.push(MapPtr(mapping), GFP_KERNEL)?;
        Ok(FileRegistration {
            registry: self.clone(),
            mapping,
        })
    }

    /// Revokes every buffer of the device: no new buffer or mapping can be made, the memory
    /// is taken out of every buffer, every user mapping of the device's open files is zapped,
    /// and then the memory is freed. The caller has stopped all DMA (every channel released).
    /// Returns how many buffers were revoked.
    pub(crate) fn revoke_all(&self) -> usize {
        let g = {
            let mut g = self.inner.lock();
            g.revoked = true;
            g
        };
        // 1. No new mapping or sync: an `mmap` still setting one up holds the buffer's
        //    lock, so once we got it, its mapping is in place for the zap below.
        for b in g.buffers.iter() {
            // SAFETY: Listed, so alive under the lock (type invariant).
            unsafe { &*b.0 }.mem.lock().revoked = true;
        }
        // 2. No user mapping left.
        for m in g.mappings.iter() {
            // SAFETY: Listed, so the file is open and its address space alive (type
            // invariant). Zaps every PTE of every VMA mapping the file (including copies
            // made by fork); later accesses fault (no fault handler maps anything again).
            unsafe { ffi::axi_dma_shim_unmap_mapping(m.0) };
        }
        // 3. Free the memory, while the provider is still bound.
        let mut n = 0;
        for b in g.buffers.iter() {
            // SAFETY: As in 1.
            let buf = unsafe { &*b.0 };
            // An exported buffer keeps its memory for the dma-buf's importers and mappings
            // (revoked for this driver, freed with the buffer; `exports` changes only under
            // the registry's lock, which we hold).
            if buf.exports.load(Relaxed) != 0 {
                continue;
            }
            let mem = buf.mem.lock().mem.take();
            if mem.is_some() {
                n += 1;
                LIVE_BUFFERS.fetch_sub(1, Relaxed);
                LIVE_BYTES.fetch_sub(buf.alloc_size, Relaxed);
            }
            drop(mem);
        }
        n
    }
}

/// An open file listed in a [`Registry`], unlisted on drop.
pub(crate) struct FileRegistration {
    registry: Arc<Registry>,
    mapping: *mut ffi::AddressSpace,
}

// SAFETY: Only compared and removed under the registry's lock.
unsafe impl Send for FileRegistration {}
// SAFETY: No `&self` method.
unsafe impl Sync for FileRegistration {}

impl Drop for FileRegistration {
    fn drop(&mut self) {
        let mut g = self.registry.inner.lock();
        if let Some(i) = g.mappings.iter().position(|m| m.0 == self.mapping) {
            let _ = g.mappings.remove(i);
        }
    }
}
