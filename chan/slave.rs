// SPDX-License-Identifier: GPL-2.0

//! The device side of a slave channel: its fixed address (a FIFO, from the device tree),
//! bus width and burst, as set by `AXI_DMA_IOC_SLAVE_CONFIG` and read back by
//! `AXI_DMA_IOC_SLAVE_CONFIG_GET`.

use kernel::prelude::*;

use super::{
    ChanSlot,
    ChanState, //
};
use crate::dmaengine::{
    Channel,
    TransferDirection, //
};

/// The device side of a slave channel in one direction.
#[derive(Copy, Clone, Debug)]
pub(crate) struct SlaveCfg {
    pub(crate) dev_addr: u64,
    pub(crate) width: u32,
    pub(crate) burst: u32,
}

impl SlaveCfg {
    /// The setting at probe: the DT's address (0 for a stream), 4-byte bus, bursts of one.
    pub(crate) fn initial(dev_addr: u64) -> Self {
        Self {
            dev_addr,
            width: 4,
            burst: 1,
        }
    }
}

/// Index into [`ChanState::slave_cfg`].
fn slot(dir: TransferDirection) -> usize {
    usize::from(dir == TransferDirection::DevToMem)
}

impl ChanSlot {
    /// Applies and remembers a slave configuration. A streaming channel (AXI DMA) has no
    /// device-side address or bus to configure: `xilinx_dma`'s `device_config` ignores the
    /// settings and the loopback provider has none, so they are only remembered (and read
    /// back), with the same result on every provider.
    pub(crate) fn slave_config(&self, dir: TransferDirection, cfg: SlaveCfg) -> Result {
        let mut guard = self.state.lock();
        let st = &mut *guard;
        self.ensure_chan(st)?;
        if !self.streaming {
            let chan = st.chan.as_ref().ok_or(ENODEV)?;
            chan.slave_config(dir, cfg.dev_addr, cfg.width, cfg.burst)?;
        }
        st.slave_cfg[slot(dir)] = Some(cfg);
        Ok(())
    }

    /// The slave configuration in force for `dir` (`None` if the channel cannot do it).
    pub(crate) fn slave_config_get(&self, dir: TransferDirection) -> Option<SlaveCfg> {
        self.state.lock().slave_cfg[slot(dir)]
    }

    /// Applies the remembered configuration to a channel requested again.
    pub(super) fn reapply_slave_config(&self, st: &ChanState, chan: &Channel) -> Result {
        if self.streaming {
            return Ok(());
        }
        for dir in [TransferDirection::MemToDev, TransferDirection::DevToMem] {
            if let Some(c) = st.slave_cfg[slot(dir)] {
                chan.slave_config(dir, c.dev_addr, c.width, c.burst)
                    .inspect_err(|e| {
                        dev_err!(
                            self.dev,
                            "channel {}: slave configuration lost: {:?}\n",
                            self.name.to_str().unwrap_or("?"),
                            e
                        )
                    })?;
            }
        }
        Ok(())
    }
}
