// SPDX-License-Identifier: GPL-2.0

//! Collecting an open file's finished transfers: the blocking waits, WAIT, REAP and STATUS.

use kernel::{
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
};

use super::OpenFile;
use crate::{
    chan::Terminator,
    uapi,
    wait::{
        Sleep,
        WaitResult, //
    },
    xfer::{
        recycle,
        Outcome,
        Xfer, //
    },
};

impl OpenFile {
    /// Waits for `xfer`; on timeout terminates its channel and returns `ETIMEDOUT`.
    pub(super) fn wait_done(&self, xfer: &Arc<Xfer>, ms: u32, sleep: Sleep) -> Result {
        match xfer.wait(ms, sleep) {
            WaitResult::Ready => Ok(()),
            WaitResult::Interrupted => Err(EINTR),
            WaitResult::TimedOut => {
                dev_err!(
                    self.dev(),
                    "transfer {:#x} on channel {} timed out after {} ms; terminating the channel\n",
                    xfer.id,
                    xfer.chan,
                    ms
                );
                if let Ok(slot) = self.chan(xfer.chan) {
                    let _ = slot.terminate(Terminator::Timeout(xfer));
                }
                // The terminate finished it, unless the completion raced the timeout.
                match xfer.outcome() {
                    Some(Outcome::Done(_)) => Ok(()),
                    _ => Err(ETIMEDOUT),
                }
            }
        }
    }

    /// Removes a finished (or aborted), waited-for transfer and returns how it ended.
    pub(super) fn collect_waited(&self, xfer: &Arc<Xfer>) -> Outcome {
        self.xfers.forget(xfer.id);
        self.release_freed();
        // Every path here waited until done or terminated the channel (which finishes
        // every pending transfer): `None` cannot happen, and would read as a cancel.
        xfer.outcome().unwrap_or(Outcome::Cancelled(0))
    }

    /// Collects a blocking transfer its caller held without a table entry (see
    /// `XferTable`) and returns how it ended, as [`OpenFile::collect_waited`] does.
    pub(super) fn collect_blocking(&self, xfer: Arc<Xfer>) -> Outcome {
        self.xfers.uncount(1);
        self.release_freed();
        let o = xfer.outcome().unwrap_or(Outcome::Cancelled(0));
        recycle(xfer);
        o
    }

    /// `AXI_DMA_IOC_WAIT`.
    pub(crate) fn wait(&self, req: &uapi::Wait) -> (Option<uapi::Wait>, Result) {
        let xfer = {
            let mut inner = self.xfers.lock();
            let Some(e) = inner.entries.iter_mut().find(|e| e.xfer.id == req.xfer_id) else {
                return (None, Err(ENOENT));
            };
            if e.waiting {
                // Another thread of this file already waits for it.
                return (None, Err(EBUSY));
            }
            e.waiting = true;
            e.xfer.clone()
        };
        match self.wait_done(&xfer, self.timeout(req.timeout_ms), Sleep::Interruptible) {
            Err(e) if e == EINTR => {
                self.xfers.unmark_waiting(xfer.id);
                (None, Err(EINTR))
            }
            r => {
                let o = self.collect_waited(&xfer);
                let out = uapi::Wait {
                    error: o.errno(),
                    bytes: o.bytes(),
                    user_data: xfer.user_data,
                    ..*req
                };
                (Some(out), r.and(o.error().map_or(Ok(()), Err)))
            }
        }
    }

    /// Moves up to `max - out.len()` finished, unwaited transfers into `out`; returns how
    /// many are still in flight. One pass over the table under its lock; the records go
    /// back to the pool there (lock-free: `xfer/pool.rs`).
    fn collect(&self, out: &mut KVec<uapi::Completion>, max: usize) -> Result<u32> {
        let before = out.len();
        let mut pending = 0u32;
        {
            let mut inner = self.xfers.lock();
            let mut i = 0;
            while let Some(e) = inner.entries.get(i) {
                let done = e.xfer.is_done();
                if e.reapable_if(done) && out.len() < max {
                    let o = e.xfer.outcome().unwrap_or(Outcome::Cancelled(0));
                    // Written before the entry leaves: a failed push loses nothing.
                    out.push(
                        uapi::Completion {
                            xfer_id: e.xfer.id,
                            user_data: e.xfer.user_data,
                            bytes: o.bytes(),
                            error: o.errno(),
                            chan: e.xfer.chan,
                        },
                        GFP_KERNEL,
                    )?;
                    let e = inner.entries.remove(i).map_err(|_| EINVAL)?;
                    recycle(e.xfer);
                    continue;
                }
                if !done {
                    pending += 1;
                }
                i += 1;
            }
            // Blocking transfers their callers hold without an entry are counted by the
            // events (read under the lock: one that got an entry meanwhile counts once).
            pending += self.events.unlisted.load(Relaxed);
        }
        let taken = out.len() - before;
        self.xfers.uncount(taken);
        if taken > 0 {
            self.release_freed();
        }
        Ok(pending)
    }

    /// `AXI_DMA_IOC_REAP`: the completions to write to `req.entries`, and the structure.
    pub(crate) fn reap(&self, req: &uapi::Reap) -> Result<(KVec<uapi::Completion>, uapi::Reap)> {
        if req.max == 0 || req.max > uapi::REAP_MAX || req.min > req.max || req.pad != 0 {
            dev_dbg!(self.dev(), "reap: bad max {} / min {}\n", req.max, req.min);
            return Err(EINVAL);
        }
        let max = req.max as usize;
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let pending = self.collect_wait(
            &mut out,
            req.min as usize,
            self.timeout(req.timeout_ms),
            |out| self.collect(out, max),
            |&pending| pending == 0,
        )?;
        let r = uapi::Reap {
            // CAST: at most `REAP_MAX`.
            count: out.len() as u32,
            pending,
            ..*req
        };
        Ok((out, r))
    }

    /// `AXI_DMA_IOC_STATUS`.
    pub(crate) fn status(&self, req: &uapi::Status) -> Result<uapi::Status> {
        let xfer = self.xfers.find(req.xfer_id)?;
        let mut out = uapi::Status {
            xfer_id: req.xfer_id,
            ..Default::default()
        };
        match xfer.outcome() {
            Some(o) => {
                out.state = uapi::STATE_DONE;
                out.error = o.errno();
                out.bytes = o.bytes();
            }
            None => {
                out.state = uapi::STATE_PENDING;
                // Only what the provider can tell: 0 with descriptor granularity.
                out.bytes = self.chan(xfer.chan)?.progress(&xfer).unwrap_or(0);
            }
        }
        Ok(out)
    }
}
