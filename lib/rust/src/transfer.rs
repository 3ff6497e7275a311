//! Non-blocking transfers: [`Transfer`] owns its buffers until the transfer is over;
//! [`Completion`]s from [`Device::reap`] finish them without a system call.
//! Also the wait every transfer ends with, which signals do not cut short.

use crate::{abi, device::timeout_ms, Device, DmaBuf, Error, Failed, Result};
use std::{
    ops::Deref,
    time::{Duration, Instant},
};

/// The outcome of a finished transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// Bytes transferred (length minus residue).
    pub bytes: u64,
    /// The `user_data` given at submission.
    pub user_data: u64,
}

/// A finished transfer collected by [`Device::reap`]. Reads like an [`abi::Completion`]
/// (`c.xfer_id`, `c.error`, ...), but only `reap` makes one, so [`Transfer::finish`] can
/// trust it: the transfer it names is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    raw: abi::Completion,
    /// The open file it came from (transfer ids are per file).
    serial: u64,
}

impl Completion {
    /// A completion this open file's REAP (or SUBMIT) wrote.
    pub(crate) fn new(raw: abi::Completion, serial: u64) -> Self {
        Self { raw, serial }
    }

    /// The entry as the driver wrote it.
    pub fn raw(&self) -> abi::Completion {
        self.raw
    }
}

impl Deref for Completion {
    type Target = abi::Completion;
    fn deref(&self) -> &abi::Completion {
        &self.raw
    }
}

/// What `submit_*` return: the transfer, or the error with the buffers back.
pub type Submitted<B> = std::result::Result<Transfer<B>, Failed<B>>;

fn errno_is(e: &Error, n: i32) -> bool {
    e.raw_os_error() == Some(n)
}

impl Device {
    /// Waits for transfer `id` until it is over: a signal (`EINTR`) or another thread
    /// waiting for it (`EBUSY`) does not end the wait. Returns the outcome and whether the
    /// transfer is known to be over (always, unless the driver answers outside its ABI).
    pub(crate) fn wait_over(&self, id: u64, timeout: Option<Duration>) -> (Result<abi::Wait>, bool) {
        let t0 = Instant::now();
        loop {
            let left = timeout.map(|t| t.saturating_sub(t0.elapsed()));
            let mut w = abi::Wait { xfer_id: id, timeout_ms: timeout_ms(left), ..Default::default() };
            match self.ioctl("wait", abi::IOC_WAIT, &mut w) {
                Ok(()) => return (Ok(w), true),
                // Still in flight: wait again (a timeout stops the transfer in the driver).
                Err(e) if errno_is(&e, libc::EINTR) => {}
                // Another thread of this file waits for it and will take the result: ours
                // is then ENOENT.
                Err(e) if errno_is(&e, libc::EBUSY) => std::thread::sleep(Duration::from_millis(1)),
                // ENOENT (collected elsewhere), ETIMEDOUT (stopped), the transfer's own
                // error: all end it. Asked rather than assumed.
                Err(e) => {
                    let over = self.is_over(id);
                    return (Err(e), over);
                }
            }
        }
    }

    /// Whether transfer `id` cannot use its buffers any more: finished, gone (reaped or
    /// waited for), or its device unbound (which terminates every transfer).
    fn is_over(&self, id: u64) -> bool {
        match self.status_of(id) {
            Ok(s) => s.state == abi::STATE_DONE,
            Err(e) => errno_is(&e, libc::ENOENT) || errno_is(&e, libc::ENODEV),
        }
    }

    /// [`Device::wait_over`] for blocking calls, whose borrows end when they return: if the
    /// driver ever left open whether the DMA still runs, returning would let safe code touch
    /// memory the engine may write, so the process aborts instead.
    pub(crate) fn wait_blocking(&self, id: u64, timeout: Option<Duration>) -> Result<abi::Wait> {
        let (r, over) = self.wait_over(id, timeout);
        if !over {
            eprintln!("axidma: cannot tell whether transfer {id} still runs ({r:?}); aborting");
            std::process::abort();
        }
        r
    }

    /// Starts a non-blocking transfer; returns its id.
    pub(crate) fn submit_raw(&self, mut x: abi::Xfer) -> Result<u64> {
        x.flags |= abi::XFER_NONBLOCK;
        self.ioctl("transfer", abi::IOC_XFER, &mut x)?;
        Ok(x.xfer_id)
    }

    fn submit<B>(&self, x: abi::Xfer, bufs: B) -> Submitted<B> {
        match self.submit_raw(x) {
            Ok(id) => Ok(Transfer { dev: self.clone(), id, bufs: Some(bufs) }),
            // Refused: nothing was started.
            Err(error) => Err(Failed { error, bufs: Some(bufs) }),
        }
    }

    /// Starts a memcpy without waiting. The transfer owns `dst` and `src` (a [`Buffer`] or
    /// a [`SharedBuffer`] each) and gives them back when it is over.
    ///
    /// [`Buffer`]: crate::Buffer
    /// [`SharedBuffer`]: crate::SharedBuffer
    #[allow(clippy::too_many_arguments)]
    pub fn submit_memcpy<D: DmaBuf, S: DmaBuf>(
        &self,
        chan: u32,
        dst: D,
        dst_off: u64,
        src: S,
        src_off: u64,
        len: u64,
        user_data: u64,
    ) -> Submitted<(D, S)> {
        let ids = self.own(&dst).and_then(|d| Ok((d, self.own(&src)?)));
        let (dst_buf, src_buf) = match ids {
            Ok(ids) => ids,
            Err(error) => return Err(Failed { error, bufs: Some((dst, src)) }),
        };
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf,
            dst_buf,
            src_off,
            dst_off,
            len,
            user_data,
            ..Default::default()
        };
        self.submit(x, (dst, src))
    }

    /// Starts a send without waiting; the transfer owns `src` until it is over.
    pub fn submit_send<S: DmaBuf>(
        &self,
        chan: u32,
        src: S,
        off: u64,
        len: u64,
        user_data: u64,
    ) -> Submitted<S> {
        let src_buf = match self.own(&src) {
            Ok(id) => id,
            Err(error) => return Err(Failed { error, bufs: Some(src) }),
        };
        let x = abi::Xfer { chan, kind: abi::XFER_TO_DEV, src_buf, src_off: off, len, user_data, ..Default::default() };
        self.submit(x, src)
    }

    /// Starts a receive without waiting; the transfer owns `dst` until it is over.
    pub fn submit_recv<D: DmaBuf>(
        &self,
        chan: u32,
        dst: D,
        off: u64,
        len: u64,
        user_data: u64,
    ) -> Submitted<D> {
        let dst_buf = match self.own(&dst) {
            Ok(id) => id,
            Err(error) => return Err(Failed { error, bufs: Some(dst) }),
        };
        let x = abi::Xfer { chan, kind: abi::XFER_FROM_DEV, dst_buf, dst_off: off, len, user_data, ..Default::default() };
        self.submit(x, dst)
    }

    /// Collects finished transfers that are not being waited for: waits up to `timeout`
    /// until at least `min` are there, returns at most `max`, and how many are still pending.
    /// Hand each completion to its [`Transfer::finish`] to get the buffers back.
    pub fn reap(&self, max: u32, min: u32, timeout: Option<Duration>) -> Result<(Vec<Completion>, u32)> {
        let mut v = vec![abi::Completion::default(); max as usize];
        let mut r = abi::Reap {
            entries: v.as_mut_ptr() as u64,
            max,
            min,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.ioctl("reap completions", abi::IOC_REAP, &mut r)?;
        let serial = self.inner.serial;
        Ok((v.into_iter().take(r.count as usize).map(|raw| Completion { raw, serial }).collect(), r.pending))
    }
}

/// A transfer in flight. It owns its buffers `B` (a handle, or a pair for a memcpy: `(dst,
/// src)`) and hands them back only when the transfer is over: from [`Transfer::wait`], or
/// from [`Transfer::finish`] with the transfer's [`Completion`].
///
/// Dropping it waits for the transfer, then drops the buffers. Forgetting it (`mem::forget`)
/// leaks the buffers with it: nothing can reach their memory again, which is what keeps the
/// API sound (see the crate's `# Soundness`).
#[derive(Debug)]
#[must_use = "dropping a Transfer waits for it"]
pub struct Transfer<B> {
    dev: Device,
    id: u64,
    /// `None` once handed back.
    bufs: Option<B>,
}

impl<B> Transfer<B> {
    /// A transfer the driver accepted as `id`, owning `bufs` from now on.
    pub(crate) fn adopt(dev: Device, id: u64, bufs: B) -> Self {
        Self { dev, id, bufs: Some(bufs) }
    }

    /// The driver's id of the transfer (also found in reaped completions).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether it is done, and the bytes transferred so far (or in all, once done).
    pub fn status(&self) -> Result<(bool, u64)> {
        let s = self.dev.status_of(self.id)?;
        Ok((s.state == abi::STATE_DONE, s.bytes))
    }

    /// Waits for the transfer (at most `timeout`, or the module's default; a timeout stops
    /// it) and gives the buffers back. A signal does not end the wait.
    ///
    /// Errors come with the buffers whenever the transfer is over: its own failure, a
    /// timeout (`ETIMEDOUT`, the driver stopped it), or `ENOENT` when its completion was
    /// collected by [`Device::reap`] already (pass that to [`Transfer::finish`] instead).
    pub fn wait(mut self, timeout: Option<Duration>) -> std::result::Result<(Done, B), Failed<B>> {
        let bufs = self.bufs.take();
        let (r, over) = self.dev.wait_over(self.id, timeout);
        // Not known to be over: unmap and free (the driver keeps the memory until the
        // transfer ends) rather than hand the buffers back.
        let bufs = if over { bufs } else { None };
        match (r, bufs) {
            (Ok(w), Some(b)) => Ok((Done { bytes: w.bytes, user_data: w.user_data }, b)),
            (Ok(_), None) => unreachable!("a successful WAIT means the transfer is over"),
            (Err(error), bufs) => Err(Failed { error, bufs }),
        }
    }

    /// Whether `c` is this transfer's completion.
    pub fn is_finished_by(&self, c: &Completion) -> bool {
        // The id first: it differs for all but one of a pipeline's transfers.
        c.raw.xfer_id == self.id && c.serial == self.dev.inner.serial
    }

    /// The buffers back, if `c` (from [`Device::reap`]) is this transfer's completion: no
    /// system call. The outcome (`c.bytes`, `c.error`) is in `c`. Otherwise `self` back.
    pub fn finish(mut self, c: &Completion) -> std::result::Result<B, Self> {
        if self.is_finished_by(c) {
            // Ids are never reused within a file, and `c` came from REAP on this file: the
            // transfer is over.
            Ok(self.bufs.take().expect("buffers are only taken by consuming methods"))
        } else {
            Err(self)
        }
    }
}

impl<B> Drop for Transfer<B> {
    fn drop(&mut self) {
        if let Some(bufs) = self.bufs.take() {
            // Not needed for soundness (dropping the buffers unmaps them; the driver keeps
            // the memory until the transfer ends), but the transfer ends here as it always
            // did, and its completion does not turn up in a later reap.
            let _ = self.dev.wait_over(self.id, None);
            drop(bufs);
        }
    }
}
