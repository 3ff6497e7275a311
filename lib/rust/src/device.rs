//! [`Device`]: an open `axi_dma` file, its channels, buffer allocation and blocking transfers.

use crate::{abi, buffer::Mapping, Buffer, DmaBuf, Error, Result, SharedBuffer};
use std::{
    ffi::CStr,
    fs::OpenOptions,
    os::fd::{AsRawFd, OwnedFd, RawFd},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
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
    /// The channel of the same engine going the other way (tx <-> rx), if any: the
    /// partner for [`Device::loopback`] when the PL loops the stream back.
    pub pair: Option<u32>,
    /// `abi::CHAN_*` bits: a stream (AXI DMA) or a fixed FIFO address.
    pub flags: u32,
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

/// Tells open files apart (transfer ids are only unique within one file).
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// The open file, shared by the [`Device`] handles and by every buffer, transfer and ring
/// made from it: the file is closed when the last of them goes.
#[derive(Debug)]
pub(crate) struct DevInner {
    fd: OwnedFd,
    info: abi::Info,
    path: PathBuf,
    pub(crate) serial: u64,
}

impl DevInner {
    pub(crate) fn ioctl<T>(&self, op: &'static str, cmd: u32, arg: &mut T) -> Result<()> {
        // SAFETY: `cmd` encodes the size of `T` (see `abi`), and `arg` is a valid, exclusive
        // `T` for the duration of the call; the driver reads and writes only that much (and,
        // for REAP/PUSH, the user arrays the callers point it to, sized as they say).
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), cmd as _, arg as *mut T) };
        if r < 0 {
            Err(Error::last(op))
        } else {
            Ok(())
        }
    }
}

/// An open `axi_dma` device. Cloning gives another handle to the same open file.
#[derive(Debug, Clone)]
pub struct Device {
    pub(crate) inner: Arc<DevInner>,
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
        let mut inner =
            DevInner { fd: file.into(), info: abi::Info::default(), path, serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed) };
        let mut info = abi::Info::default();
        inner.ioctl("query device", abi::IOC_INFO, &mut info)?;
        // Another ABI version is incompatible; an older revision lacks what this crate
        // uses (drivers before revision 2 report 0); a newer one runs it unchanged.
        if info.abi_version != abi::ABI_VERSION || info.abi_revision.max(1) < abi::ABI_REVISION {
            return Err(Error::errno("ABI version check", libc::EPROTO));
        }
        inner.info = info;
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Opens [`DEFAULT_DEVICE`].
    pub fn open_default() -> Result<Self> {
        Self::open(DEFAULT_DEVICE)
    }

    /// The path this device was opened from.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Limits and channel count.
    pub fn info(&self) -> &abi::Info {
        &self.inner.info
    }

    pub(crate) fn ioctl<T>(&self, op: &'static str, cmd: u32, arg: &mut T) -> Result<()> {
        self.inner.ioctl(op, cmd, arg)
    }

    /// The id of `buf` if it was allocated on this open file: ids are per file, and another
    /// file's id could name one of this file's buffers (which safe code may be reading).
    pub(crate) fn own<B: DmaBuf + ?Sized>(&self, buf: &B) -> Result<u32> {
        if Arc::ptr_eq(&buf.mapping().dev, &self.inner) {
            Ok(buf.buf_id())
        } else {
            Err(Error::errno("buffer of another open file", libc::EINVAL))
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
            pair: (ci.pair != abi::NO_PAIR).then_some(ci.pair),
            flags: ci.flags,
        })
    }

    /// All channels of the device.
    pub fn channels(&self) -> Result<Vec<Channel>> {
        (0..self.inner.info.num_channels).map(|i| self.channel(i)).collect()
    }

    /// The index of the channel named `name` in `dma-names`.
    pub fn channel_by_name(&self, name: &str) -> Option<u32> {
        self.channels().ok()?.into_iter().find(|c| c.name == name).map(|c| c.index)
    }

    /// Allocates a zeroed buffer of `size` bytes for DMA on `chan`'s device and maps it.
    pub fn alloc(&self, chan: u32, size: u64) -> Result<Buffer> {
        self.alloc_flags(chan, size, 0)
    }

    /// Allocates a cacheable buffer: fast CPU access, handed over with
    /// [`Buffer::sync_for_device`] and [`Buffer::sync_for_cpu`] around every DMA.
    /// `flags` may add `abi::ALLOC_TO_DEVICE` or `abi::ALLOC_FROM_DEVICE`.
    pub fn alloc_cached(&self, chan: u32, size: u64, flags: u32) -> Result<Buffer> {
        self.alloc_flags(chan, size, abi::ALLOC_CACHED | flags)
    }

    fn alloc_flags(&self, chan: u32, size: u64, flags: u32) -> Result<Buffer> {
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
        if a.mmap_size < size {
            free(self);
            return Err(Error::errno("map buffer", libc::EPROTO));
        }
        // SAFETY: A new shared mapping chosen by the kernel; the driver checks offset and
        // length against the buffer.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                self.inner.fd.as_raw_fd(),
                off,
            )
        };
        if p == libc::MAP_FAILED {
            let e = Error::last("map buffer");
            free(self);
            return Err(e);
        }
        Ok(Buffer::new(Mapping { dev: self.inner.clone(), id: a.id, chan, size, ptr: p.cast(), map_len: len }))
    }

    /// Memory of this process registered for DMA through `chan`'s provider (ABI revision 4):
    /// `size` bytes (rounded up to whole pages) of anonymous memory the crate maps itself,
    /// so that it owns them, pinned by the driver until the [`Buffer`] and every transfer
    /// using it are gone. Used like a cached buffer ([`Buffer::sync_for_device`] and
    /// [`Buffer::sync_for_cpu`] around every DMA); the memory may be scattered in DMA
    /// space, so one transfer may span at most [`abi::REGISTER_MAX_RUNS`] contiguous runs
    /// (`E2BIG` beyond: split it), and rings need one run. `flags`: 0, or
    /// `abi::REGISTER_TO_DEVICE` / `abi::REGISTER_FROM_DEVICE`.
    pub fn alloc_user(&self, chan: u32, size: u64, flags: u32) -> Result<Buffer> {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
        let len = size
            .checked_add(page - 1)
            .map(|n| n & !(page - 1))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| Error::errno("register memory", libc::EOVERFLOW))?;
        if size == 0 {
            return Err(Error::errno("register memory", libc::EINVAL));
        }
        // SAFETY: A new private anonymous mapping chosen by the kernel.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Error::last("map memory"));
        }
        let mut r = abi::Register { addr: p as u64, size: len as u64, chan, flags, ..Default::default() };
        if let Err(e) = self.ioctl("register memory", abi::IOC_REGISTER, &mut r) {
            // SAFETY: Our mapping, not registered, unmapped once.
            unsafe { libc::munmap(p, len) };
            return Err(e);
        }
        // `Mapping`'s drop unmaps the memory and unregisters it (FREE): what a transfer still
        // uses stays pinned by the driver until it ends.
        Ok(Buffer::new(Mapping { dev: self.inner.clone(), id: r.id, chan, size, ptr: p.cast(), map_len: len }))
    }

    /// Imports another driver's dma-buf (ABI revision 4: a DMA heap buffer, a udmabuf, a
    /// V4L2/DRM export, [`Buffer::export`] of another device) for DMA through `chan`'s
    /// provider. The handle is for the engine only (no CPU access: map the dma-buf itself
    /// and hand it over with `DMA_BUF_IOCTL_SYNC`); `fd` may be closed afterwards. `flags`:
    /// 0, `abi::IMPORT_TO_DEVICE` or `abi::IMPORT_FROM_DEVICE`. Memory safety: the dma-buf
    /// is reference counted by the kernel, so dropping or forgetting the handle never frees
    /// memory the engine still uses.
    pub fn import(&self, chan: u32, fd: std::os::fd::BorrowedFd<'_>, flags: u32) -> Result<SharedBuffer> {
        use std::os::fd::AsRawFd;
        let mut i = abi::Import { fd: fd.as_raw_fd(), chan, flags, ..Default::default() };
        self.ioctl("import dma-buf", abi::IOC_IMPORT, &mut i)?;
        let map = Mapping {
            dev: self.inner.clone(),
            id: i.id,
            chan,
            size: i.size,
            ptr: std::ptr::null_mut(),
            map_len: 0,
        };
        Ok(Buffer::new(map).into_shared())
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

    /// The slave settings in force for `direction` on `chan` (device address, bus width,
    /// burst).
    pub fn slave_config_get(&self, chan: u32, direction: u32) -> Result<abi::SlaveConfig> {
        let mut c = abi::SlaveConfig { chan, direction, ..Default::default() };
        self.ioctl("read slave config", abi::IOC_SLAVE_CONFIG_GET, &mut c)?;
        Ok(c)
    }

    /// Owns `chan` exclusively until [`Device::unclaim`] or close: other open files get
    /// `EBUSY` for transfers, rings, cancels and claims on it.
    pub fn claim(&self, chan: u32) -> Result<()> {
        let mut c = abi::Claim { chan, flags: 0 };
        self.ioctl("claim channel", abi::IOC_CLAIM, &mut c)
    }

    /// Gives up a claim made with [`Device::claim`] (`EINVAL` if there was none).
    pub fn unclaim(&self, chan: u32) -> Result<()> {
        let mut c = abi::Claim { chan, flags: 0 };
        self.ioctl("unclaim channel", abi::IOC_UNCLAIM, &mut c)
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
        self.inner.fd.as_raw_fd()
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

    #[test]
    fn a_file_that_is_not_the_driver_is_refused() {
        let e = Device::open("/dev/null").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTTY));
        assert_eq!(e.op, "query device");
    }
}
