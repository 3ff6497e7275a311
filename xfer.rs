// SPDX-License-Identifier: GPL-2.0

//! Transfers in flight and the per-file completion events.
//!
//! A transfer ([`Xfer`]) is shared by three owners: the file's list (until user space reaps
//! it), its channel's in-flight list (until it finished, so that a terminate can abort it)
//! and the completion callback (one reference, given back when the callback ran or after
//! the channel was terminated). The callback runs in atomic context: it only stores atomics
//! and wakes the file's wait queue; it never takes a lock and never frees DMA memory.

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
    },
};

use crate::dma_chan::{
    WaitQueue,
    TX_ABORTED,
    TX_NOERROR, //
};

/// Per-file completion events: one wait queue and a counter bumped by every completion.
#[pin_data]
pub(crate) struct Events {
    #[pin]
    pub(crate) wq: WaitQueue,
    /// Incremented on every completion; waiters sleep until it changes.
    pub(crate) seq: Atomic<u32>,
}

impl Events {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                wq <- WaitQueue::new(),
                seq: Atomic::new(0),
            }),
            GFP_KERNEL,
        )
    }
}

/// `ECANCELED` (asm-generic/errno.h, the same on arm and arm64; not in `kernel::error`).
pub(crate) const ECANCELED_NR: i32 = 125;
/// `EOPNOTSUPP` (asm-generic/errno.h; not in `kernel::error`).
const EOPNOTSUPP_NR: i32 = 95;

/// The error for a request the channel cannot perform.
pub(crate) fn eopnotsupp() -> Error {
    Error::from_errno(-EOPNOTSUPP_NR)
}

/// The transfer is still in flight.
pub(crate) const STATE_PENDING: u32 = 0;
/// The transfer finished (successfully, with an error, or aborted).
pub(crate) const STATE_DONE: u32 = 1;

/// One submitted transfer.
pub(crate) struct Xfer {
    pub(crate) id: u64,
    pub(crate) user_data: u64,
    pub(crate) len: u64,
    pub(crate) chan: u32,
    pub(crate) cookie: Atomic<i32>,
    /// `STATE_PENDING` until the callback or an abort set `STATE_DONE` (Release).
    pub(crate) state: Atomic<u32>,
    /// `enum dmaengine_tx_result`, valid once `state` is `STATE_DONE`.
    result: Atomic<u32>,
    residue: Atomic<u32>,
    /// Whether the transfer was finished by a timeout (rather than a cancel or unbind).
    timed_out: Atomic<u32>,
    /// 1 while the completion callback owns a reference (see `dma_chan::Descriptor::submit`).
    pub(crate) cb_ref: Atomic<u32>,
    events: Arc<Events>,
}

impl Xfer {
    pub(crate) fn new(
        id: u64,
        user_data: u64,
        len: u64,
        chan: u32,
        events: Arc<Events>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                id,
                user_data,
                len,
                chan,
                cookie: Atomic::new(0),
                state: Atomic::new(STATE_PENDING),
                result: Atomic::new(TX_NOERROR),
                residue: Atomic::new(0),
                timed_out: Atomic::new(0),
                cb_ref: Atomic::new(0),
                events,
            },
            GFP_KERNEL,
        )?)
    }

    /// Marks the transfer finished with `result` and wakes the file's waiters.
    /// Called from the completion callback (atomic context) or after a terminate. Only the
    /// first call has an effect.
    pub(crate) fn complete(&self, result: u32, residue: u32) {
        if self.state.load(Acquire) != STATE_PENDING {
            return;
        }
        self.result.store(result, Relaxed);
        self.residue.store(residue, Relaxed);
        if self
            .state
            .cmpxchg(STATE_PENDING, STATE_DONE, Release)
            .is_ok()
        {
            self.events.seq.fetch_add(1, Release);
            self.events.wq.wake_up_all();
        }
    }

    /// Finishes a transfer whose channel was terminated (or that was never started).
    /// The caller has called `Channel::terminate_sync()`, so no callback runs concurrently.
    pub(crate) fn abort(&self, timed_out: bool) {
        if timed_out {
            self.timed_out.store(1, Relaxed);
        }
        self.complete(TX_ABORTED, self.len.try_into().unwrap_or(u32::MAX));
    }

    /// The completion events of the file that owns the transfer.
    pub(crate) fn events(&self) -> &Arc<Events> {
        &self.events
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state.load(Acquire) == STATE_DONE
    }

    /// Result once done: (negative errno or 0, bytes transferred).
    pub(crate) fn outcome(&self) -> (i32, u64) {
        let residue = u64::from(self.residue.load(Relaxed)).min(self.len);
        let bytes = self.len - residue;
        let err = match self.result.load(Relaxed) {
            TX_NOERROR => 0,
            TX_ABORTED if self.timed_out.load(Relaxed) != 0 => ETIMEDOUT.to_errno(),
            TX_ABORTED => -ECANCELED_NR,
            _ => EIO.to_errno(),
        };
        (err, bytes)
    }
}
