// SPDX-License-Identifier: GPL-2.0

//! An open file's buffers: ALLOC, FREE, SYNC and the `mmap` offset space.

use kernel::{
    dma::DataDirection,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
};

use super::{
    buf_index::BufIndex,
    OpenFile, //
};
use crate::{
    buffer::Buffer,
    chan::ChanSlot,
    uapi::{
        self,
        CachedDir,
        SyncOp, //
    },
};

/// Size of the per-file mmap offset space (offsets handed out by ALLOC).
const MMAP_SPACE: u64 = 1 << 40;

/// Where a buffer's memory is seen from user space.
#[derive(Copy, Clone)]
enum Place {
    /// Allocated memory: the start of its range in the file's mmap offset space.
    Mmap(u64),
    /// Registered user memory: its user address (the table refuses overlaps).
    User(u64),
    /// An imported dma-buf: not mapped through this file.
    Imported,
}

/// A buffer owned by an open file.
struct BufSlot {
    id: u32,
    place: Place,
    buf: Arc<Buffer>,
}

impl BufSlot {
    /// The buffer's range in the mmap offset space, if it has one.
    fn mmap_range(&self) -> Option<(u64, u64)> {
        match self.place {
            Place::Mmap(off) => Some((off, self.buf.alloc_size)),
            Place::User(_) | Place::Imported => None,
        }
    }
}

/// The fields of a [`BufTable`] protected by its lock.
struct BufTableInner {
    /// Allocated buffers sorted by mmap offset, registered ones after them.
    slots: KVec<BufSlot>,
    next_id: u32,
}

impl BufTableInner {
    /// Gives `buf` the next id and puts it at `pos` of the table (its end for `None`) and in
    /// `index`: its id.
    fn add(
        &mut self,
        index: &BufIndex,
        pos: Option<usize>,
        place: Place,
        buf: Arc<Buffer>,
    ) -> Result<u32> {
        let id = self.next_id;
        self.slots.reserve(1, GFP_KERNEL)?;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        index.publish(id, &buf);
        let slot = BufSlot { id, place, buf };
        let pos = pos.unwrap_or(self.slots.len());
        // Capacity was reserved above: cannot fail.
        self.slots
            .insert_within_capacity(pos, slot)
            .map_err(|_| ENOMEM)?;
        Ok(id)
    }

    /// Buffer `id`, if the file has it.
    fn find(&self, id: u32) -> Option<Arc<Buffer>> {
        self.slots
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.buf.clone())
    }
}

/// The buffers of an open file, by id and by mmap offset.
#[pin_data]
pub(super) struct BufTable {
    #[pin]
    inner: Mutex<BufTableInner>,
    /// The buffers by id for lookups without `inner`'s lock (written under it).
    index: BufIndex,
}

/// First fit of `size` bytes in an offset space of `space` bytes whose used ranges are
/// `used` (sorted, non-overlapping `(start, len)`): the offset and the insertion index.
fn first_fit(
    used: impl Iterator<Item = (u64, u64)>,
    size: u64,
    space: u64,
) -> Option<(u64, usize)> {
    let mut off = 0u64;
    let mut n = 0;
    for (i, (start, len)) in used.enumerate() {
        if off.checked_add(size)? <= start {
            return Some((off, i));
        }
        off = start.checked_add(len)?;
        n = i + 1;
    }
    (off.checked_add(size)? <= space).then_some((off, n))
}

/// Whether `[addr, addr + size)` overlaps registered user memory among `slots`.
fn overlaps_user(slots: &[BufSlot], addr: u64, size: u64) -> bool {
    slots.iter().any(|s| match s.place {
        Place::User(a) => a < addr + size && addr < a + s.buf.size,
        Place::Mmap(_) | Place::Imported => false,
    })
}

impl BufTable {
    pub(super) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- kernel::new_mutex!(
                BufTableInner {
                    slots: KVec::new(),
                    next_id: 1,
                },
                "BufTable::inner"
            ),
            index: BufIndex::new(),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.inner.lock().slots.len()
    }

    /// Adds `buf` (at most `max` buffers): its id and mmap offset.
    fn insert(&self, buf: Arc<Buffer>, max: usize) -> Result<(u32, u64)> {
        let mut inner = self.inner.lock();
        if inner.slots.len() >= max {
            return Err(ENOSPC);
        }
        let (off, pos) = first_fit(
            inner.slots.iter().filter_map(BufSlot::mmap_range),
            buf.alloc_size,
            MMAP_SPACE,
        )
        .ok_or(ENOSPC)?;
        let id = inner.add(&self.index, Some(pos), Place::Mmap(off), buf)?;
        Ok((id, off))
    }

    /// Adds registered user memory `buf` at user address `addr` (at most `max` buffers):
    /// its id. `EEXIST` if it overlaps another registration of the file.
    pub(super) fn insert_user(&self, buf: Arc<Buffer>, addr: u64, max: usize) -> Result<u32> {
        let mut inner = self.inner.lock();
        if inner.slots.len() >= max {
            return Err(ENOSPC);
        }
        if overlaps_user(&inner.slots, addr, buf.size) {
            return Err(EEXIST);
        }
        // Registered buffers go last: the mmap-offset order of the others is kept.
        inner.add(&self.index, None, Place::User(addr), buf)
    }

    /// Adds the imported dma-buf `buf` (at most `max` buffers): its id.
    pub(super) fn insert_imported(&self, buf: Arc<Buffer>, max: usize) -> Result<u32> {
        let mut inner = self.inner.lock();
        if inner.slots.len() >= max {
            return Err(ENOSPC);
        }
        inner.add(&self.index, None, Place::Imported, buf)
    }

    /// `EEXIST` if `[addr, addr + size)` overlaps a registration of the file.
    pub(super) fn check_user_free(&self, addr: u64, size: u64) -> Result {
        if overlaps_user(&self.inner.lock().slots, addr, size) {
            return Err(EEXIST);
        }
        Ok(())
    }

    /// Removes buffer `id` from the table and the index: the table's reference. Waits for
    /// an RCU grace period if it was indexed (lookups may still be using the index's).
    fn remove(&self, id: u32) -> Option<Arc<Buffer>> {
        let (slot, withdrawn) = {
            let mut inner = self.inner.lock();
            let pos = inner.slots.iter().position(|b| b.id == id)?;
            (inner.slots.remove(pos), self.index.withdraw(id))
        };
        // The grace period outside the lock.
        drop(withdrawn);
        slot.ok().map(|s| s.buf)
    }

    /// Buffer `id` (`ENOENT` if this file has none): from the index without a lock, else
    /// from the table.
    pub(super) fn get(&self, id: u32) -> Result<Arc<Buffer>> {
        match self.index.get(id) {
            Some(b) => Ok(b),
            None => self.inner.lock().find(id).ok_or(ENOENT),
        }
    }

    /// Buffers `a` and `b` (either `None`), each `None` if there is no such buffer: a
    /// memcpy's two operands, without a lock when both are indexed, else in one lookup of
    /// the table.
    pub(super) fn get_pair(
        &self,
        a: Option<u32>,
        b: Option<u32>,
    ) -> (Option<Arc<Buffer>>, Option<Arc<Buffer>>) {
        let (ia, ib) = (
            a.and_then(|id| self.index.get(id)),
            b.and_then(|id| self.index.get(id)),
        );
        // Each one asked for was found in the index.
        if ia.is_some() == a.is_some() && ib.is_some() == b.is_some() {
            return (ia, ib);
        }
        let inner = self.inner.lock();
        (
            ia.or_else(|| a.and_then(|id| inner.find(id))),
            ib.or_else(|| b.and_then(|id| inner.find(id))),
        )
    }

    /// Drops every buffer reference of the table (the file is released: nothing can look a
    /// buffer up any more, so the index's go without a grace period).
    pub(super) fn clear(&self) {
        let slots = core::mem::take(&mut self.inner.lock().slots);
        self.index.clear();
        // Freed (if nothing else holds them) outside the lock.
        drop(slots);
    }
}

/// The DMA direction of buffer memory whose flags decoded to `d` (ALLOC, REGISTER, IMPORT).
pub(super) fn direction(d: CachedDir) -> DataDirection {
    match d {
        CachedDir::Both => DataDirection::Bidirectional,
        CachedDir::ToDevice => DataDirection::ToDevice,
        CachedDir::FromDevice => DataDirection::FromDevice,
    }
}

impl OpenFile {
    /// `AXI_DMA_IOC_ALLOC`.
    pub(crate) fn alloc(&self, req: &uapi::Alloc) -> Result<uapi::Alloc> {
        let l = &self.shared.limits;
        let cached = uapi::decode_alloc_flags(req.flags)
            .map_err(|f| {
                dev_dbg!(self.dev(), "alloc: bad flags {:#x}\n", f.0);
                EINVAL
            })?
            .map(direction);
        if req.pad != 0 {
            return Err(EINVAL);
        }
        if req.size == 0 || req.size > l.max_buffer_size {
            dev_dbg!(
                self.dev(),
                "alloc: size {:#x} outside 1..={:#x}\n",
                req.size,
                l.max_buffer_size
            );
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        let max = l.max_buffers as usize;
        // A full table fails before the (possibly large) allocation.
        if self.bufs.len() >= max {
            dev_dbg!(self.dev(), "alloc: {} buffers already\n", max);
            return Err(ENOSPC);
        }
        // SAFETY: The registry is not revoked while this file can allocate: `shutdown()`
        // revokes it at unbind, after which `Buffer::alloc` fails with ENODEV; until then
        // the provider device is bound (the client is its device-link consumer and still
        // bound, see `device.rs`).
        let dma_dev = unsafe { slot.dma_device().as_bound() };
        let buf = Buffer::alloc(dma_dev, req.size, cached, &self.shared.registry)
            .inspect_err(|e| dev_dbg!(self.dev(), "alloc: {:#x} bytes: {:?}\n", req.size, e))?;
        let alloc_size = buf.alloc_size;
        let (id, off) = self.bufs.insert(buf, max)?;
        Ok(uapi::Alloc {
            id,
            mmap_offset: off,
            mmap_size: alloc_size,
            ..*req
        })
    }

    /// Undoes an ALLOC whose result could not be written back (user space cannot know the
    /// id).
    pub(crate) fn alloc_undo(&self, id: u32) {
        drop(self.bufs.remove(id));
    }

    /// `AXI_DMA_IOC_FREE`. The memory itself goes when the last mapping and transfer using
    /// it are gone.
    pub(crate) fn free(&self, req: &uapi::Free) -> Result {
        if req.pad != 0 {
            return Err(EINVAL);
        }
        match self.bufs.remove(req.id) {
            Some(buf) => {
                drop(buf);
                self.freed.store(1, kernel::sync::atomic::Relaxed);
                // Finished transfers may still hold it on their channel's list.
                for slot in self.shared.chans.iter() {
                    slot.prune();
                }
                Ok(())
            }
            None => {
                dev_dbg!(self.dev(), "free: no buffer {}\n", req.id);
                Err(ENOENT)
            }
        }
    }

    /// `AXI_DMA_IOC_SYNC`: hands a byte range of a cached buffer over to the CPU or to the
    /// device.
    pub(crate) fn sync(&self, req: &uapi::Sync) -> Result {
        let op = SyncOp::try_from(req.op).map_err(|v| {
            dev_dbg!(self.dev(), "sync: bad op {}\n", v.0);
            EINVAL
        })?;
        let buf = self.bufs.get(req.id)?;
        if req.len == 0 {
            return Err(EINVAL);
        }
        buf.sync(req.offset, req.len, op == SyncOp::ForCpu)
    }

    /// Buffer `id` as the memory of a transfer on `slot`: `[off, off + len)` inside it, the
    /// device allowed to write it (`device_writes`) or read it, and allocated on `slot`'s
    /// DMA device. Every transfer kind (XFER, rings, KBENCH) checks its buffers here.
    pub(super) fn dma_operand(
        &self,
        slot: &ChanSlot,
        id: u32,
        off: u64,
        len: u64,
        device_writes: bool,
    ) -> Result<Arc<Buffer>> {
        self.check_operand(slot, self.bufs.get(id)?, id, off, len, device_writes)
    }

    /// [`OpenFile::dma_operand`]'s checks on buffer `b` (whose id is `id`), looked up by the
    /// caller.
    pub(super) fn check_operand(
        &self,
        slot: &ChanSlot,
        b: Arc<Buffer>,
        id: u32,
        off: u64,
        len: u64,
        device_writes: bool,
    ) -> Result<Arc<Buffer>> {
        b.check_range(off, len)?;
        let allowed = if device_writes {
            b.device_may_write()
        } else {
            b.device_may_read()
        };
        if !allowed {
            dev_dbg!(
                self.dev(),
                "buffer {} was allocated for the other direction (cached TO_/FROM_DEVICE)\n",
                id
            );
            return Err(EINVAL);
        }
        // An imported dma-buf's exporter may still have work pending on it.
        if !b.dma_ready(device_writes)? {
            dev_dbg!(self.dev(), "buffer {} has unsignalled fences\n", id);
            return Err(EBUSY);
        }
        if !b.is_on(slot.dma_device()) {
            dev_dbg!(
                self.dev(),
                "buffer {} was allocated for another DMA device\n",
                id
            );
            return Err(EINVAL);
        }
        Ok(b)
    }

    /// The buffer whose mmap range holds `offset`, and the offset inside it (`mmap`).
    pub(crate) fn buf_at(&self, offset: u64) -> Result<(Arc<Buffer>, u64)> {
        self.bufs
            .inner
            .lock()
            .slots
            .iter()
            .find_map(|b| {
                let (start, len) = b.mmap_range()?;
                (offset >= start && offset - start < len).then(|| (b.buf.clone(), offset - start))
            })
            .ok_or(EINVAL)
    }
}

#[kunit_tests(axi_dma_mmap_space)]
mod tests {
    use super::first_fit;

    #[test]
    fn first_fit_fills_holes_in_order() {
        // Empty space: at 0.
        assert_eq!(first_fit([].into_iter(), 4096, 1 << 20), Some((0, 0)));
        // A hole before the first range.
        assert_eq!(
            first_fit([(8192, 4096)].into_iter(), 4096, 1 << 20),
            Some((0, 0))
        );
        // Too small a hole: after the ranges.
        assert_eq!(
            first_fit([(4096, 4096), (12288, 4096)].into_iter(), 8192, 1 << 20),
            Some((16384, 2))
        );
        // A hole in the middle that fits exactly.
        assert_eq!(
            first_fit([(0, 4096), (8192, 4096)].into_iter(), 4096, 1 << 20),
            Some((4096, 1))
        );
        // The space is full.
        assert_eq!(first_fit([(0, 1 << 20)].into_iter(), 4096, 1 << 20), None);
        // Sizes near the top of u64 do not wrap.
        assert_eq!(first_fit([(0, 4096)].into_iter(), u64::MAX, u64::MAX), None);
    }
}
