// SPDX-License-Identifier: GPL-2.0

//! The in-kernel benchmark (`AXI_DMA_IOC_KBENCH`): `iters` memcpys between two of the
//! file's buffers with `depth` in flight, timed in the kernel (the baseline of `make bench`).
//!
//! It is checked like an XFER (direction, ranges, alignment, the buffers' DMA device), owns
//! its channel while it runs (other files get `EBUSY`), can be killed (`SIGKILL`), is
//! bounded in time ([`KBENCH_MAX_MS`]) and never returns with a transfer in flight.

use kernel::{
    prelude::*,
    sync::Arc,
    time::{
        Instant,
        Monotonic, //
    },
};

use super::OpenFile;
use crate::{
    chan::{
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
        if req.pad != 0
            || req.depth == 0
            || req.depth > KBENCH_MAX_DEPTH
            || req.iters == 0
            || req.iters > KBENCH_MAX_ITERS
        {
            dev_dbg!(
                self.dev(),
                "kbench: bad depth {} / iters {}\n",
                req.depth,
                req.iters
            );
            return Err(EINVAL);
        }
        // The same checks as a memcpy XFER of the whole length at offset 0.
        let as_xfer = uapi::Xfer {
            chan: req.chan,
            kind: 0,
            src_buf: req.src_buf,
            dst_buf: req.dst_buf,
            len: req.len,
            ..Default::default()
        };
        let r = self.validate(&as_xfer, XferKind::Memcpy)?;
        let slot = r.slot;
        let _claim = ClaimGuard::new(slot, &self.events, Claim::Bench)?;
        // Private completion events: user space never sees these transfers.
        let result = Events::new().and_then(|events| {
            let mut inflight: KVec<Arc<Xfer>> =
                KVec::with_capacity(req.depth as usize, GFP_KERNEL)?;
            let (mut submitted, mut completed) = (0u32, 0u32);
            let mut submit_ns = 0i64;
            let t0 = Instant::<Monotonic>::now();
            let ms = self.shared.limits.default_timeout_ms;
            let run = (|| {
                while completed < req.iters {
                    while submitted < req.iters && inflight.len() < req.depth as usize {
                        let x = Xfer::new(
                            u64::from(submitted),
                            0,
                            req.len,
                            req.chan,
                            events.clone(),
                            slot.stats.clone(),
                        )?;
                        let ts = Instant::<Monotonic>::now();
                        // The file owns the channel; the transfer reports to `events`.
                        slot.start(&self.events, &x, r.job(), true)?;
                        submit_ns += ts.elapsed().as_nanos();
                        inflight.push(x, GFP_KERNEL)?;
                        submitted += 1;
                    }
                    let x = inflight.remove(0).map_err(|_| EINVAL)?;
                    match x.wait(ms, Sleep::Killable) {
                        WaitResult::Ready => {}
                        WaitResult::Interrupted => return Err(EINTR),
                        WaitResult::TimedOut => return Err(ETIMEDOUT),
                    }
                    if let Some(e) = x.outcome().and_then(|o| o.error()) {
                        return Err(e);
                    }
                    completed += 1;
                    // With a fast engine the waits above never sleep, so never see a kill.
                    if fatal_signal_pending() {
                        return Err(EINTR);
                    }
                    if t0.elapsed().as_millis() > KBENCH_MAX_MS {
                        dev_dbg!(self.dev(), "kbench: over its time limit\n");
                        return Err(ETIMEDOUT);
                    }
                }
                Ok(())
            })();
            let total = t0.elapsed().as_nanos();
            if run.is_err() && inflight.iter().any(|x| !x.is_done()) {
                // Nothing of ours may run on after we return: stop the channel (we own it,
                // so only our transfers are aborted).
                let _ = slot.terminate(Terminator::Stop);
            }
            run.map(|()| uapi::KBench {
                total_ns: u64::try_from(total).unwrap_or(0),
                submit_ns: u64::try_from(submit_ns).unwrap_or(0),
                ..*req
            })
        });
        result
    }
}
