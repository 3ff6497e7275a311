// SPDX-License-Identifier: GPL-2.0

//! The state of one bound client node ([`Shared`]), shared with its open files (which may
//! outlive the binding): its channels, the limits applied to user requests and the
//! registry of what unbind must revoke. Also the probe-time discovery of the channels.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
    sync::{
        aref::ARef,
        Arc, //
    },
};

use crate::{
    buffer::Registry,
    chan::{
        ChanSetup,
        ChanSlot,
        SlaveCfg, //
    },
    dmaengine::{
        self,
        Channel,
        TransferDirection, //
    },
};

/// Most channels one client node may name.
pub(crate) const MAX_CHANNELS: usize = 8;

/// Limits applied to user requests.
pub(crate) struct Limits {
    pub(crate) max_buffer_size: u64,
    pub(crate) max_buffers: u32,
    pub(crate) max_inflight: u32,
    pub(crate) default_timeout_ms: u32,
}

/// State shared by the bound device and its open files.
pub(crate) struct Shared {
    pub(crate) dev: ARef<Device>,
    pub(crate) chans: KVec<Arc<ChanSlot>>,
    pub(crate) limits: Limits,
    /// The device's live buffers and open files' mappings, revoked at unbind.
    pub(crate) registry: Arc<Registry>,
}

impl Shared {
    /// Requests every channel named by `dev`'s `dma-names` and builds the shared state.
    pub(crate) fn new(dev: &Device<Bound>, limits: Limits) -> Result<Arc<Self>> {
        let chans = channels(dev)?;
        Arc::new(
            Self {
                dev: dev.into(),
                chans,
                limits,
                registry: Registry::new()?,
            },
            GFP_KERNEL,
        )
        .map_err(Into::into)
    }

    /// The channel with `index` (`EINVAL` if there is none).
    pub(crate) fn chan(&self, index: u32) -> Result<&Arc<ChanSlot>> {
        self.chans.get(index as usize).ok_or_else(|| {
            dev_dbg!(self.dev, "no channel {}\n", index);
            EINVAL
        })
    }

    /// Unbind: stops every transfer, releases every channel, then revokes every buffer (user
    /// mappings are zapped and the memory freed while the providers are still bound).
    pub(crate) fn shutdown(&self) {
        for slot in self.chans.iter() {
            slot.shutdown();
        }
        let n = self.registry.revoke_all();
        if n > 0 {
            dev_info!(self.dev, "unbind: revoked {} buffer(s) of open files\n", n);
        }
    }
}

/// Provider compatibles that stream (AXI DMA): slave channels that need no device address.
const STREAMING: [&CStr; 3] = [
    c"xlnx,axi-dma-1.00.a",
    c"xlnx,axi-mcdma-1.00.a",
    c"linux,axi-dma-loopback",
];

/// Provider compatibles whose `terminate_all` does not stop a running transfer (see
/// `chan.rs`): `zynqmp_dma` only masks interrupts and frees descriptors.
const NON_HALTING: [&CStr; 1] = [c"xlnx,zynqmp-dma-1.0"];

fn provider_is(chan: &Channel, list: &[&CStr]) -> bool {
    let Some(fw) = chan.dma_device().fwnode() else {
        return false;
    };
    list.iter()
        .any(|c| fw.property_match_string(c"compatible", c).is_ok())
}

/// Requests and describes every channel of the client node.
fn channels(dev: &Device<Bound>) -> Result<KVec<Arc<ChanSlot>>> {
    let names = dmaengine::dma_names(dev, MAX_CHANNELS).inspect_err(|e| {
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
        let chan = Channel::request(dev, &name).inspect_err(|e| {
            if *e != EPROBE_DEFER {
                dev_err!(
                    dev,
                    "cannot get DMA channel {}: {:?}\n",
                    name.to_str().unwrap_or("?"),
                    e
                );
            }
        })?;
        // The provider cannot be unbound before this client: unbind revokes our buffers,
        // which live on the provider, while it is still bound.
        dmaengine::link_consumer(dev, chan.dma_device())?;
        let mut caps = chan.caps();
        let index = chans.len();
        // Slave transfers need the device-side address (a FIFO). Streaming engines (AXI
        // DMA) have none; for the others it must come from the device tree, never from
        // user space, or a user could aim the engine at any physical address (an
        // unconfigured PL330 channel would write to address 0).
        let fifo_addr = fifo_addrs
            .get(index)
            .copied()
            .filter(|&a| a != 0)
            .map(u64::from);
        let streaming = provider_is(&chan, &STREAMING);
        let mut slave_cfg = [None; 2];
        let slave_dirs = [TransferDirection::MemToDev, TransferDirection::DevToMem];
        if fifo_addr.is_none() && !streaming {
            for d in slave_dirs {
                caps.directions = caps.directions.without(d);
            }
        } else {
            for (i, dir) in slave_dirs.into_iter().enumerate() {
                if !caps.directions.contains(dir) {
                    continue;
                }
                let cfg = SlaveCfg {
                    dev_addr: fifo_addr.unwrap_or(0),
                    width: 4,
                    burst: 1,
                };
                // Streaming providers without `device_config` (AXI DMA) refuse, which is
                // fine; any other refusal leaves the direction unusable.
                let ok = chan
                    .slave_config(dir, cfg.dev_addr, cfg.width, cfg.burst)
                    .is_ok();
                if ok || streaming {
                    slave_cfg[i] = Some(cfg);
                } else {
                    caps.directions = caps.directions.without(dir);
                }
            }
        }
        dev_info!(
            dev,
            "channel {} = {} (directions {:#x}, align {}, {}coherent{})\n",
            name.to_str().unwrap_or("?"),
            chan.name().to_str().unwrap_or("?"),
            caps.directions.bits(),
            caps.addr_align,
            if crate::dma_mem::dev_is_coherent(chan.dma_device()) {
                ""
            } else {
                "non-"
            },
            if caps.synchronizes {
                ""
            } else {
                ", no device_synchronize"
            }
        );
        let halts_on_terminate = !provider_is(&chan, &NON_HALTING);
        // CAST: `index < MAX_CHANNELS`.
        let index = index as u32;
        let slot = ChanSlot::new(
            dev,
            ChanSetup {
                index,
                name,
                chan,
                caps,
                fifo_addr,
                halts_on_terminate,
                slave_cfg,
            },
        )?;
        chans.push(slot, GFP_KERNEL)?;
    }
    Ok(chans)
}
