// SPDX-License-Identifier: GPL-2.0

//! A ring's state and arithmetic, and the table of an open file's rings (see `ring.rs`).

use kernel::{
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
};

use crate::{buffer::Buffer, dmaengine::TransferDirection, xfer::Xfer};

#[derive(Default)]
pub(super) struct RingSlot {
    /// The transfer queued in this slot, until it is reaped.
    pub(super) xfer: Option<Arc<Xfer>>,
    /// The ring had run dry when this slot was queued.
    pub(super) gap: bool,
}

/// The ring arithmetic: slot indices modulo `count`.
#[derive(Copy, Clone)]
pub(super) struct Geometry {
    pub(super) count: u32,
    pub(super) offset: u64,
    pub(super) slot_size: u64,
}

impl Geometry {
    pub(super) fn next(self, i: u32) -> u32 {
        if i + 1 >= self.count {
            0
        } else {
            i + 1
        }
    }

    pub(super) fn slot_offset(self, i: u32) -> u64 {
        self.offset + u64::from(i) * self.slot_size
    }
}

/// One ring of an open file.
pub(super) struct Ring {
    pub(super) chan: u32,
    pub(super) dir: TransferDirection,
    pub(super) buf: Arc<Buffer>,
    pub(super) geo: Geometry,
    pub(super) slots: KVec<RingSlot>,
    pub(super) head: u32,
    pub(super) tail: u32,
    pub(super) queued: u32,
    pub(super) held: u32,
    /// Running number of the slot at `tail`.
    pub(super) seq: u64,
    /// Slots queued over the ring's life (the transfer ids).
    pub(super) submitted: u64,
    pub(super) overruns: u64,
    /// The most recently queued transfer: when it is already done as the next slot is
    /// queued, the ring ran dry in between (an overrun).
    pub(super) last: Option<Arc<Xfer>>,
    /// Set by `stop_ring`: a thread that found the ring before it was removed from the file
    /// must not queue on it any more.
    pub(super) stopped: bool,
}

impl Ring {
    /// The oldest queued slot has finished: `REAP` would return something.
    pub(super) fn readable(&self) -> bool {
        self.queued > 0
            && self
                .slots
                .get(self.tail as usize)
                .and_then(|s| s.xfer.as_ref())
                .is_some_and(|x| x.is_done())
    }

    /// Whether a slot is still with the device.
    pub(super) fn busy(&self) -> bool {
        self.slots
            .iter()
            .any(|s| s.xfer.as_ref().is_some_and(|x| !x.is_done()))
    }
}

/// A ring with its own lock (see `file.rs` for the lock order).
#[pin_data]
pub(super) struct RingCell {
    pub(super) chan: u32,
    #[pin]
    pub(super) ring: Mutex<Ring>,
}

/// The rings of an open file (at most one per channel).
#[pin_data]
pub(crate) struct RingTable {
    #[pin]
    pub(super) rings: Mutex<KVec<Arc<RingCell>>>,
}

impl RingTable {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            rings <- kernel::new_mutex!(KVec::new(), "RingTable::rings"),
        })
    }

    pub(super) fn of(&self, chan: u32) -> Result<Arc<RingCell>> {
        self.rings
            .lock()
            .iter()
            .find(|r| r.chan == chan)
            .cloned()
            .ok_or(ENOENT)
    }

    fn list(&self) -> KVec<Arc<RingCell>> {
        let rings = self.rings.lock();
        let mut v = KVec::new();
        for r in rings.iter() {
            if v.push(r.clone(), GFP_KERNEL).is_err() {
                break;
            }
        }
        v
    }

    /// Whether any ring has a finished slot to reap.
    pub(crate) fn any_readable(&self) -> bool {
        self.list().iter().any(|r| r.ring.lock().readable())
    }
}

#[kunit_tests(axi_dma_ring)]
mod tests {
    use super::Geometry;

    #[test]
    fn slots_wrap_and_offsets_stride() {
        let g = Geometry {
            count: 3,
            offset: 4096,
            slot_size: 1000,
        };
        assert_eq!(g.next(0), 1);
        assert_eq!(g.next(1), 2);
        assert_eq!(g.next(2), 0);
        assert_eq!(g.slot_offset(0), 4096);
        assert_eq!(g.slot_offset(2), 6096);
        let one = Geometry {
            count: 1,
            offset: 0,
            slot_size: 64,
        };
        assert_eq!(one.next(0), 0);
    }
}
