//! Non-blocking transfers: [`Transfer`] and completions.

use crate::{abi, device::timeout_ms, Buffer, Device, Result};
use std::{marker::PhantomData, time::Duration};

impl Device {
    /// Starts a non-blocking transfer and returns its handle.
    pub(crate) fn submit(&self, mut x: abi::Xfer) -> Result<Transfer<'_>> {
        x.flags |= abi::XFER_NONBLOCK;
        self.xfer(&mut x)?;
        Ok(Transfer { dev: self, id: x.xfer_id, done: false, _bufs: PhantomData })
    }

    /// Starts a memcpy without waiting. The returned handle borrows both buffers.
    #[allow(clippy::too_many_arguments)]
    pub fn submit_memcpy<'a>(
        &'a self,
        chan: u32,
        dst: &'a mut Buffer<'_>,
        dst_off: u64,
        src: &'a Buffer<'_>,
        src_off: u64,
        len: u64,
        user_data: u64,
    ) -> Result<Transfer<'a>> {
        self.submit(abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf: src.id,
            dst_buf: dst.id,
            src_off,
            dst_off,
            len,
            user_data,
            ..Default::default()
        })
    }

    /// Starts a send without waiting.
    pub fn submit_send<'a>(&'a self, chan: u32, src: &'a Buffer<'_>, off: u64, len: u64, user_data: u64) -> Result<Transfer<'a>> {
        self.submit(abi::Xfer {
            chan,
            kind: abi::XFER_TO_DEV,
            src_buf: src.id,
            src_off: off,
            len,
            user_data,
            ..Default::default()
        })
    }

    /// Starts a receive without waiting.
    pub fn submit_recv<'a>(&'a self, chan: u32, dst: &'a mut Buffer<'_>, off: u64, len: u64, user_data: u64) -> Result<Transfer<'a>> {
        self.submit(abi::Xfer {
            chan,
            kind: abi::XFER_FROM_DEV,
            dst_buf: dst.id,
            dst_off: off,
            len,
            user_data,
            ..Default::default()
        })
    }

    /// Collects finished transfers that are not being waited for: waits up to `timeout`
    /// until at least `min` are there, returns at most `max`, and how many are still pending.
    pub fn reap(&self, max: u32, min: u32, timeout: Option<Duration>) -> Result<(Vec<abi::Completion>, u32)> {
        let mut v = vec![abi::Completion::default(); max as usize];
        let mut r = abi::Reap {
            entries: v.as_mut_ptr() as u64,
            max,
            min,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.ioctl("reap completions", abi::IOC_REAP, &mut r)?;
        v.truncate(r.count as usize);
        Ok((v, r.pending))
    }

    /// Waits for the transfer with `id` (from [`Transfer::id`] or a detached submission).
    pub(crate) fn wait_id(&self, id: u64, timeout: Option<Duration>) -> Result<abi::Wait> {
        let mut w = abi::Wait { xfer_id: id, timeout_ms: timeout_ms(timeout), ..Default::default() };
        self.ioctl("wait", abi::IOC_WAIT, &mut w)?;
        Ok(w)
    }
}

/// The outcome of a finished transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// Bytes transferred (length minus residue).
    pub bytes: u64,
    /// The `user_data` given at submission.
    pub user_data: u64,
}

/// A transfer in flight. It borrows its buffers until it is waited for or dropped
/// (dropping waits, so the borrow can never end while the DMA still runs).
#[derive(Debug)]
#[must_use = "dropping a Transfer waits for it"]
pub struct Transfer<'a> {
    dev: &'a Device,
    id: u64,
    done: bool,
    _bufs: PhantomData<&'a mut [u8]>,
}

impl Transfer<'_> {
    /// The driver's id of the transfer (also found in reaped completions).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Waits for the transfer (at most `timeout`, or the module's default).
    pub fn wait(mut self, timeout: Option<Duration>) -> Result<Done> {
        self.done = true;
        let w = self.dev.wait_id(self.id, timeout)?;
        Ok(Done { bytes: w.bytes, user_data: w.user_data })
    }

    /// Bytes transferred so far, or the result if it finished.
    pub fn status(&self) -> Result<(bool, u64)> {
        let mut s = abi::Status { xfer_id: self.id, ..Default::default() };
        self.dev.ioctl("status", abi::IOC_STATUS, &mut s)?;
        Ok((s.state == abi::STATE_DONE, s.bytes))
    }
}

impl Drop for Transfer<'_> {
    fn drop(&mut self) {
        if !self.done {
            // ENOENT means it was reaped already; anything else still ends the DMA
            // (a timeout terminates the channel).
            let _ = self.dev.wait_id(self.id, None);
        }
    }
}
