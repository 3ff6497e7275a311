// SPDX-License-Identifier: GPL-2.0

//! Requesting a channel again after a recycle (or a failed one), and unbind.

use kernel::{
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    },
};

use super::{
    ChanSlot,
    ChanState,
    Terminator, //
};
use crate::dmaengine::Channel;

/// How long after a terminate without `device_synchronize` (pl330) a channel is not
/// released. pl330's `terminate_all` kills the thread (DMAKILL) and marks it idle, but a
/// transfer that finished just before has raised its event interrupt, and the handler may
/// not have run yet: on the dual-core Cortex-A9 it runs on the CPU the interrupt is routed
/// to, which may be busy or (under emulation) not scheduled. The handler maps the event
/// back to its thread through `pl330->events[]`; `free_chan_resources()` frees the event
/// (`events[ev] = -1`), and a handler running after that indexes `channels[-1]` (an Oops
/// in `pl330_start_thread()`, seen on the 2-CPU emulated Zynq-7000 under a loaded host).
/// The provider offers no way to wait for its interrupt handler, so the release waits:
/// microseconds suffice on hardware, tens of milliseconds cover an emulated CPU that the
/// host did not schedule.
const IRQ_GRACE_MS: i64 = 100;

impl ChanSlot {
    /// Sleeps until `IRQ_GRACE_MS` passed since the last terminate of a provider without
    /// `device_synchronize`, before the channel may be released.
    pub(super) fn wait_irq_grace(&self, st: &ChanState) {
        let Some(t) = st.terminated_at else { return };
        let spent = t.elapsed().as_millis();
        if (0..IRQ_GRACE_MS).contains(&spent) {
            fsleep(Delta::from_millis(IRQ_GRACE_MS - spent));
        }
    }

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
        self.reapply_slave_config(st, &chan)?;
        st.chan = Some(chan);
        Ok(())
    }

    /// Releases and requests the channel again when transfers terminated earlier may still
    /// have a callback due (`unsettled`) and nothing is in flight now: the release waits
    /// for any callback (pl330 kills its tasklet), and with nothing in flight no completion
    /// interrupt can be pending for the channel's thread once `IRQ_GRACE_MS` passed since
    /// the terminate. Then their references go back.
    pub(super) fn settle(&self, st: &mut ChanState) {
        if st.unsettled.is_empty() || st.inflight.iter().any(|e| !e.xfer.is_done()) {
            return;
        }
        self.wait_irq_grace(st);
        if let Some(q) = st.chan.take().map(Channel::release) {
            for e in st.unsettled.iter() {
                e.reclaim(&q);
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
        self.wait_irq_grace(st);
        if let Some(c) = st.chan.take() {
            let q = c.release();
            release.reclaim(&q);
            for e in st.unsettled.iter() {
                e.reclaim(&q);
            }
            st.unsettled.clear();
        }
        st.owner = None;
        drop(guard);
        release.finish();
    }
}
