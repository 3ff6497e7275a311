// SPDX-License-Identifier: GPL-2.0

//! One named channel of the client node ([`ChanSlot`]): starting transfers, terminating
//! them, exclusive ownership, and keeping DMA memory alive until the engine is done with it.
//!
//! # What a terminate guarantees, per provider (Linux 7.2)
//!
//! A terminate aborts every transfer on the channel, whoever submitted it. Two questions
//! decide when the memory of an aborted transfer may be freed and when a completion
//! callback's reference may be given back:
//!
//! | provider | `terminate_all` stops the engine? | `device_synchronize`? |
//! |---|---|---|
//! | pl330 (Zynq-7000) | yes (DMAKILL of the thread) | no: the tasklet may still be calling a callback on the other core |
//! | xilinx_dma (AXI DMA) | yes (RS=0, waits for halted) | yes |
//! | zynqmp_dma (GDMA/ADMA) | no: masks interrupts and frees descriptors only | yes |
//!
//! One more provider fact no client can repair: zynqmp_dma's tasklet walks its `done_list`
//! with the channel lock dropped around each callback, and `terminate_all` frees that list
//! meanwhile; a terminate that lands in that window can send the tasklet round a list it no
//! longer owns (seen in the SMP guest as a soft lockup under a cancel storm, and with
//! KBENCH killed mid-run). The driver therefore does not terminate such a channel while its
//! transfers can still finish: it waits for them instead (`ChanSlot::drain`, within the
//! grace period a terminate would need anyway), and terminates only an engine that does
//! not finish by then.
//!
//! Hence (see [`ChanSlot::terminate`]):
//! - on a provider with `device_synchronize`, a terminate makes the channel quiet; if it
//!   aborted a transfer, the channel is also *recycled* (released and requested again),
//!   which resets providers that a mid-transfer terminate leaves unusable (ZynqMP GDMA
//!   keeps the channel marked busy with interrupts masked).
//! - on a provider without it (pl330), the callback references of terminated transfers
//!   wait in `unsettled` until the channel is idle, and are given back after releasing it
//!   then (the release kills pl330's tasklet). Not at once: releasing a pl330 channel while
//!   the killed thread's completion interrupt is still pending on the other CPU makes
//!   pl330's interrupt handler use a freed event (an Oops on the 2-CPU guest).
//! - the buffers of aborted transfers stay referenced by the channel until it was released,
//!   and on providers whose terminate does not stop the engine (zynqmp_dma: neither does
//!   its `free_chan_resources`) for a further grace period long enough for the engine to
//!   finish the transfer at any plausible rate ([`QUARANTINE_BASE_MS`] plus the length at
//!   [`QUARANTINE_MIN_BYTES_PER_MS`]). No emulator shows this: QEMU finishes transfers
//!   instantly.
//!
//! # Locking
//!
//! [`ChanSlot::state`] is taken after a ring's lock and after the file's tables (never
//! with the file's table locks held across it) and before the provider's locks; it is never
//! taken in the completion callback, which only touches atomics.

use kernel::{
    device::Device,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::Relaxed,
        Arc,
        Mutex, //
    },
    time::{
        Instant,
        Monotonic, //
    },
};

mod bare;
mod lifecycle;
mod own;
mod quarantine;
mod slave;
mod submit;

pub(crate) use bare::BareSet;
use own::Owner;
pub(crate) use own::{
    Claim,
    ClaimGuard, //
};
use quarantine::Released;
pub(crate) use slave::SlaveCfg;
pub(crate) use submit::Job;

use crate::{
    buffer::Buffer,
    dmaengine::{
        reclaim_callback_ref,
        Caps,
        Channel,
        Quiet,
        ResidueGranularity,
        Status,
        TransferDirection, //
    },
    stats::ChanStats,
    xfer::{
        AbortCause,
        Events,
        Xfer, //
    },
};

/// A transfer on the channel with the buffers it uses.
struct InFlight {
    xfer: Arc<Xfer>,
    _bufs: [Option<Arc<Buffer>>; 2],
    /// For the sentinel of a bare run (`bare.rs`): the completion targets of its
    /// descriptors, whose callback references go back with `xfer`'s.
    bare: Option<Arc<BareSet>>,
}

impl InFlight {
    /// Lets go of a finished entry: its buffers, and its record back to the file's pool if
    /// this was the last reference. Inline: called by value from the submission path, where
    /// a call made the compiler copy each finished entry through memory (`memcpy`s).
    #[inline(always)]
    fn recycle(self) {
        let Self { xfer, _bufs, bare } = self;
        drop((_bufs, bare));
        crate::xfer::recycle(xfer);
    }

    /// Gives back the callback references still out (the channel is quiet).
    fn reclaim(&self, q: &Quiet) {
        reclaim_callback_ref(&self.xfer, q);
        if let Some(set) = &self.bare {
            set.reclaim(q);
        }
    }
}

/// Who asks for a terminate, and so what is refused and how aborts are reported.
#[derive(Copy, Clone)]
pub(crate) enum Terminator<'a> {
    /// `AXI_DMA_IOC_CANCEL` of a file: refused (`EBUSY`) while another file owns the
    /// channel or has transfers in flight on it.
    Cancel(&'a Arc<Events>),
    /// The wait for this transfer timed out (it is reported as `ETIMEDOUT`).
    Timeout(&'a Arc<Xfer>),
    /// A file stops its own work (a ring, a failed loopback, its release).
    Stop,
}

/// The fields of a [`ChanSlot`] protected by its lock.
struct ChanState {
    /// `None` after unbind, or while a re-request after a recycle failed (retried on use).
    chan: Option<Channel>,
    unbound: bool,
    /// Transfers submitted and possibly still in flight, with their buffers.
    inflight: KVec<InFlight>,
    owner: Option<Owner>,
    /// The slave configuration in force for [memory-to-device, device-to-memory], applied
    /// again when the channel is re-requested.
    slave_cfg: [Option<SlaveCfg>; 2],
    /// Transfers terminated on a provider without `device_synchronize` whose callback may
    /// still run: their callback references are given back when the channel is next
    /// released, which happens once it is idle (see [`ChanSlot::settle`]).
    unsettled: KVec<InFlight>,
    /// When the channel was last terminated without a `device_synchronize` (see
    /// `lifecycle.rs`, `IRQ_GRACE_MS`).
    terminated_at: Option<Instant<Monotonic>>,
}

/// One named channel of the client node.
#[pin_data]
pub(crate) struct ChanSlot {
    pub(crate) index: u32,
    pub(crate) name: CString,
    /// The provider's channel name (e.g. `dma0chan1`).
    pub(crate) provider: CString,
    /// What the channel can do (the provider's capabilities narrowed by the DT).
    pub(crate) caps: Caps,
    /// Whether the provider is cache-coherent.
    pub(crate) coherent: bool,
    /// The device-side address from `linux,fifo-addresses`, if any.
    pub(crate) fifo_addr: Option<u64>,
    /// Whether the slave side is a stream (AXI DMA): no address, nothing to configure.
    pub(crate) streaming: bool,
    /// The channel of the same engine with the opposite slave direction (tx <-> rx).
    pub(crate) pair: Option<u32>,
    /// Whether the provider's terminate stops the engine (see the module docs).
    halts_on_terminate: bool,
    pub(crate) stats: Arc<ChanStats>,
    /// The client device (channels are requested for it).
    dev: ARef<Device>,
    /// The provider device: buffers for this channel must be allocated on it.
    dma_dev: ARef<Device>,
    #[pin]
    state: Mutex<ChanState>,
}

/// What [`ChanSlot::new`] needs to know about a requested channel.
pub(crate) struct ChanSetup {
    pub(crate) index: u32,
    pub(crate) name: CString,
    pub(crate) chan: Channel,
    pub(crate) caps: Caps,
    pub(crate) fifo_addr: Option<u64>,
    pub(crate) streaming: bool,
    pub(crate) pair: Option<u32>,
    pub(crate) halts_on_terminate: bool,
    pub(crate) slave_cfg: [Option<SlaveCfg>; 2],
}

impl ChanSlot {
    pub(crate) fn new(dev: &Device, s: ChanSetup) -> Result<Arc<Self>> {
        let dma_dev: ARef<Device> = s.chan.dma_device().into();
        let provider = CString::try_from(s.chan.name())?;
        let coherent = crate::dma_mem::dev_is_coherent(&*dma_dev);
        Arc::pin_init(
            try_pin_init!(Self {
                index: s.index,
                name: s.name,
                provider,
                caps: s.caps,
                coherent,
                fifo_addr: s.fifo_addr,
                streaming: s.streaming,
                pair: s.pair,
                halts_on_terminate: s.halts_on_terminate,
                stats: ChanStats::new()?,
                dev: dev.into(),
                dma_dev,
                state <- kernel::new_mutex!(
                    ChanState {
                        chan: Some(s.chan),
                        unbound: false,
                        inflight: KVec::new(),
                        owner: None,
                        slave_cfg: s.slave_cfg,
                        unsettled: KVec::new(),
                        terminated_at: None,
                    },
                    "ChanSlot::state"
                ),
            }),
            GFP_KERNEL,
        )
    }

    /// The provider device (buffers used on this channel must live on it).
    pub(crate) fn dma_device(&self) -> &Device {
        &self.dma_dev
    }

    /// Whether `dir` is possible on this channel.
    pub(crate) fn supports(&self, dir: TransferDirection) -> bool {
        self.caps.directions.contains(dir)
    }

    /// Terminates every transfer on the channel and finishes those still pending. Returns
    /// how many were aborted. See the module docs for what happens to the channel and the
    /// buffers.
    pub(crate) fn terminate(&self, by: Terminator<'_>) -> Result<u32> {
        let mut guard = self.state.lock();
        let st = &mut *guard;
        if let Terminator::Cancel(file) = by {
            if st.others_in_flight(file) || st.owned_by_other(file) {
                dev_dbg!(
                    self.dev,
                    "cancel: channel {} busy with other files\n",
                    self.index
                );
                return Err(EBUSY);
            }
            if st.chan.is_none() && st.unbound {
                return Err(ENODEV);
            }
        }
        // Nothing to abort: no terminate. Besides saving the work, this keeps a CANCEL from
        // racing a provider's completion tasklet for nothing (zynqmp_dma's cleanup loop can
        // walk a list that its `terminate_all` empties under it; see the module docs).
        let pending = st.inflight.iter().any(|e| !e.xfer.is_done());
        if !pending && !matches!(by, Terminator::Timeout(_)) {
            return Ok(0);
        }
        let (n, release) = self.terminate_locked(st, by);
        drop(guard);
        // The buffers of transfers that are over go outside the lock (after the grace
        // period of a provider whose terminate does not stop the engine).
        release.finish();
        Ok(n)
    }

    /// Returns the number of aborted transfers and the entries to let go after unlocking.
    fn terminate_locked(&self, st: &mut ChanState, by: Terminator<'_>) -> (u32, Released) {
        // zynqmp_dma: its terminate stops nothing and races its own tasklet (module docs);
        // what is in flight is let finish instead, which it does unless the engine hangs.
        if !self.halts_on_terminate && self.drain(st) {
            return (0, Released::new(core::mem::take(&mut st.inflight), 0));
        }
        let list = core::mem::take(&mut st.inflight);
        let synced = match st.chan.as_ref().map(Channel::terminate) {
            Some(Ok(None)) => {
                st.terminated_at = Some(Instant::now());
                None
            }
            Some(Ok(q)) => q,
            Some(Err(e)) => {
                dev_warn!(
                    self.dev,
                    "channel {}: terminate failed: {:?}\n",
                    self.index,
                    e
                );
                None
            }
            None => None,
        };
        let mut aborted = 0;
        let mut bytes = 0u64;
        for e in list.iter().filter(|e| !e.xfer.is_done()) {
            aborted += 1;
            bytes = bytes.saturating_add(e.xfer.len);
            let cause = match by {
                Terminator::Timeout(t) if Arc::ptr_eq(t, &e.xfer) => AbortCause::Timeout,
                _ => AbortCause::Cancel,
            };
            e.xfer.abort(cause);
        }
        // On a provider that synchronises, an abort leaves the engine in an unknown state
        // (ZynqMP GDMA keeps the channel busy with interrupts masked): release and request
        // the channel again. On one that does not (pl330), a callback may still be due:
        // its reference waits in `unsettled` until the channel is released while idle.
        // Releasing a pl330 channel right after a terminate would free its event under a
        // completion interrupt still pending on the other CPU: so never here, and never
        // within `IRQ_GRACE_MS` of the terminate (`lifecycle.rs`).
        let quiet: Option<Quiet> = match synced {
            Some(_) if aborted > 0 => {
                let q = st.chan.take().map(Channel::release);
                if !st.unbound {
                    // On failure the channel is requested again on next use.
                    let _ = self.reopen(st);
                }
                q
            }
            q => q,
        };
        // No proof that the provider is done: neither its callbacks nor (for a provider
        // whose terminate does not stop a transfer it already started, like the test
        // provider's worker) its engine. The entries, buffers included, wait for the release
        // at the next idle moment (`settle`), which waits for both. Short of memory to keep
        // them, release now (the only other proof there is).
        let quiet = match quiet {
            Some(q) => q,
            None if st.unsettled.reserve(list.len(), GFP_KERNEL).is_ok() => {
                for e in list {
                    // Room was reserved above.
                    let _ = st.unsettled.push_within_capacity(e);
                }
                return (aborted, Released::new(KVec::new(), 0));
            }
            None => {
                self.wait_irq_grace(st);
                let Some(q) = st.chan.take().map(Channel::release) else {
                    // Without a channel nothing was submitted since it went: no reference
                    // is out and the engine is idle.
                    return (aborted, Released::new(list, 0));
                };
                if !st.unbound {
                    let _ = self.reopen(st);
                }
                q
            }
        };
        for e in list.iter() {
            e.reclaim(&quiet);
        }
        let hold = aborted > 0 && !self.halts_on_terminate;
        (aborted, Released::new(list, if hold { bytes } else { 0 }))
    }

    /// Drops finished transfers from the in-flight list, and with them their buffer
    /// references (FREE and close, so that freed memory goes back at once rather than at
    /// the channel's next transfer).
    pub(crate) fn prune(&self) {
        let mut done = KVec::new();
        {
            let mut st = self.state.lock();
            let mut i = 0;
            while i < st.inflight.len() {
                if !st.inflight[i].xfer.is_done() {
                    i += 1;
                    continue;
                }
                match st.inflight.remove(i) {
                    // Without room to defer it, `push` drops it here, under the lock.
                    Ok(e) => {
                        let _ = done.push(e, GFP_KERNEL);
                    }
                    Err(_) => break,
                }
            }
            self.settle(&mut st);
        }
        for e in done {
            e.recycle();
        }
    }

    /// Whether `file` has transfers still in flight on the channel.
    pub(crate) fn has_pending_of(&self, file: &Arc<Events>) -> bool {
        self.state
            .lock()
            .inflight
            .iter()
            .any(|e| !e.xfer.is_done() && Arc::ptr_eq(e.xfer.events(), file))
    }

    /// Bytes a transfer in flight has moved so far, if the provider can tell
    /// (`None` with descriptor granularity: only the end is known).
    pub(crate) fn progress(&self, xfer: &Xfer) -> Option<u64> {
        if self.caps.residue == ResidueGranularity::Descriptor {
            return None;
        }
        let st = self.state.lock();
        let (s, residue) = st.chan.as_ref()?.tx_status(xfer.cookie.load(Relaxed));
        (s == Status::InProgress && u64::from(residue) <= xfer.len)
            .then(|| xfer.len - u64::from(residue))
    }
}
