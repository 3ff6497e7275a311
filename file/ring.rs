// SPDX-License-Identifier: GPL-2.0

//! Ring streaming (`AXI_DMA_IOC_STREAM_*`): a slave channel keeps the slots of one buffer
//! queued back to back, and user space consumes their completions in ring order.
//!
//! A ring has `count` slots. `head` is the next slot to queue, `tail` the oldest queued
//! one; `queued` slots from `tail` on are with the device, and for rx the `held` slots just
//! before `tail` were reaped and belong to user space until `PUSH` gives them back. Slots
//! are always queued in ring order, so a `PUSH` on an rx ring re-queues exactly the oldest
//! held slots. Completions are reported strictly in order: `REAP` stops at the first slot
//! that is still in flight, whatever order a provider completes descriptors in.
//!
//! A ring owns its channel ([`Claim::Ring`]): other files get `EBUSY` for work on it while
//! it runs, so stopping the ring (a terminate) never aborts another file's work. Each
//! queued slot is an ordinary [`Xfer`] on the channel, so cancel, timeouts and unbind stop
//! ring slots like any other transfer.

use kernel::{
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
};

mod state;

pub(super) use state::RingTable;
use state::{
    Geometry,
    Ring,
    RingCell,
    RingSlot, //
};

use super::{
    refuse_direction,
    OpenFile, //
};
use crate::{
    chan::{
        ChanSlot,
        Claim,
        ClaimGuard,
        Job,
        Terminator, //
    },
    dmaengine::TransferDirection,
    uapi::{
        self,
        SlaveDir, //
    },
    xfer::{
        Outcome,
        Xfer, //
    },
};

/// `ENOSPC` for a push larger than the free slots.
fn no_free_slots() -> Error {
    ENOSPC
}

impl OpenFile {
    /// Stops every ring (the file is being released).
    pub(super) fn stop_rings(&self) {
        let rings = core::mem::take(&mut *self.rings.rings.lock());
        for r in rings.iter() {
            self.stop_ring(&mut r.ring.lock());
        }
    }

    /// Queues `n` slots from `ring.head` on (`lens`: their lengths, or whole slots).
    /// Returns how many were queued; an error only if none was.
    fn queue_slots(&self, ring: &mut Ring, n: u32, lens: &[u32]) -> Result<u32> {
        let slot = self.chan(ring.chan)?;
        let mut done = 0;
        while done < n {
            match self.queue_one(slot, ring, lens.get(done as usize).copied(), done == 0) {
                Ok(()) => done += 1,
                Err(e) if done == 0 => return Err(e),
                Err(e) => {
                    dev_dbg!(
                        self.dev(),
                        "stream: queued {} of {} slots: {:?}\n",
                        done,
                        n,
                        e
                    );
                    break;
                }
            }
        }
        // One issue for the whole batch (see `ChanSlot::issue`); a failure above still
        // issues the slots queued before it.
        if done > 0 {
            slot.issue();
        }
        Ok(done)
    }

    /// `first`: the first slot of a `PUSH`, the only one checked for a gap (a slot queued
    /// right behind it in the same call may find it done already, which is the call's own
    /// latency, not user space falling behind).
    fn queue_one(&self, slot: &ChanSlot, ring: &mut Ring, len: Option<u32>, first: bool) -> Result {
        let idx = ring.head;
        let len = len.map_or(ring.geo.slot_size, u64::from);
        let off = ring.geo.slot_offset(idx);
        let gap = first && ring.last.as_ref().is_some_and(|x| x.is_done());
        // Hand the slot over to the device (a no-op for coherent buffers).
        ring.buf.sync(off, len, false)?;
        let xfer = Xfer::new(
            ring.submitted,
            u64::from(idx),
            len,
            ring.chan,
            &self.events,
            &slot.stats,
        )?;
        let at = Some((&ring.buf, off));
        let (src, dst) = match ring.dir {
            TransferDirection::DevToMem => (None, at),
            _ => (at, None),
        };
        let ulen = usize::try_from(len).map_err(|_| EOVERFLOW)?;
        slot.start(
            &self.events,
            &xfer,
            Job {
                dir: ring.dir,
                src,
                dst,
                len: ulen,
            },
            false,
        )?;
        if gap {
            ring.overruns += 1;
            slot.stats.overruns.add(1, Relaxed);
        }
        let s = ring.slots.get_mut(idx as usize).ok_or(EINVAL)?;
        s.xfer = Some(xfer.clone());
        s.gap = gap;
        ring.last = Some(xfer);
        ring.head = ring.geo.next(idx);
        ring.queued += 1;
        ring.submitted += 1;
        Ok(())
    }

    /// `AXI_DMA_IOC_STREAM_START`.
    pub(crate) fn stream_start(&self, req: &uapi::StreamStart) -> Result<uapi::StreamStart> {
        let dev = self.dev();
        let dir = match SlaveDir::try_from(req.direction) {
            Ok(SlaveDir::MemToDev) => TransferDirection::MemToDev,
            Ok(SlaveDir::DevToMem) => TransferDirection::DevToMem,
            Err(v) => {
                dev_dbg!(dev, "stream: bad direction {:#x}\n", v.0);
                return Err(EINVAL);
            }
        };
        if req.flags != 0 {
            dev_dbg!(dev, "stream: unknown flags {:#x}\n", req.flags);
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        if !slot.supports(dir) {
            return Err(refuse_direction(dev, req.chan, "stream"));
        }
        let max = self.shared.limits.max_inflight;
        if req.count == 0 || req.count > max || req.slot_size == 0 {
            dev_dbg!(
                dev,
                "stream: {} slots (1..{}) of {:#x} bytes\n",
                req.count,
                max,
                req.slot_size
            );
            return Err(EINVAL);
        }
        u32::try_from(req.slot_size).map_err(|_| EOVERFLOW)?;
        let span = req
            .slot_size
            .checked_mul(u64::from(req.count))
            .ok_or(EOVERFLOW)?;
        let mut slots = KVec::with_capacity(req.count as usize, GFP_KERNEL)?;
        for _ in 0..req.count {
            slots.push(RingSlot::default(), GFP_KERNEL)?;
        }
        let device_writes = dir == TransferDirection::DevToMem;
        let buf = self.dma_operand(slot, req.buf, req.offset, span, device_writes)?;
        // Slots are queued as single descriptors: the ring's range must be one DMA run.
        if buf.contiguous(req.offset, span).is_none() {
            dev_dbg!(
                self.dev(),
                "stream: buffer {} is not one DMA run there\n",
                req.buf
            );
            return Err(EINVAL);
        }
        let cell = Arc::pin_init(
            pin_init!(RingCell {
                chan: req.chan,
                ring <- kernel::new_mutex!(
                    Ring {
                        chan: req.chan,
                        dir,
                        buf,
                        geo: Geometry {
                            count: req.count,
                            offset: req.offset,
                            slot_size: req.slot_size,
                        },
                        slots,
                        head: 0,
                        tail: 0,
                        queued: 0,
                        held: 0,
                        seq: 0,
                        submitted: 0,
                        overruns: 0,
                        last: None,
                        stopped: false,
                    },
                    "Ring"
                ),
            }),
            GFP_KERNEL,
        )?;
        // Owning the channel is what makes the ring unique (also against a racing START).
        let claim = ClaimGuard::new(slot, &self.events, Claim::Ring)?;
        let mut out = *req;
        {
            let mut ring = cell.ring.lock();
            if dir == TransferDirection::DevToMem {
                // Every slot goes to the device at once; a failure leaves nothing queued
                // (and the guard gives the channel back).
                self.queue_slots(&mut ring, req.count, &[])?;
            }
            out.queued = ring.queued;
        }
        // From here on the ring's stop gives the channel back.
        claim.keep();
        if let Err(e) = self.rings.rings.lock().push(cell.clone(), GFP_KERNEL) {
            self.stop_ring(&mut cell.ring.lock());
            return Err(e.into());
        }
        Ok(out)
    }

    /// `AXI_DMA_IOC_STREAM_PUSH`, with the lengths already copied from user space.
    pub(crate) fn stream_push(
        &self,
        req: &uapi::StreamPush,
        lens: &[u32],
    ) -> Result<uapi::StreamPush> {
        let dev = self.dev();
        if req.count == 0 || req.count > self.shared.limits.max_inflight {
            dev_dbg!(dev, "stream push: bad count {}\n", req.count);
            return Err(EINVAL);
        }
        let cell = self.rings.of(req.chan)?;
        let mut guard = cell.ring.lock();
        let ring = &mut *guard;
        if ring.stopped {
            return Err(ENOENT);
        }
        if ring.dir == TransferDirection::DevToMem && req.lens != 0 {
            dev_dbg!(dev, "stream push: lengths are for tx rings\n");
            return Err(EINVAL);
        }
        if lens
            .iter()
            .any(|&l| l == 0 || u64::from(l) > ring.geo.slot_size)
        {
            dev_dbg!(dev, "stream push: a length is 0 or larger than the slot\n");
            return Err(EINVAL);
        }
        let free = ring.geo.count - ring.queued;
        if req.count > free {
            dev_dbg!(
                dev,
                "stream push: {} slots, {} not queued\n",
                req.count,
                free
            );
            return Err(no_free_slots());
        }
        let first = ring.head;
        // Slots go in ring order: never-queued free slots (left by a START that could not
        // queue them all) come before the held ones, which were reaped most recently.
        let unheld = free - ring.held.min(free);
        let n = self.queue_slots(ring, req.count, lens)?;
        ring.held -= n.saturating_sub(unheld).min(ring.held);
        Ok(uapi::StreamPush {
            count: n,
            first,
            queued: ring.queued,
            ..*req
        })
    }

    /// Moves up to `max - out.len()` finished slots of `chan`'s ring into `out`, in order.
    /// Returns the slots still queued and the ring's overruns.
    fn stream_collect(
        &self,
        chan: u32,
        out: &mut KVec<uapi::StreamDone>,
        max: usize,
    ) -> Result<(u32, u64)> {
        let cell = self.rings.of(chan)?;
        let mut guard = cell.ring.lock();
        let ring = &mut *guard;
        if ring.stopped {
            return Err(ENOENT);
        }
        while out.len() < max && ring.readable() {
            let tail = ring.tail;
            let off = ring.geo.slot_offset(tail);
            let s = ring.slots.get_mut(tail as usize).ok_or(EINVAL)?;
            let Some(x) = s.xfer.take() else { break };
            let o = x.outcome().unwrap_or(Outcome::Cancelled(0));
            let flags = if s.gap { uapi::STREAM_GAP } else { 0 };
            if ring.dir == TransferDirection::DevToMem && o.bytes() > 0 {
                // The received bytes go back to the CPU.
                ring.buf.sync(off, o.bytes(), true)?;
            }
            out.push(
                uapi::StreamDone {
                    seq: ring.seq,
                    bytes: o.bytes(),
                    slot: tail,
                    error: o.errno(),
                    flags,
                    pad: 0,
                },
                GFP_KERNEL,
            )?;
            ring.tail = ring.geo.next(tail);
            ring.queued -= 1;
            if ring.dir == TransferDirection::DevToMem {
                ring.held += 1;
            }
            ring.seq += 1;
        }
        Ok((ring.queued, ring.overruns))
    }

    /// `AXI_DMA_IOC_STREAM_REAP`: the entries to write to `req.entries`, and the structure.
    pub(crate) fn stream_reap(
        &self,
        req: &uapi::StreamReap,
    ) -> Result<(KVec<uapi::StreamDone>, uapi::StreamReap)> {
        if req.max == 0 || req.max > uapi::REAP_MAX || req.min > req.max {
            dev_dbg!(
                self.dev(),
                "stream reap: bad max {} / min {}\n",
                req.max,
                req.min
            );
            return Err(EINVAL);
        }
        let max = req.max as usize;
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let (queued, overruns) = self.collect_wait(
            &mut out,
            req.min as usize,
            self.timeout(req.timeout_ms),
            |out| self.stream_collect(req.chan, out, max),
            |&(queued, _)| queued == 0,
        )?;
        let r = uapi::StreamReap {
            // CAST: at most `REAP_MAX`.
            count: out.len() as u32,
            queued,
            overruns,
            ..*req
        };
        Ok((out, r))
    }

    /// `AXI_DMA_IOC_STREAM_STOP`.
    pub(crate) fn stream_stop(&self, req: &uapi::StreamStop) -> Result<uapi::StreamStop> {
        let cell = {
            let mut rings = self.rings.rings.lock();
            let pos = rings
                .iter()
                .position(|r| r.chan == req.chan)
                .ok_or(ENOENT)?;
            rings.remove(pos).map_err(|_| EINVAL)?
        };
        let mut ring = cell.ring.lock();
        let aborted = self.stop_ring(&mut ring);
        let done_unreaped = ring
            .slots
            .iter()
            .filter_map(|s| s.xfer.as_ref())
            .filter(|x| !matches!(x.outcome(), Some(Outcome::Cancelled(_))))
            .count();
        Ok(uapi::StreamStop {
            aborted,
            // CAST: at most `count` slots.
            completed: ring.seq + done_unreaped as u64,
            overruns: ring.overruns,
            ..*req
        })
        // The ring (and its buffer reference) goes after this; the channel holds the
        // buffer of any aborted slot until it is known quiet.
    }

    /// Stops whatever `ring` still has with the device and gives its channel free. The
    /// channel is terminated if a slot is still queued (the ring owns the channel, so only
    /// this file's transfers on it are aborted). Returns how many slots were aborted.
    fn stop_ring(&self, ring: &mut Ring) -> u32 {
        if ring.stopped {
            return 0;
        }
        ring.stopped = true;
        let Ok(slot) = self.chan(ring.chan) else {
            return 0;
        };
        if ring.busy() {
            dev_dbg!(self.dev(), "stream: terminating channel {}\n", ring.chan);
            let _ = slot.terminate(Terminator::Stop);
        }
        let _ = slot.unclaim(&self.events, Claim::Ring);
        // CAST: at most `count` slots.
        ring.slots
            .iter()
            .filter_map(|s| s.xfer.as_ref())
            .filter(|x| matches!(x.outcome(), Some(Outcome::Cancelled(_))))
            .count() as u32
    }
}
