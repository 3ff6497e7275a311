// SPDX-License-Identifier: GPL-2.0

//! The UAPI of `include/uapi/axi_dma.h` in Rust: the `#[repr(C)]` structures, the ioctl
//! numbers, and the decoding of user-supplied values into enums.
//!
//! This file uses `core` only, so that a host-side test (`tests/uapi-layout`) compiles it
//! as it is and checks every size, field offset and ioctl number against the C header with
//! the C compiler, for every target user space is built for. The kernel-side trait impls
//! (`FromBytes`/`AsBytes`) are in `ioctl.rs`.
//!
//! Every structure has fixed-width fields and explicit padding (the same layout for 32- and
//! 64-bit tasks); output fields and padding must be zero on input, so that the ABI can grow.

#![allow(
    dead_code,
    reason = "the host-side layout test uses items the kernel does not"
)]

use core::mem::size_of;

/// ABI version reported by `AXI_DMA_IOC_INFO`: changes only with an incompatible ABI.
pub(crate) const ABI_VERSION: u32 = 1;
/// ABI revision reported by `AXI_DMA_IOC_INFO`: counts compatible additions.
pub(crate) const ABI_REVISION: u32 = 4;
/// `AXI_DMA_IOC_MAGIC`.
pub(crate) const MAGIC: u32 = 0xAD;
/// `AXI_DMA_NAME_LEN`.
pub(crate) const NAME_LEN: usize = 32;
/// Most completions one `REAP`/`STREAM_REAP` returns.
pub(crate) const REAP_MAX: u32 = 256;

/// `AXI_DMA_DIR_*` bits.
pub(crate) const DIR_MEM_TO_MEM: u32 = 1 << 0;
pub(crate) const DIR_MEM_TO_DEV: u32 = 1 << 1;
pub(crate) const DIR_DEV_TO_MEM: u32 = 1 << 2;

/// `AXI_DMA_NO_PAIR`: `struct axi_dma_chan_info::pair` of a channel without one.
pub(crate) const NO_PAIR: u32 = u32::MAX;
/// `AXI_DMA_CHAN_*` bits of `struct axi_dma_chan_info::flags`.
pub(crate) const CHAN_STREAMING: u32 = 1 << 0;
pub(crate) const CHAN_FIFO: u32 = 1 << 1;

/// `AXI_DMA_ALLOC_*`.
pub(crate) const ALLOC_CACHED: u32 = 1 << 0;
pub(crate) const ALLOC_TO_DEVICE: u32 = 1 << 1;
pub(crate) const ALLOC_FROM_DEVICE: u32 = 1 << 2;
/// `AXI_DMA_XFER_NONBLOCK`.
pub(crate) const XFER_NONBLOCK: u32 = 1 << 0;
/// `AXI_DMA_KBENCH_*`.
pub(crate) const KBENCH_BARE: u32 = 1 << 0;
pub(crate) const KBENCH_LOOPBACK: u32 = 1 << 1;
/// `AXI_DMA_STATE_*`.
pub(crate) const STATE_PENDING: u32 = 0;
pub(crate) const STATE_DONE: u32 = 1;
/// `AXI_DMA_STREAM_GAP`.
pub(crate) const STREAM_GAP: u32 = 1 << 0;

/// `struct axi_dma_info`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Info {
    pub(crate) abi_version: u32,
    pub(crate) num_channels: u32,
    pub(crate) max_buffers: u32,
    pub(crate) max_inflight: u32,
    pub(crate) max_buffer_size: u64,
    pub(crate) abi_revision: u32,
    pub(crate) reserved32: u32,
    pub(crate) reserved: [u64; 3],
}

/// `struct axi_dma_chan_info`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChanInfo {
    pub(crate) index: u32,
    pub(crate) directions: u32,
    pub(crate) addr_align: u32,
    pub(crate) max_seg_size: u32,
    pub(crate) residue_granularity: u32,
    pub(crate) coherent: u32,
    pub(crate) name: [u8; NAME_LEN],
    pub(crate) provider: [u8; NAME_LEN],
    pub(crate) pair: u32,
    pub(crate) flags: u32,
    pub(crate) reserved: u64,
}

/// `struct axi_dma_alloc`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alloc {
    pub(crate) size: u64,
    pub(crate) chan: u32,
    pub(crate) flags: u32,
    pub(crate) id: u32,
    pub(crate) pad: u32,
    pub(crate) mmap_offset: u64,
    pub(crate) mmap_size: u64,
}

/// `struct axi_dma_free`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Free {
    pub(crate) id: u32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_xfer`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Xfer {
    pub(crate) chan: u32,
    pub(crate) kind: u32,
    pub(crate) src_buf: u32,
    pub(crate) dst_buf: u32,
    pub(crate) src_off: u64,
    pub(crate) dst_off: u64,
    pub(crate) len: u64,
    pub(crate) flags: u32,
    pub(crate) timeout_ms: u32,
    pub(crate) user_data: u64,
    pub(crate) xfer_id: u64,
    pub(crate) bytes: u64,
    pub(crate) error: i32,
    pub(crate) rx_chan: u32,
}

/// `struct axi_dma_completion`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Completion {
    pub(crate) xfer_id: u64,
    pub(crate) user_data: u64,
    pub(crate) bytes: u64,
    pub(crate) error: i32,
    pub(crate) chan: u32,
}

/// `struct axi_dma_reap`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reap {
    pub(crate) entries: u64,
    pub(crate) max: u32,
    pub(crate) min: u32,
    pub(crate) timeout_ms: u32,
    pub(crate) count: u32,
    pub(crate) pending: u32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_status`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) xfer_id: u64,
    pub(crate) state: u32,
    pub(crate) error: i32,
    pub(crate) bytes: u64,
}

/// `struct axi_dma_wait`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait {
    pub(crate) xfer_id: u64,
    pub(crate) timeout_ms: u32,
    pub(crate) error: i32,
    pub(crate) bytes: u64,
    pub(crate) user_data: u64,
}

/// `struct axi_dma_cancel`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cancel {
    pub(crate) chan: u32,
    pub(crate) cancelled: u32,
}

/// `struct axi_dma_slave_config`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlaveConfig {
    pub(crate) chan: u32,
    pub(crate) direction: u32,
    pub(crate) dev_addr: u64,
    pub(crate) addr_width: u32,
    pub(crate) maxburst: u32,
}

/// `struct axi_dma_sync`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sync {
    pub(crate) id: u32,
    pub(crate) op: u32,
    pub(crate) offset: u64,
    pub(crate) len: u64,
}

/// `struct axi_dma_kbench`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KBench {
    pub(crate) chan: u32,
    pub(crate) src_buf: u32,
    pub(crate) dst_buf: u32,
    pub(crate) depth: u32,
    pub(crate) len: u64,
    pub(crate) iters: u32,
    pub(crate) flags: u32,
    pub(crate) total_ns: u64,
    pub(crate) submit_ns: u64,
}

/// `struct axi_dma_stream_start`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamStart {
    pub(crate) chan: u32,
    pub(crate) direction: u32,
    pub(crate) buf: u32,
    pub(crate) count: u32,
    pub(crate) offset: u64,
    pub(crate) slot_size: u64,
    pub(crate) flags: u32,
    pub(crate) queued: u32,
}

/// `struct axi_dma_stream_push`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamPush {
    pub(crate) chan: u32,
    pub(crate) count: u32,
    pub(crate) lens: u64,
    pub(crate) first: u32,
    pub(crate) queued: u32,
}

/// `struct axi_dma_stream_done`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamDone {
    pub(crate) seq: u64,
    pub(crate) bytes: u64,
    pub(crate) slot: u32,
    pub(crate) error: i32,
    pub(crate) flags: u32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_stream_reap`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamReap {
    pub(crate) chan: u32,
    pub(crate) max: u32,
    pub(crate) entries: u64,
    pub(crate) min: u32,
    pub(crate) timeout_ms: u32,
    pub(crate) count: u32,
    pub(crate) queued: u32,
    pub(crate) overruns: u64,
}

/// `struct axi_dma_stream_cycle` (revision 3): push, then reap, in one call.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamCycle {
    pub(crate) chan: u32,
    pub(crate) push: u32,
    pub(crate) lens: u64,
    pub(crate) entries: u64,
    pub(crate) max: u32,
    pub(crate) min: u32,
    pub(crate) timeout_ms: u32,
    pub(crate) first: u32,
    pub(crate) count: u32,
    pub(crate) queued: u32,
    pub(crate) overruns: u64,
}

/// `struct axi_dma_stream_stop`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamStop {
    pub(crate) chan: u32,
    pub(crate) aborted: u32,
    pub(crate) completed: u64,
    pub(crate) overruns: u64,
}

/// `AXI_DMA_SUBMIT_MAX`: most transfers in one `AXI_DMA_IOC_SUBMIT`.
pub(crate) const SUBMIT_MAX: u32 = 64;

/// `struct axi_dma_submit`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Submit {
    pub(crate) xfers: u64,
    pub(crate) count: u32,
    pub(crate) flags: u32,
    pub(crate) queued: u32,
    pub(crate) error: i32,
    pub(crate) entries: u64,
    pub(crate) max: u32,
    pub(crate) min: u32,
    pub(crate) timeout_ms: u32,
    pub(crate) reaped: u32,
    pub(crate) pending: u32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_register`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Register {
    pub(crate) addr: u64,
    pub(crate) size: u64,
    pub(crate) chan: u32,
    pub(crate) flags: u32,
    pub(crate) id: u32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_export`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Export {
    pub(crate) id: u32,
    pub(crate) flags: u32,
    pub(crate) fd: i32,
    pub(crate) pad: u32,
}

/// `struct axi_dma_import`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Import {
    pub(crate) fd: i32,
    pub(crate) chan: u32,
    pub(crate) flags: u32,
    pub(crate) id: u32,
    pub(crate) size: u64,
}

/// `AXI_DMA_REGISTER_TO_DEVICE`: the device only reads the memory.
pub(crate) const REGISTER_TO_DEVICE: u32 = 1 << 1;
/// `AXI_DMA_REGISTER_FROM_DEVICE`: the device only writes the memory.
pub(crate) const REGISTER_FROM_DEVICE: u32 = 1 << 2;

/// `AXI_DMA_REGISTER_MAX_RUNS`: most contiguous DMA runs one transfer on registered
/// memory may span.
pub(crate) const REGISTER_MAX_RUNS: usize = 64;

/// `struct axi_dma_register::flags`: the device's access.
pub(crate) fn decode_register_flags(flags: u32) -> Result<CachedDir, BadValue> {
    match flags {
        0 => Ok(CachedDir::Both),
        REGISTER_TO_DEVICE => Ok(CachedDir::ToDevice),
        REGISTER_FROM_DEVICE => Ok(CachedDir::FromDevice),
        f => Err(BadValue(f)),
    }
}

/// `struct axi_dma_claim`.
#[repr(C)]
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claim {
    pub(crate) chan: u32,
    pub(crate) flags: u32,
}

/// Every UAPI structure with its size in the C header; the host-side layout test walks
/// this same list.
macro_rules! uapi_structs {
    ($m:ident) => {
        $m! {
            Info = 56, ChanInfo = 104, Alloc = 40, Free = 8, Xfer = 80, Completion = 32,
            Reap = 32, Status = 24, Wait = 32, Cancel = 8, SlaveConfig = 24, KBench = 48,
            Sync = 24, StreamStart = 40, StreamPush = 24, StreamDone = 32, StreamReap = 40,
            StreamStop = 24, Claim = 8, Submit = 56, StreamCycle = 56, Register = 32,
            Export = 16, Import = 24,
        }
    };
}
pub(crate) use uapi_structs;

macro_rules! assert_sizes {
    ($($t:ident = $size:expr),* $(,)?) => {$(
        const _: () = assert!(size_of::<$t>() == $size);
    )*};
}
uapi_structs!(assert_sizes);

/// `_IOC(dir, MAGIC, nr, size)` as in `include/uapi/asm-generic/ioctl.h` (the encoding of
/// arm, arm64 and x86).
const fn ioc(dir: u32, nr: u32, size: usize) -> u32 {
    // CAST: every UAPI structure is far below the 14-bit size field's limit (checked).
    assert!(size < (1 << 14));
    (dir << 30) | ((size as u32) << 16) | (MAGIC << 8) | nr
}
const W: u32 = 1;
const R: u32 = 2;

/// `AXI_DMA_IOC_*`.
pub(crate) const IOC_INFO: u32 = ioc(R, 0x00, size_of::<Info>());
pub(crate) const IOC_CHAN_INFO: u32 = ioc(R | W, 0x01, size_of::<ChanInfo>());
pub(crate) const IOC_ALLOC: u32 = ioc(R | W, 0x02, size_of::<Alloc>());
pub(crate) const IOC_FREE: u32 = ioc(W, 0x03, size_of::<Free>());
pub(crate) const IOC_XFER: u32 = ioc(R | W, 0x04, size_of::<Xfer>());
pub(crate) const IOC_WAIT: u32 = ioc(R | W, 0x05, size_of::<Wait>());
pub(crate) const IOC_REAP: u32 = ioc(R | W, 0x06, size_of::<Reap>());
pub(crate) const IOC_STATUS: u32 = ioc(R | W, 0x07, size_of::<Status>());
pub(crate) const IOC_CANCEL: u32 = ioc(R | W, 0x08, size_of::<Cancel>());
pub(crate) const IOC_SLAVE_CONFIG: u32 = ioc(W, 0x09, size_of::<SlaveConfig>());
pub(crate) const IOC_KBENCH: u32 = ioc(R | W, 0x0a, size_of::<KBench>());
pub(crate) const IOC_SYNC: u32 = ioc(W, 0x0b, size_of::<Sync>());
pub(crate) const IOC_STREAM_START: u32 = ioc(R | W, 0x0c, size_of::<StreamStart>());
pub(crate) const IOC_STREAM_PUSH: u32 = ioc(R | W, 0x0d, size_of::<StreamPush>());
pub(crate) const IOC_STREAM_REAP: u32 = ioc(R | W, 0x0e, size_of::<StreamReap>());
pub(crate) const IOC_STREAM_STOP: u32 = ioc(R | W, 0x0f, size_of::<StreamStop>());
pub(crate) const IOC_CLAIM: u32 = ioc(W, 0x10, size_of::<Claim>());
pub(crate) const IOC_UNCLAIM: u32 = ioc(W, 0x11, size_of::<Claim>());
pub(crate) const IOC_SLAVE_CONFIG_GET: u32 = ioc(R | W, 0x12, size_of::<SlaveConfig>());
pub(crate) const IOC_SUBMIT: u32 = ioc(R | W, 0x13, size_of::<Submit>());
pub(crate) const IOC_STREAM_CYCLE: u32 = ioc(R | W, 0x14, size_of::<StreamCycle>());
pub(crate) const IOC_REGISTER: u32 = ioc(R | W, 0x15, size_of::<Register>());
pub(crate) const IOC_EXPORT: u32 = ioc(R | W, 0x16, size_of::<Export>());
pub(crate) const IOC_IMPORT: u32 = ioc(R | W, 0x17, size_of::<Import>());

/// The name/number pairs of every ioctl (for the host-side check against the header).
pub(crate) const IOCTLS: [(&str, u32); 24] = [
    ("INFO", IOC_INFO),
    ("CHAN_INFO", IOC_CHAN_INFO),
    ("ALLOC", IOC_ALLOC),
    ("FREE", IOC_FREE),
    ("XFER", IOC_XFER),
    ("WAIT", IOC_WAIT),
    ("REAP", IOC_REAP),
    ("STATUS", IOC_STATUS),
    ("CANCEL", IOC_CANCEL),
    ("SLAVE_CONFIG", IOC_SLAVE_CONFIG),
    ("KBENCH", IOC_KBENCH),
    ("SYNC", IOC_SYNC),
    ("STREAM_START", IOC_STREAM_START),
    ("STREAM_PUSH", IOC_STREAM_PUSH),
    ("STREAM_REAP", IOC_STREAM_REAP),
    ("STREAM_STOP", IOC_STREAM_STOP),
    ("CLAIM", IOC_CLAIM),
    ("UNCLAIM", IOC_UNCLAIM),
    ("SLAVE_CONFIG_GET", IOC_SLAVE_CONFIG_GET),
    ("SUBMIT", IOC_SUBMIT),
    ("STREAM_CYCLE", IOC_STREAM_CYCLE),
    ("REGISTER", IOC_REGISTER),
    ("EXPORT", IOC_EXPORT),
    ("IMPORT", IOC_IMPORT),
];

/// Implements `only_inputs()` for requests: whether every field other than the listed
/// inputs (padding, reserved and output-only fields) is zero, as the ABI requires of a
/// request (`EINVAL` otherwise), so that a later version can give those fields a meaning.
macro_rules! inputs {
    ($($t:ident { $($f:ident),* $(,)? })*) => {$(
        impl $t {
            /// Whether all but the input fields are zero.
            #[allow(
                clippy::needless_update,
                reason = "a request whose fields are all inputs (CLAIM) has nothing left over"
            )]
            pub(crate) fn only_inputs(&self) -> bool {
                *self == Self { $($f: self.$f,)* ..Default::default() }
            }
        }
    )*};
}
inputs! {
    ChanInfo { index }
    Alloc { size, chan, flags }
    Free { id }
    Xfer {
        chan, kind, src_buf, dst_buf, src_off, dst_off, len, flags, timeout_ms, user_data,
        rx_chan,
    }
    Reap { entries, max, min, timeout_ms }
    Status { xfer_id }
    Wait { xfer_id, timeout_ms }
    Cancel { chan }
    SlaveConfig { chan, direction, dev_addr, addr_width, maxburst }
    KBench { chan, src_buf, dst_buf, depth, len, iters, flags }
    Sync { id, op, offset, len }
    StreamStart { chan, direction, buf, count, offset, slot_size, flags }
    StreamPush { chan, count, lens }
    StreamReap { chan, max, entries, min, timeout_ms }
    StreamStop { chan }
    StreamCycle { chan, push, lens, entries, max, min, timeout_ms }
    Claim { chan, flags }
    Submit { xfers, count, flags, entries, max, min, timeout_ms }
    Register { addr, size, chan, flags }
    Export { id, flags }
    Import { fd, chan, flags }
}

impl SlaveConfig {
    /// `AXI_DMA_IOC_SLAVE_CONFIG_GET`'s request: only `chan` and `direction` are inputs.
    pub(crate) fn only_get_inputs(&self) -> bool {
        *self
            == Self {
                chan: self.chan,
                direction: self.direction,
                ..Default::default()
            }
    }
}

/// A user-supplied value that names nothing the UAPI defines (`EINVAL`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct BadValue(pub(crate) u32);

/// `struct axi_dma_xfer::kind`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum XferKind {
    Memcpy,
    ToDev,
    FromDev,
    Loopback,
}

impl TryFrom<u32> for XferKind {
    type Error = BadValue;
    fn try_from(v: u32) -> Result<Self, BadValue> {
        match v {
            0 => Ok(Self::Memcpy),
            1 => Ok(Self::ToDev),
            2 => Ok(Self::FromDev),
            3 => Ok(Self::Loopback),
            v => Err(BadValue(v)),
        }
    }
}

/// The device's access to a cached buffer (`AXI_DMA_ALLOC_*` flags).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum CachedDir {
    Both,
    ToDevice,
    FromDevice,
}

/// `struct axi_dma_alloc::flags`: `None` for coherent memory.
pub(crate) fn decode_alloc_flags(flags: u32) -> Result<Option<CachedDir>, BadValue> {
    match flags {
        0 => Ok(None),
        ALLOC_CACHED => Ok(Some(CachedDir::Both)),
        f if f == ALLOC_CACHED | ALLOC_TO_DEVICE => Ok(Some(CachedDir::ToDevice)),
        f if f == ALLOC_CACHED | ALLOC_FROM_DEVICE => Ok(Some(CachedDir::FromDevice)),
        f => Err(BadValue(f)),
    }
}

/// `struct axi_dma_sync::op`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum SyncOp {
    ForCpu,
    ForDevice,
}

impl TryFrom<u32> for SyncOp {
    type Error = BadValue;
    fn try_from(v: u32) -> Result<Self, BadValue> {
        match v {
            1 => Ok(Self::ForCpu),
            2 => Ok(Self::ForDevice),
            v => Err(BadValue(v)),
        }
    }
}

/// A slave direction (`AXI_DMA_DIR_MEM_TO_DEV` or `AXI_DMA_DIR_DEV_TO_MEM`).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum SlaveDir {
    MemToDev,
    DevToMem,
}

impl TryFrom<u32> for SlaveDir {
    type Error = BadValue;
    fn try_from(v: u32) -> Result<Self, BadValue> {
        match v {
            DIR_MEM_TO_DEV => Ok(Self::MemToDev),
            DIR_DEV_TO_MEM => Ok(Self::DevToMem),
            v => Err(BadValue(v)),
        }
    }
}

/// Copies `src` into a NUL-terminated name field (truncated).
pub(crate) fn copy_name(dst: &mut [u8; NAME_LEN], src: &[u8]) {
    let n = src.len().min(NAME_LEN - 1);
    dst[..n].copy_from_slice(&src[..n]);
}
