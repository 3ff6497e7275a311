// SPDX-License-Identifier: GPL-2.0

//! An open file's transfer table: the transfers user space has not collected yet, their
//! ids and the count against `max_inflight`. Submitting is `transfers.rs`, collecting
//! `completions.rs`.

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex, //
    },
};

use crate::xfer::{
    recycle,
    Xfer, //
};

/// A transfer of an open file, until user space collects it.
pub(super) struct XferEntry {
    pub(super) xfer: Arc<Xfer>,
    /// A thread is waiting for it right now (`WAIT`).
    pub(super) waiting: bool,
    /// A blocking `XFER` whose wait a signal interrupted ([`XferTable::adopt`]): `WAIT` with
    /// the id written back collects it, `REAP` never hands it out, so that another thread
    /// reaping on the same file cannot take it from its owner.
    pub(super) blocking: bool,
    /// The send half of a `LOOPBACK` (this entry is its receive): collected with it.
    companion: Option<u64>,
}

impl XferEntry {
    /// Finished, and for `REAP` to hand out.
    pub(super) fn reapable(&self) -> bool {
        !self.waiting && !self.blocking && self.xfer.is_done()
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
#[pin_data]
pub(super) struct XferTable {
    #[pin]
    pub(super) inner: Mutex<XferTableInner>,
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
            next_id: Atomic::new(1),
            uncollected: Atomic::new(0),
        })
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
        self.inner.lock().entries.iter().any(XferEntry::reapable)
    }

    /// The transfers still in flight.
    pub(super) fn pending(&self) -> KVec<Arc<Xfer>> {
        let inner = self.inner.lock();
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
        let entries = core::mem::take(&mut self.inner.lock().entries);
        self.uncount(entries.len());
        drop(entries);
    }

    /// Applies `f` to transfer `id`'s entry, if there is one.
    fn with_entry(&self, id: u64, f: impl FnOnce(&mut XferEntry)) {
        if let Some(e) = self
            .inner
            .lock()
            .entries
            .iter_mut()
            .find(|e| e.xfer.id == id)
        {
            f(e);
        }
    }

    pub(super) fn unmark_waiting(&self, id: u64) {
        self.with_entry(id, |e| e.waiting = false);
    }

    /// Adds a non-blocking transfer.
    pub(super) fn list(&self, xfer: &Arc<Xfer>) -> Result {
        self.inner.lock().entries.push(
            XferEntry {
                xfer: xfer.clone(),
                waiting: false,
                blocking: false,
                companion: None,
            },
            GFP_KERNEL,
        )?;
        Ok(())
    }

    /// Gives a blocking transfer whose wait a signal interrupted an entry (with the send
    /// half of a loopback as its `companion`), so that `WAIT` with its id collects it; REAP
    /// never hands it out. `ENOMEM`: nothing changed.
    pub(super) fn adopt(&self, xfer: &Arc<Xfer>, companion: Option<&Arc<Xfer>>) -> Result {
        let mut inner = self.inner.lock();
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
            let mut inner = self.inner.lock();
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
        self.inner
            .lock()
            .entries
            .iter()
            .find(|e| e.xfer.id == id)
            .map(|e| e.xfer.clone())
            .ok_or(ENOENT)
    }
}
