// SPDX-License-Identifier: GPL-2.0

//! The bare dmaengine path: the floor `KBENCH`'s `AXI_DMA_KBENCH_BARE` mode measures.
//!
//! Per transfer it does what a minimal dmaengine client does and nothing of ours: prepare,
//! submit with a completion target, issue, sleep until the callback counted the
//! completion. No transfer record, no list, no statistics, no timestamp; the targets are
//! allocated once per run and reused. The one thing of ours left per submission is the
//! channel slot's lock, held only to reach the channel (a minimal client's ioctl takes
//! its own lock too).
//!
//! Safety does not come for free by being bare: the run's buffers and completion targets
//! are registered on the channel as one *sentinel* entry of its in-flight list
//! ([`ChanSlot::bare_track`]). If the run ends with descriptors outstanding (a kill, its
//! time limit, an error), the caller terminates the channel like any other abort, and the
//! channel's usual rules keep the buffers allocated and the targets' callback references
//! out until the provider is known quiet (see the parent module's docs).

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

use super::{
    ChanSlot,
    InFlight,
    Job, //
};
use crate::{
    dmaengine::{
        reclaim_callback_ref,
        CallbackRef,
        Completion,
        Quiet,
        TxResult, //
    },
    wait::{
        Sleep,
        Until,
        WaitResult, //
    },
    xfer::{
        Events,
        Xfer, //
    },
};

/// The completion target of one in-flight position of a bare run, reused for every
/// descriptor submitted at that position.
///
/// # Invariants
///
/// `done` counts the callbacks that ran for this target (Release after `failed`); at most
/// one descriptor per target is outstanding at a time, so the `n`-th submission is over
/// when `done` reaches `n`.
pub(crate) struct BareTarget {
    done: Atomic<u32>,
    failed: Atomic<u32>,
    cb: CallbackRef,
    events: Arc<Events>,
}

impl Completion for BareTarget {
    fn complete(&self, result: TxResult, _residue: u32) {
        if result != TxResult::NoError {
            self.failed.store(1, Relaxed);
        }
        self.done.fetch_add(1, Release);
        self.events.wq.wake_up_all();
    }

    fn callback_ref(&self) -> &CallbackRef {
        &self.cb
    }
}

impl BareTarget {
    /// Sleeps until the target's `n`-th completion, for at most `ms`; killable.
    pub(crate) fn wait(&self, n: u32, ms: u32) -> WaitResult {
        self.events
            .wq
            .wait(&self.done, Until::Eq(n), ms, Sleep::Killable)
    }

    /// As [`wait`](Self::wait), but not ended by signals: draining after a kill.
    pub(crate) fn wait_uninterruptible(&self, n: u32, ms: u32) -> WaitResult {
        self.events
            .wq
            .wait(&self.done, Until::Eq(n), ms, Sleep::Uninterruptible)
    }

    /// Whether the target has seen `n` completions.
    pub(crate) fn reached(&self, n: u32) -> bool {
        self.done.load(Acquire) == n
    }

    /// Whether any descriptor of this target failed.
    pub(crate) fn failed(&self) -> bool {
        self.failed.load(Relaxed) != 0
    }
}

/// The completion targets of a bare run on one channel.
pub(crate) struct BareSet {
    pub(crate) targets: KVec<Arc<BareTarget>>,
}

impl BareSet {
    /// `n` targets that wake `events`.
    pub(crate) fn new(n: usize, events: &Arc<Events>) -> Result<Arc<Self>> {
        let mut targets = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            targets.push(
                Arc::new(
                    BareTarget {
                        done: Atomic::new(0),
                        failed: Atomic::new(0),
                        cb: CallbackRef::new(),
                        events: events.clone(),
                    },
                    GFP_KERNEL,
                )?,
                GFP_KERNEL,
            )?;
        }
        Ok(Arc::new(Self { targets }, GFP_KERNEL)?)
    }

    /// Gives back the callback references of descriptors whose callback never ran (the
    /// channel is quiet).
    pub(super) fn reclaim(&self, q: &Quiet) {
        for t in self.targets.iter() {
            reclaim_callback_ref(t, q);
        }
    }
}

impl ChanSlot {
    /// Registers a bare run for `file`: `sentinel` (a transfer record that is never
    /// submitted, standing for the whole run), the buffers `job` uses and `set`, so that a
    /// terminate of the channel treats them like an aborted transfer's. `EBUSY` if another
    /// file owns the channel; `EINVAL` for a buffer of another DMA device.
    pub(crate) fn bare_track(
        &self,
        file: &Arc<Events>,
        sentinel: &Arc<Xfer>,
        job: Job<'_>,
        set: &Arc<BareSet>,
    ) -> Result {
        if !job.is_on(&self.dma_dev) {
            return Err(EINVAL);
        }
        let Job { src, dst, .. } = job;
        let mut st = self.state.lock();
        if st.owned_by_other(file) {
            return Err(EBUSY);
        }
        self.ensure_chan(&mut st)?;
        st.inflight.push(
            InFlight {
                xfer: sentinel.clone(),
                _bufs: [src.map(|(b, _)| b.clone()), dst.map(|(b, _)| b.clone())],
                bare: Some(set.clone()),
            },
            GFP_KERNEL,
        )?;
        Ok(())
    }

    /// Ends a bare run whose descriptors all completed: drops its sentinel entry. (A run
    /// with descriptors outstanding terminates the channel instead.)
    pub(crate) fn bare_untrack(&self, sentinel: &Arc<Xfer>) {
        let entry = {
            let mut st = self.state.lock();
            st.inflight
                .iter()
                .position(|e| Arc::ptr_eq(&e.xfer, sentinel))
                .and_then(|i| st.inflight.remove(i).ok())
        };
        drop(entry);
    }

    /// Prepares, submits and issues one descriptor of a bare run for `target`: the
    /// addresses of `job` were checked by the caller and registered by
    /// [`bare_track`](Self::bare_track).
    pub(crate) fn bare_submit(&self, job: Job<'_>, target: &Arc<BareTarget>) -> Result {
        let st = self.state.lock();
        let chan = st.chan.as_ref().ok_or(ENODEV)?;
        job.prepare(chan)?.submit(target)?;
        chan.issue_pending();
        Ok(())
    }
}
