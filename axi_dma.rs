// SPDX-License-Identifier: GPL-2.0

//! Zero-copy DMA between user space and FPGA logic through dmaengine channels.
//!
//! A platform driver for a device-tree client node that names dmaengine channels with
//! `dmas`/`dma-names` (an AXI DMA's MM2S "tx" and S2MM "rx" channels on real boards, or
//! any memcpy-capable channel such as PL330, ZynqMP GDMA or AXI CDMA). For every bound node
//! it registers a misc device `/dev/axi-dmaN`. User space allocates coherent buffers on the
//! device that performs the DMA, maps them with `mmap`, and starts transfers with ioctls
//! (`include/uapi/axi_dma.h`).
//!
//! Module layout:
//! - this file: the platform driver, module parameters and per-device shared state;
//! - `dma_chan.rs`: a safe dmaengine channel abstraction over the C shim;
//! - `buffer.rs`, `mmap.rs`: DMA buffers and their user-space mappings;
//! - `xfer.rs`: transfers in flight and completion events;
//! - `ioctl.rs`: the UAPI and the per-open-file state;
//! - `miscdev.rs`: the misc device registration and file operations.

use kernel::{
    device::Core,
    of,
    platform, //
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex, //
    },
};

mod buffer;
mod dma_chan;
mod ioctl;
mod miscdev;
mod mmap;
mod xfer;

use dma_chan::{
    Caps,
    Channel,
    Direction, //
};
use xfer::Xfer;

kernel::module_platform_driver! {
    type: AxiDmaDriver,
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
        max_inflight: u32 {
            default: 64,
            description: "Most transfers one open file may have in flight",
        },
        timeout_ms: u32 {
            default: 5000,
            description: "Default timeout of a blocking transfer, in milliseconds",
        },
    },
}

/// Most channels one client node may name.
const MAX_CHANNELS: usize = 8;
/// Most bound client nodes (misc device names axi-dma0 .. axi-dma63).
static INSTANCES: Atomic<u64> = Atomic::new(0);

/// Limits applied to user requests.
pub(crate) struct Limits {
    pub(crate) max_buffer_size: u64,
    pub(crate) max_buffers: u32,
    pub(crate) max_inflight: u32,
    pub(crate) default_timeout_ms: u32,
}

/// The device side of a slave channel.
#[derive(Copy, Clone)]
pub(crate) struct SlaveCfg {
    pub(crate) dev_addr: u64,
    pub(crate) width: u32,
    pub(crate) burst: u32,
}

/// The state of a channel that transfers and unbind contend for.
pub(crate) struct ChanState {
    /// `None` once the device was unbound.
    pub(crate) chan: Option<Channel>,
    /// Transfers submitted and possibly still in flight.
    pub(crate) inflight: KVec<Arc<Xfer>>,
    /// The open file (its completion events) whose ring owns the channel: while a ring
    /// runs, no other file may queue transfers on it, so stopping the ring (a terminate)
    /// never aborts another file's work.
    pub(crate) ring_owner: Option<Arc<xfer::Events>>,
    /// The slave configuration in force for [memory-to-device, device-to-memory], applied
    /// again when the channel is re-requested.
    pub(crate) slave_cfg: [Option<SlaveCfg>; 2],
}

/// One named channel of the client node.
#[pin_data]
pub(crate) struct ChanSlot {
    pub(crate) name: CString,
    pub(crate) provider: [u8; 32],
    pub(crate) caps: Caps,
    pub(crate) coherent: bool,
    /// The device-side address from `linux,fifo-addresses`, if any.
    pub(crate) fifo_addr: Option<u64>,
    pub(crate) stats: Arc<xfer::ChanStats>,
    #[pin]
    pub(crate) state: Mutex<ChanState>,
}

/// State shared by the bound device and its open files (which may outlive the binding).
pub(crate) struct Shared {
    pub(crate) dev: ARef<kernel::device::Device>,
    pub(crate) chans: KVec<Arc<ChanSlot>>,
    pub(crate) limits: Limits,
}

impl Shared {
    /// Releases `slot`'s channel and requests it again (see `ioctl::terminate`).
    /// `st` is the slot's locked state.
    pub(crate) fn recycle_channel(&self, slot: &ChanSlot, st: &mut ChanState) {
        let Some(old) = st.chan.take() else {
            return;
        };
        drop(old);
        // SAFETY: The channel was still present under the slot's lock, which `shutdown()`
        // (called from unbind, before the device is unbound) takes to remove it: so the
        // device is bound for as long as we hold the lock.
        let dev = unsafe { self.dev.as_bound() };
        match Channel::request(dev, &slot.name) {
            Ok(chan) => {
                for (dir, cfg) in [Direction::MemToDev, Direction::DevToMem]
                    .into_iter()
                    .zip(st.slave_cfg)
                {
                    if let Some(c) = cfg {
                        let _ = chan.slave_config(dir, c.dev_addr, c.width, c.burst);
                    }
                }
                st.chan = Some(chan);
            }
            Err(e) => dev_err!(
                self.dev,
                "channel {} lost after a terminate: {:?}\n",
                slot.name.to_str().unwrap_or("?"),
                e
            ),
        }
    }

    /// Stops every transfer and releases every channel (unbind). Open files keep working
    /// for everything but new transfers, which fail with `ENODEV`.
    fn shutdown(&self) {
        for slot in self.chans.iter() {
            ioctl::terminate(self, slot, None);
            let chan = slot.state.lock().chan.take();
            // Dropping the channel terminates it once more and releases it.
            drop(chan);
        }
    }
}

/// The driver data of one bound client node.
#[pin_data(PinnedDrop)]
struct AxiDmaDriver {
    // Declared first so that it is dropped first: no new opens during teardown.
    #[pin]
    misc: miscdev::MiscReg,
    #[pin]
    _stats: kernel::debugfs::File<xfer::StatsView>,
    _debugfs: kernel::debugfs::Dir,
    shared: Arc<Shared>,
    // Dropped last (also when probe fails half-way): gives the number back.
    instance: Instance,
}

/// A taken instance number (`axi-dmaN`), given back when dropped.
struct Instance(u32);

impl Drop for Instance {
    fn drop(&mut self) {
        put_instance(self.0);
    }
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <AxiDmaDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"linux,axi-dma-user"), ())]
);

/// Takes the lowest free instance number.
fn take_instance() -> Result<u32> {
    loop {
        let cur = INSTANCES.load(Relaxed);
        let free = (!cur).trailing_zeros();
        if free >= 64 {
            return Err(ENOSPC);
        }
        if INSTANCES.cmpxchg(cur, cur | (1 << free), Relaxed).is_ok() {
            return Ok(free);
        }
    }
}

fn put_instance(n: u32) {
    loop {
        let cur = INSTANCES.load(Relaxed);
        if INSTANCES.cmpxchg(cur, cur & !(1u64 << n), Relaxed).is_ok() {
            return;
        }
    }
}

impl AxiDmaDriver {
    /// Whether the channel's provider is a streaming engine that needs no device address.
    fn is_streaming(chan: &Channel) -> bool {
        let Some(fw) = chan.dma_device().fwnode() else {
            return false;
        };
        [
            c"xlnx,axi-dma-1.00.a",
            c"xlnx,axi-mcdma-1.00.a",
            c"linux,axi-dma-loopback",
        ]
        .iter()
        .any(|c| fw.property_match_string(c"compatible", c).is_ok())
    }

    fn channels(pdev: &platform::Device<Core<'_>>) -> Result<KVec<Arc<ChanSlot>>> {
        let dev = pdev.as_ref();
        let names = dma_chan::dma_names(dev, MAX_CHANNELS).inspect_err(|e| {
            dev_err!(dev, "no usable dma-names property ({:?})\n", e);
        })?;
        if names.is_empty() {
            dev_err!(dev, "dma-names is empty\n");
            return Err(EINVAL);
        }
        let fifo_addrs: KVec<u32> = match dev.fwnode() {
            Some(fw) if fw.property_present(c"linux,fifo-addresses") => fw
                .property_read_array_vec::<u32>(c"linux,fifo-addresses", names.len())?
                .required_by(dev)?,
            _ => KVec::new(),
        };
        let mut chans = KVec::with_capacity(names.len(), GFP_KERNEL)?;
        for name in names {
            let chan = match Channel::request(dev, &name) {
                Ok(c) => c,
                Err(e) => {
                    if e != EPROBE_DEFER {
                        dev_err!(
                            dev,
                            "cannot get DMA channel {}: {:?}\n",
                            name.to_str().unwrap_or("?"),
                            e
                        );
                    }
                    return Err(e);
                }
            };
            let mut caps = chan.caps();
            let coherent = mmap::dev_is_coherent(chan.dma_device());
            // Slave transfers need the device-side address (a FIFO). Streaming engines
            // (AXI DMA) have none; for the others it must come from the device tree, never
            // from user space, or a user could aim the engine at any physical address
            // (an unconfigured PL330 channel would write to address 0).
            let index = chans.len();
            let fifo_addr = fifo_addrs
                .get(index)
                .copied()
                .filter(|&a| a != 0)
                .map(u64::from);
            let streaming = Self::is_streaming(&chan);
            let mut slave_cfg = [None; 2];
            if fifo_addr.is_none() && !streaming {
                caps.directions &= 1 << Direction::MemToMem as u32;
            } else {
                for (i, dir) in [Direction::MemToDev, Direction::DevToMem]
                    .into_iter()
                    .enumerate()
                {
                    if caps.supports(dir) {
                        let cfg = SlaveCfg {
                            dev_addr: fifo_addr.unwrap_or(0),
                            width: 4,
                            burst: 1,
                        };
                        // Streaming providers without device_config (AXI DMA) refuse, which
                        // is fine; any other refusal leaves the direction unusable.
                        let ok = chan
                            .slave_config(dir, cfg.dev_addr, cfg.width, cfg.burst)
                            .is_ok();
                        if ok || streaming {
                            slave_cfg[i] = Some(cfg);
                        } else {
                            caps.directions &= !(1 << dir as u32);
                        }
                    }
                }
            }
            let mut provider = [0u8; 32];
            let pn = chan.name().to_bytes();
            let n = pn.len().min(31);
            provider[..n].copy_from_slice(&pn[..n]);
            dev_info!(
                dev,
                "channel {} = {} (directions {:#x}, align {}, {}coherent)\n",
                name.to_str().unwrap_or("?"),
                chan.name().to_str().unwrap_or("?"),
                caps.directions,
                caps.addr_align,
                if coherent { "" } else { "non-" }
            );
            let slot = Arc::pin_init(
                try_pin_init!(ChanSlot {
                    name,
                    provider,
                    caps,
                    coherent,
                    fifo_addr,
                    stats: xfer::ChanStats::new()?,
                    state <- kernel::new_mutex!(
                        ChanState {
                            chan: Some(chan),
                            inflight: KVec::new(),
                            ring_owner: None,
                            slave_cfg,
                        },
                        "ChanSlot::state"
                    ),
                }),
                GFP_KERNEL,
            )?;
            chans.push(slot, GFP_KERNEL)?;
        }
        Ok(chans)
    }
}

impl platform::Driver for AxiDmaDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        pin_init::pin_init_scope(move || {
            let dev = pdev.as_ref();
            let chans = Self::channels(pdev)?;
            let mut max_buffer_size = *module_parameters::max_buffer_size.value();
            if let Some(fw) = dev.fwnode() {
                if let Some(dt) = fw.property_read::<u32>(c"linux,max-buffer-size").optional() {
                    max_buffer_size = max_buffer_size.min(u64::from(dt));
                }
            }
            let shared = Arc::new(
                Shared {
                    dev: dev.into(),
                    chans,
                    limits: Limits {
                        max_buffer_size,
                        max_buffers: *module_parameters::max_buffers.value(),
                        max_inflight: (*module_parameters::max_inflight.value()).max(1),
                        default_timeout_ms: (*module_parameters::timeout_ms.value()).max(1),
                    },
                },
                GFP_KERNEL,
            )?;
            let instance = Instance(take_instance()?);
            let name = CString::try_from_fmt(fmt!("axi-dma{}", instance.0))?;
            dev_info!(
                dev,
                "/dev/{} ready: {} channel(s), buffers up to {:#x} bytes\n",
                name.to_str().unwrap_or("?"),
                shared.chans.len(),
                max_buffer_size
            );
            // Statistics: /sys/kernel/debug/axi-dmaN/stats.
            let debugfs = kernel::debugfs::Dir::new(&name);
            let mut view = KVec::with_capacity(shared.chans.len(), GFP_KERNEL)?;
            for slot in shared.chans.iter() {
                let mut n = KVec::new();
                n.extend_from_slice(slot.name.to_bytes(), GFP_KERNEL)?;
                view.push((n, slot.stats.clone()), GFP_KERNEL)?;
            }
            Ok(try_pin_init!(Self {
                // Initialised first so that a failure below drops (and returns) it.
                instance,
                misc <- miscdev::MiscReg::register(name, shared.clone()),
                _stats <- debugfs.read_write_file(c"stats", xfer::StatsView { chans: view }),
                _debugfs: debugfs,
                shared,
            }? Error))
        })
    }

    fn unbind<'bound>(pdev: &'bound platform::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        dev_dbg!(pdev.as_ref(), "unbind: stopping all transfers\n");
        this.shared.shutdown();
    }
}

#[pinned_drop]
impl PinnedDrop for AxiDmaDriver {
    fn drop(self: Pin<&mut Self>) {
        // Also reached when probe fails after `misc` was registered, or without unbind.
        self.shared.shutdown();
        // Buffers still alive belong to files that are open (or mapped) right now; with no
        // file open this must read 0 (the test suite checks it after rmmod).
        dev_info!(
            self.shared.dev,
            "unbound; module-wide {} DMA buffer(s), {:#x} bytes still allocated\n",
            buffer::LIVE_BUFFERS.load(Relaxed),
            buffer::LIVE_BYTES.load(Relaxed)
        );
    }
}
