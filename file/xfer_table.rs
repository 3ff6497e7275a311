// SPDX-License-Identifier: GPL-2.0

//! An open file's transfer table: the transfers user space has not collected yet, their
//! ids and the count against `max_inflight`. Submitting is `transfers.rs`, collecting
//! `completions.rs`.

use core::ptr;

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        Arc,
        Mutex,
        MutexGuard, //
    },
};

use crate::xfer::{
    recycle,
    Xfer, //
};

/// The largest `max_inflight` for which a file's table makes room for all its entries at
/// once (32 KiB of them), to list without the lock; above, every listing takes the lock.
const ROOM_MAX: u32 = 1024;

/// A transfer of an open file, until user space collects it.
pub(super) struct XferEntry {
    pub(super) xfer: Arc<Xfer>,
    /// A thread is waiting for it right now (`WAIT`).
    pub(super) waiting: bool,
    /// A blocking `XFER` whose wait a signal interrupted ([`XferTable::adopt`]): `WAIT` with
    /// the id written back collects it, `REAP` never hands it out, so that another thread
    /// reaping on the same file cannot take it from its owner.
    blocking: bool,
    /// The send half of a `LOOPBACK` (this entry is its receive): collected with it.
    companion: Option<u64>,
}

impl XferEntry {
    /// Finished, and for `REAP` to hand out.
    pub(super) fn reapable(&self) -> bool {
        self.reapable_if(self.xfer.is_done())
    }

    /// For `REAP` to hand out if `done` (whether it finished, read once by the caller).
    pub(super) fn reapable_if(&self, done: bool) -> bool {
        done && !self.waiting && !self.blocking
    }
}

impl XferEntry {
    /// A non-blocking transfer's entry.
    fn listed(xfer: Arc<Xfer>) -> Self {
        Self {
            xfer,
            waiting: false,
            blocking: false,
            companion: None,
        }
    }
}

/// The fields of an [`XferTable`] protected by its lock.
pub(super) struct XferTableInner {
    pub(super) entries: KVec<XferEntry>,
}

/// The transfers of an open file that user space has not collected yet. Finished ones
/// count against the file's limit until collected.
///
/// A blocking `XFER` (or `LOOPBACK`) gets no entry: its caller holds it, nobody else can
/// know its id before the call returns, and so the common blocking round trip takes no
/// table lock. It counts against the limit all the same (`uncollected`), and in REAP's
/// `pending` while it runs ([`Xfer::count_unlisted`]); only if a signal interrupts its
/// wait does it get an entry ([`XferTable::adopt`]), for `WAIT` to collect it.
///
/// A non-blocking transfer is listed without the lock too, once `entries` has room for
/// `max_inflight` (`sized`; up to [`ROOM_MAX`]): it goes on `incoming`, a lock-free stack,
/// and whoever takes the lock next ([`XferTable::lock`]) moves the stack into `entries`,
/// oldest first. So a submission takes one lock, the channel's (issue #16).
///
/// # Invariants
///
/// - `incoming` is null or the newest of a chain of records linked through
///   `Xfer::listed_next`, each a pointer from [`Arc::into_raw`] whose reference the chain
///   owns. Records are only pushed (a compare-exchange of the head) and the whole chain
///   only taken at once (an exchange with null, under `inner`'s lock): no ABA problem.
/// - Every entry and every record on `incoming` is counted in `uncollected` from before it
///   is added until after it is removed, and `reserve` refuses the `max_inflight + 1`th:
///   there are never more than `max_inflight` of them together, so when `sized` is set (it
///   is never cleared while the file can submit) moving `incoming` into `entries` needs no
///   allocation.
#[pin_data(PinnedDrop)]
pub(super) struct XferTable {
    #[pin]
    inner: Mutex<XferTableInner>,
    /// Non-blocking transfers listed without the lock (see the invariants).
    incoming: Atomic<*mut Xfer>,
    /// `entries` has room for `max_inflight` entries.
    sized: Atomic<bool>,
    /// The next id: per file, increasing from 1, never reused while the file is open.
    next_id: Atomic<u64>,
    /// Transfers submitted and not yet collected, against `max_inflight`: the entries, and
    /// the blocking transfers their callers hold without one.
    uncollected: Atomic<u32>,
}

impl XferTable {
    pub(super) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- kernel::new_mutex!(
                XferTableInner {
                    entries: KVec::new(),
                },
                "XferTable::inner"
            ),
            incoming: Atomic::new(ptr::null_mut()),
            sized: Atomic::new(false),
            next_id: Atomic::new(1),
            uncollected: Atomic::new(0),
        })
    }

    /// The table under its lock, with the transfers listed without it moved in.
    pub(super) fn lock(&self) -> MutexGuard<'_, XferTableInner> {
        let mut inner = self.inner.lock();
        self.take_incoming(&mut inner);
        inner
    }

    /// Moves the records on `incoming` into `entries`, oldest first.
    fn take_incoming(&self, inner: &mut XferTableInner) {
        // Acquire: pairs with the pushes' Release (the records' links are seen).
        let mut p = self.incoming.xchg(ptr::null_mut(), Acquire);
        // The chain is newest first: reverse it.
        let mut oldest = ptr::null_mut();
        while !p.is_null() {
            // SAFETY: The chain owns a reference to each of its records (type invariants):
            // they are alive, and after the exchange nobody else reads or writes their links.
            let x = unsafe { &*p };
            let next = x.listed_next.load(Relaxed);
            x.listed_next.store(oldest, Relaxed);
            oldest = p;
            p = next;
        }
        while !oldest.is_null() {
            // SAFETY: As above: a record of the chain, its reference now ours.
            let next = unsafe { &*oldest }.listed_next.load(Relaxed);
            // SAFETY: The chain's reference, from `Arc::into_raw` (type invariants), moves here.
            let xfer = unsafe { Arc::from_raw(oldest.cast_const()) };
            // Room was made for `max_inflight` entries (type invariants): cannot fail. Were it
            // to, the record goes back on the stack rather than being lost.
            if inner.entries.len() == inner.entries.capacity()
                && inner.entries.reserve(1, GFP_KERNEL).is_err()
            {
                self.push(xfer);
            } else if let Err(e) = inner.entries.push_within_capacity(XferEntry::listed(xfer)) {
                self.push(e.0.xfer);
            }
            oldest = next;
        }
    }

    /// Puts `xfer` on `incoming`.
    fn push(&self, xfer: Arc<Xfer>) {
        let x = Arc::into_raw(xfer).cast_mut();
        let mut head = self.incoming.load(Relaxed);
        loop {
            // SAFETY: `x` is from `Arc::into_raw` above and not on the chain yet: the record
            // is alive and its link is ours.
            unsafe { &*x }.listed_next.store(head, Relaxed);
            // Release: the link is written before the record can be taken.
            match self.incoming.cmpxchg(head, x, Release) {
                Ok(_) => return,
                Err(now) => head = now,
            }
        }
    }

    /// Counts a new transfer against the limit of `max` uncollected ones and returns its
    /// id; `EBUSY` at the limit.
    pub(super) fn reserve(&self, max: u32) -> Result<u64> {
        if self.uncollected.fetch_add(1, Relaxed) >= max {
            self.uncollected.fetch_sub(1, Relaxed);
            return Err(EBUSY);
        }
        Ok(self.next_id.fetch_add(1, Relaxed))
    }

    /// `n` transfers were collected (or never started).
    pub(super) fn uncount(&self, n: usize) {
        // CAST: at most `max_inflight` (a `u32`) at once.
        self.uncollected.fetch_sub(n as u32, Relaxed);
    }

    /// Whether a finished transfer waits for `REAP`.
    pub(super) fn any_reapable(&self) -> bool {
        self.lock().entries.iter().any(XferEntry::reapable)
    }

    /// The transfers still in flight.
    pub(super) fn pending(&self) -> KVec<Arc<Xfer>> {
        let inner = self.lock();
        let mut v = KVec::new();
        for e in inner.entries.iter().filter(|e| !e.xfer.is_done()) {
            if v.push(e.xfer.clone(), GFP_KERNEL).is_err() {
                break;
            }
        }
        v
    }

    /// Forgets every entry (the file is released).
    pub(super) fn clear(&self) {
        let entries = {
            let mut inner = self.lock();
            self.sized.store(false, Relaxed);
            core::mem::take(&mut inner.entries)
        };
        self.uncount(entries.len());
        drop(entries);
    }

    /// Applies `f` to transfer `id`'s entry, if there is one.
    fn with_entry(&self, id: u64, f: impl FnOnce(&mut XferEntry)) {
        if let Some(e) = self.lock().entries.iter_mut().find(|e| e.xfer.id == id) {
            f(e);
        }
    }

    pub(super) fn unmark_waiting(&self, id: u64) {
        self.with_entry(id, |e| e.waiting = false);
    }

    /// Adds a non-blocking transfer, counted by [`XferTable::reserve`] against `max`
    /// (`max_inflight`): without the lock once the table has room for `max` entries.
    pub(super) fn list(&self, xfer: &Arc<Xfer>, max: u32) -> Result {
        // Acquire: the room was made before the flag was set.
        if self.sized.load(Acquire) {
            self.push(xfer.clone());
            return Ok(());
        }
        let mut inner = self.lock();
        // CAST: `u32` to `usize` does not truncate on the supported targets.
        let room = (max as usize).saturating_sub(inner.entries.len());
        if max <= ROOM_MAX && inner.entries.reserve(room, GFP_KERNEL).is_ok() {
            self.sized.store(true, Release);
        }
        inner
            .entries
            .push(XferEntry::listed(xfer.clone()), GFP_KERNEL)?;
        Ok(())
    }

    /// Gives a blocking transfer whose wait a signal interrupted an entry (with the send
    /// half of a loopback as its `companion`), so that `WAIT` with its id collects it; REAP
    /// never hands it out. `ENOMEM`: nothing changed.
    pub(super) fn adopt(&self, xfer: &Arc<Xfer>, companion: Option<&Arc<Xfer>>) -> Result {
        let mut inner = self.lock();
        inner
            .entries
            .reserve(1 + usize::from(companion.is_some()), GFP_KERNEL)?;
        let entry = |x: &Arc<Xfer>, companion| XferEntry {
            xfer: x.clone(),
            waiting: false,
            blocking: true,
            companion,
        };
        for e in Iterator::chain(
            core::iter::once(entry(xfer, companion.map(|c| c.id))),
            companion.map(|c| entry(c, None)),
        ) {
            // Capacity was reserved above: cannot fail.
            inner.entries.push_within_capacity(e).map_err(|_| ENOMEM)?;
        }
        // Under the lock: REAP counts them as entries from now on, never twice.
        xfer.uncount();
        if let Some(c) = companion {
            c.uncount();
        }
        Ok(())
    }

    /// Removes transfer `id` and the send half of a loopback with it (their records go
    /// back to the pool if nothing else references them).
    pub(super) fn forget(&self, id: u64) {
        let (mut gone, mut companion) = (None, None);
        {
            let mut inner = self.lock();
            if let Some(pos) = inner.entries.iter().position(|e| e.xfer.id == id) {
                if let Ok(e) = inner.entries.remove(pos) {
                    if let Some(c) = e.companion {
                        if let Some(p) = inner.entries.iter().position(|e| e.xfer.id == c) {
                            companion = inner.entries.remove(p).ok();
                        }
                    }
                    gone = Some(e);
                }
            }
        }
        for e in [gone, companion].into_iter().flatten() {
            self.uncount(1);
            recycle(e.xfer);
        }
    }

    pub(super) fn find(&self, id: u64) -> Result<Arc<Xfer>> {
        self.lock()
            .entries
            .iter()
            .find(|e| e.xfer.id == id)
            .map(|e| e.xfer.clone())
            .ok_or(ENOENT)
    }
}

#[pinned_drop]
impl PinnedDrop for XferTable {
    fn drop(self: Pin<&mut Self>) {
        // Empty after `clear` (the file's release); for the type's own sake.
        let mut p = self.incoming.xchg(ptr::null_mut(), Acquire);
        while !p.is_null() {
            // SAFETY: A record of the chain (type invariants), taken off it by the exchange.
            let next = unsafe { &*p }.listed_next.load(Relaxed);
            // SAFETY: The chain's reference, from `Arc::into_raw`, moves here and is dropped.
            drop(unsafe { Arc::from_raw(p.cast_const()) });
            p = next;
        }
    }
}
