// SPDX-License-Identifier: GPL-2.0

//! Buffers of aborted transfers on providers whose terminate does not stop the engine
//! (see the parent module's docs): held for a grace period before they may be freed.

use kernel::{
    prelude::*,
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic, //
    },
};

use super::{
    ChanSlot,
    ChanState,
    InFlight, //
};

/// Grace period after an abort on a provider whose terminate does not stop the engine.
pub(crate) const QUARANTINE_BASE_MS: i64 = 1000;
/// The slowest rate at which such an engine is assumed to finish an aborted transfer.
pub(crate) const QUARANTINE_MIN_BYTES_PER_MS: u64 = 64 * 1024;

/// Buffers of aborted transfers, held until `until` (see the module docs).
pub(super) struct Quarantined {
    pub(super) until: Instant<Monotonic>,
    _entries: KVec<InFlight>,
}

impl ChanSlot {
    /// Holds the buffers of `list` (aborted transfers of `bytes` in all) until the engine
    /// must be done with them.
    pub(super) fn quarantine(st: &mut ChanState, list: KVec<InFlight>, bytes: u64) {
        let ms = QUARANTINE_BASE_MS
            .saturating_add(i64::try_from(bytes / QUARANTINE_MIN_BYTES_PER_MS).unwrap_or(i64::MAX));
        let q = Quarantined {
            until: Instant::<Monotonic>::now() + Delta::from_millis(ms.min(60_000)),
            _entries: list,
        };
        if st.quarantine.reserve(1, GFP_KERNEL).is_ok() {
            if let Err(kernel::alloc::kvec::PushError(q)) = st.quarantine.push_within_capacity(q) {
                Self::wait_out(q);
            }
        } else {
            // No memory to remember them: wait out the grace period here.
            Self::wait_out(q);
        }
    }

    /// Drops quarantined buffers whose grace period is over (all of them with `wait`,
    /// sleeping until then: unbind).
    pub(super) fn drain_quarantine(st: &mut ChanState, wait: bool) {
        if wait {
            let now = Instant::<Monotonic>::now();
            let left = st
                .quarantine
                .iter()
                .map(|q| q.until - now)
                .max()
                .unwrap_or(Delta::ZERO);
            if left > Delta::ZERO {
                fsleep(left);
            }
        }
        let now = Instant::<Monotonic>::now();
        st.quarantine.retain(|q| q.until - now > Delta::ZERO);
    }

    fn wait_out(q: Quarantined) {
        let left = q.until - Instant::<Monotonic>::now();
        if left > Delta::ZERO {
            fsleep(left);
        }
        drop(q);
    }
}
