// SPDX-License-Identifier: GPL-2.0

//! Submitting an open file's transfers: XFER (blocking, non-blocking, loopback) and
//! SUBMIT's batches. The table they go into is `xfer_table.rs`, collecting them
//! `completions.rs`.

use kernel::{
    prelude::*,
    sync::Arc, //
};

use super::{
    refuse_direction,
    OpenFile, //
};
use crate::{
    buffer::Buffer,
    chan::{
        ChanSlot,
        Job,
        Terminator, //
    },
    dmaengine::TransferDirection,
    uapi::{
        self,
        XferKind, //
    },
    wait::Sleep,
    xfer::{
        recycle,
        Outcome,
        Xfer, //
    },
};

/// A validated transfer request.
pub(super) struct Request<'a> {
    pub(super) slot: &'a Arc<ChanSlot>,
    dir: TransferDirection,
    pub(super) src: Option<(Arc<Buffer>, u64)>,
    pub(super) dst: Option<(Arc<Buffer>, u64)>,
    pub(super) len: usize,
}

impl Request<'_> {
    /// What the channel is to move.
    pub(super) fn job(&self) -> Job<'_> {
        Job {
            dir: self.dir,
            src: at(&self.src),
            dst: at(&self.dst),
            len: self.len,
        }
    }
}

/// A (buffer, offset) pair borrowed from a [`Request`].
fn at(b: &Option<(Arc<Buffer>, u64)>) -> Option<(&Arc<Buffer>, u64)> {
    b.as_ref().map(|(b, o)| (b, *o))
}

impl OpenFile {
    /// Validates a memcpy, send or receive on `req.chan` (everything but the table).
    pub(super) fn validate<'a>(&'a self, req: &uapi::Xfer, kind: XferKind) -> Result<Request<'a>> {
        let dev = self.dev();
        if req.flags & !uapi::XFER_NONBLOCK != 0 {
            dev_dbg!(dev, "xfer: unknown flags {:#x}\n", req.flags);
            return Err(EINVAL);
        }
        if req.len == 0 {
            dev_dbg!(dev, "xfer: zero length\n");
            return Err(EINVAL);
        }
        // Larger than any buffer can be: the same answer on 32- and 64-bit kernels.
        if req.len > self.shared.limits.max_buffer_size {
            dev_dbg!(dev, "xfer: length {:#x} beyond any buffer\n", req.len);
            return Err(EINVAL);
        }
        let len = usize::try_from(req.len).map_err(|_| EINVAL)?;
        let dir = match kind {
            XferKind::Memcpy => TransferDirection::MemToMem,
            XferKind::ToDev => TransferDirection::MemToDev,
            XferKind::FromDev => TransferDirection::DevToMem,
            XferKind::Loopback => return Err(EINVAL),
        };
        let slot = self.chan(req.chan)?;
        if !slot.supports(dir) {
            return Err(refuse_direction(dev, req.chan, "xfer"));
        }
        // Both operands in one lookup of the buffer table; checked in order, source first.
        let (src_id, dst_id) = (
            (dir != TransferDirection::DevToMem).then_some(req.src_buf),
            (dir != TransferDirection::MemToDev).then_some(req.dst_buf),
        );
        let (src_buf, dst_buf) = self.bufs.get_pair(src_id, dst_id);
        let src = match src_id {
            None => None,
            Some(id) => Some((
                self.check_operand(
                    slot,
                    src_buf.ok_or(ENOENT)?,
                    id,
                    req.src_off,
                    req.len,
                    false,
                )?,
                req.src_off,
            )),
        };
        let dst = match dst_id {
            None => None,
            Some(id) => Some((
                self.check_operand(slot, dst_buf.ok_or(ENOENT)?, id, req.dst_off, req.len, true)?,
                req.dst_off,
            )),
        };
        if dir == TransferDirection::MemToMem {
            // `addr_align` is a power of two.
            let mask = u64::from(slot.caps.addr_align.max(1)) - 1;
            let s = src.as_ref().map_or(0, |(b, o)| b.dma_addr(*o));
            let d = dst.as_ref().map_or(0, |(b, o)| b.dma_addr(*o));
            if (s | d | req.len) & mask != 0 {
                dev_dbg!(dev, "xfer: channel needs {:#x}-byte alignment\n", mask + 1);
                return Err(EINVAL);
            }
        }
        Ok(Request {
            slot,
            dir,
            src,
            dst,
            len,
        })
    }

    /// Validates and starts `req`. A non-blocking transfer is registered with the file; a
    /// blocking one is the caller's, to wait for and collect with
    /// [`OpenFile::collect_blocking`] (see `xfer_table.rs`). Without `issue`, the caller
    /// issues the channel (`ChanSlot::issue`) once it submitted a batch.
    fn submit(
        &self,
        req: &uapi::Xfer,
        kind: XferKind,
        blocking: bool,
        issue: bool,
    ) -> Result<Arc<Xfer>> {
        let r = self.validate(req, kind)?;
        // Finished but uncollected transfers count too: they hold kernel memory.
        let max = self.shared.limits.max_inflight;
        let id = self.xfers.reserve(max).inspect_err(|_| {
            dev_dbg!(self.dev(), "xfer: {} transfers not yet collected\n", max);
        })?;
        let made = Xfer::new(
            id,
            req.user_data,
            req.len,
            req.chan,
            &self.events,
            &r.slot.stats,
        )
        .and_then(|x| {
            if blocking {
                x.count_unlisted();
            } else if let Err(e) = self.xfers.list(&x, max) {
                recycle(x);
                return Err(e);
            }
            Ok(x)
        });
        let xfer = made.inspect_err(|_| self.xfers.uncount(1))?;
        let (slot, dir, len) = (r.slot, r.dir, r.len);
        // The request's buffer references move into the channel's list.
        if let Err(e) = slot.start_owned(&self.events, &xfer, dir, [r.src, r.dst], len, issue) {
            if blocking {
                xfer.uncount();
                self.xfers.uncount(1);
                recycle(xfer);
            } else {
                self.xfers.forget(xfer.id);
            }
            return Err(e);
        }
        Ok(xfer)
    }

    /// A blocking transfer's wait was interrupted by a signal: it (and a loopback's send
    /// half, `companion`) stays in flight, collected by `WAIT` with the id written back:
    /// `EINTR`. Without memory for its entry it cannot be left behind: the call waits on
    /// (a fatal signal still ends the wait; the process is going, and its close stops
    /// the transfer) and returns that wait's result.
    fn interrupted(&self, xfer: &Arc<Xfer>, companion: Option<&Arc<Xfer>>, ms: u32) -> Result {
        if self.xfers.adopt(xfer, companion).is_ok() {
            return Err(EINTR);
        }
        let mut r = Ok(());
        for x in Iterator::chain(companion.into_iter(), core::iter::once(xfer)) {
            if r.is_ok() {
                r = self.wait_done(x, ms, Sleep::Killable);
            }
        }
        r
    }

    /// `AXI_DMA_IOC_XFER`. Returns the structure to write back and the ioctl's result.
    pub(crate) fn xfer(&self, req: &uapi::Xfer) -> (Option<uapi::Xfer>, Result) {
        let kind = match XferKind::try_from(req.kind) {
            Ok(k) => k,
            Err(v) => {
                dev_dbg!(self.dev(), "xfer: unknown kind {}\n", v.0);
                return (None, Err(EINVAL));
            }
        };
        if kind == XferKind::Loopback {
            return self.loopback(req);
        }
        if req.rx_chan != 0 {
            dev_dbg!(self.dev(), "xfer: rx_chan is for loopbacks\n");
            return (None, Err(EINVAL));
        }
        let nonblock = req.flags & uapi::XFER_NONBLOCK != 0;
        let xfer = match self.submit(req, kind, !nonblock, true) {
            Ok(x) => x,
            Err(e) => return (None, Err(e)),
        };
        let mut out = uapi::Xfer {
            xfer_id: xfer.id,
            ..*req
        };
        if nonblock {
            return (Some(out), Ok(()));
        }
        let ms = self.timeout(req.timeout_ms);
        let mut waited = self.wait_done(&xfer, ms, Sleep::Interruptible);
        if waited == Err(EINTR) {
            waited = self.interrupted(&xfer, None, ms);
            if waited == Err(EINTR) {
                return (Some(out), Err(EINTR));
            }
        }
        let o = self.collect_blocking(xfer);
        out.bytes = o.bytes();
        out.error = o.errno();
        (Some(out), waited.and(o.error().map_or(Ok(()), Err)))
    }

    /// `AXI_DMA_XFER_LOOPBACK`: receive on `rx_chan` into the destination, send from the
    /// source on `chan`, and wait for both. Blocking only; reports the bytes received.
    fn loopback(&self, req: &uapi::Xfer) -> (Option<uapi::Xfer>, Result) {
        if req.flags & uapi::XFER_NONBLOCK != 0 {
            dev_dbg!(self.dev(), "loopback: blocking only\n");
            return (None, Err(EINVAL));
        }
        let base = uapi::Xfer {
            len: req.len,
            user_data: req.user_data,
            ..Default::default()
        };
        let send = uapi::Xfer {
            chan: req.chan,
            src_buf: req.src_buf,
            src_off: req.src_off,
            ..base
        };
        let recv = uapi::Xfer {
            chan: req.rx_chan,
            dst_buf: req.dst_buf,
            dst_off: req.dst_off,
            ..base
        };
        // Both are checked before either starts, so that a bad send never leaves a receive
        // waiting for data.
        if let Err(e) = self
            .validate(&send, XferKind::ToDev)
            .and(self.validate(&recv, XferKind::FromDev))
        {
            return (None, Err(e));
        }
        let rx = match self.submit(&recv, XferKind::FromDev, true, true) {
            Ok(x) => x,
            Err(e) => return (None, Err(e)),
        };
        let tx = match self.submit(&send, XferKind::ToDev, true, true) {
            Ok(x) => x,
            Err(e) => {
                // The receive waits for data that will never come: stop it.
                if let Ok(slot) = self.chan(req.rx_chan) {
                    let _ = slot.terminate(Terminator::Stop);
                }
                self.collect_blocking(rx);
                return (None, Err(e));
            }
        };
        let ms = self.timeout(req.timeout_ms);
        // The receive first: it ends after the send, so on hardware this is the round
        // trip's only sleep (waiting for the send first woke the caller once more, between
        // the two interrupts). A send that fails leaves the receive to time out either way.
        let mut waited = self.wait_done(&rx, ms, Sleep::Interruptible);
        if waited.is_ok() {
            waited = self.wait_done(&tx, ms, Sleep::Interruptible);
        }
        let mut out = uapi::Xfer {
            xfer_id: rx.id,
            ..*req
        };
        if waited == Err(EINTR) {
            // Both stay in flight; WAIT on the receive's id collects both.
            waited = self.interrupted(&rx, Some(&tx), ms);
            if waited == Err(EINTR) {
                return (Some(out), Err(EINTR));
            }
        }
        if !rx.is_done() {
            // The send failed or timed out: nothing will arrive.
            if let Ok(slot) = self.chan(req.rx_chan) {
                let _ = slot.terminate(Terminator::Stop);
            }
        }
        if !tx.is_done() {
            // The receive timed out while the send still runs (a stalled stream): the send
            // is what did not finish in time.
            if let Ok(slot) = self.chan(req.chan) {
                let _ = slot.terminate(Terminator::Timeout(&tx));
            }
        }
        let tx_err = tx.outcome().and_then(Outcome::error);
        self.collect_blocking(tx);
        let rx_out = self.collect_blocking(rx);
        out.bytes = rx_out.bytes();
        let err = tx_err.or(rx_out.error());
        out.error = err.map_or(0, |e| e.to_errno());
        (Some(out), waited.and(err.map_or(Ok(()), Err)))
    }

    /// The submission half of `AXI_DMA_IOC_SUBMIT`: submits `reqs` in order as
    /// non-blocking transfers, writing each one's id back into it, and issues every channel
    /// it used once at the end (a provider that starts what is issued while idle as one
    /// chain, like `xilinx_dma`, gets the whole batch). Stops at the first refusal: returns
    /// how many went and that refusal.
    pub(crate) fn submit_batch(&self, reqs: &mut [uapi::Xfer]) -> (u32, Option<Error>) {
        let mut used = 0u32;
        let mut queued = 0u32;
        let mut refused = None;
        for req in reqs.iter_mut() {
            let kind = match XferKind::try_from(req.kind) {
                Ok(XferKind::Loopback) | Err(_) => Err(EINVAL),
                Ok(k) if req.only_inputs() && req.rx_chan == 0 => Ok(k),
                Ok(_) => Err(EINVAL),
            };
            match kind.and_then(|k| self.submit(req, k, false, false)) {
                Ok(x) => {
                    req.xfer_id = x.id;
                    // `chan < MAX_CHANNELS <= 32`: it was validated by the submission.
                    used |= 1u32.checked_shl(req.chan).unwrap_or(0);
                    queued += 1;
                }
                Err(e) => {
                    dev_dbg!(self.dev(), "submit: transfer {} refused: {:?}\n", queued, e);
                    refused = Some(e);
                    break;
                }
            }
        }
        for (i, slot) in self.shared.chans.iter().enumerate() {
            // CAST: `i < MAX_CHANNELS`.
            if used & 1u32.checked_shl(i as u32).unwrap_or(0) != 0 {
                slot.issue();
            }
        }
        (queued, refused)
    }
}
