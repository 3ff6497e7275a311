//! Blocking transfers: they borrow their buffers (`&` to read, `&mut` to write) and do not
//! return before the DMA is over, also when a signal interrupts the driver's wait.

use crate::{abi, device::timeout_ms, Buffer, Device, Result};
use std::time::{Duration, Instant};

impl Device {
    /// Runs a blocking transfer; returns the bytes transferred.
    fn run(&self, mut x: abi::Xfer, timeout: Option<Duration>) -> Result<u64> {
        let t0 = Instant::now();
        x.timeout_ms = timeout_ms(timeout);
        x.xfer_id = 0;
        match self.ioctl("transfer", abi::IOC_XFER, &mut x) {
            Ok(()) => Ok(x.bytes),
            // A signal ended the driver's wait with the transfer still in flight (it wrote
            // the id back). The caller's borrows must outlast the DMA: wait for it here.
            Err(e) if e.raw_os_error() == Some(libc::EINTR) && x.xfer_id != 0 => {
                let left = timeout.map(|t| t.saturating_sub(t0.elapsed()));
                Ok(self.wait_blocking(x.xfer_id, left)?.bytes)
            }
            // Any other error: refused before it started, or over (failed, or timed out
            // and stopped by the driver).
            Err(e) => Err(e),
        }
    }

    /// Copies `len` bytes from `src[src_off..]` to `dst[dst_off..]` by DMA on `chan` and
    /// waits (at most `timeout`, or the module's default). Returns the bytes copied.
    #[allow(clippy::too_many_arguments)]
    pub fn memcpy(
        &self,
        chan: u32,
        dst: &mut Buffer,
        dst_off: u64,
        src: &Buffer,
        src_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf: self.own(src)?,
            dst_buf: self.own(dst)?,
            src_off,
            dst_off,
            len,
            ..Default::default()
        };
        self.run(x, timeout)
    }

    /// Copies within one buffer: `[src_off, src_off+len)` to `[dst_off, dst_off+len)`.
    pub fn memcpy_within(
        &self,
        chan: u32,
        buf: &mut Buffer,
        dst_off: u64,
        src_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let id = self.own(buf)?;
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf: id,
            dst_buf: id,
            src_off,
            dst_off,
            len,
            ..Default::default()
        };
        self.run(x, timeout)
    }

    /// Sends `src[off..off+len]` to the device (memory to device, e.g. AXI DMA MM2S).
    pub fn send(&self, chan: u32, src: &Buffer, off: u64, len: u64, timeout: Option<Duration>) -> Result<u64> {
        let x = abi::Xfer { chan, kind: abi::XFER_TO_DEV, src_buf: self.own(src)?, src_off: off, len, ..Default::default() };
        self.run(x, timeout)
    }

    /// Receives up to `len` bytes into `dst[off..]` (device to memory, e.g. S2MM).
    /// Returns the bytes actually received (a shorter packet leaves a residue).
    pub fn recv(&self, chan: u32, dst: &mut Buffer, off: u64, len: u64, timeout: Option<Duration>) -> Result<u64> {
        let x = abi::Xfer { chan, kind: abi::XFER_FROM_DEV, dst_buf: self.own(dst)?, dst_off: off, len, ..Default::default() };
        self.run(x, timeout)
    }

    /// Receives on `rx` into `dst[dst_off..]` while sending `src[src_off..]` on `tx`, and
    /// waits for both: one round trip through a loopback in the PL. Returns the bytes received.
    ///
    /// Two non-blocking transfers (receive first) waited for by id, rather than the driver's
    /// `XFER_LOOPBACK`: after a signal that one reports only the receive's id, and the send
    /// could then not be waited for.
    #[allow(clippy::too_many_arguments)]
    pub fn loopback(
        &self,
        tx: u32,
        src: &Buffer,
        src_off: u64,
        rx: u32,
        dst: &mut Buffer,
        dst_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let (src_buf, dst_buf) = (self.own(src)?, self.own(dst)?);
        let rx_id =
            self.submit_raw(abi::Xfer { chan: rx, kind: abi::XFER_FROM_DEV, dst_buf, dst_off, len, ..Default::default() })?;
        let sent = self.submit_raw(abi::Xfer { chan: tx, kind: abi::XFER_TO_DEV, src_buf, src_off, len, ..Default::default() });
        let sent = match sent {
            Ok(tx_id) => self.wait_blocking(tx_id, timeout).map(|_| ()),
            Err(e) => Err(e),
        };
        if sent.is_err() {
            // Nothing will arrive: stop the receive (if another file uses the channel the
            // driver refuses, and the receive's timeout stops it).
            let _ = self.cancel(rx);
        }
        let got = self.wait_blocking(rx_id, timeout);
        sent?;
        Ok(got?.bytes)
    }

    /// In-kernel baseline: `iters` memcpys of `len` bytes from `src` to `dst` submitted by
    /// the driver itself with `depth` in flight. Returns (total, of which submitting) time.
    /// The driver waits for them uninterruptibly.
    pub fn kernel_bench(
        &self,
        chan: u32,
        dst: &mut Buffer,
        src: &Buffer,
        len: u64,
        iters: u32,
        depth: u32,
    ) -> Result<(Duration, Duration)> {
        self.kernel_bench_flags(chan, dst, src, len, iters, depth, 0)
    }

    /// [`kernel_bench`](Self::kernel_bench) with `AXI_DMA_KBENCH_*` flags:
    /// [`abi::KBENCH_BARE`] runs the bare dmaengine path (the floor, none of the driver's
    /// per-transfer work), [`abi::KBENCH_LOOPBACK`] round trips from `chan` (which sends
    /// `src`) to its pair (which receives into `dst`) instead of memcpys.
    #[allow(clippy::too_many_arguments)]
    pub fn kernel_bench_flags(
        &self,
        chan: u32,
        dst: &mut Buffer,
        src: &Buffer,
        len: u64,
        iters: u32,
        depth: u32,
        flags: u32,
    ) -> Result<(Duration, Duration)> {
        let mut k = abi::KBench {
            chan,
            src_buf: self.own(src)?,
            dst_buf: self.own(dst)?,
            depth,
            len,
            iters,
            flags,
            ..Default::default()
        };
        self.ioctl("kernel benchmark", abi::IOC_KBENCH, &mut k)?;
        Ok((Duration::from_nanos(k.total_ns), Duration::from_nanos(k.submit_ns)))
    }
}
