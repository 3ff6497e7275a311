// SPDX-License-Identifier: GPL-2.0

//! Requesting a channel again after a recycle (or a failed one), and unbind.

use kernel::prelude::*;

use super::{
    ChanSlot,
    ChanState,
    Terminator, //
};
use crate::dmaengine::{
    reclaim_callback_ref,
    Channel,
    TransferDirection, //
};

impl ChanSlot {
    /// Makes sure the channel is there: requested again if a recycle could not
    /// (`ENODEV` after unbind).
    pub(super) fn ensure_chan(&self, st: &mut ChanState) -> Result {
        if st.chan.is_none() {
            if st.unbound {
                return Err(ENODEV);
            }
            self.reopen(st)?;
        }
        Ok(())
    }

    /// Requests the channel again and replays its slave configuration.
    pub(super) fn reopen(&self, st: &mut ChanState) -> Result {
        // SAFETY: `unbound` is false under the slot's lock, and `shutdown()` (called from
        // unbind, before the device is unbound) sets it under the same lock: the client
        // device is bound while we hold the lock.
        let dev = unsafe { self.dev.as_bound() };
        let chan = Channel::request(dev, &self.name).inspect_err(|e| {
            dev_err!(
                self.dev,
                "channel {}: cannot request it again: {:?} (retried on next use)\n",
                self.name.to_str().unwrap_or("?"),
                e
            )
        })?;
        for (dir, cfg) in [TransferDirection::MemToDev, TransferDirection::DevToMem]
            .into_iter()
            .zip(st.slave_cfg)
        {
            if let Some(c) = cfg {
                // Streaming providers without `device_config` (AXI DMA) refuse; that was
                // the case at probe too, where the configuration was kept all the same.
                if let Err(e) = chan.slave_config(dir, c.dev_addr, c.width, c.burst) {
                    if self.fifo_addr.is_some() {
                        dev_err!(
                            self.dev,
                            "channel {}: slave configuration lost: {:?}\n",
                            self.name.to_str().unwrap_or("?"),
                            e
                        );
                        return Err(e);
                    }
                }
            }
        }
        st.chan = Some(chan);
        Ok(())
    }

    /// Releases and requests the channel again when transfers terminated earlier may still
    /// have a callback due (`unsettled`) and nothing is in flight now: the release waits
    /// for any callback (pl330 kills its tasklet), and with nothing in flight no completion
    /// interrupt can be pending for the channel's thread. Then their references go back.
    pub(super) fn settle(&self, st: &mut ChanState) {
        if st.unsettled.is_empty() || st.inflight.iter().any(|e| !e.xfer.is_done()) {
            return;
        }
        if let Some(q) = st.chan.take().map(Channel::release) {
            for e in st.unsettled.iter() {
                reclaim_callback_ref(&e.xfer, &q);
            }
            // Buffers go with them: the release also waited for the engine.
            st.unsettled.clear();
        }
        if !st.unbound {
            let _ = self.reopen(st);
        }
    }

    /// Unbind: stops every transfer, releases the channel and, once the engine is surely
    /// done, every buffer the channel still holds. Open files keep working for everything
    /// but DMA, which fails with `ENODEV`.
    pub(crate) fn shutdown(&self) {
        let mut guard = self.state.lock();
        let st = &mut *guard;
        st.unbound = true;
        let (_, release) = self.terminate_locked(st, Terminator::Stop);
        // Released even if nothing was aborted: no callback runs after this.
        if let Some(c) = st.chan.take() {
            let q = c.release();
            release.reclaim(&q);
            for e in st.unsettled.iter() {
                reclaim_callback_ref(&e.xfer, &q);
            }
            st.unsettled.clear();
        }
        st.owner = None;
        drop(guard);
        release.finish();
    }
}
