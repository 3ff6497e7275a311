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
    sg::{
        self,
        Seg,
        SgTable, //
    },
    uapi::REGISTER_MAX_RUNS as MAX_RUNS,
    xfer::{
        AbortCause,
        Events,
        Xfer, //
    },
};

/// How long a submitter feeding a memcpy's runs waits for one of its parts to free a
/// descriptor.
const FEED_WAIT_MS: u32 = 1000;

/// How a job becomes descriptors.
enum Plan {
    /// One descriptor from contiguous DMA addresses (all allocated memory; the lean path):
    /// the source and destination addresses (0 where the direction has none).
    One(u64, u64),
    /// A send or receive on scattered memory: one descriptor from a scatter list.
    Sg(SgTable),
    /// A memcpy on scattered memory: one descriptor per `(dst, src, len)` run contiguous on
    /// both sides.
    Runs(KVec<(u64, u64, u64)>),
}

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

/// A transfer's source and destination (buffer, offset) where its direction has them,
/// owned: [`ChanSlot::start_owned`] moves the buffer references into the channel's list,
/// where they keep the memory allocated until the channel is done with it.
pub(crate) type Operands = [Option<(Arc<Buffer>, u64)>; 2];

impl<'a> Job<'a> {
    /// The job that moves `len` bytes in direction `dir` between `ops` (source, destination).
    #[inline(always)]
    pub(crate) fn of(dir: TransferDirection, ops: &'a Operands, len: usize) -> Self {
        let at = |o: &'a Option<(Arc<Buffer>, u64)>| o.as_ref().map(|(b, off)| (b, *off));
        Self {
            dir,
            src: at(&ops[0]),
            dst: at(&ops[1]),
            len,
        }
    }
}

impl Job<'_> {
    /// Whether every buffer of the job lives on `dma_dev` (the channel's provider).
    pub(super) fn is_on(&self, dma_dev: &Device) -> bool {
        Iterator::chain(self.src.iter(), self.dst.iter()).all(|(b, _)| b.is_on(dma_dev))
    }

    /// Whether every range of the job is one run of DMA addresses.
    pub(crate) fn is_contiguous(&self) -> bool {
        let len = self.len as u64;
        Iterator::chain(self.src.iter(), self.dst.iter())
            .all(|(b, off)| b.contiguous(*off, len).is_some())
    }

    /// How the job becomes descriptors (allocates for scattered memory: called before the
    /// channel's lock). `E2BIG` for more than `AXI_DMA_REGISTER_MAX_RUNS` runs.
    fn plan(&self) -> Result<Plan> {
        if self.is_contiguous() {
            let addr = |b: Option<(&Arc<Buffer>, u64)>| b.map_or(0, |(b, off)| b.dma_addr(off));
            return Ok(Plan::One(addr(self.src), addr(self.dst)));
        }
        let len = self.len as u64;
        let runs_of = |b: Option<(&Arc<Buffer>, u64)>| -> Result<KVec<Seg>> {
            let (b, off) = b.ok_or(EINVAL)?;
            let mut v = KVec::new();
            b.runs(off, len, |r| {
                if v.len() >= MAX_RUNS {
                    return Err(E2BIG);
                }
                v.push(r, GFP_KERNEL)?;
                Ok(())
            })?;
            Ok(v)
        };
        match self.dir {
            TransferDirection::MemToMem => {
                let (s, d) = (runs_of(self.src)?, runs_of(self.dst)?);
                let mut v = KVec::new();
                sg::zip_runs(&s, &d, |da, sa, n| {
                    if v.len() >= MAX_RUNS {
                        return Err(E2BIG);
                    }
                    v.push((da, sa, n), GFP_KERNEL)?;
                    Ok(())
                })?;
                Ok(Plan::Runs(v))
            }
            TransferDirection::MemToDev => {
                Ok(Plan::Sg(SgTable::of_dma_segments(&runs_of(self.src)?)?))
            }
            TransferDirection::DevToMem => {
                Ok(Plan::Sg(SgTable::of_dma_segments(&runs_of(self.dst)?)?))
            }
        }
    }

    /// Prepares the job's descriptor on `chan` (contiguous ranges only, see
    /// [`Job::is_contiguous`]).
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

/// Submits the runs of a memcpy on scattered memory to `xfer`, one descriptor each; returns
/// the last one's cookie. A provider out of descriptors is fed as this transfer's earlier
/// parts complete (the channel lock is held meanwhile: its users wait, its callbacks do not
/// need it). If a provider still refuses a run after others were submitted, the transfer
/// fails once those completed (with the rest as residue): they cannot be taken back.
/// Nothing submitted: the error, and `xfer` is finished if it was begun.
fn submit_runs(chan: &Channel, xfer: &Arc<Xfer>, runs: &[(u64, u64, u64)]) -> Result<i32> {
    xfer.open_parts();
    let (mut cookie, mut sent, mut err) = (None, 0u64, EINVAL);
    for &(d, s, n) in runs {
        // A provider's descriptor pool may be smaller than the runs (the ZynqMP GDMA has
        // 32): once some of this transfer's parts are queued, a refusal means waiting for
        // them to free theirs. Twice without progress: give up.
        let mut stalls = 0;
        let desc = loop {
            match chan.prep_memcpy(d, s, n as usize) {
                Ok(desc) => break Some(desc),
                Err(e) if cookie.is_some() && stalls < 2 => {
                    chan.issue_pending();
                    if !xfer.wait_part(FEED_WAIT_MS) {
                        stalls += 1;
                    }
                    err = e;
                }
                Err(e) => {
                    err = e;
                    break None;
                }
            }
        };
        let Some(desc) = desc else {
            break;
        };
        if cookie.is_none() {
            xfer.begin();
        }
        xfer.add_part();
        match desc.submit(xfer) {
            Ok(c) => {
                cookie = Some(c);
                sent += n;
            }
            Err(e) => {
                xfer.drop_part();
                err = e;
                if cookie.is_none() {
                    xfer.abort(AbortCause::Cancel);
                }
                break;
            }
        }
    }
    let c = cookie.ok_or(err)?;
    let total: u64 = runs.iter().map(|r| r.2).sum();
    xfer.parts_submitted(total - sent);
    Ok(c)
}

impl ChanSlot {
    /// Starts one transfer for the file whose identity is `file` (its events; the transfer
    /// may report to other events, as KBENCH's do): prepares, submits and, with `issue`,
    /// issues it (without, [`ChanSlot::issue`] does, once for a batch). `job`'s buffers are
    /// borrowed: the channel's list takes references of its own. Their ranges and
    /// directions the caller checked; here they are checked to live on this channel's
    /// provider.
    pub(crate) fn start(
        &self,
        file: &Arc<Events>,
        xfer: &Arc<Xfer>,
        job: Job<'_>,
        issue: bool,
    ) -> Result {
        let plan = self.plan(&job)?;
        self.submit_planned(file, xfer, &plan, job.dir, job.len, issue, || {
            [
                job.src.map(|(b, _)| b.clone()),
                job.dst.map(|(b, _)| b.clone()),
            ]
        })
    }

    /// [`ChanSlot::start`] for a caller that gives its references up: `ops` (source,
    /// destination) move into the channel's list, one reference pair per transfer, not two.
    pub(crate) fn start_owned(
        &self,
        file: &Arc<Events>,
        xfer: &Arc<Xfer>,
        dir: TransferDirection,
        mut ops: Operands,
        len: usize,
        issue: bool,
    ) -> Result {
        let plan = self.plan(&Job::of(dir, &ops, len))?;
        // Taken out in place (a closure owning `ops` cost a memcpy per transfer).
        self.submit_planned(file, xfer, &plan, dir, len, issue, || {
            let [src, dst] = &mut ops;
            [src.take().map(|(b, _)| b), dst.take().map(|(b, _)| b)]
        })
    }

    /// Checks that `job`'s buffers live on this channel's provider and plans its
    /// descriptors (before the channel's lock: scattered memory allocates).
    fn plan(&self, job: &Job<'_>) -> Result<Plan> {
        if !job.is_on(&self.dma_dev) {
            dev_dbg!(
                self.dev,
                "xfer: buffer allocated for another DMA device than channel {}'s\n",
                self.index
            );
            return Err(EINVAL);
        }
        job.plan()
            .inspect_err(|e| dev_dbg!(self.dev, "xfer: cannot describe the memory: {:?}\n", e))
    }

    /// Submits a planned transfer under the channel's lock; `hold` gives the references
    /// its list entry keeps (called once, after the submission).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn submit_planned(
        &self,
        file: &Arc<Events>,
        xfer: &Arc<Xfer>,
        plan: &Plan,
        dir: TransferDirection,
        len: usize,
        issue: bool,
        hold: impl FnOnce() -> [Option<Arc<Buffer>>; 2],
    ) -> Result {
        // Finished entries taken off the list, let go after the lock: up to two per
        // submission (the list stays bounded: each submission adds one), with no
        // allocation. Two plain variables, not an array: an array of four cost a 128-byte
        // memset and memcpy per transfer (`scripts/profile.sh`).
        let (mut done0, mut done1): (Option<InFlight>, Option<InFlight>) = (None, None);
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
            // Finished transfers leave the list (their buffers are dropped after the lock); the
            // list's order means nothing, so the last entry takes a leaver's place (no shift).
            let mut i = 0;
            while i < st.inflight.len() && done1.is_none() {
                if st.inflight[i].xfer.is_done() {
                    let last = st.inflight.len() - 1;
                    st.inflight.swap(i, last);
                    let e = st.inflight.pop();
                    if done0.is_none() {
                        done0 = e;
                    } else {
                        done1 = e;
                    }
                } else {
                    i += 1;
                }
            }
            self.settle(st);
            st.inflight.reserve(1, GFP_KERNEL)?;
            let busy = !st.inflight.is_empty();
            self.ensure_chan(st)?;
            let chan = st.chan.as_ref().ok_or(ENODEV)?;
            // A provider returns no descriptor both for requests it cannot describe and when
            // its descriptor pool is used up; with transfers in flight the latter is likely,
            // and retrying after reaping is the right reaction: EBUSY.
            let refused = |e: Error| {
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
            };
            let cookie = match plan {
                Plan::Runs(runs) => submit_runs(chan, xfer, runs).map_err(refused)?,
                Plan::One(..) | Plan::Sg(_) => {
                    let desc = match *plan {
                        Plan::Sg(ref t) => chan.prep_slave_sg(t, dir),
                        Plan::One(s, d) => match dir {
                            TransferDirection::MemToMem => chan.prep_memcpy(d, s, len),
                            TransferDirection::MemToDev => chan.prep_slave(s, len, dir),
                            TransferDirection::DevToMem => chan.prep_slave(d, len, dir),
                        },
                        Plan::Runs(_) => Err(EINVAL),
                    }
                    .map_err(refused)?;
                    xfer.begin();
                    match desc.submit(xfer) {
                        Ok(c) => c,
                        Err(e) => {
                            xfer.abort(AbortCause::Cancel);
                            return Err(e);
                        }
                    }
                }
            };
            xfer.cookie.store(cookie, Relaxed);
            let entry = InFlight {
                xfer: xfer.clone(),
                _bufs: hold(),
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
        if let Some(e) = done0 {
            e.recycle();
        }
        if let Some(e) = done1 {
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
