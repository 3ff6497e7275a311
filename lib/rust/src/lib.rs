//! Safe user-space access to the `axi_dma` zero-copy DMA driver.
//!
//! ```no_run
//! use axidma::Device;
//! let dev = Device::open_default()?;
//! let chan = dev.channel_by_name("tx").unwrap_or(0);
//! let mut src = dev.alloc(chan, 4096)?;
//! let mut dst = dev.alloc(chan, 4096)?;
//! src.as_mut_slice().fill(0x5a);
//! let bytes = dev.memcpy(chan, &mut dst, 0, &src, 0, 4096, None)?;
//! assert_eq!(bytes, 4096);
//! assert_eq!(dst.as_slice(), src.as_slice());
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! Buffers are mapped into the process when allocated and exposed as slices whose lifetime
//! is tied to the mapping. A non-blocking [`Transfer`] borrows its buffers (the destination
//! mutably) until it is waited for or dropped, so the CPU cannot touch memory the DMA
//! engine is writing. No `unsafe` is needed to use this crate.

#![deny(missing_docs)]

pub mod abi;

use std::{
    ffi::CStr,
    fmt,
    fs::OpenOptions,
    io,
    marker::PhantomData,
    os::fd::{AsRawFd, OwnedFd, RawFd},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    time::Duration,
};

/// The device most systems have: the first bound client node.
pub const DEFAULT_DEVICE: &str = "/dev/axi-dma0";

/// An error from the driver or the system, with the operation that failed.
#[derive(Debug)]
pub struct Error {
    /// What was being done.
    pub op: &'static str,
    /// The system error (its `raw_os_error()` is the errno).
    pub source: io::Error,
}

impl Error {
    fn last(op: &'static str) -> Self {
        Self { op, source: io::Error::last_os_error() }
    }
    fn errno(op: &'static str, e: i32) -> Self {
        Self { op, source: io::Error::from_raw_os_error(e) }
    }
    /// The errno value, if the error came from the system.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.source)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What a channel can do.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Index used in every call.
    pub index: u32,
    /// The `dma-names` entry.
    pub name: String,
    /// The provider's channel, e.g. `dma0chan1`.
    pub provider: String,
    /// `abi::DIR_*` bits.
    pub directions: u32,
    /// Required alignment of memcpy addresses and lengths.
    pub addr_align: u32,
    /// Largest single segment of the provider.
    pub max_seg_size: u32,
    /// Whether the DMA device is cache-coherent (mappings are cached then).
    pub coherent: bool,
}

impl Channel {
    /// Can do memory-to-memory copies.
    pub fn can_memcpy(&self) -> bool {
        self.directions & abi::DIR_MEM_TO_MEM != 0
    }
    /// Can send to a device (AXI DMA MM2S).
    pub fn can_send(&self) -> bool {
        self.directions & abi::DIR_MEM_TO_DEV != 0
    }
    /// Can receive from a device (AXI DMA S2MM).
    pub fn can_recv(&self) -> bool {
        self.directions & abi::DIR_DEV_TO_MEM != 0
    }
}

fn cstr(b: &[u8]) -> String {
    CStr::from_bytes_until_nul(b).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn timeout_ms(t: Option<Duration>) -> u32 {
    t.map_or(0, |d| u32::try_from(d.as_millis().max(1)).unwrap_or(u32::MAX))
}

/// An open `axi_dma` device.
#[derive(Debug)]
pub struct Device {
    fd: OwnedFd,
    info: abi::Info,
    path: PathBuf,
}

impl Device {
    /// Opens `path` and checks the ABI version.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(|source| Error { op: "open", source })?;
        let mut dev = Self { fd: file.into(), info: abi::Info::default(), path };
        let mut info = abi::Info::default();
        dev.ioctl("query device", abi::IOC_INFO, &mut info)?;
        if info.abi_version != abi::ABI_VERSION {
            return Err(Error::errno("ABI version check", libc::EPROTO));
        }
        dev.info = info;
        Ok(dev)
    }

    /// Opens [`DEFAULT_DEVICE`].
    pub fn open_default() -> Result<Self> {
        Self::open(DEFAULT_DEVICE)
    }

    /// The path this device was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Limits and channel count.
    pub fn info(&self) -> &abi::Info {
        &self.info
    }

    fn ioctl<T>(&self, op: &'static str, cmd: u32, arg: &mut T) -> Result<()> {
        // SAFETY: `cmd` encodes the size of `T` (see `abi`), and `arg` is a valid, exclusive
        // `T` for the duration of the call; the driver reads and writes only that much.
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), cmd as _, arg as *mut T) };
        if r < 0 {
            Err(Error::last(op))
        } else {
            Ok(())
        }
    }

    /// Describes channel `index`.
    pub fn channel(&self, index: u32) -> Result<Channel> {
        let mut ci = abi::ChanInfo { index, ..Default::default() };
        self.ioctl("query channel", abi::IOC_CHAN_INFO, &mut ci)?;
        Ok(Channel {
            index,
            name: cstr(&ci.name),
            provider: cstr(&ci.provider),
            directions: ci.directions,
            addr_align: ci.addr_align,
            max_seg_size: ci.max_seg_size,
            coherent: ci.coherent != 0,
        })
    }

    /// All channels of the device.
    pub fn channels(&self) -> Result<Vec<Channel>> {
        (0..self.info.num_channels).map(|i| self.channel(i)).collect()
    }

    /// The index of the channel named `name` in `dma-names`.
    pub fn channel_by_name(&self, name: &str) -> Option<u32> {
        self.channels().ok()?.into_iter().find(|c| c.name == name).map(|c| c.index)
    }

    /// Allocates a zeroed buffer of `size` bytes for DMA on `chan`'s device and maps it.
    pub fn alloc(&self, chan: u32, size: u64) -> Result<Buffer<'_>> {
        self.alloc_flags(chan, size, 0)
    }

    /// Allocates a cacheable buffer: fast CPU access, handed over with
    /// [`Buffer::sync_for_device`] and [`Buffer::sync_for_cpu`] around every DMA.
    /// `flags` may add `abi::ALLOC_TO_DEVICE` or `abi::ALLOC_FROM_DEVICE`.
    pub fn alloc_cached(&self, chan: u32, size: u64, flags: u32) -> Result<Buffer<'_>> {
        self.alloc_flags(chan, size, abi::ALLOC_CACHED | flags)
    }

    fn alloc_flags(&self, chan: u32, size: u64, flags: u32) -> Result<Buffer<'_>> {
        let mut a = abi::Alloc { size, chan, flags, ..Default::default() };
        self.ioctl("allocate buffer", abi::IOC_ALLOC, &mut a)?;
        let free = |dev: &Self| {
            let mut f = abi::Free { id: a.id, pad: 0 };
            let _ = dev.ioctl("free buffer", abi::IOC_FREE, &mut f);
        };
        let (Ok(len), Ok(off)) = (usize::try_from(a.mmap_size), libc::off_t::try_from(a.mmap_offset)) else {
            free(self);
            return Err(Error::errno("map buffer", libc::EOVERFLOW));
        };
        // SAFETY: A new shared mapping chosen by the kernel; the driver checks offset and
        // length against the buffer.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                self.fd.as_raw_fd(),
                off,
            )
        };
        if p == libc::MAP_FAILED {
            let e = Error::last("map buffer");
            free(self);
            return Err(e);
        }
        Ok(Buffer { dev: self, id: a.id, chan, size, ptr: p.cast(), map_len: len })
    }

    fn xfer(&self, x: &mut abi::Xfer) -> Result<()> {
        self.ioctl("transfer", abi::IOC_XFER, x)?;
        Ok(())
    }

    /// Copies `len` bytes from `src[src_off..]` to `dst[dst_off..]` by DMA on `chan` and
    /// waits (at most `timeout`, or the module's default). Returns the bytes copied.
    #[allow(clippy::too_many_arguments)]
    pub fn memcpy(
        &self,
        chan: u32,
        dst: &mut Buffer<'_>,
        dst_off: u64,
        src: &Buffer<'_>,
        src_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf: src.id,
            dst_buf: dst.id,
            src_off,
            dst_off,
            len,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.run(x)
    }

    /// Copies within one buffer: `[src_off, src_off+len)` to `[dst_off, dst_off+len)`.
    pub fn memcpy_within(
        &self,
        chan: u32,
        buf: &mut Buffer<'_>,
        dst_off: u64,
        src_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_MEMCPY,
            src_buf: buf.id,
            dst_buf: buf.id,
            src_off,
            dst_off,
            len,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.run(x)
    }

    /// Sends `src[off..off+len]` to the device (memory to device, e.g. AXI DMA MM2S).
    pub fn send(&self, chan: u32, src: &Buffer<'_>, off: u64, len: u64, timeout: Option<Duration>) -> Result<u64> {
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_TO_DEV,
            src_buf: src.id,
            src_off: off,
            len,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.run(x)
    }

    /// Receives up to `len` bytes into `dst[off..]` (device to memory, e.g. S2MM).
    /// Returns the bytes actually received (a shorter packet leaves a residue).
    pub fn recv(&self, chan: u32, dst: &mut Buffer<'_>, off: u64, len: u64, timeout: Option<Duration>) -> Result<u64> {
        let x = abi::Xfer {
            chan,
            kind: abi::XFER_FROM_DEV,
            dst_buf: dst.id,
            dst_off: off,
            len,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.run(x)
    }

    /// Receives on `rx` into `dst[dst_off..]` while sending `src[src_off..]` on `tx`, and
    /// waits for both: one round trip through a loopback in the PL. Returns the bytes received.
    #[allow(clippy::too_many_arguments)]
    pub fn loopback(
        &self,
        tx: u32,
        src: &Buffer<'_>,
        src_off: u64,
        rx: u32,
        dst: &mut Buffer<'_>,
        dst_off: u64,
        len: u64,
        timeout: Option<Duration>,
    ) -> Result<u64> {
        let x = abi::Xfer {
            chan: tx,
            rx_chan: rx,
            kind: abi::XFER_LOOPBACK,
            src_buf: src.id,
            src_off,
            dst_buf: dst.id,
            dst_off,
            len,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.run(x)
    }

    /// Runs a blocking transfer; returns the bytes transferred.
    fn run(&self, mut x: abi::Xfer) -> Result<u64> {
        self.xfer(&mut x)?;
        Ok(x.bytes)
    }

    /// Starts a non-blocking transfer and returns its handle.
    fn submit(&self, mut x: abi::Xfer) -> Result<Transfer<'_>> {
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

    /// Terminates this file's transfers on `chan`; returns how many were cancelled.
    pub fn cancel(&self, chan: u32) -> Result<u32> {
        let mut c = abi::Cancel { chan, cancelled: 0 };
        self.ioctl("cancel", abi::IOC_CANCEL, &mut c)?;
        Ok(c.cancelled)
    }

    /// Sets the device address, bus width (bytes) and burst of a slave channel.
    pub fn slave_config(&self, chan: u32, direction: u32, dev_addr: u64, width: u32, burst: u32) -> Result<()> {
        let mut c = abi::SlaveConfig { chan, direction, dev_addr, addr_width: width, maxburst: burst };
        self.ioctl("slave config", abi::IOC_SLAVE_CONFIG, &mut c)
    }

    /// In-kernel baseline: `iters` memcpys of `len` bytes from `src` to `dst` submitted by
    /// the driver itself with `depth` in flight. Returns (total, of which submitting) time.
    pub fn kernel_bench(
        &self,
        chan: u32,
        dst: &mut Buffer<'_>,
        src: &Buffer<'_>,
        len: u64,
        iters: u32,
        depth: u32,
    ) -> Result<(Duration, Duration)> {
        let mut k = abi::KBench { chan, src_buf: src.id, dst_buf: dst.id, depth, len, iters, ..Default::default() };
        self.ioctl("kernel benchmark", abi::IOC_KBENCH, &mut k)?;
        Ok((Duration::from_nanos(k.total_ns), Duration::from_nanos(k.submit_ns)))
    }

    /// STATUS of transfer `id` (`ENOENT` for unknown ids): also the cheapest ioctl, used to
    /// measure the system call path alone.
    pub fn status_of(&self, id: u64) -> Result<abi::Status> {
        let mut s = abi::Status { xfer_id: id, ..Default::default() };
        self.ioctl("status", abi::IOC_STATUS, &mut s)?;
        Ok(s)
    }

    /// Waits for the transfer with `id` (from [`Transfer::id`] or a detached submission).
    fn wait_id(&self, id: u64, timeout: Option<Duration>) -> Result<abi::Wait> {
        let mut w = abi::Wait { xfer_id: id, timeout_ms: timeout_ms(timeout), ..Default::default() };
        self.ioctl("wait", abi::IOC_WAIT, &mut w)?;
        Ok(w)
    }
}

impl AsRawFd for Device {
    /// For `poll`/`epoll`: readable when a finished transfer waits to be reaped.
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// A mapped DMA buffer. Unmapped and freed when dropped.
#[derive(Debug)]
pub struct Buffer<'d> {
    dev: &'d Device,
    id: u32,
    chan: u32,
    size: u64,
    ptr: *mut u8,
    map_len: usize,
}

// SAFETY: The mapping is plain shared memory owned by this value; access follows the
// borrow rules of the slice accessors.
unsafe impl Send for Buffer<'_> {}
// SAFETY: As above: `&Buffer` only gives `&[u8]`.
unsafe impl Sync for Buffer<'_> {}

impl Buffer<'_> {
    /// The driver's id of the buffer.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// The channel it was allocated for.
    pub fn chan(&self) -> u32 {
        self.chan
    }
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.size as usize
    }
    /// Whether it has no bytes (never: the driver refuses empty buffers).
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` maps at least `size` bytes for the lifetime of `self`; no DMA
        // writes into it while `&self` is borrowed here (a transfer writing into it holds
        // `&mut self`).
        unsafe { std::slice::from_raw_parts(self.ptr, self.size as usize) }
    }
    /// Hands `[off, off + len)` to the device after the CPU wrote it (cached buffers;
    /// a no-op otherwise).
    pub fn sync_for_device(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.id, op: abi::SYNC_FOR_DEVICE, offset: off, len };
        self.dev.ioctl("sync for device", abi::IOC_SYNC, &mut s)
    }

    /// Hands `[off, off + len)` back to the CPU after the device wrote it.
    pub fn sync_for_cpu(&self, off: u64, len: u64) -> Result<()> {
        let mut s = abi::Sync { id: self.id, op: abi::SYNC_FOR_CPU, offset: off, len };
        self.dev.ioctl("sync for cpu", abi::IOC_SYNC, &mut s)
    }

    /// The bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: As in `as_slice`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.size as usize) }
    }
}

impl Drop for Buffer<'_> {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`map_len` is our mapping, unmapped once.
        unsafe { libc::munmap(self.ptr.cast(), self.map_len) };
        let mut f = abi::Free { id: self.id, pad: 0 };
        let _ = self.dev.ioctl("free buffer", abi::IOC_FREE, &mut f);
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

/// Direction of a [`Ring`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingDir {
    /// Device to memory (AXI DMA S2MM): every slot is queued from the start.
    Rx,
    /// Memory to device (AXI DMA MM2S): slots are queued as they are filled.
    Tx,
}

/// A ring of `count` slots of one buffer kept queued back to back on a slave channel
/// (`AXI_DMA_IOC_STREAM_*`): gap-free streaming as long as the caller keeps up.
///
/// rx: [`Ring::reap`] returns filled slots in order; their bytes are readable with
/// [`Ring::data`] until [`Ring::release`] gives them back to the device.
/// tx: [`Ring::next_slot`] gives the next free slot to fill, [`Ring::send`] queues it, and
/// [`Ring::reap`] reports slots sent (and free again). Dropping the ring stops it.
#[derive(Debug)]
pub struct Ring<'d> {
    buf: Buffer<'d>,
    dir: RingDir,
    chan: u32,
    count: u32,
    slot_size: u64,
    /// Next slot to queue (tx) / oldest slot held by the caller (rx).
    head: u32,
    /// Slots with the device.
    queued: u32,
    /// rx: slots reaped and not yet released (from `head` on).
    held: u32,
    overruns: u64,
    stopped: bool,
}

impl Device {
    /// Starts a ring of `count` slots of `slot_size` bytes on `chan` (a buffer is allocated
    /// for it; `cached`: cacheable memory, which the driver syncs at each hand-over).
    pub fn ring(&self, chan: u32, dir: RingDir, count: u32, slot_size: u64, cached: bool) -> Result<Ring<'_>> {
        let size = slot_size
            .checked_mul(u64::from(count))
            .ok_or_else(|| Error::errno("ring size", libc::EOVERFLOW))?;
        let buf = if cached {
            let f = match dir {
                RingDir::Rx => abi::ALLOC_FROM_DEVICE,
                RingDir::Tx => abi::ALLOC_TO_DEVICE,
            };
            self.alloc_cached(chan, size, f)?
        } else {
            self.alloc(chan, size)?
        };
        let mut s = abi::StreamStart {
            chan,
            direction: match dir {
                RingDir::Rx => abi::DIR_DEV_TO_MEM,
                RingDir::Tx => abi::DIR_MEM_TO_DEV,
            },
            buf: buf.id,
            count,
            slot_size,
            ..Default::default()
        };
        self.ioctl("start stream", abi::IOC_STREAM_START, &mut s)?;
        Ok(Ring { buf, dir, chan, count, slot_size, head: 0, queued: s.queued, held: 0, overruns: 0, stopped: false })
    }
}

impl Ring<'_> {
    /// Slots in the ring.
    pub fn count(&self) -> u32 {
        self.count
    }
    /// Bytes per slot.
    pub fn slot_size(&self) -> u64 {
        self.slot_size
    }
    /// Slots with the device right now (as of the last call).
    pub fn queued(&self) -> u32 {
        self.queued
    }
    /// Times the ring ran dry so far (as of the last reap).
    pub fn overruns(&self) -> u64 {
        self.overruns
    }

    fn slot_range(&self, slot: u32) -> std::ops::Range<usize> {
        let start = (u64::from(slot) * self.slot_size) as usize;
        start..start + self.slot_size as usize
    }

    /// Finished slots, oldest first: waits up to `timeout` until at least `min` are there.
    pub fn reap(&mut self, max: u32, min: u32, timeout: Option<Duration>) -> Result<Vec<abi::StreamDone>> {
        let mut v = vec![abi::StreamDone::default(); max as usize];
        let mut r = abi::StreamReap {
            chan: self.chan,
            max,
            entries: v.as_mut_ptr() as u64,
            min,
            timeout_ms: timeout_ms(timeout),
            ..Default::default()
        };
        self.buf.dev.ioctl("reap stream", abi::IOC_STREAM_REAP, &mut r)?;
        v.truncate(r.count as usize);
        self.queued = r.queued;
        self.overruns = r.overruns;
        if self.dir == RingDir::Rx {
            self.held += r.count;
        }
        Ok(v)
    }

    /// The bytes an rx slot received, while the caller holds it (after [`Ring::reap`],
    /// before [`Ring::release`]); `None` for any other slot.
    pub fn data(&self, d: &abi::StreamDone) -> Option<&[u8]> {
        if self.dir != RingDir::Rx || d.slot >= self.count {
            return None;
        }
        let age = (d.slot + self.count - self.head) % self.count;
        if age >= self.held || d.bytes > self.slot_size {
            return None;
        }
        let r = self.slot_range(d.slot);
        Some(&self.buf.as_slice()[r.start..r.start + d.bytes as usize])
    }

    /// rx: gives the `n` oldest held slots back to the device.
    pub fn release(&mut self, n: u32) -> Result<()> {
        if self.dir != RingDir::Rx || n > self.held {
            return Err(Error::errno("release slots", libc::EINVAL));
        }
        let q = self.push(n, None)?;
        self.held -= q.0;
        self.head = (self.head + q.0) % self.count;
        Ok(())
    }

    fn push(&mut self, n: u32, lens: Option<&[u32]>) -> Result<(u32, u32)> {
        let mut p = abi::StreamPush {
            chan: self.chan,
            count: n,
            lens: lens.map_or(0, |l| l.as_ptr() as u64),
            ..Default::default()
        };
        self.buf.dev.ioctl("queue slots", abi::IOC_STREAM_PUSH, &mut p)?;
        self.queued = p.queued;
        Ok((p.count, p.first))
    }

    /// tx: the next free slot to fill, or `None` while every slot is with the device.
    pub fn next_slot(&mut self) -> Option<&mut [u8]> {
        if self.dir != RingDir::Tx || self.queued >= self.count {
            return None;
        }
        let r = self.slot_range(self.head);
        Some(&mut self.buf.as_mut_slice()[r])
    }

    /// tx: queues the slot from [`Ring::next_slot`] with `len` bytes.
    pub fn send(&mut self, len: u32) -> Result<()> {
        if self.dir != RingDir::Tx {
            return Err(Error::errno("send slot", libc::EINVAL));
        }
        self.push(1, Some(&[len]))?;
        self.head = (self.head + 1) % self.count;
        Ok(())
    }

    /// Stops the ring (slots still queued are aborted). Returns the driver's summary.
    pub fn stop(mut self) -> Result<abi::StreamStop> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<abi::StreamStop> {
        self.stopped = true;
        let mut s = abi::StreamStop { chan: self.chan, ..Default::default() };
        self.buf.dev.ioctl("stop stream", abi::IOC_STREAM_STOP, &mut s)?;
        Ok(s)
    }
}

impl Drop for Ring<'_> {
    fn drop(&mut self) {
        if !self.stopped {
            // Before the buffer is freed (the driver keeps it until the ring stops anyway).
            let _ = self.stop_inner();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_are_distinct_and_sized() {
        let all = [
            abi::IOC_INFO,
            abi::IOC_CHAN_INFO,
            abi::IOC_ALLOC,
            abi::IOC_FREE,
            abi::IOC_XFER,
            abi::IOC_WAIT,
            abi::IOC_REAP,
            abi::IOC_STATUS,
            abi::IOC_CANCEL,
            abi::IOC_SLAVE_CONFIG,
            abi::IOC_KBENCH,
            abi::IOC_SYNC,
            abi::IOC_STREAM_START,
            abi::IOC_STREAM_PUSH,
            abi::IOC_STREAM_REAP,
            abi::IOC_STREAM_STOP,
        ];
        for (i, a) in all.iter().enumerate() {
            assert_eq!((a >> 8) & 0xff, 0xAD);
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!((abi::IOC_XFER >> 16) & 0x3fff, 80);
    }

    #[test]
    fn timeouts_round_up_and_saturate() {
        assert_eq!(timeout_ms(None), 0);
        assert_eq!(timeout_ms(Some(Duration::from_micros(10))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_secs(3))), 3000);
        assert_eq!(timeout_ms(Some(Duration::from_secs(u64::MAX))), u32::MAX);
    }

    #[test]
    fn names_stop_at_nul() {
        let mut b = [0u8; 32];
        b[..2].copy_from_slice(b"tx");
        assert_eq!(cstr(&b), "tx");
        assert_eq!(cstr(&[b'x'; 4]), "");
    }

    #[test]
    fn open_missing_device_reports_errno() {
        let e = Device::open("/nonexistent/axi-dma9").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
        assert!(e.to_string().starts_with("open: "));
    }
}
