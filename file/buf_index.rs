// SPDX-License-Identifier: GPL-2.0

//! A lock-free index of an open file's buffers by id, read under RCU: the submission path
//! finds its operands without the buffer table's lock (issue #16: one lock per
//! submission, the channel's).
//!
//! Buffer `id` may sit in slot `id % INDEX_SLOTS`. The table (`buffers.rs`) stays the
//! authority: it publishes a buffer here when it inserts it and its slot is free, and
//! withdraws it when it removes it; a buffer that found its slot taken (ids `INDEX_SLOTS`
//! apart alive at once, or more buffers than slots) is simply not indexed, and a lookup
//! that misses falls back to the table and its lock. With the default `max_buffers` (64,
//! the slot count) and ids handed out in order, a miss needs a buffer kept while 64 others
//! were allocated after it.

use core::ptr;

use kernel::sync::{
    atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
    rcu,
    Arc,
    ArcBorrow, //
};

use crate::buffer::Buffer;

/// How many buffers the index can hold.
const INDEX_SLOTS: usize = 64;

/// One slot: a buffer and its id.
struct Slot {
    id: Atomic<u32>,
    buf: Atomic<*mut Buffer>,
}

/// See the module documentation.
///
/// # Invariants
///
/// - A non-null `buf` is a pointer from [`Arc::into_raw`] whose reference the slot owns,
///   of the buffer whose id is the slot's `id`: `id` is written (Release) only while `buf`
///   is null, before a new `buf` is stored (Release).
/// - A reference taken out of a slot ([`BufIndex::withdraw`]) is dropped only after an RCU
///   grace period ([`Withdrawn`]): a reader that loaded the pointer inside its RCU read
///   section can still take a reference of its own.
/// - Slots are only written under the buffer table's lock (one writer at a time).
pub(super) struct BufIndex {
    slots: [Slot; INDEX_SLOTS],
}

/// A buffer reference withdrawn from the index: dropped after an RCU grace period.
pub(super) struct Withdrawn {
    _buf: Arc<Buffer>,
}

impl Drop for Withdrawn {
    fn drop(&mut self) {
        // Process context with no lock held: FREE, an undone ALLOC (dropped after the
        // table's lock).
        crate::wait::rcu_grace_period();
        // `_buf` is dropped after this: every RCU reader that might have loaded it from
        // the index has taken its own reference or let go.
    }
}

impl BufIndex {
    pub(super) const fn new() -> Self {
        Self {
            slots: [const {
                Slot {
                    id: Atomic::new(0),
                    buf: Atomic::new(ptr::null_mut()),
                }
            }; INDEX_SLOTS],
        }
    }

    fn slot(&self, id: u32) -> &Slot {
        // CAST: `u32` to `usize` does not truncate on the supported targets.
        &self.slots[id as usize % INDEX_SLOTS]
    }

    /// Buffer `id`, if it is indexed (`None` does not mean there is no such buffer: ask the
    /// table).
    pub(super) fn get(&self, id: u32) -> Option<Arc<Buffer>> {
        let slot = self.slot(id);
        let _rcu = rcu::read_lock();
        let p = slot.buf.load(Acquire);
        // After the pointer (Acquire): the id it was stored under, or a later one if the
        // slot was emptied and refilled meanwhile (then the pointer is not `id`'s).
        if p.is_null() || slot.id.load(Relaxed) != id {
            return None;
        }
        // SAFETY: `p` came from `Arc::into_raw` (type invariants). Its reference may have
        // been withdrawn since it was loaded, but it is dropped only after a grace period,
        // which cannot end inside this RCU read section: the count stays above zero while
        // the borrow lives.
        let b = unsafe { ArcBorrow::from_raw(p.cast_const()) };
        Some(b.into())
    }

    /// Indexes `buf` as buffer `id` if its slot is free. The caller holds the table's lock.
    pub(super) fn publish(&self, id: u32, buf: &Arc<Buffer>) {
        let slot = self.slot(id);
        if !slot.buf.load(Relaxed).is_null() {
            return;
        }
        slot.id.store(id, Release);
        slot.buf
            .store(Arc::into_raw(buf.clone()).cast_mut(), Release);
    }

    /// Takes buffer `id` out of the index, if it is there. The caller holds the table's
    /// lock.
    pub(super) fn withdraw(&self, id: u32) -> Option<Withdrawn> {
        let slot = self.slot(id);
        if slot.id.load(Relaxed) != id {
            return None;
        }
        let p = slot.buf.xchg(ptr::null_mut(), Relaxed);
        if p.is_null() {
            return None;
        }
        // SAFETY: A non-null slot owns a reference from `Arc::into_raw` (type invariants);
        // the exchange moved it here.
        let buf = unsafe { Arc::from_raw(p.cast_const()) };
        Some(Withdrawn { _buf: buf })
    }

    /// Drops every indexed reference without waiting (the file is released: nothing can
    /// look a buffer up any more).
    pub(super) fn clear(&self) {
        for slot in self.slots.iter() {
            let p = slot.buf.xchg(ptr::null_mut(), Relaxed);
            if !p.is_null() {
                // SAFETY: As in `withdraw`; no reader remains (the caller's promise).
                drop(unsafe { Arc::from_raw(p.cast_const()) });
            }
        }
    }
}

impl Drop for BufIndex {
    fn drop(&mut self) {
        self.clear();
    }
}
