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
//! A ring owns its channel: other files get `EBUSY` for transfers on it while it runs.
//! Each queued slot is an ordinary [`Xfer`] on the channel's in-flight list, so cancel,
//! timeouts of other transfers and unbind stop ring slots like any other transfer, and the
//! completion callback stays the shared one (atomics only).

use super::*;

/// `AXI_DMA_DIR_MEM_TO_DEV`.
const DIR_MEM_TO_DEV: u32 = 1 << 1;
/// `AXI_DMA_DIR_DEV_TO_MEM`.
const DIR_DEV_TO_MEM: u32 = 1 << 2;
/// `AXI_DMA_STREAM_GAP`.
const STREAM_GAP: u32 = 1 << 0;
/// `ENOSPC` (asm-generic/errno-base.h).
const ENOSPC_NR: i32 = 28;

#[derive(Default)]
struct RingSlot {
    /// The transfer queued in this slot, until it is reaped.
    xfer: Option<Arc<Xfer>>,
    /// The ring had run dry when this slot was queued.
    gap: bool,
}

/// A ring with its own lock. Lock order: `OpenFile::inner` is never held while a ring's
/// lock is taken (the ring lock is held across `ChanSlot::state`, which is taken before
/// dmaengine's locks, and `inner` is taken under `mmap_lock`).
#[pin_data]
pub(super) struct RingCell {
    chan: u32,
    #[pin]
    ring: Mutex<Ring>,
}

/// One ring of an open file.
pub(super) struct Ring {
    chan: u32,
    dir: Direction,
    buf: Arc<Buffer>,
    offset: u64,
    slot_size: u64,
    slots: KVec<RingSlot>,
    head: u32,
    tail: u32,
    queued: u32,
    held: u32,
    /// Running number of the slot at `tail`.
    seq: u64,
    /// Slots queued over the ring's life (the transfer ids).
    submitted: u64,
    overruns: u64,
    /// The most recently queued transfer: when it is already done as the next slot is
    /// queued, the ring ran dry in between (an overrun).
    last: Option<Arc<Xfer>>,
    /// Set by `stop_ring`: a thread that found the ring before it was removed from the file
    /// must not queue on it any more.
    stopped: bool,
}

impl Ring {
    fn count(&self) -> u32 {
        self.slots.len() as u32
    }

    fn next(&self, i: u32) -> u32 {
        if i + 1 == self.count() {
            0
        } else {
            i + 1
        }
    }

    fn slot_offset(&self, i: u32) -> u64 {
        self.offset + u64::from(i) * self.slot_size
    }

    /// The oldest queued slot has finished: `REAP` would return something.
    fn readable(&self) -> bool {
        self.queued > 0
            && self
                .slots
                .get(self.tail as usize)
                .and_then(|s| s.xfer.as_ref())
                .is_some_and(|x| x.is_done())
    }

    /// Whether a slot is still with the device.
    fn busy(&self) -> bool {
        self.slots
            .iter()
            .any(|s| s.xfer.as_ref().is_some_and(|x| !x.is_done()))
    }
}

impl OpenFile {
    /// The ring of `chan` (the file's lock is held only to find it).
    /// Callers check `Ring::stopped` under the ring's lock.
    fn ring_of(&self, chan: u32) -> Result<Arc<RingCell>> {
        let inner = self.inner.lock();
        inner
            .rings
            .iter()
            .find(|r| r.chan == chan)
            .cloned()
            .ok_or(ENOENT)
    }

    /// `poll()`: whether any ring has a finished slot to reap.
    pub(super) fn rings_readable(&self) -> bool {
        let rings = self.ring_list();
        rings.iter().any(|r| r.ring.lock().readable())
    }

    fn ring_list(&self) -> KVec<Arc<RingCell>> {
        let inner = self.inner.lock();
        let mut v = KVec::new();
        for r in inner.rings.iter() {
            if v.push(r.clone(), GFP_KERNEL).is_err() {
                break;
            }
        }
        v
    }

    /// Stops every ring (the file is being released).
    pub(super) fn stop_rings(&self) {
        let rings = core::mem::take(&mut self.inner.lock().rings);
        for r in rings.iter() {
            self.stop_ring(&mut r.ring.lock());
        }
    }

    fn stream_dir(&self, direction: u32) -> Result<Direction> {
        match direction {
            DIR_DEV_TO_MEM => Ok(Direction::DevToMem),
            DIR_MEM_TO_DEV => Ok(Direction::MemToDev),
            d => {
                dev_dbg!(self.dev(), "stream: bad direction {:#x}\n", d);
                Err(EINVAL)
            }
        }
    }

    /// Queues `n` slots from `ring.head` on (`lens`: their lengths, or whole slots).
    /// Returns how many were queued; an error only if none was.
    fn queue_slots(&self, ring: &mut Ring, n: u32, lens: &[u32]) -> Result<u32> {
        let slot = self.chan(ring.chan)?;
        let mut done = 0;
        while done < n {
            let r = self.queue_one(slot, ring, lens.get(done as usize).copied(), done == 0);
            match r {
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
        Ok(done)
    }

    /// `first`: the first slot of a `PUSH`, the only one checked for a gap (a slot queued
    /// right behind it in the same call may find it done already, which is the call's own
    /// latency, not user space falling behind).
    fn queue_one(&self, slot: &ChanSlot, ring: &mut Ring, len: Option<u32>, first: bool) -> Result {
        let idx = ring.head;
        let len = len.map_or(ring.slot_size, u64::from);
        let off = ring.slot_offset(idx);
        let gap = first && ring.last.as_ref().is_some_and(|x| x.is_done());
        // Hand the slot over to the device (a no-op for coherent buffers).
        ring.buf.sync(off, len, false)?;
        let xfer = Xfer::new(
            ring.submitted,
            u64::from(idx),
            len,
            ring.chan,
            self.events.clone(),
            slot.stats.clone(),
        )?;
        let at = Some((&*ring.buf, off));
        let (src, dst) = match ring.dir {
            Direction::DevToMem => (None, at),
            _ => (at, None),
        };
        let ulen = usize::try_from(len).map_err(|_| EOVERFLOW)?;
        self.start(slot, &xfer, ring.dir, src, dst, ulen)?;
        if gap {
            ring.overruns += 1;
            slot.stats.overruns.add(1, kernel::sync::atomic::Relaxed);
        }
        let s = ring.slots.get_mut(idx as usize).ok_or(EINVAL)?;
        s.xfer = Some(xfer.clone());
        s.gap = gap;
        ring.last = Some(xfer);
        ring.head = ring.next(idx);
        ring.queued += 1;
        ring.submitted += 1;
        Ok(())
    }

    pub(super) fn stream_start(&self, arg: usize) -> Result<isize> {
        let mut req: StreamStart = read_arg(arg)?;
        let dev = self.dev();
        let dir = self.stream_dir(req.direction)?;
        if req.flags != 0 {
            dev_dbg!(dev, "stream: unknown flags {:#x}\n", req.flags);
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        if !slot.caps.supports(dir) {
            dev_dbg!(dev, "stream: channel {} cannot do {:?}\n", req.chan, dir);
            return Err(crate::xfer::eopnotsupp());
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
        let buf = {
            let inner = self.inner.lock();
            Self::find_buf(&inner, req.buf)?
        };
        buf.check_range(req.offset, span)?;
        let allowed = match dir {
            Direction::DevToMem => buf.device_may_write(),
            _ => buf.device_may_read(),
        };
        if !allowed {
            dev_dbg!(
                dev,
                "stream: buffer {} was allocated for the other direction\n",
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
                        offset: req.offset,
                        slot_size: req.slot_size,
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
        self.claim(slot)?;
        {
            let mut ring = cell.ring.lock();
            if dir == Direction::DevToMem {
                // Every slot goes to the device at once; a failure leaves nothing queued.
                if let Err(e) = self.queue_slots(&mut ring, req.count, &[]) {
                    drop(ring);
                    self.unclaim(slot);
                    return Err(e);
                }
            }
            req.queued = ring.queued;
        }
        if let Err(e) = self.inner.lock().rings.push(cell.clone(), GFP_KERNEL) {
            self.stop_ring(&mut cell.ring.lock());
            return Err(e.into());
        }
        write_arg(arg, &req)?;
        Ok(0)
    }

    pub(super) fn stream_push(&self, arg: usize) -> Result<isize> {
        let mut req: StreamPush = read_arg(arg)?;
        let dev = self.dev();
        if req.count == 0 || req.count > self.shared.limits.max_inflight {
            dev_dbg!(dev, "stream push: bad count {}\n", req.count);
            return Err(EINVAL);
        }
        // The lengths are copied before any lock is taken.
        let mut lens = KVec::new();
        if req.lens != 0 {
            let ptr = usize::try_from(req.lens).map_err(|_| EFAULT)?;
            let n = req.count as usize;
            lens = KVec::with_capacity(n, GFP_KERNEL)?;
            let mut r = UserSlice::new(UserPtr::from_addr(ptr), n * size_of::<u32>()).reader();
            for _ in 0..n {
                lens.push(r.read::<u32>()?, GFP_KERNEL)?;
            }
        }
        let cell = self.ring_of(req.chan)?;
        let mut guard = cell.ring.lock();
        let ring = &mut *guard;
        if ring.stopped {
            return Err(ENOENT);
        }
        if ring.dir == Direction::DevToMem && req.lens != 0 {
            dev_dbg!(dev, "stream push: lengths are for tx rings\n");
            return Err(EINVAL);
        }
        if lens
            .iter()
            .any(|&l| l == 0 || u64::from(l) > ring.slot_size)
        {
            dev_dbg!(dev, "stream push: a length is 0 or larger than the slot\n");
            return Err(EINVAL);
        }
        let free = ring.count() - ring.queued;
        if req.count > free {
            dev_dbg!(
                dev,
                "stream push: {} slots, {} not queued\n",
                req.count,
                free
            );
            return Err(Error::from_errno(-ENOSPC_NR));
        }
        req.first = ring.head;
        // Slots go in ring order: never-queued free slots (left by a START that could not
        // queue them all) come before the held ones, which were reaped most recently.
        let unheld = free - ring.held.min(free);
        let n = self.queue_slots(ring, req.count, &lens)?;
        ring.held -= n.saturating_sub(unheld).min(ring.held);
        req.count = n;
        req.queued = ring.queued;
        drop(guard);
        write_arg(arg, &req)?;
        Ok(0)
    }

    /// Moves up to `max - out.len()` finished slots of `chan`'s ring into `out`, in order.
    /// Returns the slots still queued and the ring's overruns.
    fn stream_collect(
        &self,
        chan: u32,
        out: &mut KVec<StreamDone>,
        max: usize,
    ) -> Result<(u32, u64)> {
        let cell = self.ring_of(chan)?;
        let mut guard = cell.ring.lock();
        let ring = &mut *guard;
        if ring.stopped {
            return Err(ENOENT);
        }
        while out.len() < max && ring.readable() {
            let tail = ring.tail;
            let off = ring.slot_offset(tail);
            let s = ring.slots.get_mut(tail as usize).ok_or(EINVAL)?;
            let Some(x) = s.xfer.take() else { break };
            let (error, bytes) = x.outcome();
            let flags = if s.gap { STREAM_GAP } else { 0 };
            if ring.dir == Direction::DevToMem && bytes > 0 {
                // The received bytes go back to the CPU.
                ring.buf.sync(off, bytes, true)?;
            }
            out.push(
                StreamDone {
                    seq: ring.seq,
                    bytes,
                    slot: tail,
                    error,
                    flags,
                    pad: 0,
                },
                GFP_KERNEL,
            )?;
            ring.tail = ring.next(tail);
            ring.queued -= 1;
            if ring.dir == Direction::DevToMem {
                ring.held += 1;
            }
            ring.seq += 1;
        }
        Ok((ring.queued, ring.overruns))
    }

    pub(super) fn stream_reap(&self, arg: usize) -> Result<isize> {
        let mut req: StreamReap = read_arg(arg)?;
        if req.max == 0 || req.max > REAP_MAX || req.min > req.max {
            dev_dbg!(
                self.dev(),
                "stream reap: bad max {} / min {}\n",
                req.max,
                req.min
            );
            return Err(EINVAL);
        }
        let max = req.max as usize;
        let entries_len = max.checked_mul(size_of::<StreamDone>()).ok_or(EOVERFLOW)?;
        let entries_ptr = usize::try_from(req.entries).map_err(|_| EFAULT)?;
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let ms = self.timeout(req.timeout_ms);
        let (queued, overruns) = self.collect_wait(
            &mut out,
            req.min as usize,
            ms,
            |out| self.stream_collect(req.chan, out, max),
            |&(queued, _)| queued == 0,
        )?;
        // Reaped slots are already the caller's: a fault writing them back loses them for
        // this call only (rx slots stay held, to be pushed again).
        write_entries(entries_ptr, entries_len, &out)?;
        req.count = out.len() as u32;
        req.queued = queued;
        req.overruns = overruns;
        write_arg(arg, &req)?;
        Ok(0)
    }

    pub(super) fn stream_stop(&self, arg: usize) -> Result<isize> {
        let mut req: StreamStop = read_arg(arg)?;
        let cell = {
            let mut inner = self.inner.lock();
            let pos = inner
                .rings
                .iter()
                .position(|r| r.chan == req.chan)
                .ok_or(ENOENT)?;
            inner.rings.remove(pos).map_err(|_| EINVAL)?
        };
        let mut ring = cell.ring.lock();
        let aborted = self.stop_ring(&mut ring);
        let done_unreaped = ring
            .slots
            .iter()
            .filter_map(|s| s.xfer.as_ref())
            .filter(|x| x.outcome().0 != -crate::xfer::ECANCELED_NR)
            .count();
        req.aborted = aborted;
        req.completed = ring.seq + done_unreaped as u64;
        req.overruns = ring.overruns;
        // The buffer reference goes only now, with nothing of the ring in flight.
        drop(ring);
        drop(cell);
        write_arg(arg, &req)?;
        Ok(0)
    }

    /// Makes this file's ring the owner of `slot`'s channel: `EBUSY` while another file
    /// owns it or has transfers in flight on it.
    fn claim(&self, slot: &ChanSlot) -> Result {
        let mut st = slot.state.lock();
        if st.chan.is_none() {
            return Err(ENODEV);
        }
        let foreign = st
            .inflight
            .iter()
            .any(|x| !x.is_done() && !Arc::ptr_eq(x.events(), &self.events));
        if st.ring_owner.is_some() || foreign {
            dev_dbg!(self.dev(), "stream: channel busy with another file\n");
            return Err(EBUSY);
        }
        st.ring_owner = Some(self.events.clone());
        Ok(())
    }

    fn unclaim(&self, slot: &ChanSlot) {
        let mut st = slot.state.lock();
        if st
            .ring_owner
            .as_ref()
            .is_some_and(|o| Arc::ptr_eq(o, &self.events))
        {
            st.ring_owner = None;
        }
    }

    /// Stops whatever `ring` still has with the device and gives its channel free. The
    /// channel is terminated if a slot is still queued (the ring owns the channel, so only
    /// this file's transfers on it are aborted). Returns how many slots were aborted.
    pub(super) fn stop_ring(&self, ring: &mut Ring) -> u32 {
        if ring.stopped {
            return 0;
        }
        ring.stopped = true;
        let Ok(slot) = self.chan(ring.chan) else {
            return 0;
        };
        let mut pending = KVec::new();
        for s in ring.slots.iter() {
            if let Some(x) = s.xfer.as_ref().filter(|x| !x.is_done()) {
                if pending.push(x.clone(), GFP_KERNEL).is_err() {
                    break;
                }
            }
        }
        if ring.busy() {
            dev_dbg!(self.dev(), "stream: terminating channel {}\n", ring.chan);
            terminate(&self.shared, slot, None);
        }
        self.unclaim(slot);
        pending
            .iter()
            .filter(|x| x.outcome().0 == -crate::xfer::ECANCELED_NR)
            .count() as u32
    }
}
