//! [`InFlight`]: the transfers a pipeline keeps running, matched to reaped completions.

use crate::{Completion, Transfer};

/// Transfers in flight, each handing its buffers back when its completion arrives: what a
/// pipeline of non-blocking transfers (or [batches](crate::Batch)) keeps between reaps.
///
/// A pipeline keeps tens of transfers in flight, so this is a plain vector searched by id:
/// a few instructions per entry, where a `HashMap<u64, _>` with the standard library's
/// hasher spent about 400 instructions per transfer hashing and probing (`make profile`,
/// `rpipelined`). Dropping it drops every transfer left, each waiting for its end (see
/// [`Transfer`]).
///
/// ```no_run
/// # fn main() -> axidma::Result<()> {
/// let dev = axidma::Device::open_default()?;
/// let (a, b) = (dev.alloc(0, 4096)?.into_shared(), dev.alloc(0, 4096)?.into_shared());
/// let mut inflight = axidma::InFlight::with_capacity(8);
/// for i in 0..8 {
///     inflight.push(dev.submit_memcpy(0, b.clone(), 512 * i, a.clone(), 512 * i, 512, i)?);
/// }
/// while !inflight.is_empty() {
///     let (done, _pending) = dev.reap(8, 1, None)?;
///     for c in &done {
///         assert_eq!(c.error, 0);
///         let (_dst, _src) = inflight.finish(c).expect("one of ours");
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct InFlight<B> {
    v: Vec<Transfer<B>>,
}

impl<B> Default for InFlight<B> {
    fn default() -> Self {
        Self { v: Vec::new() }
    }
}

impl<B> InFlight<B> {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// None yet, with room for `n` without allocating.
    pub fn with_capacity(n: usize) -> Self {
        Self { v: Vec::with_capacity(n) }
    }

    /// Keeps `t` until its completion is passed to [`InFlight::finish`].
    pub fn push(&mut self, t: Transfer<B>) {
        self.v.push(t);
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.v.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    /// The buffers of the transfer `c` completed, if it is one of these (no system call);
    /// the outcome is in `c`. `None`: not one of these (it stays wherever it is).
    pub fn finish(&mut self, c: &Completion) -> Option<B> {
        let i = self.v.iter().position(|t| t.is_finished_by(c))?;
        self.v.swap_remove(i).finish(c).ok()
    }
}
