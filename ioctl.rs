// SPDX-License-Identifier: GPL-2.0

//! The ioctl interface: the UAPI structures (mirroring `include/uapi/axi_dma.h`, with their
//! sizes pinned at build time) and the per-open-file state they act on.
//!
//! Every argument is copied from user space once, validated on that copy, and no lock is
//! held while user memory is read or written.

use core::mem::size_of;
use kernel::{
    ioctl::{
        _IOR,
        _IOW,
        _IOWR, //
    },
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    transmute::{
        AsBytes,
        FromBytes, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

use crate::{
    buffer::Buffer,
    dma_chan::{
        self,
        DataDir,
        Direction,
        WaitResult, //
    },
    xfer::{
        Events,
        Xfer,
        STATE_DONE,
        STATE_PENDING, //
    },
    ChanSlot, Shared,
};

#[path = "stream.rs"]
mod stream;
use stream::RingCell;

/// ABI version reported by `AXI_DMA_IOC_INFO`.
pub(crate) const ABI_VERSION: u32 = 1;
const MAGIC: u32 = 0xAD;
const NAME_LEN: usize = 32;
/// Most completions one `AXI_DMA_IOC_REAP` returns.
const REAP_MAX: u32 = 256;
/// Size of the per-file mmap offset space (offsets handed out by `ALLOC`).
const MMAP_SPACE: u64 = 1 << 40;

/// `struct axi_dma_info`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Info {
    abi_version: u32,
    num_channels: u32,
    max_buffers: u32,
    max_inflight: u32,
    max_buffer_size: u64,
    reserved: [u64; 4],
}

/// `struct axi_dma_chan_info`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct ChanInfo {
    index: u32,
    directions: u32,
    addr_align: u32,
    max_seg_size: u32,
    residue_granularity: u32,
    coherent: u32,
    name: [u8; NAME_LEN],
    provider: [u8; NAME_LEN],
    reserved: [u64; 2],
}

/// `struct axi_dma_alloc`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Alloc {
    size: u64,
    chan: u32,
    flags: u32,
    id: u32,
    pad: u32,
    mmap_offset: u64,
    mmap_size: u64,
}

/// `struct axi_dma_free`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Free {
    id: u32,
    pad: u32,
}

/// `struct axi_dma_xfer`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct XferArg {
    chan: u32,
    kind: u32,
    src_buf: u32,
    dst_buf: u32,
    src_off: u64,
    dst_off: u64,
    len: u64,
    flags: u32,
    timeout_ms: u32,
    user_data: u64,
    xfer_id: u64,
    bytes: u64,
    error: i32,
    rx_chan: u32,
}

/// `struct axi_dma_completion`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Completion {
    xfer_id: u64,
    user_data: u64,
    bytes: u64,
    error: i32,
    chan: u32,
}

/// `struct axi_dma_reap`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Reap {
    entries: u64,
    max: u32,
    min: u32,
    timeout_ms: u32,
    count: u32,
    pending: u32,
    pad: u32,
}

/// `struct axi_dma_status`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Status {
    xfer_id: u64,
    state: u32,
    error: i32,
    bytes: u64,
}

/// `struct axi_dma_wait`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Wait {
    xfer_id: u64,
    timeout_ms: u32,
    error: i32,
    bytes: u64,
    user_data: u64,
}

/// `struct axi_dma_cancel`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Cancel {
    chan: u32,
    cancelled: u32,
}

/// `struct axi_dma_slave_config`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct SlaveConfig {
    chan: u32,
    direction: u32,
    dev_addr: u64,
    addr_width: u32,
    maxburst: u32,
}

/// `struct axi_dma_sync`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct Sync {
    id: u32,
    op: u32,
    offset: u64,
    len: u64,
}

/// `struct axi_dma_kbench`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct KBench {
    chan: u32,
    src_buf: u32,
    dst_buf: u32,
    depth: u32,
    len: u64,
    iters: u32,
    pad: u32,
    total_ns: u64,
    submit_ns: u64,
}

/// `struct axi_dma_stream_start`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct StreamStart {
    chan: u32,
    direction: u32,
    buf: u32,
    count: u32,
    offset: u64,
    slot_size: u64,
    flags: u32,
    queued: u32,
}

/// `struct axi_dma_stream_push`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct StreamPush {
    chan: u32,
    count: u32,
    lens: u64,
    first: u32,
    queued: u32,
}

/// `struct axi_dma_stream_done`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct StreamDone {
    seq: u64,
    bytes: u64,
    slot: u32,
    error: i32,
    flags: u32,
    pad: u32,
}

/// `struct axi_dma_stream_reap`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct StreamReap {
    chan: u32,
    max: u32,
    entries: u64,
    min: u32,
    timeout_ms: u32,
    count: u32,
    queued: u32,
    overruns: u64,
}

/// `struct axi_dma_stream_stop`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(crate) struct StreamStop {
    chan: u32,
    aborted: u32,
    completed: u64,
    overruns: u64,
}

macro_rules! uapi_struct {
    ($($t:ty = $size:expr),* $(,)?) => {$(
        // SAFETY: A `#[repr(C)]` struct of integers and byte arrays with no implicit padding
        // (the size assertion below pins it): every bit pattern is valid.
        unsafe impl FromBytes for $t {}
        // SAFETY: As above: no padding and no uninitialised bytes.
        unsafe impl AsBytes for $t {}
        kernel::static_assert!(size_of::<$t>() == $size);
    )*};
}

uapi_struct! {
    Info = 56,
    ChanInfo = 104,
    Alloc = 40,
    Free = 8,
    XferArg = 80,
    Completion = 32,
    Reap = 32,
    Status = 24,
    Wait = 32,
    Cancel = 8,
    SlaveConfig = 24,
    KBench = 48,
    Sync = 24,
    StreamStart = 40,
    StreamPush = 24,
    StreamDone = 32,
    StreamReap = 40,
    StreamStop = 24,
}

/// `AXI_DMA_IOC_INFO`.
pub(crate) const IOC_INFO: u32 = _IOR::<Info>(MAGIC, 0x00);
/// `AXI_DMA_IOC_CHAN_INFO`.
pub(crate) const IOC_CHAN_INFO: u32 = _IOWR::<ChanInfo>(MAGIC, 0x01);
/// `AXI_DMA_IOC_ALLOC`.
pub(crate) const IOC_ALLOC: u32 = _IOWR::<Alloc>(MAGIC, 0x02);
/// `AXI_DMA_IOC_FREE`.
pub(crate) const IOC_FREE: u32 = _IOW::<Free>(MAGIC, 0x03);
/// `AXI_DMA_IOC_XFER`.
pub(crate) const IOC_XFER: u32 = _IOWR::<XferArg>(MAGIC, 0x04);
/// `AXI_DMA_IOC_WAIT`.
pub(crate) const IOC_WAIT: u32 = _IOWR::<Wait>(MAGIC, 0x05);
/// `AXI_DMA_IOC_REAP`.
pub(crate) const IOC_REAP: u32 = _IOWR::<Reap>(MAGIC, 0x06);
/// `AXI_DMA_IOC_STATUS`.
pub(crate) const IOC_STATUS: u32 = _IOWR::<Status>(MAGIC, 0x07);
/// `AXI_DMA_IOC_CANCEL`.
pub(crate) const IOC_CANCEL: u32 = _IOWR::<Cancel>(MAGIC, 0x08);
/// `AXI_DMA_IOC_SLAVE_CONFIG`.
pub(crate) const IOC_SLAVE_CONFIG: u32 = _IOW::<SlaveConfig>(MAGIC, 0x09);
/// `AXI_DMA_IOC_KBENCH`.
pub(crate) const IOC_KBENCH: u32 = _IOWR::<KBench>(MAGIC, 0x0a);
/// `AXI_DMA_IOC_SYNC`.
pub(crate) const IOC_SYNC: u32 = _IOW::<Sync>(MAGIC, 0x0b);
/// `AXI_DMA_IOC_STREAM_START`.
pub(crate) const IOC_STREAM_START: u32 = _IOWR::<StreamStart>(MAGIC, 0x0c);
/// `AXI_DMA_IOC_STREAM_PUSH`.
pub(crate) const IOC_STREAM_PUSH: u32 = _IOWR::<StreamPush>(MAGIC, 0x0d);
/// `AXI_DMA_IOC_STREAM_REAP`.
pub(crate) const IOC_STREAM_REAP: u32 = _IOWR::<StreamReap>(MAGIC, 0x0e);
/// `AXI_DMA_IOC_STREAM_STOP`.
pub(crate) const IOC_STREAM_STOP: u32 = _IOWR::<StreamStop>(MAGIC, 0x0f);

const ALLOC_CACHED: u32 = 1 << 0;
const ALLOC_TO_DEVICE: u32 = 1 << 1;
const ALLOC_FROM_DEVICE: u32 = 1 << 2;
const SYNC_FOR_CPU: u32 = 1;
const SYNC_FOR_DEVICE: u32 = 2;
const KIND_MEMCPY: u32 = 0;
const KIND_TO_DEV: u32 = 1;
const KIND_FROM_DEV: u32 = 2;
const KIND_LOOPBACK: u32 = 3;
const XFER_NONBLOCK: u32 = 1 << 0;
const XFER_FLAGS: u32 = XFER_NONBLOCK;

/// A buffer owned by an open file.
struct BufSlot {
    id: u32,
    /// Start of the buffer's range in the file's mmap offset space.
    offset: u64,
    buf: Arc<Buffer>,
}

/// A transfer of an open file, with the buffers it keeps alive until it is reaped.
struct XferEntry {
    xfer: Arc<Xfer>,
    /// A thread is waiting for it right now (`XFER` without `NONBLOCK`, or `WAIT`).
    waiting: bool,
    /// Submitted as a blocking `XFER`: it is never handed out by `REAP`, also when its wait
    /// was interrupted by a signal (then `WAIT` with the id written back collects it), so
    /// that another thread reaping on the same file cannot take it away from its owner.
    blocking: bool,
    _bufs: [Option<Arc<Buffer>>; 2],
}

impl XferEntry {
    /// Finished, and for `REAP` to hand out.
    fn reapable(&self) -> bool {
        !self.waiting && !self.blocking && self.xfer.is_done()
    }
}

struct FileInner {
    bufs: KVec<BufSlot>,
    next_buf_id: u32,
    xfers: KVec<XferEntry>,
    next_xfer_id: u64,
    rings: KVec<Arc<RingCell>>,
}

/// The state of one open file of the misc device.
#[pin_data]
pub(crate) struct OpenFile {
    shared: Arc<Shared>,
    pub(crate) events: Arc<Events>,
    #[pin]
    inner: Mutex<FileInner>,
}

// Note for 32-bit ARM: never format a `u64` with `{}` in this module. The 7.2 kernel
// crate's `core` formats it through `__aeabi_uldivmod`, which is a panicking intrinsic on
// arm (an Oops at run time). Hex (`{:#x}`) needs no division and is used instead.

/// Reads one `T` from user space.
fn read_arg<T: FromBytes>(arg: usize) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .reader()
        .read::<T>()
}

/// Writes `entries` to the user array at `ptr` (`len` bytes: room for the caller's max).
fn write_entries<T: AsBytes>(ptr: usize, len: usize, entries: &[T]) -> Result {
    let mut w = UserSlice::new(UserPtr::from_addr(ptr), len).writer();
    for e in entries {
        w.write(e)?;
    }
    Ok(())
}

/// Writes one `T` to user space.
fn write_arg<T: AsBytes>(arg: usize, v: &T) -> Result {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .writer()
        .write(v)
}

fn copy_name(dst: &mut [u8; NAME_LEN], src: &[u8]) {
    let n = src.len().min(NAME_LEN - 1);
    dst[..n].copy_from_slice(&src[..n]);
}

impl OpenFile {
    pub(crate) fn new(shared: Arc<Shared>) -> Result<Arc<Self>> {
        let events = Events::new()?;
        Arc::pin_init(
            try_pin_init!(Self {
                shared,
                events,
                inner <- kernel::new_mutex!(
                    FileInner {
                        bufs: KVec::new(),
                        next_buf_id: 1,
                        xfers: KVec::new(),
                        next_xfer_id: 1,
                        rings: KVec::new(),
                    },
                    "OpenFile::inner"
                ),
            }),
            GFP_KERNEL,
        )
    }

    fn dev(&self) -> &kernel::device::Device {
        &self.shared.dev
    }

    fn timeout(&self, ms: u32) -> u32 {
        if ms == 0 {
            self.shared.limits.default_timeout_ms
        } else {
            ms
        }
    }

    /// Dispatches one ioctl.
    pub(crate) fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize> {
        // The size is part of the command number, so a caller built against another layout
        // matches no arm and gets ENOTTY rather than a misread structure.
        match cmd {
            IOC_INFO => self.info(arg),
            IOC_CHAN_INFO => self.chan_info(arg),
            IOC_ALLOC => self.alloc(arg),
            IOC_FREE => self.free(arg),
            IOC_XFER => self.xfer(arg),
            IOC_WAIT => self.wait(arg),
            IOC_REAP => self.reap(arg),
            IOC_STATUS => self.status(arg),
            IOC_CANCEL => self.cancel(arg),
            IOC_SLAVE_CONFIG => self.slave_config(arg),
            IOC_KBENCH => self.kbench(arg),
            IOC_SYNC => self.sync(arg),
            IOC_STREAM_START => self.stream_start(arg),
            IOC_STREAM_PUSH => self.stream_push(arg),
            IOC_STREAM_REAP => self.stream_reap(arg),
            IOC_STREAM_STOP => self.stream_stop(arg),
            _ => {
                dev_dbg!(self.dev(), "unknown ioctl {:#x}\n", cmd);
                Err(ENOTTY)
            }
        }
    }

    fn info(&self, arg: usize) -> Result<isize> {
        let l = &self.shared.limits;
        let info = Info {
            abi_version: ABI_VERSION,
            num_channels: self.shared.chans.len() as u32,
            max_buffers: l.max_buffers,
            max_inflight: l.max_inflight,
            max_buffer_size: l.max_buffer_size,
            reserved: [0; 4],
        };
        write_arg(arg, &info)?;
        Ok(0)
    }

    fn chan(&self, index: u32) -> Result<&Arc<ChanSlot>> {
        self.shared.chans.get(index as usize).ok_or_else(|| {
            dev_dbg!(self.dev(), "no channel {}\n", index);
            EINVAL
        })
    }

    fn chan_info(&self, arg: usize) -> Result<isize> {
        let req: ChanInfo = read_arg(arg)?;
        let slot = self.chan(req.index)?;
        let mut out = ChanInfo {
            index: req.index,
            directions: 0,
            addr_align: slot.caps.addr_align,
            max_seg_size: slot.caps.max_seg_size,
            residue_granularity: slot.caps.residue_granularity,
            coherent: u32::from(slot.coherent),
            name: [0; NAME_LEN],
            provider: [0; NAME_LEN],
            reserved: [0; 2],
        };
        // Our direction bits are the dmaengine ones shifted into AXI_DMA_DIR_*: equal here.
        out.directions = slot.caps.directions;
        copy_name(&mut out.name, slot.name.to_bytes());
        copy_name(&mut out.provider, &slot.provider[..]);
        write_arg(arg, &out)?;
        Ok(0)
    }

    fn alloc(&self, arg: usize) -> Result<isize> {
        let mut req: Alloc = read_arg(arg)?;
        let l = &self.shared.limits;
        let cached = match req.flags {
            0 => None,
            ALLOC_CACHED => Some(DataDir::Bidirectional),
            f if f == ALLOC_CACHED | ALLOC_TO_DEVICE => Some(DataDir::ToDevice),
            f if f == ALLOC_CACHED | ALLOC_FROM_DEVICE => Some(DataDir::FromDevice),
            f => {
                dev_dbg!(self.dev(), "alloc: bad flags {:#x}\n", f);
                return Err(EINVAL);
            }
        };
        if req.pad != 0 {
            return Err(EINVAL);
        }
        if req.size == 0 || req.size > l.max_buffer_size {
            dev_dbg!(
                self.dev(),
                "alloc: size {:#x} outside 1..={:#x}\n",
                req.size,
                l.max_buffer_size
            );
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        // Reserve the id and mmap range first so that a full table fails before the
        // (possibly large) allocation.
        {
            let inner = self.inner.lock();
            if inner.bufs.len() >= l.max_buffers as usize {
                dev_dbg!(self.dev(), "alloc: {} buffers already\n", inner.bufs.len());
                return Err(ENOSPC);
            }
        }
        let buf = {
            let st = slot.state.lock();
            let chan = st.chan.as_ref().ok_or(ENODEV)?;
            Buffer::alloc(chan.dma_device(), req.size, cached).inspect_err(|_| {
                dev_dbg!(
                    self.dev(),
                    "alloc: {:#x} bytes: out of DMA memory\n",
                    req.size
                );
            })?
        };
        let mut inner = self.inner.lock();
        if inner.bufs.len() >= l.max_buffers as usize {
            return Err(ENOSPC);
        }
        // First fit in the offset space; `bufs` is kept sorted by offset.
        let mut off = 0u64;
        let mut pos = inner.bufs.len();
        for (i, b) in inner.bufs.iter().enumerate() {
            if off + buf.alloc_size <= b.offset {
                pos = i;
                break;
            }
            off = b.offset + b.buf.alloc_size;
        }
        if off + buf.alloc_size > MMAP_SPACE {
            return Err(ENOSPC);
        }
        let id = inner.next_buf_id;
        inner.next_buf_id = inner.next_buf_id.wrapping_add(1).max(1);
        req.id = id;
        req.mmap_offset = off;
        req.mmap_size = buf.alloc_size;
        inner.bufs.reserve(1, GFP_KERNEL)?;
        inner
            .bufs
            .insert_within_capacity(
                pos,
                BufSlot {
                    id,
                    offset: off,
                    buf,
                },
            )
            .map_err(|_| ENOMEM)?;
        drop(inner);
        if let Err(e) = write_arg(arg, &req) {
            // User space cannot learn the id: undo.
            self.remove_buf(id);
            return Err(e);
        }
        Ok(0)
    }

    fn remove_buf(&self, id: u32) -> Option<Arc<Buffer>> {
        let mut inner = self.inner.lock();
        let pos = inner.bufs.iter().position(|b| b.id == id)?;
        inner.bufs.remove(pos).ok().map(|s| s.buf)
    }

    fn free(&self, arg: usize) -> Result<isize> {
        let req: Free = read_arg(arg)?;
        if req.pad != 0 {
            return Err(EINVAL);
        }
        // The memory itself goes when the last mapping and transfer using it are gone.
        match self.remove_buf(req.id) {
            Some(buf) => {
                drop(buf);
                Ok(0)
            }
            None => {
                dev_dbg!(self.dev(), "free: no buffer {}\n", req.id);
                Err(ENOENT)
            }
        }
    }

    /// Looks up buffer `id` of this file.
    fn find_buf(inner: &FileInner, id: u32) -> Result<Arc<Buffer>> {
        inner
            .bufs
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.buf.clone())
            .ok_or(ENOENT)
    }

    /// Finds the buffer whose mmap range holds `offset`: (buffer, offset inside it).
    pub(crate) fn buf_at(&self, offset: u64) -> Result<(Arc<Buffer>, u64)> {
        let inner = self.inner.lock();
        inner
            .bufs
            .iter()
            .find(|b| offset >= b.offset && offset < b.offset + b.buf.alloc_size)
            .map(|b| (b.buf.clone(), offset - b.offset))
            .ok_or(EINVAL)
    }

    /// Validates `req` and starts it; the transfer is registered with the file.
    /// `blocking` transfers are never handed out by REAP.
    fn submit(&self, req: &XferArg, blocking: bool) -> Result<Arc<Xfer>> {
        let dev = self.dev();
        if req.flags & !XFER_FLAGS != 0 || req.rx_chan != 0 {
            dev_dbg!(dev, "xfer: unknown flags {:#x} or rx_chan set\n", req.flags);
            return Err(EINVAL);
        }
        if req.len == 0 {
            dev_dbg!(dev, "xfer: zero length\n");
            return Err(EINVAL);
        }
        let len = usize::try_from(req.len).map_err(|_| EOVERFLOW)?;
        let dir = match req.kind {
            KIND_MEMCPY => Direction::MemToMem,
            KIND_TO_DEV => Direction::MemToDev,
            KIND_FROM_DEV => Direction::DevToMem,
            k => {
                dev_dbg!(dev, "xfer: unknown kind {}\n", k);
                return Err(EINVAL);
            }
        };
        let slot = self.chan(req.chan)?;
        if !slot.caps.supports(dir) {
            dev_dbg!(dev, "xfer: channel {} cannot do {:?}\n", req.chan, dir);
            return Err(crate::xfer::eopnotsupp());
        }
        let limits = &self.shared.limits;

        // Resolve buffers and ranges, and register the transfer with the file.
        let xfer;
        let (src, dst);
        {
            let mut inner = self.inner.lock();
            let pending = inner.xfers.iter().filter(|e| !e.xfer.is_done()).count();
            if pending >= limits.max_inflight as usize {
                dev_dbg!(dev, "xfer: {} transfers in flight already\n", pending);
                return Err(EBUSY);
            }
            src = match dir {
                Direction::MemToMem | Direction::MemToDev => {
                    let b = Self::find_buf(&inner, req.src_buf)?;
                    b.check_range(req.src_off, req.len)?;
                    if !b.device_may_read() {
                        dev_dbg!(dev, "xfer: source buffer was allocated FROM_DEVICE\n");
                        return Err(EINVAL);
                    }
                    Some(b)
                }
                Direction::DevToMem => None,
            };
            dst = match dir {
                Direction::MemToMem | Direction::DevToMem => {
                    let b = Self::find_buf(&inner, req.dst_buf)?;
                    b.check_range(req.dst_off, req.len)?;
                    if !b.device_may_write() {
                        dev_dbg!(dev, "xfer: destination buffer was allocated TO_DEVICE\n");
                        return Err(EINVAL);
                    }
                    Some(b)
                }
                Direction::MemToDev => None,
            };
            if dir == Direction::MemToMem {
                // `copy_align` is a power of two (the provider gives its log2).
                let mask = u64::from(slot.caps.addr_align.max(1)) - 1;
                let s = src.as_ref().map_or(0, |b| b.dma_addr(req.src_off));
                let d = dst.as_ref().map_or(0, |b| b.dma_addr(req.dst_off));
                if (s | d | req.len) & mask != 0 {
                    dev_dbg!(dev, "xfer: channel needs {:#x}-byte alignment\n", mask + 1);
                    return Err(EINVAL);
                }
            }
            let id = inner.next_xfer_id;
            inner.next_xfer_id += 1;
            xfer = Xfer::new(
                id,
                req.user_data,
                req.len,
                req.chan,
                self.events.clone(),
                slot.stats.clone(),
            )?;
            inner.xfers.push(
                XferEntry {
                    xfer: xfer.clone(),
                    waiting: blocking,
                    blocking,
                    _bufs: [src.clone(), dst.clone()],
                },
                GFP_KERNEL,
            )?;
        }

        let src_at = src.as_deref().map(|b| (b, req.src_off));
        let dst_at = dst.as_deref().map(|b| (b, req.dst_off));
        if let Err(e) = self.start(slot, &xfer, dir, src_at, dst_at, len) {
            self.forget_xfer(xfer.id);
            return Err(e);
        }
        Ok(xfer)
    }

    fn xfer(&self, arg: usize) -> Result<isize> {
        let mut req: XferArg = read_arg(arg)?;
        if req.kind == KIND_LOOPBACK {
            return self.loopback(arg, req);
        }
        let xfer = self.submit(&req, req.flags & XFER_NONBLOCK == 0)?;
        req.xfer_id = xfer.id;

        if req.flags & XFER_NONBLOCK != 0 {
            write_arg(arg, &req)?;
            return Ok(0);
        }
        let r = self.wait_done(&xfer, self.timeout(req.timeout_ms));
        match r {
            Err(e) if e == EINTR => {
                // Still in flight: collected with WAIT under the id written back here.
                self.unmark_waiting(xfer.id);
                let _ = write_arg(arg, &req);
                Err(EINTR)
            }
            r => {
                let (err, bytes) = self.finish_waited(&xfer);
                req.bytes = bytes;
                req.error = err;
                write_arg(arg, &req)?;
                r?;
                if err != 0 {
                    return Err(Error::from_errno(err));
                }
                Ok(0)
            }
        }
    }

    /// `AXI_DMA_XFER_LOOPBACK`: receive on `rx_chan` into the destination, send from the
    /// source on `chan`, and wait for both (an AXI DMA with its stream looped back in the
    /// PL). Blocking only; reports the bytes received.
    fn loopback(&self, arg: usize, mut req: XferArg) -> Result<isize> {
        if req.flags & XFER_NONBLOCK != 0 {
            dev_dbg!(self.dev(), "loopback: blocking only\n");
            return Err(EINVAL);
        }
        let base = XferArg {
            len: req.len,
            user_data: req.user_data,
            timeout_ms: req.timeout_ms,
            ..Default::default()
        };
        let rx = self.submit(
            &XferArg {
                chan: req.rx_chan,
                kind: KIND_FROM_DEV,
                dst_buf: req.dst_buf,
                dst_off: req.dst_off,
                ..base
            },
            true,
        )?;
        let tx = match self.submit(
            &XferArg {
                chan: req.chan,
                kind: KIND_TO_DEV,
                src_buf: req.src_buf,
                src_off: req.src_off,
                ..base
            },
            true,
        ) {
            Ok(x) => x,
            Err(e) => {
                // The receive waits for data that will never come: stop it.
                if let Ok(slot) = self.chan(req.rx_chan) {
                    terminate(&self.shared, slot, None);
                }
                self.finish_waited(&rx);
                return Err(e);
            }
        };
        let ms = self.timeout(req.timeout_ms);
        let mut waited = self.wait_done(&tx, ms);
        if waited.is_ok() {
            waited = self.wait_done(&rx, ms);
        }
        req.xfer_id = rx.id;
        if let Err(e) = waited {
            if e == EINTR {
                // Both stay in flight; WAIT on the receive's id collects the result.
                self.unmark_waiting(rx.id);
                self.unmark_waiting(tx.id);
                let _ = write_arg(arg, &req);
                return Err(EINTR);
            }
        }
        let (tx_err, _) = self.finish_waited(&tx);
        if !rx.is_done() {
            // The send failed or timed out: nothing will arrive.
            if let Ok(slot) = self.chan(req.rx_chan) {
                terminate(&self.shared, slot, None);
            }
        }
        let (rx_err, bytes) = self.finish_waited(&rx);
        req.bytes = bytes;
        req.error = if tx_err != 0 { tx_err } else { rx_err };
        write_arg(arg, &req)?;
        waited?;
        if req.error != 0 {
            return Err(Error::from_errno(req.error));
        }
        Ok(0)
    }

    /// Prepares, submits and issues one transfer on `slot`. `src`/`dst` are
    /// (buffer, offset) pairs whose ranges the caller checked.
    fn start(
        &self,
        slot: &ChanSlot,
        xfer: &Arc<Xfer>,
        dir: Direction,
        src: Option<(&Buffer, u64)>,
        dst: Option<(&Buffer, u64)>,
        len: usize,
    ) -> Result {
        let mut guard = slot.state.lock();
        let st = &mut *guard;
        if st
            .ring_owner
            .as_ref()
            .is_some_and(|o| !Arc::ptr_eq(o, &self.events))
        {
            dev_dbg!(self.dev(), "xfer: another file streams on this channel\n");
            return Err(EBUSY);
        }
        // Drop finished transfers from the channel's list.
        st.inflight.retain(|x| !x.is_done());
        st.inflight.reserve(1, GFP_KERNEL)?;
        let chan = st.chan.as_ref().ok_or_else(|| {
            dev_dbg!(self.dev(), "xfer: device was unbound\n");
            ENODEV
        })?;
        let addr = |b: Option<(&Buffer, u64)>| b.map(|(b, off)| b.dma_addr(off)).ok_or(EINVAL);
        let desc = match dir {
            Direction::MemToMem => chan.prep_memcpy(addr(dst)?, addr(src)?, len),
            Direction::MemToDev => chan.prep_slave(addr(src)?, len, dir),
            Direction::DevToMem => chan.prep_slave(addr(dst)?, len, dir),
        }
        .map_err(|e| {
            // A provider returns no descriptor both for requests it cannot describe and
            // when its descriptor pool is used up. With transfers in flight the latter is
            // likely, and retrying after reaping is the right reaction: EBUSY.
            let busy = st.inflight.iter().any(|x| !x.is_done());
            dev_dbg!(
                self.dev(),
                "xfer: provider refused {} bytes ({:?}){}\n",
                len,
                dir,
                if busy {
                    " with transfers in flight"
                } else {
                    ""
                }
            );
            if busy {
                EBUSY
            } else {
                e
            }
        })?;
        let cookie = desc.submit(xfer)?;
        xfer.cookie.store(cookie, kernel::sync::atomic::Relaxed);
        st.inflight
            .push_within_capacity(xfer.clone())
            .map_err(|_| ENOMEM)?;
        xfer.issued();
        chan.issue_pending();
        Ok(())
    }

    /// Waits for `xfer`; on timeout terminates its channel and returns `ETIMEDOUT`.
    fn wait_done(&self, xfer: &Arc<Xfer>, ms: u32) -> Result {
        match self
            .events
            .wq
            .wait_ne(&xfer.state, STATE_PENDING, ms, false)
        {
            WaitResult::Ready => Ok(()),
            WaitResult::Interrupted => Err(EINTR),
            WaitResult::TimedOut => {
                dev_err!(
                    self.dev(),
                    "transfer {:#x} on channel {} timed out after {} ms; terminating the channel\n",
                    xfer.id,
                    xfer.chan,
                    ms
                );
                if let Ok(slot) = self.chan(xfer.chan) {
                    terminate(&self.shared, slot, Some(xfer));
                }
                // Terminate finished it unless the completion raced the timeout.
                let (err, _) = xfer.outcome();
                if err == 0 && xfer.is_done() {
                    Ok(())
                } else {
                    Err(ETIMEDOUT)
                }
            }
        }
    }

    fn unmark_waiting(&self, id: u64) {
        let mut inner = self.inner.lock();
        if let Some(e) = inner.xfers.iter_mut().find(|e| e.xfer.id == id) {
            e.waiting = false;
        }
    }

    fn forget_xfer(&self, id: u64) -> Option<XferEntry> {
        let mut inner = self.inner.lock();
        let pos = inner.xfers.iter().position(|e| e.xfer.id == id)?;
        inner.xfers.remove(pos).ok()
    }

    /// Removes a finished, waited-for transfer and returns (errno, bytes).
    fn finish_waited(&self, xfer: &Arc<Xfer>) -> (i32, u64) {
        let out = xfer.outcome();
        // Dropping the entry drops its buffer references: outside the lock.
        let entry = self.forget_xfer(xfer.id);
        drop(entry);
        out
    }

    fn wait(&self, arg: usize) -> Result<isize> {
        let mut req: Wait = read_arg(arg)?;
        let xfer = {
            let mut inner = self.inner.lock();
            let e = inner
                .xfers
                .iter_mut()
                .find(|e| e.xfer.id == req.xfer_id)
                .ok_or(ENOENT)?;
            if e.waiting {
                // Another thread of this file already waits for it.
                return Err(EBUSY);
            }
            e.waiting = true;
            e.xfer.clone()
        };
        match self.wait_done(&xfer, self.timeout(req.timeout_ms)) {
            Err(e) if e == EINTR => {
                self.unmark_waiting(xfer.id);
                Err(EINTR)
            }
            r => {
                let (err, bytes) = self.finish_waited(&xfer);
                req.error = err;
                req.bytes = bytes;
                req.user_data = xfer.user_data;
                write_arg(arg, &req)?;
                r?;
                if err != 0 {
                    return Err(Error::from_errno(err));
                }
                Ok(0)
            }
        }
    }

    /// Moves up to `max - out.len()` finished, unwaited transfers into `out`.
    fn collect(&self, out: &mut KVec<Completion>, max: usize) -> Result<u32> {
        let mut taken = KVec::new();
        let pending;
        {
            let mut inner = self.inner.lock();
            let mut i = 0;
            while i < inner.xfers.len() && out.len() + taken.len() < max {
                if inner.xfers[i].reapable() {
                    taken.push(inner.xfers.remove(i).map_err(|_| EINVAL)?, GFP_KERNEL)?;
                } else {
                    i += 1;
                }
            }
            pending = inner.xfers.iter().filter(|e| !e.xfer.is_done()).count() as u32;
        }
        for e in taken {
            let (err, bytes) = e.xfer.outcome();
            out.push(
                Completion {
                    xfer_id: e.xfer.id,
                    user_data: e.xfer.user_data,
                    bytes,
                    error: err,
                    chan: e.xfer.chan,
                },
                GFP_KERNEL,
            )?;
        }
        Ok(pending)
    }

    fn reap(&self, arg: usize) -> Result<isize> {
        let mut req: Reap = read_arg(arg)?;
        if req.max == 0 || req.max > REAP_MAX || req.min > req.max || req.pad != 0 {
            dev_dbg!(self.dev(), "reap: bad max {} / min {}\n", req.max, req.min);
            return Err(EINVAL);
        }
        let max = req.max as usize;
        let entries_len = max.checked_mul(size_of::<Completion>()).ok_or(EOVERFLOW)?;
        let entries_ptr = usize::try_from(req.entries).map_err(|_| EFAULT)?;
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let ms = self.timeout(req.timeout_ms);
        let pending = self.collect_wait(
            &mut out,
            req.min as usize,
            ms,
            |out| self.collect(out, max),
            |&pending| pending == 0,
        )?;
        write_entries(entries_ptr, entries_len, &out)?;
        req.count = out.len() as u32;
        req.pending = pending;
        write_arg(arg, &req)?;
        Ok(0)
    }

    /// Runs `collect` until `out` holds `min` entries, `idle` says nothing is left in
    /// flight, or `ms` passed, sleeping on the file's completion events in between (REAP
    /// and STREAM_REAP). A signal ends the wait: `EINTR` if nothing was collected yet.
    fn collect_wait<T, S>(
        &self,
        out: &mut KVec<T>,
        min: usize,
        ms: u32,
        mut collect: impl FnMut(&mut KVec<T>) -> Result<S>,
        idle: impl Fn(&S) -> bool,
    ) -> Result<S> {
        let t0 = kernel::time::Instant::<kernel::time::Monotonic>::now();
        loop {
            let seq = self.events.seq.load(kernel::sync::atomic::Acquire);
            let st = collect(out)?;
            if out.len() >= min || idle(&st) {
                return Ok(st);
            }
            let left = u64::from(ms).saturating_sub(t0.elapsed().as_millis() as u64);
            if left == 0 {
                return Ok(st);
            }
            match self
                .events
                .wq
                .wait_ne(&self.events.seq, seq, left as u32, false)
            {
                WaitResult::Ready => {}
                WaitResult::TimedOut => return collect(out),
                WaitResult::Interrupted if out.is_empty() => return Err(EINTR),
                WaitResult::Interrupted => return Ok(st),
            }
        }
    }

    fn status(&self, arg: usize) -> Result<isize> {
        let mut req: Status = read_arg(arg)?;
        let xfer = {
            let inner = self.inner.lock();
            inner
                .xfers
                .iter()
                .find(|e| e.xfer.id == req.xfer_id)
                .map(|e| e.xfer.clone())
                .ok_or(ENOENT)?
        };
        if xfer.is_done() {
            let (err, bytes) = xfer.outcome();
            req.state = STATE_DONE;
            req.error = err;
            req.bytes = bytes;
        } else {
            req.state = STATE_PENDING;
            req.error = 0;
            req.bytes = 0;
            let slot = self.chan(xfer.chan)?;
            let st = slot.state.lock();
            if let Some(chan) = st.chan.as_ref() {
                let (s, residue) = chan.tx_status(xfer.cookie.load(kernel::sync::atomic::Relaxed));
                // DMA_IN_PROGRESS (1) with a residue: report progress.
                if s == 1 && u64::from(residue) <= xfer.len {
                    req.bytes = xfer.len - u64::from(residue);
                }
            }
        }
        write_arg(arg, &req)?;
        Ok(0)
    }

    fn cancel(&self, arg: usize) -> Result<isize> {
        let mut req: Cancel = read_arg(arg)?;
        let slot = self.chan(req.chan)?;
        {
            let st = slot.state.lock();
            if st.chan.is_none() {
                return Err(ENODEV);
            }
            // A channel can only be terminated as a whole: refuse while another file has
            // transfers on it, so that one file can never cancel another's work.
            if st
                .inflight
                .iter()
                .any(|x| !x.is_done() && !Arc::ptr_eq(x.events(), &self.events))
            {
                dev_dbg!(
                    self.dev(),
                    "cancel: channel {} busy with other files\n",
                    req.chan
                );
                return Err(EBUSY);
            }
        }
        req.cancelled = terminate(&self.shared, slot, None);
        write_arg(arg, &req)?;
        Ok(0)
    }

    fn slave_config(&self, arg: usize) -> Result<isize> {
        let req: SlaveConfig = read_arg(arg)?;
        let dir = match req.direction {
            2 => Direction::MemToDev,
            4 => Direction::DevToMem,
            d => {
                dev_dbg!(self.dev(), "slave_config: bad direction {:#x}\n", d);
                return Err(EINVAL);
            }
        };
        if !matches!(req.addr_width, 1 | 2 | 4 | 8) || req.maxburst == 0 {
            dev_dbg!(
                self.dev(),
                "slave_config: bad width {} / burst {}\n",
                req.addr_width,
                req.maxburst
            );
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        if !slot.caps.supports(dir) {
            return Err(crate::xfer::eopnotsupp());
        }
        // The device address is the device tree's, never user space's (0 = "that one").
        let dev_addr = match (req.dev_addr, slot.fifo_addr) {
            (0, a) => a.unwrap_or(0),
            (x, Some(a)) if x == a => a,
            (x, _) => {
                dev_dbg!(
                    self.dev(),
                    "slave_config: address {:#x} is not this channel's (linux,fifo-addresses)\n",
                    x
                );
                return Err(EPERM);
            }
        };
        let mut guard = slot.state.lock();
        let st = &mut *guard;
        let chan = st.chan.as_ref().ok_or(ENODEV)?;
        chan.slave_config(dir, dev_addr, req.addr_width, req.maxburst)
            .inspect_err(|_| dev_dbg!(self.dev(), "slave_config: provider refused\n"))?;
        st.slave_cfg[usize::from(dir == Direction::DevToMem)] = Some(crate::SlaveCfg {
            dev_addr,
            width: req.addr_width,
            burst: req.maxburst,
        });
        Ok(0)
    }

    /// Hands a byte range of a cached buffer over to the CPU or to the device.
    fn sync(&self, arg: usize) -> Result<isize> {
        let req: Sync = read_arg(arg)?;
        let for_cpu = match req.op {
            SYNC_FOR_CPU => true,
            SYNC_FOR_DEVICE => false,
            op => {
                dev_dbg!(self.dev(), "sync: bad op {}\n", op);
                return Err(EINVAL);
            }
        };
        let buf = {
            let inner = self.inner.lock();
            Self::find_buf(&inner, req.id)?
        };
        if req.len == 0 {
            return Err(EINVAL);
        }
        buf.check_range(req.offset, req.len)?;
        buf.sync(req.offset, req.len, for_cpu)?;
        Ok(0)
    }

    /// In-kernel memcpy loop: the benchmarks' baseline (see `struct axi_dma_kbench`).
    fn kbench(&self, arg: usize) -> Result<isize> {
        use kernel::time::{
            Instant,
            Monotonic, //
        };
        let mut req: KBench = read_arg(arg)?;
        if req.pad != 0
            || req.depth == 0
            || req.depth > 64
            || req.iters == 0
            || req.iters > 1_000_000
        {
            dev_dbg!(
                self.dev(),
                "kbench: bad depth {} / iters {}\n",
                req.depth,
                req.iters
            );
            return Err(EINVAL);
        }
        let len = usize::try_from(req.len).map_err(|_| EOVERFLOW)?;
        let slot = self.chan(req.chan)?;
        if !slot.caps.supports(Direction::MemToMem) {
            return Err(crate::xfer::eopnotsupp());
        }
        let (src, dst) = {
            let inner = self.inner.lock();
            (
                Self::find_buf(&inner, req.src_buf)?,
                Self::find_buf(&inner, req.dst_buf)?,
            )
        };
        if len == 0 {
            return Err(EINVAL);
        }
        src.check_range(0, req.len)?;
        dst.check_range(0, req.len)?;
        // Private completion events: user space never sees these transfers.
        let events = Events::new()?;
        let ms = self.shared.limits.default_timeout_ms;
        let mut inflight: KVec<Arc<Xfer>> = KVec::with_capacity(req.depth as usize, GFP_KERNEL)?;
        let (mut submitted, mut completed) = (0u32, 0u32);
        let mut submit_ns = 0i64;
        let t0 = Instant::<Monotonic>::now();
        let mut result = Ok(());
        while completed < req.iters {
            while submitted < req.iters && inflight.len() < req.depth as usize {
                let x = Xfer::new(
                    u64::from(submitted),
                    0,
                    req.len,
                    req.chan,
                    events.clone(),
                    slot.stats.clone(),
                )?;
                let ts = Instant::<Monotonic>::now();
                if let Err(e) = self.start(
                    slot,
                    &x,
                    Direction::MemToMem,
                    Some((&src, 0)),
                    Some((&dst, 0)),
                    len,
                ) {
                    result = Err(e);
                    break;
                }
                submit_ns += ts.elapsed().as_nanos();
                inflight.push(x, GFP_KERNEL)?;
                submitted += 1;
            }
            if inflight.is_empty() {
                break;
            }
            let x = inflight.remove(0).map_err(|_| EINVAL)?;
            // Uninterruptible (bounded by the timeout): the buffers must not be released
            // while these transfers run.
            if let WaitResult::TimedOut = events.wq.wait_ne(&x.state, STATE_PENDING, ms, true) {
                terminate(&self.shared, slot, Some(&x));
                result = Err(ETIMEDOUT);
            }
            let (err, _) = x.outcome();
            if err != 0 && result.is_ok() {
                result = Err(Error::from_errno(err));
            }
            completed += 1;
            if result.is_err() {
                break;
            }
        }
        let total = t0.elapsed().as_nanos();
        // On an error, let what is still in flight finish (or stop it) before returning.
        for x in inflight.iter() {
            if let WaitResult::TimedOut = events.wq.wait_ne(&x.state, STATE_PENDING, ms, true) {
                terminate(&self.shared, slot, Some(x));
            }
        }
        result?;
        req.total_ns = u64::try_from(total).unwrap_or(0);
        req.submit_ns = u64::try_from(submit_ns).unwrap_or(0);
        write_arg(arg, &req)?;
        Ok(0)
    }

    /// `poll()`: readable when a finished transfer waits to be reaped.
    pub(crate) fn readable(&self) -> bool {
        let xfers = self.inner.lock().xfers.iter().any(XferEntry::reapable);
        xfers || self.rings_readable()
    }

    /// Called when the file is released: stops this file's transfers.
    pub(crate) fn release(&self) {
        // Rings first: an rx slot may wait for data forever, so they are stopped at once.
        self.stop_rings();
        let pending: KVec<Arc<Xfer>> = {
            let inner = self.inner.lock();
            let mut v = KVec::new();
            for e in inner.xfers.iter().filter(|e| !e.xfer.is_done()) {
                if v.push(e.xfer.clone(), GFP_KERNEL).is_err() {
                    break;
                }
            }
            v
        };
        // Give in-flight transfers a moment to finish on their own, then stop their
        // channels: the buffers must not be freed under a running DMA.
        for x in pending.iter() {
            if !x.is_done() {
                let _ = self.events.wq.wait_ne(&x.state, STATE_PENDING, 200, true);
            }
            if !x.is_done() {
                if let Ok(slot) = self.chan(x.chan) {
                    dev_dbg!(self.dev(), "release: terminating channel {}\n", x.chan);
                    terminate(&self.shared, slot, None);
                }
            }
        }
        let mut inner = self.inner.lock();
        let xfers = core::mem::take(&mut inner.xfers);
        let bufs = core::mem::take(&mut inner.bufs);
        drop(inner);
        drop(xfers);
        drop(bufs);
    }
}

/// Terminates every transfer on `slot`'s channel and finishes those still pending
/// (`timed_out` is reported as ETIMEDOUT, the others as ECANCELED). Returns how many
/// transfers were aborted.
///
/// When transfers were aborted, the channel is also released and requested again: some
/// providers leave a channel unusable after a terminate in the middle of a transfer
/// (ZynqMP GDMA masks its interrupts and keeps the channel marked busy, so nothing would
/// ever complete on it again), while a fresh allocation resets their state.
pub(crate) fn terminate(shared: &Shared, slot: &ChanSlot, timed_out: Option<&Arc<Xfer>>) -> u32 {
    let mut st = slot.state.lock();
    if let Some(chan) = st.chan.as_ref() {
        chan.terminate_sync();
    }
    let list = core::mem::take(&mut st.inflight);
    let mut n = 0;
    for x in list.iter() {
        if !x.is_done() {
            n += 1;
            x.abort(timed_out.is_some_and(|t| Arc::ptr_eq(t, x)));
        }
        // No callback runs any more after terminate_sync(): give back its reference.
        dma_chan::reclaim_callback_ref(x);
    }
    if n > 0 {
        shared.recycle_channel(slot, &mut st);
    }
    drop(st);
    n
}
