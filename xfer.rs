// SPDX-License-Identifier: GPL-2.0

//! One submitted transfer ([`Xfer`]) and the per-file completion events ([`Events`]).
//!
//! An `Xfer` is shared by up to three owners: the file's transfer table (until user space
//! collects it), its channel's in-flight list (until the channel is known to be done with
//! it) and the completion callback (see `dmaengine.rs`). It holds no DMA memory, so the
//! callback may drop the last reference in atomic context; the buffers a transfer uses are
//! held by the channel's in-flight list and freed in process context.

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Full,
            Relaxed,
            Release, //
        },
        Arc,
    },
    time::{
        Instant,
        Monotonic, //
    },
};

mod pool;

use pool::Pool;

use crate::{
    dmaengine::{
        CallbackRef,
        Completion,
        TxResult, //
    },
    stats::{
        ChanStats,
        LIVE_XFERS, //
    },
    wait::{
        Sleep,
        Until,
        WaitQueue,
        WaitResult, //
    },
};

/// Per-file completion events: one wait queue and a counter bumped by every completion,
/// and the file's finished transfer records kept for reuse.
#[pin_data]
pub(crate) struct Events {
    #[pin]
    pub(crate) wq: WaitQueue,
    /// Incremented (Release) on every completion; waiters sleep until it changes.
    pub(crate) seq: Atomic<u32>,
    /// Blocking transfers of the file that are unfinished and in no table (their caller
    /// holds them, see [`Xfer::count_unlisted`]): REAP's `pending` counts them.
    pub(crate) unlisted: Atomic<u32>,
    /// Records of finished transfers nobody references any more, reused by
    /// [`Xfer::new`]: no allocation, and no lock, per transfer in steady state. A pooled
    /// record holds a reference to these events, so the pool is emptied, and closed, when
    /// the file goes ([`Events::close_pool`]).
    pool: Pool,
}

impl Events {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                wq <- WaitQueue::new(),
                seq: Atomic::new(0),
                unlisted: Atomic::new(0),
                pool: Pool::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Frees the pooled records and stops pooling (the file is released): this breaks the
    /// cycle events -> pool -> record -> events.
    pub(crate) fn close_pool(&self) {
        self.pool.close();
    }
}

/// Drops a reference to a transfer record; if it was the last one, the record goes back to
/// its file's pool (process context only: a record that does not fit is freed).
#[inline]
pub(crate) fn recycle(x: Arc<Xfer>) {
    let Some(x) = Arc::into_unique_or_drop(x) else {
        return;
    };
    // The pool is the events': they must outlive `put` even if the file closes meanwhile
    // and the record, their last other reference, is dropped from the pool.
    let events = x.events.clone();
    if let Err(x) = events.pool.put(x) {
        pool::free(x);
    }
}

/// Why a transfer was aborted (it did not end on its own).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum AbortCause {
    /// Its own wait timed out.
    Timeout,
    /// A cancel, a terminate caused by another transfer, a stop, a close or an unbind.
    Cancel,
}

/// How a finished transfer ended, with the bytes it moved (`len - residue`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Outcome {
    /// Completed without error.
    Done(u64),
    /// The provider reported an error (`-EIO`).
    Failed(u64),
    /// Aborted after its wait timed out (`-ETIMEDOUT`).
    TimedOut(u64),
    /// Aborted otherwise (`-ECANCELED`).
    Cancelled(u64),
}

impl Outcome {
    /// The bytes transferred.
    pub(crate) fn bytes(self) -> u64 {
        match self {
            Self::Done(b) | Self::Failed(b) | Self::TimedOut(b) | Self::Cancelled(b) => b,
        }
    }

    /// The error user space sees, `None` for success.
    pub(crate) fn error(self) -> Option<Error> {
        match self {
            Self::Done(_) => None,
            Self::Failed(_) => Some(EIO),
            Self::TimedOut(_) => Some(ETIMEDOUT),
            Self::Cancelled(_) => Some(crate::compat::ecanceled()),
        }
    }

    /// `0` or the negative errno of [`error`](Self::error) (the UAPI's `error` fields).
    pub(crate) fn errno(self) -> i32 {
        self.error().map_or(0, |e| e.to_errno())
    }
}

const PENDING: u32 = 0;
const COMPLETING: u32 = 1;
const DONE: u32 = 2;

const RESULT_OK: u32 = 0;
const RESULT_FAILED: u32 = 1;
const RESULT_TIMEOUT: u32 = 2;
const RESULT_CANCEL: u32 = 3;

/// One submitted transfer.
///
/// # Invariants
///
/// - `state` goes `PENDING -> COMPLETING -> DONE`, each step once. The thread whose
///   `cmpxchg` moved it out of `PENDING` (the completion callback or an abort) is the only
///   one that writes `result` and `residue`, before its `Release` store of `DONE`; they are
///   read only after an `Acquire` load saw `DONE` ([`Xfer::outcome`]).
/// - A transfer made of several descriptors (scattered memory, see `chan/submit.rs`) has
///   `parts` = 1 (the submitter's guard) + the parts submitted whose callback has not run;
///   it finishes when `parts` drops to 0, so never before every submitted descriptor's
///   callback ran (or an abort, which comes only with the channel quiet or never started).
///   `parts` stays 0 for one-descriptor transfers, which finish at their callback.
/// - For a transfer that counts time (`created` is set, fixed at creation), `busy` is 1
///   from [`Xfer::begin`] (called before the descriptor is submitted, so a completion can
///   never come first) until the completing thread clears it: every `busy_begin` of the
///   channel's statistics is paired with one `busy_end`. Otherwise `busy` stays 0.
/// - `unlisted` is 1 from [`Xfer::count_unlisted`] until the first [`Xfer::uncount`] (its
///   finish, or its file giving it a table entry), and while it is 1 the transfer is
///   counted once in its events' `unlisted`: the `xchg` lets exactly one of them uncount.
pub(crate) struct Xfer {
    pub(crate) id: u64,
    pub(crate) user_data: u64,
    pub(crate) len: u64,
    pub(crate) chan: u32,
    /// The dmaengine cookie, for STATUS (written once after submission).
    pub(crate) cookie: Atomic<i32>,
    state: Atomic<u32>,
    result: Atomic<u32>,
    residue: Atomic<u32>,
    busy: Atomic<u32>,
    /// Outstanding parts of a several-descriptor transfer (see the invariants).
    parts: Atomic<u32>,
    /// Whether a part failed or was never submitted.
    parts_failed: Atomic<u32>,
    /// Bytes the parts did not move.
    parts_residue: Atomic<u32>,
    /// Counted in `events.unlisted` (see the invariants).
    unlisted: Atomic<u32>,
    /// The next record of its file's transfer table's lock-free list of new entries, while
    /// it is on that list (`file/xfer_table.rs`); meaningless otherwise.
    pub(crate) listed_next: Atomic<*mut Xfer>,
    cb: CallbackRef,
    events: Arc<Events>,
    stats: Arc<ChanStats>,
    /// When it was created, if its channel's statistics count time (`stats.rs`).
    created: Option<Instant<Monotonic>>,
}

impl Xfer {
    pub(crate) fn new(
        id: u64,
        user_data: u64,
        len: u64,
        chan: u32,
        events: &Arc<Events>,
        stats: &Arc<ChanStats>,
    ) -> Result<Arc<Self>> {
        let created = stats.timing().then(Instant::now);
        let reused = events.pool.take();
        if let Some(mut x) = reused {
            // Nobody else references a pooled record (it came from `into_unique_or_drop`);
            // `Xfer` is `Unpin`, so it may be rewritten in place. A pooled record already
            // refers to `events` (it is their pool), and usually to `stats` (same channel):
            // references are only taken where they change (each costs two helper calls).
            let r = x.as_mut().get_mut();
            r.id = id;
            r.user_data = user_data;
            r.len = len;
            r.chan = chan;
            r.cookie = Atomic::new(0);
            r.state = Atomic::new(PENDING);
            r.result = Atomic::new(RESULT_OK);
            r.residue = Atomic::new(0);
            r.busy = Atomic::new(0);
            r.parts = Atomic::new(0);
            r.parts_failed = Atomic::new(0);
            r.parts_residue = Atomic::new(0);
            r.unlisted = Atomic::new(0);
            r.listed_next = Atomic::new(core::ptr::null_mut());
            r.cb = CallbackRef::new();
            if !Arc::ptr_eq(&r.events, events) {
                r.events = events.clone();
            }
            if !Arc::ptr_eq(&r.stats, stats) {
                r.stats = stats.clone();
            }
            r.created = created;
            // Counted live again by the pool's `take`.
            return Ok(x.into());
        }
        let x = Arc::new(
            Self {
                id,
                user_data,
                len,
                chan,
                cookie: Atomic::new(0),
                state: Atomic::new(PENDING),
                result: Atomic::new(RESULT_OK),
                residue: Atomic::new(0),
                busy: Atomic::new(0),
                parts: Atomic::new(0),
                parts_failed: Atomic::new(0),
                parts_residue: Atomic::new(0),
                unlisted: Atomic::new(0),
                listed_next: Atomic::new(core::ptr::null_mut()),
                cb: CallbackRef::new(),
                events: events.clone(),
                stats: stats.clone(),
                created,
            },
            GFP_KERNEL,
        )?;
        LIVE_XFERS.add(1, Relaxed);
        Ok(x)
    }

    /// The transfer is about to be submitted: from now until it finishes its channel counts
    /// as busy. Called once, before `Descriptor::submit`.
    pub(crate) fn begin(&self) {
        // Busy time is counted by the transfers that count time (`created` is set).
        if self.created.is_some() && self.busy.xchg(1, Relaxed) == 0 {
            self.stats.busy_begin();
        }
    }

    /// The transfer is about to be submitted as several descriptors: each is announced with
    /// [`Xfer::add_part`] before its submission, and [`Xfer::parts_submitted`] ends the
    /// series. Called once, before the first submission, instead of nothing.
    pub(crate) fn open_parts(&self) {
        self.parts.store(1, Relaxed);
    }

    /// One more part is about to be submitted.
    pub(crate) fn add_part(&self) {
        self.parts.add(1, Relaxed);
    }

    /// A part announced by [`Xfer::add_part`] was not submitted after all (its submission
    /// failed, so its callback will never run).
    pub(crate) fn drop_part(&self) {
        // Cannot reach 0: the submitter's guard is still held.
        self.parts.fetch_sub(1, Relaxed);
    }

    /// Every part that will be submitted was; `unsent` bytes were not (a provider refused a
    /// descriptor half-way): the transfer then fails with those bytes as residue, once the
    /// submitted parts completed.
    pub(crate) fn parts_submitted(&self, unsent: u64) {
        if unsent > 0 {
            self.parts_failed.store(1, Relaxed);
            self.add_residue(unsent);
        }
        self.part_done();
    }

    fn add_residue(&self, bytes: u64) {
        let b = u32::try_from(bytes).unwrap_or(u32::MAX);
        let mut now = self.parts_residue.load(Relaxed);
        while let Err(v) = self
            .parts_residue
            .cmpxchg(now, now.saturating_add(b), Relaxed)
        {
            now = v;
        }
    }

    /// Sleeps (killable) until one of the transfer's parts called back, for at most `ms`;
    /// returns whether one did. For the submitter feeding parts to a provider whose
    /// descriptors are used up by the earlier ones.
    pub(crate) fn wait_part(&self, ms: u32) -> bool {
        let v = self.parts.load(Relaxed);
        matches!(
            self.events
                .wq
                .wait(&self.parts, Until::Ne(v), ms, Sleep::Killable),
            WaitResult::Ready
        )
    }

    /// Drops one outstanding part (or the guard); the last one finishes the transfer.
    fn part_done(&self) {
        // Full ordering: the last one sees every part's failure and residue.
        let left = self.parts.fetch_sub(1, Full);
        if left > 1 {
            // A submitter may be waiting for a descriptor to free up (`wait_part`).
            self.events.wq.wake_up_all();
        }
        if left == 1 {
            let r = if self.parts_failed.load(Relaxed) != 0 {
                RESULT_FAILED
            } else {
                RESULT_OK
            };
            self.finish(r, self.parts_residue.load(Relaxed));
        }
    }

    /// The completion events of the file that owns the transfer.
    pub(crate) fn events(&self) -> &Arc<Events> {
        &self.events
    }

    /// Finishes the transfer (the first caller wins) and wakes the file's waiters.
    fn finish(&self, result: u32, residue: u32) {
        if self.state.cmpxchg(PENDING, COMPLETING, Acquire).is_err() {
            return;
        }
        self.result.store(result, Relaxed);
        self.residue.store(residue, Relaxed);
        let s = &self.stats;
        s.transfers.add(1, Relaxed);
        s.bytes
            .add(self.len - u64::from(residue).min(self.len), Relaxed);
        match result {
            RESULT_OK => {}
            RESULT_TIMEOUT => s.timeouts.add(1, Relaxed),
            RESULT_CANCEL => s.cancelled.add(1, Relaxed),
            _ => s.errors.add(1, Relaxed),
        }
        if let Some(created) = self.created {
            if self.busy.xchg(0, Relaxed) == 1 {
                s.busy_end();
            }
            let ns = u64::try_from(created.elapsed().as_nanos()).unwrap_or(0);
            s.latency_ns.add(ns, Relaxed);
        }
        // INVARIANT: `result`/`residue` are published by this Release store.
        self.state.store(DONE, Release);
        // Before the sequence bump: a REAP woken by it no longer counts this one as pending.
        self.uncount();
        self.events.seq.fetch_add(1, Release);
        self.events.wq.wake_up_all();
    }

    /// Finishes a transfer that will not complete on its own: its channel was terminated,
    /// or it was never submitted.
    pub(crate) fn abort(&self, cause: AbortCause) {
        let result = match cause {
            AbortCause::Timeout => RESULT_TIMEOUT,
            AbortCause::Cancel => RESULT_CANCEL,
        };
        self.finish(result, u32::try_from(self.len).unwrap_or(u32::MAX));
    }

    /// The transfer is a blocking one that its caller holds without a table entry: REAP's
    /// `pending` counts it until it finishes or gets an entry. Called before it is started.
    pub(crate) fn count_unlisted(&self) {
        self.unlisted.store(1, Relaxed);
        self.events.unlisted.add(1, Relaxed);
    }

    /// Stops counting the transfer as an unlisted one (it finished, or got a table entry,
    /// which REAP counts itself); idempotent, and a no-op for the others.
    pub(crate) fn uncount(&self) {
        if self.unlisted.load(Relaxed) != 0 && self.unlisted.xchg(0, Relaxed) == 1 {
            self.events.unlisted.fetch_sub(1, Relaxed);
        }
    }

    /// Whether the transfer finished.
    pub(crate) fn is_done(&self) -> bool {
        self.state.load(Acquire) == DONE
    }

    /// How it ended, once done.
    pub(crate) fn outcome(&self) -> Option<Outcome> {
        if !self.is_done() {
            return None;
        }
        let bytes = self.len - u64::from(self.residue.load(Relaxed)).min(self.len);
        Some(match self.result.load(Relaxed) {
            RESULT_OK => Outcome::Done(bytes),
            RESULT_TIMEOUT => Outcome::TimedOut(bytes),
            RESULT_CANCEL => Outcome::Cancelled(bytes),
            _ => Outcome::Failed(bytes),
        })
    }

    /// Sleeps until the transfer finished, for at most `ms`.
    pub(crate) fn wait(&self, ms: u32, sleep: Sleep) -> WaitResult {
        self.events.wq.wait(&self.state, Until::Eq(DONE), ms, sleep)
    }
}

impl Completion for Xfer {
    fn complete(&self, result: TxResult, residue: u32) {
        let r = match result {
            TxResult::NoError => RESULT_OK,
            // A provider that aborts a descriptor on its own (not through our terminate)
            // reports it as an error of the transfer.
            TxResult::Failed | TxResult::Aborted => RESULT_FAILED,
        };
        if self.parts.load(Relaxed) == 0 {
            self.finish(r, residue);
            return;
        }
        if r != RESULT_OK {
            self.parts_failed.store(1, Relaxed);
        }
        self.add_residue(u64::from(residue));
        self.part_done();
    }

    fn callback_ref(&self) -> &CallbackRef {
        &self.cb
    }
}

impl Drop for Xfer {
    fn drop(&mut self) {
        LIVE_XFERS.fetch_sub(1, Relaxed);
    }
}
