// SPDX-License-Identifier: GPL-2.0

//! Exclusive ownership of a channel by one open file (`AXI_DMA_IOC_CLAIM`, rings, KBENCH).

use kernel::{
    prelude::*,
    sync::Arc, //
};

use super::{
    ChanSlot,
    ChanState, //
};
use crate::xfer::Events;

/// The exclusive owner of a channel and why it owns it.
pub(super) struct Owner {
    pub(super) file: Arc<Events>,
    /// `AXI_DMA_IOC_CLAIM`.
    pub(super) claimed: bool,
    /// A ring runs on the channel.
    pub(super) ring: bool,
    /// An in-kernel benchmark runs on the channel.
    pub(super) bench: bool,
}

/// Why a file owns a channel (see [`ChanSlot::claim`]).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Claim {
    /// Asked for by user space.
    Explicit,
    /// A ring.
    Ring,
    /// An in-kernel benchmark.
    Bench,
}

impl ChanState {
    /// Whether a file other than `file` owns the channel.
    pub(super) fn owned_by_other(&self, file: &Arc<Events>) -> bool {
        self.owner
            .as_ref()
            .is_some_and(|o| !Arc::ptr_eq(&o.file, file))
    }

    /// Whether a file other than `file` has transfers in flight on the channel.
    pub(super) fn others_in_flight(&self, file: &Arc<Events>) -> bool {
        self.inflight
            .iter()
            .any(|e| !e.xfer.is_done() && !Arc::ptr_eq(e.xfer.events(), file))
    }
}

impl ChanSlot {
    /// Makes `file` the exclusive owner of the channel for `why`: `EBUSY` while another
    /// file owns it or has transfers in flight on it; `ENODEV` after unbind.
    pub(crate) fn claim(&self, file: &Arc<Events>, why: Claim) -> Result {
        let mut st = self.state.lock();
        if st.unbound {
            return Err(ENODEV);
        }
        let foreign = st.others_in_flight(file);
        let o = match st.owner.as_mut() {
            Some(o) if !Arc::ptr_eq(&o.file, file) => None,
            Some(o) => Some(o),
            None if foreign => None,
            None => {
                st.owner = Some(Owner {
                    file: file.clone(),
                    claimed: false,
                    ring: false,
                    bench: false,
                });
                st.owner.as_mut()
            }
        };
        let Some(o) = o else {
            dev_dbg!(
                self.dev,
                "claim: channel {} busy with another file\n",
                self.index
            );
            return Err(EBUSY);
        };
        let flag = match why {
            Claim::Explicit => &mut o.claimed,
            Claim::Ring => &mut o.ring,
            Claim::Bench => &mut o.bench,
        };
        if *flag && why != Claim::Explicit {
            // One ring and one benchmark at a time per channel.
            return Err(EBUSY);
        }
        *flag = true;
        Ok(())
    }

    /// Gives up `file`'s ownership for `why`; `EINVAL` if it did not have it.
    pub(crate) fn unclaim(&self, file: &Arc<Events>, why: Claim) -> Result {
        let mut st = self.state.lock();
        let Some(o) = st.owner.as_mut().filter(|o| Arc::ptr_eq(&o.file, file)) else {
            return Err(EINVAL);
        };
        let flag = match why {
            Claim::Explicit => &mut o.claimed,
            Claim::Ring => &mut o.ring,
            Claim::Bench => &mut o.bench,
        };
        if !*flag {
            return Err(EINVAL);
        }
        *flag = false;
        if !(o.claimed || o.ring || o.bench) {
            st.owner = None;
        }
        Ok(())
    }
}

/// A claim that is given up when dropped, unless [`kept`](Self::keep).
pub(crate) struct ClaimGuard<'a> {
    slot: &'a ChanSlot,
    file: &'a Arc<Events>,
    why: Claim,
    armed: bool,
}

impl<'a> ClaimGuard<'a> {
    /// Claims `slot` for `file` (see [`ChanSlot::claim`]).
    pub(crate) fn new(slot: &'a ChanSlot, file: &'a Arc<Events>, why: Claim) -> Result<Self> {
        slot.claim(file, why)?;
        Ok(Self {
            slot,
            file,
            why,
            armed: true,
        })
    }

    /// Keeps the claim: it is given up explicitly later (a ring's stop).
    pub(crate) fn keep(mut self) {
        self.armed = false;
    }
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.slot.unclaim(self.file, self.why);
        }
    }
}
