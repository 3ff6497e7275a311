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

/// A ring of `count` slots of one buffer kept queued back to back on a slave channel
/// (`AXI_DMA_IOC_STREAM_*`): gap-free streaming as long as the caller keeps up.
///
/// rx: [`Ring::reap`] returns filled slots in order; their bytes are readable with
/// [`Ring::data`] until [`Ring::release`] gives them back to the device.
/// tx: [`Ring::next_slot`] gives the next free slot to fill, [`Ring::send`] queues it, and
/// [`Ring::reap`] reports slots sent (and free again). Dropping the ring stops it.
#[derive(Debug)]
pub struct Ring<'d> {
    buf: Buffer<'d>,
    dir: RingDir,
    chan: u32,
    count: u32,
    slot_size: u64,
    /// Next slot to queue (tx) / oldest slot held by the caller (rx).
    head: u32,
    /// Slots with the device.
    queued: u32,
    /// rx: slots reaped and not yet released (from `head` on).
    held: u32,
    overruns: u64,
    stopped: bool,
}

impl Device {
    /// Starts a ring of `count` slots of `slot_size` bytes on `chan` (a buffer is allocated
    /// for it; `cached`: cacheable memory, which the driver syncs at each hand-over).
    pub fn ring(&self, chan: u32, dir: RingDir, count: u32, slot_size: u64, cached: bool) -> Result<Ring<'_>> {
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
            buf: buf.id,
            count,
            slot_size,
            ..Default::default()
        };
        self.ioctl("start stream", abi::IOC_STREAM_START, &mut s)?;
        Ok(Ring { buf, dir, chan, count, slot_size, head: 0, queued: s.queued, held: 0, overruns: 0, stopped: false })
    }
}

impl Ring<'_> {
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

    fn slot_range(&self, slot: u32) -> std::ops::Range<usize> {
        let start = (u64::from(slot) * self.slot_size) as usize;
        start..start + self.slot_size as usize
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
        self.buf.dev.ioctl("reap stream", abi::IOC_STREAM_REAP, &mut r)?;
        v.truncate(r.count as usize);
        self.queued = r.queued;
        self.overruns = r.overruns;
        if self.dir == RingDir::Rx {
            self.held += r.count;
        }
        Ok(v)
    }

    /// The bytes an rx slot received, while the caller holds it (after [`Ring::reap`],
    /// before [`Ring::release`]); `None` for any other slot.
    pub fn data(&self, d: &abi::StreamDone) -> Option<&[u8]> {
        if self.dir != RingDir::Rx || d.slot >= self.count {
            return None;
        }
        let age = (d.slot + self.count - self.head) % self.count;
        if age >= self.held || d.bytes > self.slot_size {
            return None;
        }
        let r = self.slot_range(d.slot);
        Some(&self.buf.as_slice()[r.start..r.start + d.bytes as usize])
    }

    /// rx: gives the `n` oldest held slots back to the device.
    pub fn release(&mut self, n: u32) -> Result<()> {
        if self.dir != RingDir::Rx || n > self.held {
            return Err(Error::errno("release slots", libc::EINVAL));
        }
        let q = self.push(n, None)?;
        self.held -= q.0;
        self.head = (self.head + q.0) % self.count;
        Ok(())
    }

    fn push(&mut self, n: u32, lens: Option<&[u32]>) -> Result<(u32, u32)> {
        let mut p = abi::StreamPush {
            chan: self.chan,
            count: n,
            lens: lens.map_or(0, |l| l.as_ptr() as u64),
            ..Default::default()
        };
        self.buf.dev.ioctl("queue slots", abi::IOC_STREAM_PUSH, &mut p)?;
        self.queued = p.queued;
        Ok((p.count, p.first))
    }

    /// tx: the next free slot to fill, or `None` while every slot is with the device.
    pub fn next_slot(&mut self) -> Option<&mut [u8]> {
        if self.dir != RingDir::Tx || self.queued >= self.count {
            return None;
        }
        let r = self.slot_range(self.head);
        Some(&mut self.buf.as_mut_slice()[r])
    }

    /// tx: queues the slot from [`Ring::next_slot`] with `len` bytes.
    pub fn send(&mut self, len: u32) -> Result<()> {
        if self.dir != RingDir::Tx {
            return Err(Error::errno("send slot", libc::EINVAL));
        }
        self.push(1, Some(&[len]))?;
        self.head = (self.head + 1) % self.count;
        Ok(())
    }

    /// Stops the ring (slots still queued are aborted). Returns the driver's summary.
    pub fn stop(mut self) -> Result<abi::StreamStop> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<abi::StreamStop> {
        self.stopped = true;
        let mut s = abi::StreamStop { chan: self.chan, ..Default::default() };
        self.buf.dev.ioctl("stop stream", abi::IOC_STREAM_STOP, &mut s)?;
        Ok(s)
    }
}

impl Drop for Ring<'_> {
    fn drop(&mut self) {
        if !self.stopped {
            // Before the buffer is freed (the driver keeps it until the ring stops anyway).
            let _ = self.stop_inner();
        }
    }
}
