// SPDX-License-Identifier: GPL-2.0

//! Zero-copy DMA between user space and FPGA logic through dmaengine channels.
//!
//! A platform driver for a device-tree client node that names dmaengine channels with
//! `dmas`/`dma-names` (an AXI DMA's MM2S "tx" and S2MM "rx" channels on real boards, or
//! any memcpy-capable channel such as PL330, ZynqMP GDMA or AXI CDMA). For every bound node
//! it registers a misc device `/dev/axi-dmaN`. User space allocates buffers on the device
//! that performs the DMA, maps them with `mmap`, and starts transfers with ioctls
//! (`include/uapi/axi_dma.h`).
//!
//! Files, each importing only the ones listed before it:
//! - `compat.rs`: what differs between the supported kernel series (7.2 and 7.3), also
//!   the error codes 7.2 lacks;
//! - `ffi.rs`: the C shim's declarations (the only `extern "C"` block);
//! - `wait.rs`, `stats.rs`: a wait queue for atomic wakers, statistics;
//! - `dmaengine.rs`, `dma_mem.rs`: dmaengine channels and cacheable DMA memory (generic,
//!   seeds of kernel abstractions);
//! - `xfer.rs`: one transfer and its state machine;
//! - `buffer.rs`: DMA buffers and their revocation at unbind;
//! - `chan.rs`: a channel of the node: start, terminate, recycle, ownership, quarantine;
//! - `device.rs`: the bound node's shared state and channel discovery;
//! - `uapi.rs`: the UAPI structures and numbers (host-testable, `core` only);
//! - `file.rs` + `file/`: an open file's buffers, transfers, rings and benchmark;
//! - `ioctl.rs`: copying arguments in and out; `mmap.rs`: user mappings;
//! - `miscdev.rs`: the misc device and its file operations;
//! - `driver.rs`: the platform driver (probe, unbind, debugfs);
//! - this file: the module, its parameters and the list of files.

mod buffer;
mod chan;
mod compat;
mod device;
mod dma_mem;
mod dmabuf;
mod dmaengine;
mod driver;
mod ffi;
mod file;
mod ioctl;
mod miscdev;
mod mmap;
mod sg;
mod stats;
mod uapi;
mod user_mem;
mod wait;
mod xfer;

kernel::module_platform_driver! {
    type: driver::AxiDmaDriver,
    name: "axi_dma_mod",
    authors: ["The axi_dma authors"],
    description: "Zero-copy user-space DMA through dmaengine channels (AXI DMA, PL330, ZynqMP GDMA)",
    license: "GPL",
    params: {
        max_buffer_size: u64 {
            default: 64 << 20,
            description: "Largest buffer user space may allocate, in bytes (DT: linux,max-buffer-size)",
        },
        max_buffers: u32 {
            default: 64,
            description: "Most buffers one open file may hold",
        },
        max_pinned_bytes: u64 {
            default: 256 << 20,
            description: "Most bytes of user memory registered for DMA on one device at once (all open files)",
        },
        max_file_pinned_bytes: u64 {
            default: 128 << 20,
            description: "Most bytes of user memory one open file may have registered for DMA at once",
        },
        max_inflight: u32 {
            default: 64,
            description: "Most transfers one open file may have uncollected (in flight or finished)",
        },
        timeout_ms: u32 {
            default: 5000,
            description: "Default timeout of a blocking transfer, in milliseconds",
        },
    },
}
