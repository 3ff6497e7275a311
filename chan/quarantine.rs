// SPDX-License-Identifier: GPL-2.0

//! Letting go of the transfers a terminate took off a channel, with their buffers: at once
//! on providers whose terminate stops the engine, after a grace period on those whose does
//! not (see the parent module's docs).

use kernel::{
    prelude::*,
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic, //
    },
};

use super::InFlight;
use crate::dmaengine::{
    reclaim_callback_ref,
    Quiet, //
};

/// Grace period after an abort on a provider whose terminate does not stop the engine.
pub(crate) const QUARANTINE_BASE_MS: i64 = 1000;
/// The slowest rate at which such an engine is assumed to finish an aborted transfer.
pub(crate) const QUARANTINE_MIN_BYTES_PER_MS: u64 = 64 * 1024;
/// The longest grace period.
const QUARANTINE_MAX_MS: i64 = 60_000;

/// Transfers taken off a channel, and until when their buffers must stay allocated.
pub(super) struct Released {
    list: KVec<InFlight>,
    until: Option<Instant<Monotonic>>,
}

impl Released {
    /// `list` with a grace period for `bytes` of aborted transfers (none for 0).
    pub(super) fn new(list: KVec<InFlight>, bytes: u64) -> Self {
        let until = (bytes > 0).then(|| {
            let ms = QUARANTINE_BASE_MS
                .saturating_add(
                    i64::try_from(bytes / QUARANTINE_MIN_BYTES_PER_MS).unwrap_or(i64::MAX),
                )
                .min(QUARANTINE_MAX_MS);
            Instant::<Monotonic>::now() + Delta::from_millis(ms)
        });
        Self { list, until }
    }

    /// Gives back the callback references still out (the channel is quiet).
    pub(super) fn reclaim(&self, q: &Quiet) {
        for e in self.list.iter() {
            reclaim_callback_ref(&e.xfer, q);
        }
    }

    /// Drops the transfers and their buffer references, after the grace period if there is
    /// one. Called without the channel's lock: the caller (a CANCEL, a timed-out wait, a
    /// closing file, unbind) waits, nobody else does.
    pub(super) fn finish(self) {
        if let Some(until) = self.until {
            let left = until - Instant::<Monotonic>::now();
            if left > Delta::ZERO {
                fsleep(left);
            }
        }
        drop(self.list);
    }
}
