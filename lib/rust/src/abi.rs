//! The ABI of `include/uapi/axi_dma.h`, mirrored for Rust.
//!
//! The C header is the source of truth. Sizes are pinned here at compile time, and
//! `tests/abi.rs` compiles a C program against the header and compares every structure's
//! size and field offsets and every ioctl number with these definitions.

#![allow(missing_docs)]

/// `AXI_DMA_ABI_VERSION`: changes only with an incompatible ABI.
pub const ABI_VERSION: u32 = 1;
/// `AXI_DMA_ABI_REVISION`: the compatible additions this crate uses.
pub const ABI_REVISION: u32 = 4;
pub const IOC_MAGIC: u32 = 0xAD;
pub const MAX_CHANNELS: u32 = 8;
pub const NAME_LEN: usize = 32;

pub const DIR_MEM_TO_MEM: u32 = 1 << 0;
pub const DIR_MEM_TO_DEV: u32 = 1 << 1;
pub const DIR_DEV_TO_MEM: u32 = 1 << 2;

pub const NO_PAIR: u32 = u32::MAX;
pub const CHAN_STREAMING: u32 = 1 << 0;
pub const CHAN_FIFO: u32 = 1 << 1;

pub const XFER_MEMCPY: u32 = 0;
pub const XFER_TO_DEV: u32 = 1;
pub const XFER_FROM_DEV: u32 = 2;
pub const XFER_LOOPBACK: u32 = 3;
pub const XFER_NONBLOCK: u32 = 1 << 0;
pub const KBENCH_BARE: u32 = 1 << 0;
pub const KBENCH_LOOPBACK: u32 = 1 << 1;

pub const ALLOC_CACHED: u32 = 1 << 0;
pub const ALLOC_TO_DEVICE: u32 = 1 << 1;
pub const ALLOC_FROM_DEVICE: u32 = 1 << 2;

/// `AXI_DMA_REGISTER_*`: the device's access to registered memory (default: both ways).
pub const REGISTER_TO_DEVICE: u32 = 1 << 1;
pub const REGISTER_FROM_DEVICE: u32 = 1 << 2;
/// `AXI_DMA_IMPORT_*`: the device's access to an imported dma-buf (default: both ways).
pub const IMPORT_TO_DEVICE: u32 = 1 << 1;
pub const IMPORT_FROM_DEVICE: u32 = 1 << 2;
/// Most contiguous DMA runs one transfer on registered memory may span (`E2BIG` beyond).
pub const REGISTER_MAX_RUNS: u32 = 64;
pub const SYNC_FOR_CPU: u32 = 1;
pub const SYNC_FOR_DEVICE: u32 = 2;

pub const STATE_PENDING: u32 = 0;
pub const STATE_DONE: u32 = 1;

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Info {
    pub abi_version: u32,
    pub num_channels: u32,
    pub max_buffers: u32,
    pub max_inflight: u32,
    pub max_buffer_size: u64,
    pub abi_revision: u32,
    pub reserved32: u32,
    pub reserved: [u64; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ChanInfo {
    pub index: u32,
    pub directions: u32,
    pub addr_align: u32,
    pub max_seg_size: u32,
    pub residue_granularity: u32,
    pub coherent: u32,
    pub name: [u8; NAME_LEN],
    pub provider: [u8; NAME_LEN],
    pub pair: u32,
    pub flags: u32,
    pub reserved: u64,
}

impl Default for ChanInfo {
    fn default() -> Self {
        Self {
            index: 0,
            directions: 0,
            addr_align: 0,
            max_seg_size: 0,
            residue_granularity: 0,
            coherent: 0,
            name: [0; NAME_LEN],
            provider: [0; NAME_LEN],
            pair: 0,
            flags: 0,
            reserved: 0,
        }
    }
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Alloc {
    pub size: u64,
    pub chan: u32,
    pub flags: u32,
    pub id: u32,
    pub pad: u32,
    pub mmap_offset: u64,
    pub mmap_size: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Free {
    pub id: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Xfer {
    pub chan: u32,
    pub kind: u32,
    pub src_buf: u32,
    pub dst_buf: u32,
    pub src_off: u64,
    pub dst_off: u64,
    pub len: u64,
    pub flags: u32,
    pub timeout_ms: u32,
    pub user_data: u64,
    pub xfer_id: u64,
    pub bytes: u64,
    pub error: i32,
    pub rx_chan: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    pub xfer_id: u64,
    pub user_data: u64,
    pub bytes: u64,
    pub error: i32,
    pub chan: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Reap {
    pub entries: u64,
    pub max: u32,
    pub min: u32,
    pub timeout_ms: u32,
    pub count: u32,
    pub pending: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Status {
    pub xfer_id: u64,
    pub state: u32,
    pub error: i32,
    pub bytes: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Wait {
    pub xfer_id: u64,
    pub timeout_ms: u32,
    pub error: i32,
    pub bytes: u64,
    pub user_data: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Cancel {
    pub chan: u32,
    pub cancelled: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct SlaveConfig {
    pub chan: u32,
    pub direction: u32,
    pub dev_addr: u64,
    pub addr_width: u32,
    pub maxburst: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct KBench {
    pub chan: u32,
    pub src_buf: u32,
    pub dst_buf: u32,
    pub depth: u32,
    pub len: u64,
    pub iters: u32,
    pub flags: u32,
    pub total_ns: u64,
    pub submit_ns: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Sync {
    pub id: u32,
    pub op: u32,
    pub offset: u64,
    pub len: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StreamStart {
    pub chan: u32,
    pub direction: u32,
    pub buf: u32,
    pub count: u32,
    pub offset: u64,
    pub slot_size: u64,
    pub flags: u32,
    pub queued: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StreamPush {
    pub chan: u32,
    pub count: u32,
    pub lens: u64,
    pub first: u32,
    pub queued: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StreamDone {
    pub seq: u64,
    pub bytes: u64,
    pub slot: u32,
    pub error: i32,
    pub flags: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StreamReap {
    pub chan: u32,
    pub max: u32,
    pub entries: u64,
    pub min: u32,
    pub timeout_ms: u32,
    pub count: u32,
    pub queued: u32,
    pub overruns: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StreamCycle {
    pub chan: u32,
    pub push: u32,
    pub lens: u64,
    pub entries: u64,
    pub max: u32,
    pub min: u32,
    pub timeout_ms: u32,
    pub first: u32,
    pub count: u32,
    pub queued: u32,
    pub overruns: u64,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StreamStop {
    pub chan: u32,
    pub aborted: u32,
    pub completed: u64,
    pub overruns: u64,
}

pub const STREAM_GAP: u32 = 1 << 0;

pub const SUBMIT_MAX: u32 = 64;

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Submit {
    pub xfers: u64,
    pub count: u32,
    pub flags: u32,
    pub queued: u32,
    pub error: i32,
    pub entries: u64,
    pub max: u32,
    pub min: u32,
    pub timeout_ms: u32,
    pub reaped: u32,
    pub pending: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Claim {
    pub chan: u32,
    pub flags: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Register {
    pub addr: u64,
    pub size: u64,
    pub chan: u32,
    pub flags: u32,
    pub id: u32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Export {
    pub id: u32,
    pub flags: u32,
    pub fd: i32,
    pub pad: u32,
}

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Import {
    pub fd: i32,
    pub chan: u32,
    pub flags: u32,
    pub id: u32,
    pub size: u64,
}

const _: () = {
    assert!(core::mem::size_of::<Export>() == 16);
    assert!(core::mem::size_of::<Import>() == 24);
    assert!(core::mem::size_of::<Register>() == 32);
    assert!(core::mem::size_of::<Info>() == 56);
    assert!(core::mem::size_of::<ChanInfo>() == 104);
    assert!(core::mem::size_of::<Alloc>() == 40);
    assert!(core::mem::size_of::<Free>() == 8);
    assert!(core::mem::size_of::<Xfer>() == 80);
    assert!(core::mem::size_of::<Completion>() == 32);
    assert!(core::mem::size_of::<Reap>() == 32);
    assert!(core::mem::size_of::<Status>() == 24);
    assert!(core::mem::size_of::<Wait>() == 32);
    assert!(core::mem::size_of::<Cancel>() == 8);
    assert!(core::mem::size_of::<SlaveConfig>() == 24);
    assert!(core::mem::size_of::<KBench>() == 48);
    assert!(core::mem::size_of::<Sync>() == 24);
    assert!(core::mem::size_of::<StreamStart>() == 40);
    assert!(core::mem::size_of::<StreamPush>() == 24);
    assert!(core::mem::size_of::<StreamDone>() == 32);
    assert!(core::mem::size_of::<StreamReap>() == 40);
    assert!(core::mem::size_of::<StreamStop>() == 24);
    assert!(core::mem::size_of::<Claim>() == 8);
    assert!(core::mem::size_of::<Submit>() == 56);
};

// Linux's generic ioctl encoding (arm, arm64, x86).
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;
const fn ioc(dir: u32, nr: u32, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | (IOC_MAGIC << 8) | nr
}
const fn ior<T>(nr: u32) -> u32 {
    ioc(IOC_READ, nr, core::mem::size_of::<T>())
}
const fn iow<T>(nr: u32) -> u32 {
    ioc(IOC_WRITE, nr, core::mem::size_of::<T>())
}
const fn iowr<T>(nr: u32) -> u32 {
    ioc(IOC_READ | IOC_WRITE, nr, core::mem::size_of::<T>())
}

pub const IOC_INFO: u32 = ior::<Info>(0x00);
pub const IOC_CHAN_INFO: u32 = iowr::<ChanInfo>(0x01);
pub const IOC_ALLOC: u32 = iowr::<Alloc>(0x02);
pub const IOC_FREE: u32 = iow::<Free>(0x03);
pub const IOC_XFER: u32 = iowr::<Xfer>(0x04);
pub const IOC_WAIT: u32 = iowr::<Wait>(0x05);
pub const IOC_REAP: u32 = iowr::<Reap>(0x06);
pub const IOC_STATUS: u32 = iowr::<Status>(0x07);
pub const IOC_CANCEL: u32 = iowr::<Cancel>(0x08);
pub const IOC_SLAVE_CONFIG: u32 = iow::<SlaveConfig>(0x09);
pub const IOC_KBENCH: u32 = iowr::<KBench>(0x0a);
pub const IOC_SYNC: u32 = iow::<Sync>(0x0b);
pub const IOC_STREAM_START: u32 = iowr::<StreamStart>(0x0c);
pub const IOC_STREAM_PUSH: u32 = iowr::<StreamPush>(0x0d);
pub const IOC_STREAM_REAP: u32 = iowr::<StreamReap>(0x0e);
pub const IOC_STREAM_STOP: u32 = iowr::<StreamStop>(0x0f);
pub const IOC_CLAIM: u32 = iow::<Claim>(0x10);
pub const IOC_UNCLAIM: u32 = iow::<Claim>(0x11);
pub const IOC_SLAVE_CONFIG_GET: u32 = iowr::<SlaveConfig>(0x12);
pub const IOC_SUBMIT: u32 = iowr::<Submit>(0x13);
pub const IOC_STREAM_CYCLE: u32 = iowr::<StreamCycle>(0x14);
pub const IOC_REGISTER: u32 = iowr::<Register>(0x15);
pub const IOC_EXPORT: u32 = iowr::<Export>(0x16);
pub const IOC_IMPORT: u32 = iowr::<Import>(0x17);
