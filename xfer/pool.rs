// SPDX-License-Identifier: GPL-2.0

//! A file's finished transfer records, kept for reuse by [`Xfer::new`] without a lock.
//!
//! Each slot holds one record or nothing; a record moves in and out with one atomic
//! exchange, so a slot can never be read half-taken and two takers never get the same
//! record (no ABA problem: nothing is compared but "empty"). Taking a record scans from the
//! first slot and putting one back fills the first empty slot, so a file with `d`
//! transfers in flight touches its first `d` slots: a blocking loop takes and returns slot
//! 0. Submission takes no lock for its record (issue #16).

use core::{
    pin::Pin,
    ptr, //
};

use kernel::sync::{
    atomic::{
        Acquire,
        Atomic,
        Full,
        Relaxed, //
    },
    Arc,
    UniqueArc, //
};

use super::Xfer;
use crate::stats::LIVE_XFERS;

/// The most records a file keeps for reuse (the default `max_inflight`).
const POOL_MAX: usize = 64;

/// See the module documentation.
///
/// # Invariants
///
/// A non-null slot holds a pointer from [`Arc::into_raw`] whose reference the slot owns,
/// of a record nobody else references; such a record is not counted in [`LIVE_XFERS`]
/// (whoever takes it out counts it again). Once `closed`, every record put in a slot is
/// taken out again and dropped, by [`Pool::close`] or by the [`Pool::put`] that sees
/// `closed`.
pub(super) struct Pool {
    slots: [Atomic<*mut Xfer>; POOL_MAX],
    closed: Atomic<bool>,
}

impl Pool {
    pub(super) const fn new() -> Self {
        Self {
            slots: [const { Atomic::new(ptr::null_mut()) }; POOL_MAX],
            closed: Atomic::new(false),
        }
    }

    /// Moves the record out of `slot`, if it holds one. `close` is for [`Pool::close`] and
    /// [`Pool::put`]'s closed path: they need a fully ordered exchange (see `put`); a taker
    /// needs only to see the record's contents (Acquire, pairing with `put`'s exchange).
    #[inline]
    fn take_from(slot: &Atomic<*mut Xfer>, close: bool) -> Option<Pin<UniqueArc<Xfer>>> {
        let p = if close {
            slot.xchg(ptr::null_mut(), Full)
        } else {
            slot.xchg(ptr::null_mut(), Acquire)
        };
        if p.is_null() {
            return None;
        }
        LIVE_XFERS.add(1, Relaxed);
        // SAFETY: By the type invariants a non-null slot owns a reference from
        // `Arc::into_raw`; the exchange moved it out of the slot, to here.
        let x = unsafe { Arc::from_raw(p.cast_const()) };
        // The only reference (type invariants): always `Some`.
        Arc::into_unique_or_drop(x)
    }

    /// A pooled record, if there is one (its fields are the last transfer's).
    #[inline]
    pub(super) fn take(&self) -> Option<Pin<UniqueArc<Xfer>>> {
        self.slots
            .iter()
            // A relaxed look first: an exchange of an empty slot would dirty its cache line.
            .filter(|s| !s.load(Relaxed).is_null())
            .find_map(|s| Self::take_from(s, false))
    }

    /// Keeps `x` for reuse; hands it back if every slot is full.
    #[inline]
    pub(super) fn put(&self, x: Pin<UniqueArc<Xfer>>) -> core::result::Result<(), Arc<Xfer>> {
        let x: Arc<Xfer> = x.into();
        let p = Arc::into_raw(x).cast_mut();
        LIVE_XFERS.fetch_sub(1, Relaxed);
        for (i, slot) in self.slots.iter().enumerate() {
            if !slot.load(Relaxed).is_null() || slot.cmpxchg(ptr::null_mut(), p, Full).is_err() {
                continue;
            }
            // `close` sets `closed` and then empties every slot, both fully ordered, and so
            // does this (the exchange above, then this read): either `close` empties this
            // slot after the record went in, or this read sees `closed` and takes it out
            // again (or whatever record is there by now; `close` took ours then).
            if self.closed.load(Relaxed) {
                free_pooled(&self.slots[i]);
            }
            return Ok(());
        }
        LIVE_XFERS.add(1, Relaxed);
        // SAFETY: `p` is from `Arc::into_raw` above and went into no slot.
        Err(unsafe { Arc::from_raw(p.cast_const()) })
    }

    /// Frees the pooled records and stops pooling (the file is released): a pooled record
    /// refers to the events that own this pool, a cycle only this breaks.
    pub(super) fn close(&self) {
        self.closed.xchg(true, Full);
        for slot in self.slots.iter() {
            free_pooled(slot);
        }
    }
}

/// Frees a record that is not pooled (out of line: the hot paths only move records).
#[cold]
#[inline(never)]
pub(super) fn free(x: Arc<Xfer>) {
    drop(x);
}

/// Frees the record in `slot`, if there is one (out of line, as [`free`]).
#[cold]
#[inline(never)]
fn free_pooled(slot: &Atomic<*mut Xfer>) {
    drop(Pool::take_from(slot, true));
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Empty already (a pooled record keeps the pool's owner alive until `close`); for
        // the type's own sake.
        self.close();
    }
}
