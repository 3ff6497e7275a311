//! [`Ring`]: gap-free streaming through a ring of slots on a slave channel.

use crate::{abi, device::timeout_ms, Buffer, Device, Error, Result};
use std::time::Duration;

/// Direction of a [`Ring`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingDir {
    /// Device to memory (AXI DMA S2MM): every slot is queued from the start.
    Rx,
    /// Memory to device (AXI DMA MM2S): slots are queued as they are filled.
    Tx,
}

/// Who has a slot, as the driver reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Never queued, or (tx) reaped: user space may fill it.
    Free,
    /// Queued (`START`/`PUSH` said so) and not reaped since: the engine may use it.
    Device,
    /// rx: reaped and not queued again: user space may read it.
    Held,
}

/// Every slot's state, from the driver's reports only.
#[derive(Debug)]
struct Slots {
    state: Vec<Slot>,
    /// Slots in state `Held`.
    held: u32,
    /// The next slot the driver queues (it queues in ring order).
    head: u32,
}

impl Slots {
    fn new(count: u32) -> Self {
        Self { state: vec![Slot::Free; count as usize], held: 0, head: 0 }
    }

    fn count(&self) -> u32 {
        self.state.len() as u32
    }

    fn is(&self, slot: u32, s: Slot) -> bool {
        self.state.get(slot as usize) == Some(&s)
    }

    /// The driver queued `n` slots from `first` on (`START`: from 0; `PUSH`: as it says).
    fn queued(&mut self, first: u32, n: u32) {
        let count = u64::from(self.count());
        if count == 0 {
            return;
        }
        for i in 0..u64::from(n).min(count) {
            let slot = &mut self.state[((u64::from(first) + i) % count) as usize];
            if *slot == Slot::Held {
                self.held -= 1;
            }
            *slot = Slot::Device;
        }
        self.head = ((u64::from(first) + u64::from(n)) % count) as u32;
    }

    /// The driver reported `slot` finished (`REAP`): rx slots are then held by the caller,
    /// tx slots free.
    fn reaped(&mut self, dir: RingDir, slot: u32) {
        let Some(s) = self.state.get_mut(slot as usize) else { return };
        match dir {
            RingDir::Rx => {
                if *s != Slot::Held {
                    self.held += 1;
                }
                *s = Slot::Held;
            }
            RingDir::Tx => *s = Slot::Free,
        }
    }
}

/// A ring of `count` slots of one buffer kept queued back to back on a slave channel
/// (`AXI_DMA_IOC_STREAM_*`): gap-free streaming as long as the caller keeps up.
///
/// rx: [`Ring::reap`] returns filled slots in order; their bytes are readable with
/// [`Ring::data`] until [`Ring::release`] gives them back to the device.
/// tx: [`Ring::next_slot`] gives the next free slot to fill, [`Ring::send`] queues it, and
/// [`Ring::reap`] reports slots sent (and free again). Dropping the ring stops it.
///
/// The ring owns its buffer and never lends out more than one slot the driver reported as
/// out of the engine's hands (reaped, never queued): which slots those are is tracked from
/// the slot numbers the driver returns (`START`, `PUSH`'s `first`/`count`, `REAP`'s
/// entries), not from assumptions about its order.
#[derive(Debug)]
pub struct Ring {
    buf: Buffer,
    dev: Device,
    dir: RingDir,
    chan: u32,
    count: u32,
    slot_size: u64,
    slots: Slots,
    /// Slots with the device (as of the last call).
    queued: u32,
    overruns: u64,
    stopped: bool,
}

impl Device {
    /// Starts a ring of `count` slots of `slot_size` bytes on `chan` (a buffer is allocated
    /// for it; `cached`: cacheable memory, which the driver syncs at each hand-over).
    pub fn ring(&self, chan: u32, dir: RingDir, count: u32, slot_size: u64, cached: bool) -> Result<Ring> {
        let size = slot_size
            .checked_mul(u64::from(count))
            .ok_or_else(|| Error::errno("ring size", libc::EOVERFLOW))?;
        let buf = if cached {
            let f = match dir {
                RingDir::Rx => abi::ALLOC_FROM_DEVICE,
                RingDir::Tx => abi::ALLOC_TO_DEVICE,
            };
            self.alloc_cached(chan, size, f)?
        } else {
            self.alloc(chan, size)?
        };
        let mut s = abi::StreamStart {
            chan,
            direction: match dir {
                RingDir::Rx => abi::DIR_DEV_TO_MEM,
                RingDir::Tx => abi::DIR_MEM_TO_DEV,
            },
            buf: buf.id(),
            count,
            slot_size,
            ..Default::default()
        };
        self.ioctl("start stream", abi::IOC_STREAM_START, &mut s)?;
        let mut ring = Ring {
            buf,
            dev: self.clone(),
            dir,
            chan,
            count,
            slot_size,
            slots: Slots::new(count),
            queued: s.queued,
            overruns: 0,
            stopped: false,
        };
        // START queues slots 0.. in order.
        ring.slots.queued(0, s.queued);
        Ok(ring)
    }
}

impl Ring {
    /// Slots in the ring.
    pub fn count(&self) -> u32 {
        self.count
    }
    /// Bytes per slot.
    pub fn slot_size(&self) -> u64 {
        self.slot_size
    }
    /// Slots with the device right now (as of the last call).
    pub fn queued(&self) -> u32 {
        self.queued
    }
    /// Times the ring ran dry so far (as of the last reap).
    pub fn overruns(&self) -> u64 {
        self.overruns
    }
    /// rx: slots reaped and not released yet.
    pub fn held(&self) -> u32 {
        self.slots.held
    }

    /// `len` bytes of `slot`, which the caller checked is out of the engine's hands.
    fn slot_ptr(&self, slot: u32, len: usize) -> (*mut u8, usize) {
        debug_assert!(slot < self.count && len as u64 <= self.slot_size);
        let start = (u64::from(slot) * self.slot_size) as usize;
        // The buffer holds `count * slot_size` bytes. Only the slot's own bytes are ever
        // turned into a slice: a slice of the whole buffer would also cover slots the
        // engine is writing.
        // SAFETY: `start` is inside the mapping (see above).
        (unsafe { self.buf.mapping().ptr.add(start) }, len)
    }

    /// Finished slots, oldest first: waits up to `timeout` until at least `min` are there.
    pub fn reap(&mut self, max: u32, min: u32, timeout: Option<Duration>) -> Result<Vec<abi::StreamDone>> {
        let mut v = vec![abi::StreamDone::default(); max as usize];
        let mut r = abi::StreamReap {
            chan: self.chan,
            max,
            entries: v.as_mut_ptr() as u64,
            min,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.dev.ioctl("reap stream", abi::IOC_STREAM_REAP, &mut r)?;
        v.truncate((r.count as usize).min(v.len()));
        self.queued = r.queued;
        self.overruns = r.overruns;
        for d in &v {
            self.slots.reaped(self.dir, d.slot);
        }
        Ok(v)
    }

    /// The bytes an rx slot received, while the caller holds it (after [`Ring::reap`],
    /// before [`Ring::release`]); `None` for any other slot.
    pub fn data(&self, d: &abi::StreamDone) -> Option<&[u8]> {
        if self.dir != RingDir::Rx || !self.slots.is(d.slot, Slot::Held) || d.bytes > self.slot_size {
            return None;
        }
        let (p, len) = self.slot_ptr(d.slot, d.bytes as usize);
        // SAFETY: The slot is held: reaped (its transfer is over and the driver synced it
        // for the CPU) and not queued since. It goes back to the device only through
        // `release`, which takes `&mut self` and so cannot run while this borrow lives.
        Some(unsafe { std::slice::from_raw_parts(p, len) })
    }

    /// rx: gives `n` held slots back to the device (the driver takes the oldest).
    pub fn release(&mut self, n: u32) -> Result<()> {
        if self.dir != RingDir::Rx || n > self.slots.held {
            return Err(Error::errno("release slots", libc::EINVAL));
        }
        if n > 0 {
            self.push(n, None)?;
        }
        Ok(())
    }

    /// rx: gives `n` held slots back to the device and reaps, in one system call
    /// (`AXI_DMA_IOC_STREAM_CYCLE`): [`release`](Self::release) then [`reap`](Self::reap).
    pub fn release_and_reap(
        &mut self,
        n: u32,
        max: u32,
        min: u32,
        timeout: Option<Duration>,
    ) -> Result<Vec<abi::StreamDone>> {
        if self.dir != RingDir::Rx || n > self.slots.held {
            return Err(Error::errno("release slots", libc::EINVAL));
        }
        self.cycle(n, None, max, min, timeout)
    }

    /// tx: queues the slot from [`Ring::next_slot`] with `len` bytes and reaps, in one
    /// system call: [`send`](Self::send) then [`reap`](Self::reap).
    pub fn send_and_reap(&mut self, len: u32, max: u32, min: u32, timeout: Option<Duration>) -> Result<Vec<abi::StreamDone>> {
        if self.dir != RingDir::Tx || len == 0 || u64::from(len) > self.slot_size {
            return Err(Error::errno("send slot", libc::EINVAL));
        }
        self.cycle(1, Some(&[len]), max, min, timeout)
    }

    fn cycle(
        &mut self,
        n: u32,
        lens: Option<&[u32]>,
        max: u32,
        min: u32,
        timeout: Option<Duration>,
    ) -> Result<Vec<abi::StreamDone>> {
        let mut v = vec![abi::StreamDone::default(); max as usize];
        let mut c = abi::StreamCycle {
            chan: self.chan,
            push: n,
            lens: lens.map_or(0, |l| l.as_ptr() as u64),
            entries: v.as_mut_ptr() as u64,
            max,
            min,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        // On failure nothing was queued: the driver fails the call only if the push was
        // refused, or if the ring was stopped meanwhile (ENOENT: the engine no longer uses
        // any slot) or the entries could not be written (EFAULT: not with `v`). A signal
        // after the push does not fail it (see the header).
        self.dev.ioctl("queue slots and reap", abi::IOC_STREAM_CYCLE, &mut c)?;
        if n > 0 {
            self.slots.queued(c.first, c.push.min(n));
        }
        v.truncate((c.count as usize).min(v.len()));
        self.queued = c.queued;
        self.overruns = c.overruns;
        for d in &v {
            self.slots.reaped(self.dir, d.slot);
        }
        Ok(v)
    }

    fn push(&mut self, n: u32, lens: Option<&[u32]>) -> Result<()> {
        let mut p = abi::StreamPush {
            chan: self.chan,
            count: n,
            lens: lens.map_or(0, |l| l.as_ptr() as u64),
            ..Default::default()
        };
        // The driver queues all or some of them (an error only if none) and says which.
        self.dev.ioctl("queue slots", abi::IOC_STREAM_PUSH, &mut p)?;
        self.queued = p.queued;
        self.slots.queued(p.first, p.count.min(n));
        Ok(())
    }

    /// tx: the next free slot to fill, or `None` while the driver has it.
    pub fn next_slot(&mut self) -> Option<&mut [u8]> {
        if self.dir != RingDir::Tx || !self.slots.is(self.slots.head, Slot::Free) {
            return None;
        }
        let (p, len) = self.slot_ptr(self.slots.head, self.slot_size as usize);
        // SAFETY: The slot is free: never queued, or reaped (its transfer is over) and not
        // queued since. `send` queues it, and takes `&mut self`, so not while this lives.
        Some(unsafe { std::slice::from_raw_parts_mut(p, len) })
    }

    /// tx: queues the slot from [`Ring::next_slot`] with `len` bytes.
    pub fn send(&mut self, len: u32) -> Result<()> {
        if self.dir != RingDir::Tx || len == 0 || u64::from(len) > self.slot_size {
            return Err(Error::errno("send slot", libc::EINVAL));
        }
        self.push(1, Some(&[len]))
    }

    /// Stops the ring (slots still queued are aborted). Returns the driver's summary.
    pub fn stop(mut self) -> Result<abi::StreamStop> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<abi::StreamStop> {
        self.stopped = true;
        let mut s = abi::StreamStop { chan: self.chan, ..Default::default() };
        self.dev.ioctl("stop stream", abi::IOC_STREAM_STOP, &mut s)?;
        Ok(s)
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        if !self.stopped {
            // Before the buffer is unmapped and freed (the driver keeps it until the ring
            // stops anyway, and unmapping is safe while the engine uses it).
            let _ = self.stop_inner();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_slots_are_readable_only_between_reap_and_requeue() {
        let mut s = Slots::new(4);
        s.queued(0, 4); // START: all queued
        assert!((0..4).all(|i| s.is(i, Slot::Device)));
        s.reaped(RingDir::Rx, 0);
        s.reaped(RingDir::Rx, 1);
        assert!(s.is(0, Slot::Held) && s.is(1, Slot::Held) && s.is(2, Slot::Device));
        assert_eq!(s.held, 2);
        // PUSH of 1 re-queues the oldest held slot, as the driver reports.
        s.queued(0, 1);
        assert!(s.is(0, Slot::Device) && s.is(1, Slot::Held));
        assert_eq!(s.held, 1);
        // Slot numbers out of range (a forged entry) change nothing.
        s.reaped(RingDir::Rx, 9);
        assert_eq!(s.held, 1);
        // Wrap-around.
        s.reaped(RingDir::Rx, 2);
        s.reaped(RingDir::Rx, 3);
        s.queued(1, 3);
        assert!((0..4).all(|i| s.is(i, Slot::Device)));
        assert_eq!((s.held, s.head), (0, 0));
    }

    #[test]
    fn rx_slots_the_driver_did_not_requeue_stay_held() {
        // A START that could queue only 2 of 4: the driver queues the never-queued slots
        // before the held ones, so a PUSH of 1 leaves slot 0 with the caller.
        let mut s = Slots::new(4);
        s.queued(0, 2);
        s.reaped(RingDir::Rx, 0);
        s.queued(2, 1);
        assert!(s.is(0, Slot::Held) && s.is(2, Slot::Device) && s.is(3, Slot::Free));
        assert_eq!(s.held, 1);
    }

    #[test]
    fn tx_slots_are_writable_until_queued_and_again_once_reaped() {
        let mut s = Slots::new(3);
        s.queued(0, 0); // START of a tx ring queues nothing
        assert!(s.is(s.head, Slot::Free));
        for i in 0..3 {
            assert_eq!(s.head, i);
            s.queued(i, 1);
        }
        assert_eq!(s.head, 0);
        assert!(!s.is(s.head, Slot::Free), "every slot is with the device");
        s.reaped(RingDir::Tx, 0);
        assert!(s.is(s.head, Slot::Free));
        assert_eq!(s.held, 0);
    }
}
