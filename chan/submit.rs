// SPDX-License-Identifier: GPL-2.0

//! Submitting transfers on a channel: prepare, submit, issue (one issue for a batch).

use kernel::{
    device::Device,
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
};

use super::{
    ChanSlot,
    InFlight, //
};
use crate::{
    buffer::Buffer,
    dmaengine::{
        Channel,
        Descriptor,
        TransferDirection, //
    },
    xfer::{
        AbortCause,
        Events,
        Xfer, //
    },
};

/// Finished entries a submission takes off the channel's list at most.
const PRUNE_PER_START: usize = 4;

/// What one transfer moves: its direction, its source and destination (buffer, offset)
/// where the direction has them, and its length. The caller checked the ranges and the
/// buffers' directions; [`ChanSlot::start`] checks that they live on the channel's
/// provider.
#[derive(Copy, Clone)]
pub(crate) struct Job<'a> {
    pub(crate) dir: TransferDirection,
    pub(crate) src: Option<(&'a Arc<Buffer>, u64)>,
    pub(crate) dst: Option<(&'a Arc<Buffer>, u64)>,
    pub(crate) len: usize,
}

impl Job<'_> {
    /// Whether every buffer of the job lives on `dma_dev` (the channel's provider).
    pub(super) fn is_on(&self, dma_dev: &Device) -> bool {
        Iterator::chain(self.src.iter(), self.dst.iter()).all(|(b, _)| b.is_on(dma_dev))
    }

    /// Prepares the job's descriptor on `chan`.
    pub(super) fn prepare<'c>(&self, chan: &'c Channel) -> Result<Descriptor<'c>> {
        let addr = |b: Option<(&Arc<Buffer>, u64)>| b.map(|(b, off)| b.dma_addr(off)).ok_or(EINVAL);
        let (s, d, len) = (addr(self.src), addr(self.dst), self.len);
        match self.dir {
            TransferDirection::MemToMem => chan.prep_memcpy(d?, s?, len),
            TransferDirection::MemToDev => chan.prep_slave(s?, len, self.dir),
            TransferDirection::DevToMem => chan.prep_slave(d?, len, self.dir),
        }
    }
}

impl ChanSlot {
    /// Starts one transfer for the file whose identity is `file` (its events; the transfer
    /// may report to other events, as KBENCH's do): prepares, submits and, with `issue`,
    /// issues it (without, [`ChanSlot::issue`] does, once for a batch). `src`/`dst` are (buffer, offset) pairs whose ranges and directions the caller
    /// checked; here they are checked to live on this channel's provider.
    pub(crate) fn start(
        &self,
        file: &Arc<Events>,
        xfer: &Arc<Xfer>,
        job: Job<'_>,
        issue: bool,
    ) -> Result {
        let Job { dir, src, dst, len } = job;
        if !job.is_on(&self.dma_dev) {
            dev_dbg!(
                self.dev,
                "xfer: buffer allocated for another DMA device than channel {}'s\n",
                self.index
            );
            return Err(EINVAL);
        }
        // Finished entries taken off the list, let go after the lock: a few per submission
        // (the list stays bounded: each submission adds one), with no allocation.
        let mut done: [Option<InFlight>; PRUNE_PER_START] = [const { None }; PRUNE_PER_START];
        let r = (|| {
            let mut guard = self.state.lock();
            let st = &mut *guard;
            if st.owned_by_other(file) {
                dev_dbg!(
                    self.dev,
                    "xfer: channel {} is owned by another file\n",
                    self.index
                );
                return Err(EBUSY);
            }
            // Finished transfers leave the list (their buffers are dropped after the lock).
            let (mut i, mut n) = (0, 0);
            while i < st.inflight.len() && n < PRUNE_PER_START {
                if st.inflight[i].xfer.is_done() {
                    done[n] = Some(st.inflight.remove(i).map_err(|_| EINVAL)?);
                    n += 1;
                } else {
                    i += 1;
                }
            }
            self.settle(st);
            st.inflight.reserve(1, GFP_KERNEL)?;
            let busy = !st.inflight.is_empty();
            self.ensure_chan(st)?;
            let chan = st.chan.as_ref().ok_or(ENODEV)?;
            let desc = job.prepare(chan).map_err(|e| {
                // A provider returns no descriptor both for requests it cannot describe and
                // when its descriptor pool is used up; with transfers in flight the latter
                // is likely, and retrying after reaping is the right reaction: EBUSY.
                dev_dbg!(
                    self.dev,
                    "xfer: provider refused {} bytes ({:?}){}\n",
                    len,
                    dir,
                    if busy {
                        " with transfers in flight"
                    } else {
                        ""
                    }
                );
                if busy {
                    EBUSY
                } else {
                    e
                }
            })?;
            xfer.begin();
            let cookie = match desc.submit(xfer) {
                Ok(c) => c,
                Err(e) => {
                    xfer.abort(AbortCause::Cancel);
                    return Err(e);
                }
            };
            xfer.cookie.store(cookie, Relaxed);
            let entry = InFlight {
                xfer: xfer.clone(),
                _bufs: [src.map(|(b, _)| b.clone()), dst.map(|(b, _)| b.clone())],
                bare: None,
            };
            // Capacity was reserved above: cannot fail.
            st.inflight
                .push_within_capacity(entry)
                .map_err(|_| ENOMEM)?;
            if issue {
                chan.issue_pending();
            }
            Ok(())
        })();
        for e in done.into_iter().flatten() {
            e.recycle();
        }
        r
    }

    /// Issues the transfers [`ChanSlot::start`] submitted without issuing: one
    /// `issue_pending` for a batch. `xilinx_dma` hands the hardware only what was issued
    /// while the channel was idle, as one chain: a ring's slots issued one by one would
    /// leave all but the first waiting in the driver.
    pub(crate) fn issue(&self) {
        if let Some(chan) = self.state.lock().chan.as_ref() {
            chan.issue_pending();
        }
    }
}
