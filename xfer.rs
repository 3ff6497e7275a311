// SPDX-License-Identifier: GPL-2.0

//! Transfers in flight and the per-file completion events.
//!
//! A transfer ([`Xfer`]) is shared by three owners: the file's list (until user space reaps
//! it), its channel's in-flight list (until it finished, so that a terminate can abort it)
//! and the completion callback (one reference, given back when the callback ran or after
//! the channel was terminated). The callback runs in atomic context: it only stores atomics
//! and wakes the file's wait queue; it never takes a lock and never frees DMA memory.

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        Arc,
    },
};

use kernel::time::{
    Instant,
    Monotonic, //
};

use crate::dma_chan::{
    WaitQueue,
    TX_ABORTED,
    TX_NOERROR, //
};

/// Per-file completion events: one wait queue and a counter bumped by every completion.
#[pin_data]
pub(crate) struct Events {
    #[pin]
    pub(crate) wq: WaitQueue,
    /// Incremented on every completion; waiters sleep until it changes.
    pub(crate) seq: Atomic<u32>,
}

impl Events {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                wq <- WaitQueue::new(),
                seq: Atomic::new(0),
            }),
            GFP_KERNEL,
        )
    }
}

/// `ECANCELED` (asm-generic/errno.h, the same on arm and arm64; not in `kernel::error`).
pub(crate) const ECANCELED_NR: i32 = 125;
/// `EOPNOTSUPP` (asm-generic/errno.h; not in `kernel::error`).
const EOPNOTSUPP_NR: i32 = 95;

/// The error for a request the channel cannot perform.
pub(crate) fn eopnotsupp() -> Error {
    Error::from_errno(-EOPNOTSUPP_NR)
}

/// Per-channel counters, updated by completions (atomic context: atomics only) and shown
/// in debugfs as `/sys/kernel/debug/axi-dmaN/stats` (writing to it resets them).
pub(crate) struct ChanStats {
    pub(crate) transfers: Atomic<u64>,
    pub(crate) bytes: Atomic<u64>,
    pub(crate) errors: Atomic<u64>,
    pub(crate) timeouts: Atomic<u64>,
    pub(crate) cancelled: Atomic<u64>,
    /// Sum of each transfer's time from submission to completion, in ns (transfers in
    /// flight together are counted each: divide by the wall time for the mean depth).
    pub(crate) latency_ns: Atomic<u64>,
    /// Ring slots queued after the ring had run dry (see `stream.rs`).
    pub(crate) overruns: Atomic<u64>,
    /// Time with at least one transfer in flight on the channel, in ns.
    pub(crate) busy_ns: Atomic<u64>,
    /// Transfers in flight (counted from issue to completion) and since when, in ns after
    /// `epoch`, the count is above zero. State, not counters: never reset.
    active: Atomic<u32>,
    busy_since: Atomic<u64>,
    epoch: Instant<Monotonic>,
}

impl ChanStats {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                transfers: Atomic::new(0),
                bytes: Atomic::new(0),
                errors: Atomic::new(0),
                timeouts: Atomic::new(0),
                cancelled: Atomic::new(0),
                latency_ns: Atomic::new(0),
                overruns: Atomic::new(0),
                busy_ns: Atomic::new(0),
                active: Atomic::new(0),
                busy_since: Atomic::new(0),
                epoch: Instant::now(),
            },
            GFP_KERNEL,
        )?)
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(0)
    }

    /// A transfer is about to be issued.
    fn busy_begin(&self) {
        if self.active.fetch_add(1, Relaxed) == 0 {
            self.busy_since.store(self.now_ns(), Relaxed);
        }
    }

    /// A transfer counted by `busy_begin` finished.
    fn busy_end(&self) {
        if self.active.fetch_sub(1, Relaxed) == 1 {
            let since = self.busy_since.load(Relaxed);
            self.busy_ns
                .add(self.now_ns().saturating_sub(since), Relaxed);
        }
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.transfers,
            &self.bytes,
            &self.errors,
            &self.timeouts,
            &self.cancelled,
            &self.latency_ns,
            &self.overruns,
            &self.busy_ns,
        ] {
            c.store(0, Relaxed);
        }
    }
}

/// The transfer is still in flight.
pub(crate) const STATE_PENDING: u32 = 0;
/// The transfer finished (successfully, with an error, or aborted).
pub(crate) const STATE_DONE: u32 = 1;

/// One submitted transfer.
pub(crate) struct Xfer {
    pub(crate) id: u64,
    pub(crate) user_data: u64,
    pub(crate) len: u64,
    pub(crate) chan: u32,
    pub(crate) cookie: Atomic<i32>,
    /// `STATE_PENDING` until the callback or an abort set `STATE_DONE` (Release).
    pub(crate) state: Atomic<u32>,
    /// `enum dmaengine_tx_result`, valid once `state` is `STATE_DONE`.
    result: Atomic<u32>,
    residue: Atomic<u32>,
    /// Whether the transfer was finished by a timeout (rather than a cancel or unbind).
    timed_out: Atomic<u32>,
    /// 1 while the completion callback owns a reference (see `dma_chan::Descriptor::submit`).
    pub(crate) cb_ref: Atomic<u32>,
    /// 1 while the transfer counts in its channel's busy time (see `issued`).
    busy: Atomic<u32>,
    events: Arc<Events>,
    stats: Arc<ChanStats>,
    created: Instant<Monotonic>,
}

impl Xfer {
    pub(crate) fn new(
        id: u64,
        user_data: u64,
        len: u64,
        chan: u32,
        events: Arc<Events>,
        stats: Arc<ChanStats>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                id,
                user_data,
                len,
                chan,
                cookie: Atomic::new(0),
                state: Atomic::new(STATE_PENDING),
                result: Atomic::new(TX_NOERROR),
                residue: Atomic::new(0),
                timed_out: Atomic::new(0),
                cb_ref: Atomic::new(0),
                busy: Atomic::new(0),
                events,
                stats,
                created: Instant::now(),
            },
            GFP_KERNEL,
        )?)
    }

    /// The transfer was submitted and is about to be issued: from now until it finishes
    /// its channel counts as busy.
    pub(crate) fn issued(&self) {
        if self.busy.xchg(1, Relaxed) == 0 {
            self.stats.busy_begin();
        }
    }

    /// Marks the transfer finished with `result` and wakes the file's waiters.
    /// Called from the completion callback (atomic context) or after a terminate. Only the
    /// first call has an effect.
    pub(crate) fn complete(&self, result: u32, residue: u32) {
        if self.state.load(Acquire) != STATE_PENDING {
            return;
        }
        self.result.store(result, Relaxed);
        self.residue.store(residue, Relaxed);
        if self
            .state
            .cmpxchg(STATE_PENDING, STATE_DONE, Release)
            .is_ok()
        {
            let s = &self.stats;
            s.transfers.add(1, Relaxed);
            s.bytes
                .add(self.len - u64::from(residue).min(self.len), Relaxed);
            match result {
                TX_NOERROR => {}
                TX_ABORTED if self.timed_out.load(Relaxed) != 0 => s.timeouts.add(1, Relaxed),
                TX_ABORTED => s.cancelled.add(1, Relaxed),
                _ => s.errors.add(1, Relaxed),
            }
            if self.busy.xchg(0, Relaxed) == 1 {
                s.busy_end();
            }
            let ns = self.created.elapsed().as_nanos();
            s.latency_ns.add(u64::try_from(ns).unwrap_or(0), Relaxed);
            self.events.seq.fetch_add(1, Release);
            self.events.wq.wake_up_all();
        }
    }

    /// Finishes a transfer whose channel was terminated (or that was never started).
    /// The caller has called `Channel::terminate_sync()`, so no callback runs concurrently.
    pub(crate) fn abort(&self, timed_out: bool) {
        if timed_out {
            self.timed_out.store(1, Relaxed);
        }
        self.complete(TX_ABORTED, self.len.try_into().unwrap_or(u32::MAX));
    }

    /// The completion events of the file that owns the transfer.
    pub(crate) fn events(&self) -> &Arc<Events> {
        &self.events
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state.load(Acquire) == STATE_DONE
    }

    /// Result once done: (negative errno or 0, bytes transferred).
    pub(crate) fn outcome(&self) -> (i32, u64) {
        let residue = u64::from(self.residue.load(Relaxed)).min(self.len);
        let bytes = self.len - residue;
        let err = match self.result.load(Relaxed) {
            TX_NOERROR => 0,
            TX_ABORTED if self.timed_out.load(Relaxed) != 0 => ETIMEDOUT.to_errno(),
            TX_ABORTED => -ECANCELED_NR,
            _ => EIO.to_errno(),
        };
        (err, bytes)
    }
}

/// Formats a `u64` in decimal without 64-bit division, which the 7.2 kernel crate's `core`
/// routes to a panicking `__aeabi_uldivmod` on 32-bit ARM.
pub(crate) struct Dec(pub(crate) u64);

impl core::fmt::Display for Dec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Long division by 10 in 16-bit limbs: only 32-bit arithmetic.
        let mut n = self.0;
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            let (mut q, mut r) = (0u64, 0u32);
            for sh in [48u32, 32, 16, 0] {
                let cur = (r << 16) | ((n >> sh) & 0xffff) as u32;
                q |= u64::from(cur / 10) << sh;
                r = cur % 10;
            }
            i -= 1;
            digits[i] = b'0' + r as u8;
            n = q;
            if n == 0 {
                break;
            }
        }
        // `digits[i..]` are ASCII digits written above, so this cannot fail.
        f.write_str(core::str::from_utf8(&digits[i..]).map_err(|_| core::fmt::Error)?)
    }
}

/// `n / d` for a divisor below 2^16, without 64-bit division (see [`Dec`]).
pub(crate) fn div_small(n: u64, d: u16) -> u64 {
    let d = u32::from(d.max(1));
    let (mut q, mut r) = (0u64, 0u32);
    for sh in [48u32, 32, 16, 0] {
        let cur = (r << 16) | ((n >> sh) & 0xffff) as u32;
        q |= u64::from(cur / d) << sh;
        r = cur % d;
    }
    q
}

/// The contents of `/sys/kernel/debug/axi-dmaN/stats`: one line per channel; writing
/// anything to the file resets the counters.
pub(crate) struct StatsView {
    pub(crate) chans: KVec<(KVec<u8>, Arc<ChanStats>)>,
}

impl core::fmt::Debug for StatsView {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "channel transfers bytes errors timeouts cancelled latency_us overruns busy_us"
        )?;
        for (name, s) in self.chans.iter() {
            let name = core::str::from_utf8(name).unwrap_or("?");
            write!(
                f,
                "\n{} {} {} {} {} {} {} {} {}",
                name,
                Dec(s.transfers.load(Relaxed)),
                Dec(s.bytes.load(Relaxed)),
                Dec(s.errors.load(Relaxed)),
                Dec(s.timeouts.load(Relaxed)),
                Dec(s.cancelled.load(Relaxed)),
                Dec(div_small(s.latency_ns.load(Relaxed), 1000)),
                Dec(s.overruns.load(Relaxed)),
                Dec(div_small(s.busy_ns.load(Relaxed), 1000)),
            )?;
        }
        Ok(())
    }
}

impl kernel::debugfs::Reader for StatsView {
    fn read_from_slice(&self, _reader: &mut kernel::uaccess::UserSliceReader) -> Result {
        for (_, s) in self.chans.iter() {
            s.reset();
        }
        Ok(())
    }
}
