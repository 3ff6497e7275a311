// SPDX-License-Identifier: GPL-2.0

//! Per-channel statistics and module-wide object counts, shown in debugfs.
//!
//! `/sys/kernel/debug/axi-dmaN/stats` has one line per channel (writing to it resets the
//! counters); `/sys/kernel/debug/axi-dmaN/objects` shows the module's live DMA buffers,
//! their bytes and the transfer records alive, which must all be back to zero whenever no
//! file is open and nothing is mapped.
//!
//! Counters are updated by completions, in atomic context: atomics only, no lock.
//!
//! The time columns (`latency_us`, `busy_us`) need two to four clock reads per transfer,
//! measured at about a tenth of the bare dmaengine path's instructions per transfer on the
//! ZynqMP GDMA (`scripts/profile.sh`): they are counted only while switched on by writing
//! `timing on` to the stats file (`timing off` stops them; any other write resets the
//! counters).

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
    },
    time::{
        Instant,
        Monotonic, //
    },
};

/// DMA buffers alive in the whole module.
pub(crate) static LIVE_BUFFERS: Atomic<u32> = Atomic::new(0);
/// Bytes of the buffers in [`LIVE_BUFFERS`].
pub(crate) static LIVE_BYTES: Atomic<u64> = Atomic::new(0);
/// Transfer records (`Xfer`) alive in the whole module.
pub(crate) static LIVE_XFERS: Atomic<u32> = Atomic::new(0);

/// Per-channel counters.
pub(crate) struct ChanStats {
    pub(crate) transfers: Atomic<u64>,
    pub(crate) bytes: Atomic<u64>,
    pub(crate) errors: Atomic<u64>,
    pub(crate) timeouts: Atomic<u64>,
    pub(crate) cancelled: Atomic<u64>,
    /// Sum of each transfer's time from submission to completion, in ns (transfers in
    /// flight together are counted each: divide by the wall time for the mean depth).
    pub(crate) latency_ns: Atomic<u64>,
    /// Ring slots queued after the ring had run dry (see `file/ring.rs`).
    pub(crate) overruns: Atomic<u64>,
    /// Time with at least one transfer in flight on the channel, in ns.
    busy_ns: Atomic<u64>,
    /// Transfers counted from just before submission to completion, and since when (ns
    /// after `epoch`) the count is above zero. State, not counters: never reset.
    active: Atomic<u32>,
    busy_since: Atomic<u64>,
    epoch: Instant<Monotonic>,
    /// Whether transfers started now count their time (`latency_ns`, `busy_ns`).
    timing: Atomic<u32>,
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
                timing: Atomic::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    /// Whether a transfer starting now is to count its time (see the module docs). A
    /// transfer decides once, at its start: `busy_begin`/`busy_end` stay paired when the
    /// switch flips while it is in flight.
    pub(crate) fn timing(&self) -> bool {
        self.timing.load(Relaxed) != 0
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(0)
    }

    /// A transfer is about to be submitted. Always paired with one [`busy_end`]
    /// (`Xfer` guarantees it: see its invariants).
    ///
    /// [`busy_end`]: Self::busy_end
    pub(crate) fn busy_begin(&self) {
        if self.active.fetch_add(1, Relaxed) == 0 {
            self.busy_since.store(self.now_ns(), Relaxed);
        }
    }

    /// A transfer counted by [`busy_begin`](Self::busy_begin) finished.
    pub(crate) fn busy_end(&self) {
        if self.active.fetch_sub(1, Relaxed) == 1 {
            let since = self.busy_since.load(Relaxed);
            self.busy_ns
                .add(self.now_ns().saturating_sub(since), Relaxed);
        }
    }

    fn reset(&self) {
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

/// Formats a `u64` in decimal without 64-bit division, which the 7.2 kernel crate's `core`
/// routes to a panicking `__aeabi_uldivmod` on 32-bit ARM.
pub(crate) struct Dec(pub(crate) u64);

impl core::fmt::Display for Dec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut n = self.0;
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            let (q, r) = divmod_small(n, 10);
            i -= 1;
            // CAST: `r < 10`.
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

/// `(n / d, n % d)` for a divisor below 2^16, by long division in 16-bit limbs (only 32-bit
/// arithmetic; see [`Dec`]). `d = 0` divides by 1.
pub(crate) fn divmod_small(n: u64, d: u16) -> (u64, u32) {
    let d = u32::from(d.max(1));
    let (mut q, mut r) = (0u64, 0u32);
    for sh in [48u32, 32, 16, 0] {
        // CAST: masked to 16 bits.
        let cur = (r << 16) | ((n >> sh) & 0xffff) as u32;
        q |= u64::from(cur / d) << sh;
        r = cur % d;
    }
    (q, r)
}

/// The contents of `/sys/kernel/debug/axi-dmaN/stats`.
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
            // A transfer still in flight counts its busy time up to now.
            let mut busy = s.busy_ns.load(Relaxed);
            if s.active.load(Relaxed) > 0 {
                busy += s.now_ns().saturating_sub(s.busy_since.load(Relaxed));
            }
            write!(
                f,
                "\n{} {} {} {} {} {} {} {} {}",
                name,
                Dec(s.transfers.load(Relaxed)),
                Dec(s.bytes.load(Relaxed)),
                Dec(s.errors.load(Relaxed)),
                Dec(s.timeouts.load(Relaxed)),
                Dec(s.cancelled.load(Relaxed)),
                Dec(divmod_small(s.latency_ns.load(Relaxed), 1000).0),
                Dec(s.overruns.load(Relaxed)),
                Dec(divmod_small(busy, 1000).0),
            )?;
        }
        Ok(())
    }
}

impl kernel::debugfs::Reader for StatsView {
    /// `timing on` / `timing off` switch the time columns; anything else resets.
    fn read_from_slice(&self, reader: &mut kernel::uaccess::UserSliceReader) -> Result {
        let mut buf = [0u8; 16];
        let n = reader.len().min(buf.len());
        reader.read_slice(&mut buf[..n])?;
        let word = buf[..n].trim_ascii();
        let timing = match word {
            b"timing on" => Some(1),
            b"timing off" => Some(0),
            _ => None,
        };
        for (_, s) in self.chans.iter() {
            match timing {
                Some(t) => s.timing.store(t, Relaxed),
                None => s.reset(),
            }
        }
        Ok(())
    }
}

/// The contents of `/sys/kernel/debug/axi-dmaN/objects` (module-wide counts).
pub(crate) struct ObjectsView;

impl core::fmt::Debug for ObjectsView {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "buffers {} bytes {} transfers {}",
            LIVE_BUFFERS.load(Relaxed),
            Dec(LIVE_BYTES.load(Relaxed)),
            LIVE_XFERS.load(Relaxed)
        )
    }
}

#[kunit_tests(axi_dma_stats)]
mod tests {
    use super::*;

    #[test]
    fn divmod_matches_u64_division_on_edges() {
        for (n, d) in [
            (0u64, 10u16),
            (9, 10),
            (10, 10),
            (u64::MAX, 10),
            (u64::MAX, 1000),
            (0x1_0000_0000, 7),
            (123_456_789_012_345, 65535),
        ] {
            let (q, r) = divmod_small(n, d);
            // Only compare with a 64-bit division where the test itself runs on 64 bits.
            #[cfg(CONFIG_64BIT)]
            {
                assert_eq!(q, n / u64::from(d));
                assert_eq!(u64::from(r), n % u64::from(d));
            }
            // On 32-bit check the identity with multiplication, which needs no division.
            assert_eq!(q * u64::from(d) + u64::from(r), n);
            assert!(r < u32::from(d));
        }
    }

    /// A fixed buffer to format into (no allocation, `core::fmt` only).
    struct Buf([u8; 32], usize);

    impl core::fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let b = s.as_bytes();
            let end = self.1 + b.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(b);
            self.1 = end;
            Ok(())
        }
    }

    #[test]
    fn dec_formats_like_display() {
        for (n, s) in [
            (0u64, "0"),
            (7, "7"),
            (10, "10"),
            (1_000_000, "1000000"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let mut b = Buf([0; 32], 0);
            assert!(core::fmt::write(&mut b, format_args!("{}", Dec(n))).is_ok());
            assert_eq!(&b.0[..b.1], s.as_bytes());
        }
    }
}
