//! Batches: many non-blocking transfers submitted with one system call
//! (`AXI_DMA_IOC_SUBMIT`), optionally collecting completions in the same call.
//!
//! Like every transfer here, a batch is leak-safe: it holds a handle ([`SharedBuffer`]) to
//! every buffer its transfers use, each submitted transfer becomes a [`Transfer`] that owns
//! its handles until it is over, and what was not submitted comes back. Forgetting a batch
//! or a transfer only leaks handles; no safe code can reach memory the engine may write.

use crate::{abi, device::timeout_ms, Completion, Device, Error, Result, SharedBuffer, Transfer};
use std::time::Duration;

/// The most transfers in one batch (`AXI_DMA_SUBMIT_MAX`).
pub const BATCH_MAX: usize = 64;
/// The most completions one call collects.
pub const BATCH_REAP_MAX: u32 = 256;

/// The buffers of one transfer of a batch: (destination, source). A send has no
/// destination, a receive no source.
pub type BatchBufs = (Option<SharedBuffer>, Option<SharedBuffer>);

/// Transfers to submit together: memcpys, sends and receives on any channels.
///
/// ```no_run
/// # fn main() -> axidma::Result<()> {
/// let dev = axidma::Device::open_default()?;
/// let (a, b) = (dev.alloc(0, 4096)?.into_shared(), dev.alloc(0, 4096)?.into_shared());
/// let mut batch = axidma::Batch::new();
/// for i in 0..8 {
///     batch.memcpy(0, &b, 512 * i, &a, 512 * i, 512, i);
/// }
/// let s = dev.submit_batch(batch, Some((8, 8, None)))?;   // submit 8, wait for all 8
/// assert!(s.refused.is_none());
/// for t in s.transfers {
///     let c = s.completions.iter().find(|c| t.is_finished_by(c)).unwrap();
///     assert_eq!(c.error, 0);
///     drop(t.finish(c));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Batch {
    xfers: Vec<abi::Xfer>,
    bufs: Vec<BatchBufs>,
}

/// What [`Device::submit_batch`] did.
#[derive(Debug)]
#[must_use = "dropping the transfers waits for each"]
pub struct Submission {
    /// The submitted transfers, in batch order (the first `transfers.len()` entries).
    pub transfers: Vec<Transfer<BatchBufs>>,
    /// If the batch stopped at a refused transfer: its error, and the buffers of it and of
    /// every later entry (none of which was submitted).
    pub refused: Option<(Error, Vec<BatchBufs>)>,
    /// Completions collected after submitting (of any of this file's transfers: pass them
    /// to [`Transfer::finish`]).
    pub completions: Vec<Completion>,
    /// Transfers of this file still in flight after the call (only when it reaped).
    pub pending: u32,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch with room for `n` transfers without reallocating (a steady pipeline
    /// knows how many it will add).
    pub fn with_capacity(n: usize) -> Self {
        Self { xfers: Vec::with_capacity(n), bufs: Vec::with_capacity(n) }
    }

    /// How many transfers it holds.
    pub fn len(&self) -> usize {
        self.xfers.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.xfers.is_empty()
    }

    fn push(&mut self, x: abi::Xfer, bufs: BatchBufs) -> &mut Self {
        self.xfers.push(x);
        self.bufs.push(bufs);
        self
    }

    /// Adds a memcpy of `len` bytes from `src` at `src_off` to `dst` at `dst_off`.
    #[allow(clippy::too_many_arguments)]
    pub fn memcpy(
        &mut self,
        chan: u32,
        dst: &SharedBuffer,
        dst_off: u64,
        src: &SharedBuffer,
        src_off: u64,
        len: u64,
        user_data: u64,
    ) -> &mut Self {
        let x = abi::Xfer { chan, kind: abi::XFER_MEMCPY, dst_off, src_off, len, user_data, ..Default::default() };
        self.push(x, (Some(dst.clone()), Some(src.clone())))
    }

    /// Adds a send (memory to device) of `len` bytes of `src` at `src_off`.
    pub fn send(&mut self, chan: u32, src: &SharedBuffer, src_off: u64, len: u64, user_data: u64) -> &mut Self {
        let x = abi::Xfer { chan, kind: abi::XFER_TO_DEV, src_off, len, user_data, ..Default::default() };
        self.push(x, (None, Some(src.clone())))
    }

    /// Adds a receive (device to memory) of up to `len` bytes into `dst` at `dst_off`.
    pub fn recv(&mut self, chan: u32, dst: &SharedBuffer, dst_off: u64, len: u64, user_data: u64) -> &mut Self {
        let x = abi::Xfer { chan, kind: abi::XFER_FROM_DEV, dst_off, len, user_data, ..Default::default() };
        self.push(x, (Some(dst.clone()), None))
    }
}

impl Device {
    /// Submits `batch` (at most [`BATCH_MAX`] transfers) with one system call and one
    /// `issue_pending` per channel; then, with `reap = Some((max, min, timeout))`, waits
    /// until at least `min` of this file's transfers are complete (at most `timeout`, or
    /// the module's default) and collects up to `max` completions in the same call.
    ///
    /// A refused transfer stops the batch: the ones before it run (they are in
    /// `transfers`), it and the rest come back in `refused`, and nothing is reaped. `Err`
    /// only when nothing was submitted for a reason that is not about one transfer (an
    /// empty or oversized batch, a buffer of another open file, a reap that failed after
    /// the submission: then the transfers are dropped, which waits for them).
    pub fn submit_batch(&self, batch: Batch, reap: Option<(u32, u32, Option<Duration>)>) -> Result<Submission> {
        let Batch { mut xfers, mut bufs } = batch;
        if xfers.is_empty() || xfers.len() > BATCH_MAX {
            return Err(Error::errno("submit batch", libc::EINVAL));
        }
        for (x, (dst, src)) in xfers.iter_mut().zip(bufs.iter()) {
            if let Some(d) = dst {
                x.dst_buf = self.own(d)?;
            }
            if let Some(s) = src {
                x.src_buf = self.own(s)?;
            }
        }
        let (max, min, timeout) = reap.unwrap_or((0, 0, None));
        let mut entries = vec![abi::Completion::default(); max.min(BATCH_REAP_MAX) as usize];
        let mut s = abi::Submit {
            xfers: xfers.as_mut_ptr() as u64,
            // CAST: at most BATCH_MAX.
            count: xfers.len() as u32,
            entries: if entries.is_empty() { 0 } else { entries.as_mut_ptr() as u64 },
            max: entries.len() as u32,
            min: min.min(entries.len() as u32),
            timeout_ms: if entries.is_empty() { 0 } else { timeout_ms(timeout) },
            ..Default::default()
        };
        let r = self.ioctl("submit batch", abi::IOC_SUBMIT, &mut s);
        // The driver wrote `queued` (and each queued transfer's id) back, also on failure.
        let queued = (s.queued as usize).min(xfers.len());
        let rest = bufs.split_off(queued);
        let transfers: Vec<_> =
            xfers.iter().zip(bufs).map(|(x, b)| Transfer::adopt(self.clone(), x.xfer_id, b)).collect();
        let refused = match (&r, queued < xfers.len()) {
            (Err(e), true) => {
                let errno = if s.error < 0 { -s.error } else { e.raw_os_error().unwrap_or(libc::EINVAL) };
                Some((Error::errno("submit batch", errno), rest))
            }
            _ => None,
        };
        if refused.is_none() {
            r?;
        }
        let serial = self.inner.serial;
        let completions = entries.into_iter().take(s.reaped as usize).map(|raw| Completion::new(raw, serial)).collect();
        Ok(Submission { transfers, refused, completions, pending: s.pending })
    }
}
