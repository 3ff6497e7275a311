// SPDX-License-Identifier: GPL-2.0

//! The in-kernel benchmark (`AXI_DMA_IOC_KBENCH`): `iters` memcpys between two of the
//! file's buffers (or, with `AXI_DMA_KBENCH_LOOPBACK`, round trips from a sending channel
//! to its pair) with `depth` in flight, timed in the kernel: the baselines of `make bench`.
//!
//! Two paths: by default the transfers go through the driver's own submission path (the
//! same records, lists and statistics as XFER), which measures the driver without user
//! space; with `AXI_DMA_KBENCH_BARE` they go through the bare dmaengine path
//! (`chan/bare.rs`), the floor that nothing built on dmaengine can beat.
//!
//! Either way it is checked like an XFER (direction, ranges, alignment, the buffers' DMA
//! device), owns its channels while it runs (other files get `EBUSY`), can be killed
//! (`SIGKILL`), is bounded in time ([`KBENCH_MAX_MS`]) and never returns with a transfer
//! in flight.

use kernel::{
    prelude::*,
    sync::Arc,
    time::{
        Instant,
        Monotonic, //
    },
};

use super::{
    transfers::Request,
    OpenFile, //
};
use crate::{
    chan::{
        BareSet,
        Claim,
        ClaimGuard,
        Terminator, //
    },
    uapi::{
        self,
        XferKind, //
    },
    wait::{
        fatal_signal_pending,
        Sleep,
        WaitResult, //
    },
    xfer::{
        recycle,
        Events,
        Xfer, //
    },
};

/// The longest a benchmark may run, in milliseconds (`ETIMEDOUT` beyond).
pub(crate) const KBENCH_MAX_MS: i64 = 300_000;
/// Most transfers in flight.
const KBENCH_MAX_DEPTH: u32 = 64;
/// Most iterations.
const KBENCH_MAX_ITERS: u32 = 1_000_000;

impl OpenFile {
    /// `AXI_DMA_IOC_KBENCH`.
    pub(crate) fn kbench(&self, req: &uapi::KBench) -> Result<uapi::KBench> {
        if req.flags & !(uapi::KBENCH_BARE | uapi::KBENCH_LOOPBACK) != 0
            || req.depth == 0
            || req.depth > KBENCH_MAX_DEPTH
            || req.iters == 0
            || req.iters > KBENCH_MAX_ITERS
        {
            dev_dbg!(
                self.dev(),
                "kbench: bad flags {:#x} / depth {} / iters {}\n",
                req.flags,
                req.depth,
                req.iters
            );
            return Err(EINVAL);
        }
        // The legs of one iteration, in submission order: a memcpy, or a receive on the
        // pair followed by the send (the receive must be waiting when the data comes).
        let mut legs: KVec<Request<'_>> = KVec::with_capacity(2, GFP_KERNEL)?;
        let as_xfer = |chan, src_buf, dst_buf| uapi::Xfer {
            chan,
            src_buf,
            dst_buf,
            len: req.len,
            ..Default::default()
        };
        if req.flags & uapi::KBENCH_LOOPBACK != 0 {
            let rx = self.chan(req.chan)?.pair.ok_or_else(|| {
                dev_dbg!(self.dev(), "kbench: channel {} has no pair\n", req.chan);
                EINVAL
            })?;
            let send = self.validate(&as_xfer(req.chan, req.src_buf, 0), XferKind::ToDev)?;
            legs.push(
                self.validate(&as_xfer(rx, 0, req.dst_buf), XferKind::FromDev)?,
                GFP_KERNEL,
            )?;
            legs.push(send, GFP_KERNEL)?;
        } else {
            let copy = as_xfer(req.chan, req.src_buf, req.dst_buf);
            legs.push(self.validate(&copy, XferKind::Memcpy)?, GFP_KERNEL)?;
        }
        // The measurement is of one descriptor per transfer: registered memory that is
        // scattered over the range is not what it measures.
        if !legs.iter().all(|r| r.job().is_contiguous()) {
            dev_dbg!(self.dev(), "kbench: a buffer range is not one DMA run\n");
            return Err(EINVAL);
        }
        let mut claims = KVec::with_capacity(legs.len(), GFP_KERNEL)?;
        for r in legs.iter() {
            claims.push(
                ClaimGuard::new(r.slot, &self.events, Claim::Bench)?,
                GFP_KERNEL,
            )?;
        }
        // Private completion events: user space never sees these transfers.
        let events = Events::new()?;
        let mut t = Timing {
            t0: Instant::now(),
            submit_ns: 0,
        };
        let run = if req.flags & uapi::KBENCH_BARE != 0 {
            self.kbench_bare(req, &legs, &events, &mut t)
        } else {
            self.kbench_driver(req, &legs, &events, &mut t)
        };
        // The private events' records: freed (those still on a channel's list later).
        events.close_pool();
        run?;
        drop(claims);
        Ok(uapi::KBench {
            total_ns: u64::try_from(t.t0.elapsed().as_nanos()).unwrap_or(0),
            submit_ns: u64::try_from(t.submit_ns).unwrap_or(0),
            ..*req
        })
    }

    /// Whether the run must stop: killed, or over its time limit.
    fn kbench_check(&self, t: &Timing) -> Result {
        // With a fast engine the waits never sleep, so never see a kill.
        if fatal_signal_pending() {
            return Err(EINTR);
        }
        if t.t0.elapsed().as_millis() > KBENCH_MAX_MS {
            dev_dbg!(self.dev(), "kbench: over its time limit\n");
            return Err(ETIMEDOUT);
        }
        Ok(())
    }

    /// The driver's own path: a transfer record per leg, started like an XFER's.
    fn kbench_driver(
        &self,
        req: &uapi::KBench,
        legs: &[Request<'_>],
        events: &Arc<Events>,
        t: &mut Timing,
    ) -> Result {
        let depth = req.depth as usize;
        let mut inflight: KVec<Arc<Xfer>> = KVec::with_capacity(depth * legs.len(), GFP_KERNEL)?;
        let (mut submitted, mut completed) = (0u32, 0u32);
        let ms = self.shared.limits.default_timeout_ms;
        let run = (|| {
            while completed < req.iters {
                while submitted < req.iters && inflight.len() < depth * legs.len() {
                    for r in legs {
                        let x = Xfer::new(
                            u64::from(submitted),
                            0,
                            req.len,
                            r.slot.index,
                            events,
                            &r.slot.stats,
                        )?;
                        let ts = Instant::<Monotonic>::now();
                        // The file owns the channel; the transfer reports to `events`.
                        r.slot.start(&self.events, &x, r.job(), true)?;
                        t.submit_ns += ts.elapsed().as_nanos();
                        inflight.push(x, GFP_KERNEL)?;
                    }
                    submitted += 1;
                }
                for _ in legs {
                    let x = inflight.remove(0).map_err(|_| EINVAL)?;
                    match x.wait(ms, Sleep::Killable) {
                        WaitResult::Ready => {}
                        WaitResult::Interrupted => return Err(EINTR),
                        WaitResult::TimedOut => return Err(ETIMEDOUT),
                    }
                    if let Some(e) = x.outcome().and_then(|o| o.error()) {
                        return Err(e);
                    }
                    recycle(x);
                }
                completed += 1;
                self.kbench_check(t)?;
            }
            Ok(())
        })();
        if run.is_err() && inflight.iter().any(|x| !x.is_done()) {
            // Nothing of ours may run on after we return: stop the channels (we own them,
            // so only our transfers are aborted).
            for r in legs {
                let _ = r.slot.terminate(Terminator::Stop);
            }
        }
        run
    }

    /// The floor: the bare dmaengine path (`chan/bare.rs`), one completion target per leg
    /// and position in flight, allocated before the clock starts.
    fn kbench_bare(
        &self,
        req: &uapi::KBench,
        legs: &[Request<'_>],
        events: &Arc<Events>,
        t: &mut Timing,
    ) -> Result {
        let depth = req.depth as usize;
        let mut runs: KVec<(Arc<BareSet>, Arc<Xfer>)> =
            KVec::with_capacity(legs.len(), GFP_KERNEL)?;
        for r in legs {
            let set = BareSet::new(depth, events)?;
            // Stands for the whole run in the channel's in-flight list (`bare_track`).
            let span = req.len.saturating_mul(u64::from(req.depth));
            let sentinel = Xfer::new(u64::MAX, 0, span, r.slot.index, events, &r.slot.stats)?;
            runs.push((set, sentinel), GFP_KERNEL)?;
        }
        let mut tracked = 0;
        let mut track = || -> Result {
            for (r, (set, sentinel)) in legs.iter().zip(runs.iter()) {
                r.slot.bare_track(&self.events, sentinel, r.job(), set)?;
                tracked += 1;
            }
            Ok(())
        };
        let tracking = track();
        let (mut submitted, mut completed) = (0u32, 0u32);
        let ms = self.shared.limits.default_timeout_ms;
        let run = tracking.and_then(|()| {
            t.t0 = Instant::now();
            while completed < req.iters {
                while submitted < req.iters && submitted - completed < req.depth {
                    let pos = (submitted % req.depth) as usize;
                    let ts = Instant::<Monotonic>::now();
                    for (r, (set, _)) in legs.iter().zip(runs.iter()) {
                        let target = set.targets.get(pos).ok_or(EINVAL)?;
                        r.slot.bare_submit(r.job(), target)?;
                    }
                    t.submit_ns += ts.elapsed().as_nanos();
                    submitted += 1;
                }
                let pos = (completed % req.depth) as usize;
                let nth = completed / req.depth + 1;
                for (set, _) in runs.iter() {
                    let target = set.targets.get(pos).ok_or(EINVAL)?;
                    match target.wait(nth, ms) {
                        WaitResult::Ready => {}
                        WaitResult::Interrupted => return Err(EINTR),
                        WaitResult::TimedOut => return Err(ETIMEDOUT),
                    }
                    if target.failed() {
                        return Err(EIO);
                    }
                }
                completed += 1;
                self.kbench_check(t)?;
            }
            Ok(())
        });
        // Every position's target must have seen as many completions as it had submissions;
        // otherwise a descriptor is outstanding: give it a moment (a kill usually lands
        // between two fast transfers), then terminate like any abort, which keeps the
        // buffers and the targets until the channel is quiet.
        // Descriptors submitted at position `pos` (position `k % depth` took submission k).
        let submitted_at = |pos: usize| {
            // CAST: `pos < depth <= KBENCH_MAX_DEPTH`.
            let p = pos as u32;
            if submitted > p {
                (submitted - p - 1) / req.depth + 1
            } else {
                0
            }
        };
        let outstanding = |runs: &KVec<(Arc<BareSet>, Arc<Xfer>)>| {
            runs.iter().any(|(set, _)| {
                set.targets
                    .iter()
                    .enumerate()
                    .any(|(pos, target)| !target.reached(submitted_at(pos)))
            })
        };
        if outstanding(&runs) {
            for (set, _) in runs.iter() {
                for (pos, target) in set.targets.iter().enumerate() {
                    let _ = target.wait_uninterruptible(submitted_at(pos), BARE_DRAIN_MS);
                }
            }
        }
        let abort = outstanding(&runs);
        for (r, (_, sentinel)) in legs.iter().zip(runs.iter()).take(tracked) {
            if abort {
                let _ = r.slot.terminate(Terminator::Stop);
            } else {
                r.slot.bare_untrack(sentinel);
            }
        }
        run
    }
}

/// When a run started and how long its submissions took.
struct Timing {
    t0: Instant<Monotonic>,
    submit_ns: i64,
}

/// How long a bare run that stopped early waits for its outstanding descriptors before it
/// terminates the channel.
const BARE_DRAIN_MS: u32 = 100;
