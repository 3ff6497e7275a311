// SPDX-License-Identifier: GPL-2.0

//! Probe-time discovery of the client node's channels: what each one can really do.
//!
//! A provider's capabilities describe its whole engine, not the channel we got, so they
//! are narrowed here with what the device tree and the known providers say:
//! - `xilinx_dma` (AXI DMA, MCDMA) reports MEM_TO_DEV and DEV_TO_MEM for every channel,
//!   but each channel streams one way only; the `dmas` specifier says which
//!   ([`stream_direction`]). A provider that knows better answers `device_caps` (the
//!   test loopback provider does), which `dma_get_slave_caps()` already applies.
//! - a slave channel that is not a stream needs the device-side address (a FIFO) from
//!   `linux,fifo-addresses`, never from user space; without one it offers no slave
//!   direction (an unconfigured PL330 channel would write to address 0);
//! - two channels must not both write one FIFO ([`share_fifos`]);
//! - a channel's *pair* is the channel of the same engine that goes the other way.

use kernel::{
    device::{
        property::NArgs,
        Bound,
        Device, //
    },
    prelude::*,
    str::CString,
    sync::Arc,
};

use super::MAX_CHANNELS;
use crate::{
    chan::{
        ChanSetup,
        ChanSlot,
        SlaveCfg, //
    },
    dmaengine::{
        self,
        Caps,
        Channel,
        DirectionSet,
        TransferDirection, //
    },
};

/// Provider compatibles that stream (AXI DMA): slave channels that need no device address.
const STREAMING: [&CStr; 3] = [
    c"xlnx,axi-dma-1.00.a",
    c"xlnx,axi-mcdma-1.00.a",
    c"linux,axi-dma-loopback",
];

/// `xilinx_dma` providers and the number of channels per direction of each
/// (`XILINX_DMA_MAX_CHANS_PER_DEVICE / 2`, `XILINX_MCDMA_MAX_CHANS_PER_DEVICE / 2`).
const XILINX_STREAMS: [(&CStr, u64); 2] =
    [(c"xlnx,axi-dma-1.00.a", 1), (c"xlnx,axi-mcdma-1.00.a", 16)];

/// Provider compatibles whose `terminate_all` does not stop a running transfer (see
/// `chan.rs`): `zynqmp_dma` only masks interrupts and frees descriptors.
const NON_HALTING: [&CStr; 1] = [c"xlnx,zynqmp-dma-1.0"];

/// The granule in which two FIFO addresses count as one (see [`share_fifos`]): at least a
/// cache line on every Zynq (32 bytes on Cortex-A9, 64 on Cortex-A53).
const FIFO_GRANULE: u64 = 128;

const SLAVE_DIRS: [TransferDirection; 2] =
    [TransferDirection::MemToDev, TransferDirection::DevToMem];

fn provider_is(chan: &Channel, list: &[&CStr]) -> bool {
    let Some(fw) = chan.dma_device().fwnode() else {
        return false;
    };
    list.iter()
        .any(|c| fw.property_match_string(c"compatible", c).is_ok())
}

/// The one direction of a `xilinx_dma` stream channel, from the first cell of its `dmas`
/// specifier (entry `index`): `of_dma_xilinx_xlate()` uses it as an index into the
/// device's channels, which `xilinx_dma_chan_probe()` numbers MM2S first (from 0) and
/// S2MM from `max_channels / 2`. `None` for other providers.
fn stream_direction(
    dev: &Device<Bound>,
    index: usize,
    chan: &Channel,
) -> Result<Option<TransferDirection>> {
    let Some(&(_, per_dir)) = XILINX_STREAMS
        .iter()
        .find(|(c, _)| provider_is(chan, &[*c]))
    else {
        return Ok(None);
    };
    let fw = dev.fwnode().ok_or(EINVAL)?;
    // CAST: `index < MAX_CHANNELS`.
    let spec = fw.property_get_reference_args(c"dmas", NArgs::Prop(c"#dma-cells"), index as u32)?;
    let cell = spec.as_slice().first().copied().ok_or(EINVAL)?;
    Ok(Some(if cell < per_dir {
        TransferDirection::MemToDev
    } else {
        TransferDirection::DevToMem
    }))
}

/// What probe learned of one channel before it becomes a [`ChanSlot`].
struct Found {
    name: CString,
    chan: Channel,
    caps: Caps,
    fifo_addr: Option<u64>,
    streaming: bool,
    slave_cfg: [Option<SlaveCfg>; 2],
}

impl Found {
    fn same_engine(&self, other: &Found) -> bool {
        core::ptr::eq(self.chan.dma_device(), other.chan.dma_device())
    }
}

/// Two channels must not both write one FIFO address. pl330 maps the FIFO for the engine
/// with `dma_map_resource()` at the first MEM_TO_DEV transfer (as `DMA_FROM_DEVICE`:
/// the engine writes it) and keeps the mapping until the channel changes direction, and
/// DMA-API debugging tracks device-writable mappings by cache line: a second channel
/// writing the same line makes it report "overlapping mappings aren't supported" (a
/// kernel warning any user could trigger). The first channel that names an address keeps
/// MEM_TO_DEV; later ones within [`FIFO_GRANULE`] of it only read it (DEV_TO_MEM maps it
/// `DMA_TO_DEVICE`, which is not tracked).
fn share_fifos(dev: &Device<Bound>, found: &mut [Found]) {
    for i in 1..found.len() {
        let (before, rest) = found.split_at_mut(i);
        let me = &mut rest[0];
        let Some(addr) = me.fifo_addr else { continue };
        let taken = before.iter().any(|o| {
            o.caps.directions.contains(TransferDirection::MemToDev)
                && o.fifo_addr
                    .is_some_and(|a| a / FIFO_GRANULE == addr / FIFO_GRANULE)
        });
        if taken && me.caps.directions.contains(TransferDirection::MemToDev) {
            me.caps.directions = me.caps.directions.without(TransferDirection::MemToDev);
            me.slave_cfg[0] = None;
            dev_info!(
                dev,
                "channel {}: FIFO {:#x} is written by an earlier channel; this one only reads it\n",
                me.name.to_str().unwrap_or("?"),
                addr
            );
        }
    }
}

/// The channel of the same engine going the other way (`AXI_DMA_IOC_CHAN_INFO.pair`).
fn pair_of(found: &[Found], i: usize) -> Option<u32> {
    let me = &found[i];
    let sends = me.caps.directions.contains(TransferDirection::MemToDev);
    let receives = me.caps.directions.contains(TransferDirection::DevToMem);
    let j = found.iter().enumerate().position(|(j, o)| {
        j != i
            && me.same_engine(o)
            && ((sends && o.caps.directions.contains(TransferDirection::DevToMem))
                || (receives && o.caps.directions.contains(TransferDirection::MemToDev)))
    })?;
    // CAST: `j < MAX_CHANNELS`.
    Some(j as u32)
}

/// Requests and describes every channel of the client node.
pub(super) fn channels(dev: &Device<Bound>) -> Result<KVec<Arc<ChanSlot>>> {
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
    let mut found: KVec<Found> = KVec::with_capacity(names.len(), GFP_KERNEL)?;
    for (index, name) in names.iter().enumerate() {
        let chan = Channel::request(dev, name).inspect_err(|e| {
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
        // `dma_request_chan()` takes the first `dmas` entry of that name.
        let entry = names
            .iter()
            .position(|n| n.to_bytes() == name.to_bytes())
            .unwrap_or(index);
        if let Some(d) = stream_direction(dev, entry, &chan)? {
            caps.directions = caps
                .directions
                .intersect(DirectionSet::only(d).with(TransferDirection::MemToMem));
        }
        let fifo_addr = fifo_addrs
            .get(index)
            .copied()
            .filter(|&a| a != 0)
            .map(u64::from);
        let streaming = provider_is(&chan, &STREAMING);
        let mut slave_cfg = [None; 2];
        for (i, dir) in SLAVE_DIRS.into_iter().enumerate() {
            if !caps.directions.contains(dir) {
                continue;
            }
            let cfg = SlaveCfg::initial(fifo_addr.unwrap_or(0));
            // A stream has nothing to configure (see `chan/slave.rs`); a channel without
            // a FIFO address, or one the provider cannot configure, cannot do slave work.
            if streaming
                || (fifo_addr.is_some()
                    && chan
                        .slave_config(dir, cfg.dev_addr, cfg.width, cfg.burst)
                        .is_ok())
            {
                slave_cfg[i] = Some(cfg);
            } else {
                caps.directions = caps.directions.without(dir);
            }
        }
        found.push(
            Found {
                name: CString::try_from(&**name)?,
                chan,
                caps,
                fifo_addr,
                streaming,
                slave_cfg,
            },
            GFP_KERNEL,
        )?;
    }
    share_fifos(dev, &mut found);
    let mut pairs = [None; MAX_CHANNELS];
    for (i, p) in pairs.iter_mut().enumerate().take(found.len()) {
        *p = pair_of(&found, i);
    }
    let mut chans = KVec::with_capacity(found.len(), GFP_KERNEL)?;
    for (index, f) in found.into_iter().enumerate() {
        let caps = f.caps;
        dev_info!(
            dev,
            "channel {} = {} (directions {:#x}, align {}, {}coherent{})\n",
            f.name.to_str().unwrap_or("?"),
            f.chan.name().to_str().unwrap_or("?"),
            caps.directions.bits(),
            caps.addr_align,
            if crate::dma_mem::dev_is_coherent(f.chan.dma_device()) {
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
        let halts_on_terminate = !provider_is(&f.chan, &NON_HALTING);
        let slot = ChanSlot::new(
            dev,
            ChanSetup {
                // CAST: `index < MAX_CHANNELS`.
                index: index as u32,
                name: f.name,
                chan: f.chan,
                caps,
                fifo_addr: f.fifo_addr,
                streaming: f.streaming,
                pair: pairs.get(index).copied().flatten(),
                halts_on_terminate,
                slave_cfg: f.slave_cfg,
            },
        )?;
        chans.push(slot, GFP_KERNEL)?;
    }
    Ok(chans)
}
