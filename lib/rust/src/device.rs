//! [`Device`]: an open `axi_dma` file, its channels, buffer allocation and blocking transfers.

use crate::{abi, Buffer, Error, Result};
use std::{
    ffi::CStr,
    fs::OpenOptions,
    os::fd::{AsRawFd, OwnedFd, RawFd},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    time::Duration,
};

/// The device most systems have: the first bound client node.
pub const DEFAULT_DEVICE: &str = "/dev/axi-dma0";

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

pub(crate) fn cstr(b: &[u8]) -> String {
    CStr::from_bytes_until_nul(b).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

pub(crate) fn timeout_ms(t: Option<Duration>) -> u32 {
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

    pub(crate) fn ioctl<T>(&self, op: &'static str, cmd: u32, arg: &mut T) -> Result<()> {
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

    pub(crate) fn xfer(&self, x: &mut abi::Xfer) -> Result<()> {
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
    pub(crate) fn run(&self, mut x: abi::Xfer) -> Result<u64> {
        self.xfer(&mut x)?;
        Ok(x.bytes)
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
}

impl AsRawFd for Device {
    /// For `poll`/`epoll`: readable when a finished transfer waits to be reaped.
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
