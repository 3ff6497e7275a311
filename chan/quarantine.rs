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

use super::{
    ChanSlot,
    ChanState,
    InFlight, //
};
use crate::{
    dmaengine::Quiet,
    wait::{
        Sleep,
        WaitResult, //
    },
};

/// Grace period after an abort on a provider whose terminate does not stop the engine.
pub(crate) const QUARANTINE_BASE_MS: i64 = 1000;
/// The slowest rate at which such an engine is assumed to finish an aborted transfer.
pub(crate) const QUARANTINE_MIN_BYTES_PER_MS: u64 = 64 * 1024;
/// The longest grace period.
const QUARANTINE_MAX_MS: i64 = 60_000;

/// The grace period for `bytes` of transfers an engine that a terminate does not stop may
/// still be running.
fn grace_ms(bytes: u64) -> i64 {
    QUARANTINE_BASE_MS
        .saturating_add(i64::try_from(bytes / QUARANTINE_MIN_BYTES_PER_MS).unwrap_or(i64::MAX))
        .min(QUARANTINE_MAX_MS)
}

impl ChanSlot {
    /// Instead of a terminate on a provider whose terminate does not stop the engine
    /// (zynqmp_dma): waits, for at most the grace period a terminate would need anyway,
    /// until every transfer in flight has finished on its own (a memcpy engine always
    /// finishes unless it hangs). Returns whether they all did: then no terminate is
    /// needed, and none races the provider's completion tasklet (zynqmp_dma's
    /// `terminate_all` frees the done list its tasklet walks with the lock dropped around
    /// each callback: a soft lockup, seen under `KBENCH` killed mid-run). The caller holds
    /// the slot's lock, which completion callbacks never take.
    pub(super) fn drain(&self, st: &ChanState) -> bool {
        let bytes = st
            .inflight
            .iter()
            .filter(|e| !e.xfer.is_done())
            .fold(0u64, |b, e| b.saturating_add(e.xfer.len));
        if bytes == 0 {
            return true;
        }
        let t0 = Instant::<Monotonic>::now();
        let ms = grace_ms(bytes);
        for e in st.inflight.iter() {
            let left = ms.saturating_sub(t0.elapsed().as_millis());
            // CAST: `0 <= left <= QUARANTINE_MAX_MS`.
            let left = left.clamp(0, QUARANTINE_MAX_MS) as u32;
            if e.xfer.wait(left, Sleep::Uninterruptible) != WaitResult::Ready {
                dev_warn!(
                    self.dev,
                    "channel {}: a transfer did not finish within {} ms; terminating\n",
                    self.index,
                    ms
                );
                return false;
            }
        }
        true
    }
}

/// Transfers taken off a channel, and until when their buffers must stay allocated.
pub(super) struct Released {
    list: KVec<InFlight>,
    until: Option<Instant<Monotonic>>,
}

impl Released {
    /// `list` with a grace period for `bytes` of aborted transfers (none for 0).
    pub(super) fn new(list: KVec<InFlight>, bytes: u64) -> Self {
        let until =
            (bytes > 0).then(|| Instant::<Monotonic>::now() + Delta::from_millis(grace_ms(bytes)));
        Self { list, until }
    }

    /// Gives back the callback references still out (the channel is quiet).
    pub(super) fn reclaim(&self, q: &Quiet) {
        for e in self.list.iter() {
            e.reclaim(q);
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
