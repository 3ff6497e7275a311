// SPDX-License-Identifier: GPL-2.0

//! The state of one open file of the misc device ([`OpenFile`]).
//!
//! Each concern has its own table, file and lock:
//! - `file/buffers.rs`: the buffer table (ALLOC, FREE, SYNC, and `mmap` lookups);
//! - `file/xfer_table.rs`: the transfer table (uncollected transfers, ids, the limit);
//! - `file/transfers.rs`: submission (XFER, LOOPBACK, SUBMIT's batches);
//! - `file/completions.rs`: collecting transfers (WAIT, REAP, STATUS, blocking waits);
//! - this file: channel-level calls (INFO, CHAN_INFO, CLAIM, CANCEL, SLAVE_CONFIG), close;
//! - `file/ring.rs`: streaming rings (STREAM_*);
//! - `file/kbench.rs`: the in-kernel benchmark (KBENCH).
//!
//! # Locking
//!
//! Order: `mmap_lock` -> a ring's lock -> a channel's state (`chan.rs`) -> the provider's
//! locks. The buffer, transfer and ring *tables* are held only to look up, insert or remove
//! entries, never across a DMA call or a user copy, and take no other lock inside. No lock
//! is held while user memory is read or written (that is `ioctl.rs`'s job, before and
//! after).
//!
//! A submission takes one lock, the channel's (its in-flight list and its provider
//! channel, shared by every file; issue #16). Its operands come from the buffer index
//! under RCU (`file/buf_index.rs`; FREE waits for a grace period), its record from the
//! lock-free pool (`xfer/pool.rs`), its id and its count against `max_inflight` from
//! atomics, and a non-blocking transfer is listed on the transfer table's lock-free stack
//! (`file/xfer_table.rs`; a blocking one is its caller's until a signal interrupts it, see
//! `file/transfers.rs`). Slower paths take the tables' locks: a buffer that is not indexed,
//! a file's first non-blocking transfer, and everything that reads the transfer table (REAP,
//! WAIT, STATUS, poll), which moves the stack into it. Completion takes one lock: the
//! file's wait queue.

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed, //
        },
        Arc,
    },
    time::{
        Instant,
        Monotonic, //
    },
};

use crate::{
    buffer::{
        FileRegistration,
        PinAccount, //
    },
    chan::{
        ChanSlot,
        Claim,
        SlaveCfg,
        Terminator, //
    },
    compat,
    device::Shared,
    dmaengine::TransferDirection,
    ffi, uapi,
    uapi::SlaveDir,
    wait::{
        Sleep,
        Until,
        WaitResult, //
    },
    xfer::Events,
};

mod buf_index;
mod buffers;
mod completions;
mod foreign;
mod kbench;
mod ring;
mod transfers;
mod xfer_table;

use buffers::BufTable;
use ring::RingTable;
use xfer_table::XferTable;

/// How long a closing file lets its transfers finish on their own before it terminates
/// their channels.
const RELEASE_GRACE_MS: u32 = 200;

/// The state of one open file.
#[pin_data]
pub(crate) struct OpenFile {
    shared: Arc<Shared>,
    /// The file's completion events; also the file's identity for channel ownership.
    pub(crate) events: Arc<Events>,
    #[pin]
    bufs: BufTable,
    #[pin]
    xfers: XferTable,
    #[pin]
    rings: RingTable,
    /// Set by FREE: a freed buffer may still be held by finished transfers on a channel's
    /// list (pruned lazily, by the next submission on that channel). Collecting completions
    /// prunes while it is set, so that freed memory (pinned user pages, an import) is let go
    /// as soon as its last transfer is collected.
    freed: Atomic<u32>,
    /// The user memory this file registered, against `max_file_pinned_bytes`.
    pins: Arc<PinAccount>,
    _registration: FileRegistration,
}

impl OpenFile {
    /// Creates the state of a file being opened.
    ///
    /// # Safety
    ///
    /// `mapping` must be the `f_mapping` of the file being opened, which stays open until
    /// the returned state is dropped.
    pub(crate) unsafe fn new(
        shared: Arc<Shared>,
        mapping: *mut ffi::AddressSpace,
    ) -> Result<Arc<Self>> {
        let events = Events::new()?;
        // SAFETY: The caller's guarantee; the registration is dropped with the state.
        let registration = unsafe { shared.registry.register_file(mapping)? };
        Arc::pin_init(
            try_pin_init!(Self {
                shared,
                events,
                bufs <- BufTable::new(),
                xfers <- XferTable::new(),
                rings <- RingTable::new(),
                freed: Atomic::new(0),
                pins: PinAccount::new()?,
                _registration: registration,
            }),
            GFP_KERNEL,
        )
    }

    /// After completions were collected: if buffers were freed, prunes the channels' lists
    /// of finished entries (which may hold them); once no transfer of the file is in flight
    /// on any channel, nothing freed can be held by one any more.
    fn release_freed(&self) {
        if self.freed.load(Relaxed) == 0 {
            return;
        }
        let mut busy = false;
        for slot in self.shared.chans.iter() {
            slot.prune();
            busy |= slot.has_pending_of(&self.events);
        }
        if !busy {
            self.freed.store(0, Relaxed);
        }
    }

    fn dev(&self) -> &kernel::device::Device {
        &self.shared.dev
    }

    fn chan(&self, index: u32) -> Result<&Arc<ChanSlot>> {
        self.shared.chan(index)
    }

    /// A user timeout (0: the module's default).
    fn timeout(&self, ms: u32) -> u32 {
        if ms == 0 {
            self.shared.limits.default_timeout_ms
        } else {
            ms
        }
    }

    /// `AXI_DMA_IOC_INFO`.
    pub(crate) fn info(&self) -> uapi::Info {
        let l = &self.shared.limits;
        uapi::Info {
            abi_version: uapi::ABI_VERSION,
            // CAST: at most `MAX_CHANNELS`.
            num_channels: self.shared.chans.len() as u32,
            max_buffers: l.max_buffers,
            max_inflight: l.max_inflight,
            max_buffer_size: l.max_buffer_size,
            abi_revision: uapi::ABI_REVISION,
            ..Default::default()
        }
    }

    /// `AXI_DMA_IOC_CHAN_INFO`.
    pub(crate) fn chan_info(&self, req: &uapi::ChanInfo) -> Result<uapi::ChanInfo> {
        let slot = self.chan(req.index)?;
        let mut out = uapi::ChanInfo {
            index: req.index,
            // `AXI_DMA_DIR_*` are the dmaengine direction bits.
            directions: slot.caps.directions.bits(),
            addr_align: slot.caps.addr_align,
            max_seg_size: slot.caps.max_seg_size,
            // CAST: the enum's discriminants are the UAPI values.
            residue_granularity: slot.caps.residue as u32,
            coherent: u32::from(slot.coherent),
            pair: slot.pair.unwrap_or(uapi::NO_PAIR),
            flags: if slot.streaming {
                uapi::CHAN_STREAMING
            } else if slot.fifo_addr.is_some() {
                uapi::CHAN_FIFO
            } else {
                0
            },
            ..Default::default()
        };
        uapi::copy_name(&mut out.name, slot.name.to_bytes());
        uapi::copy_name(&mut out.provider, slot.provider.to_bytes());
        Ok(out)
    }

    /// `AXI_DMA_IOC_CLAIM` / `AXI_DMA_IOC_UNCLAIM`.
    pub(crate) fn claim(&self, req: &uapi::Claim, claim: bool) -> Result {
        if req.flags != 0 {
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        if claim {
            slot.claim(&self.events, Claim::Explicit)
        } else {
            slot.unclaim(&self.events, Claim::Explicit)
        }
    }

    /// Runs `collect` until `out` holds `min` entries, `idle` says nothing is left in
    /// flight, or `ms` passed, sleeping on the file's completion events in between (REAP
    /// and STREAM_REAP). A signal ends the wait: `EINTR` if nothing was collected yet.
    fn collect_wait<T, S>(
        &self,
        out: &mut KVec<T>,
        min: usize,
        ms: u32,
        mut collect: impl FnMut(&mut KVec<T>) -> Result<S>,
        idle: impl Fn(&S) -> bool,
    ) -> Result<S> {
        let t0 = Instant::<Monotonic>::now();
        loop {
            let seq = self.events.seq.load(Acquire);
            let st = collect(out)?;
            if out.len() >= min || idle(&st) {
                return Ok(st);
            }
            let spent = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
            let left = u64::from(ms).saturating_sub(spent);
            if left == 0 {
                return Ok(st);
            }
            // CAST: `left <= ms`.
            match self.events.wq.wait(
                &self.events.seq,
                Until::Ne(seq),
                left as u32,
                Sleep::Interruptible,
            ) {
                WaitResult::Ready => {}
                WaitResult::TimedOut => return collect(out),
                WaitResult::Interrupted if out.is_empty() => return Err(EINTR),
                WaitResult::Interrupted => return Ok(st),
            }
        }
    }

    /// `poll()`: readable when a finished transfer or ring slot waits to be reaped.
    pub(crate) fn readable(&self) -> bool {
        self.xfers.any_reapable() || self.rings.any_readable()
    }

    /// Called when the file is released: stops this file's work and gives up what it owns.
    /// Buffers of aborted transfers may outlive it, held by their channel (see `chan.rs`).
    pub(crate) fn release(&self) {
        // Rings first: an rx slot may wait for data forever, so they are stopped at once.
        self.stop_rings();
        // Give transfers in flight a moment to finish on their own, then stop their
        // channels: their memory must not be freed under a running DMA.
        let t0 = Instant::<Monotonic>::now();
        for x in self.xfers.pending().iter() {
            let spent = u32::try_from(t0.elapsed().as_millis()).unwrap_or(u32::MAX);
            if spent >= RELEASE_GRACE_MS {
                break;
            }
            let _ = x.wait(RELEASE_GRACE_MS - spent, Sleep::Uninterruptible);
        }
        for slot in self.shared.chans.iter() {
            if slot.has_pending_of(&self.events) {
                dev_dbg!(self.dev(), "release: terminating channel {}\n", slot.index);
                let _ = slot.terminate(Terminator::Stop);
            }
            let _ = slot.unclaim(&self.events, Claim::Explicit);
        }
        self.xfers.clear();
        self.bufs.clear();
        for slot in self.shared.chans.iter() {
            slot.prune();
        }
        // Records still on a channel's list come back later and are freed then.
        self.events.close_pool();
    }
}

/// Channel-level ioctls.
impl OpenFile {
    /// `AXI_DMA_IOC_CANCEL`: refused while another file has work on the channel.
    pub(crate) fn cancel(&self, req: &uapi::Cancel) -> Result<uapi::Cancel> {
        let slot = self.chan(req.chan)?;
        let cancelled = slot.terminate(Terminator::Cancel(&self.events))?;
        Ok(uapi::Cancel { cancelled, ..*req })
    }

    /// The slave direction of a SLAVE_CONFIG(_GET) request, on a channel that can do it.
    fn slave_dir(&self, chan: u32, direction: u32) -> Result<(&Arc<ChanSlot>, TransferDirection)> {
        let dir = match SlaveDir::try_from(direction) {
            Ok(SlaveDir::MemToDev) => TransferDirection::MemToDev,
            Ok(SlaveDir::DevToMem) => TransferDirection::DevToMem,
            Err(v) => {
                dev_dbg!(self.dev(), "slave_config: bad direction {:#x}\n", v.0);
                return Err(EINVAL);
            }
        };
        let slot = self.chan(chan)?;
        if !slot.supports(dir) {
            return Err(refuse_direction(self.dev(), chan, "slave_config"));
        }
        Ok((slot, dir))
    }

    /// `AXI_DMA_IOC_SLAVE_CONFIG`.
    pub(crate) fn slave_config(&self, req: &uapi::SlaveConfig) -> Result {
        if !matches!(req.addr_width, 1 | 2 | 4 | 8) || req.maxburst == 0 {
            dev_dbg!(
                self.dev(),
                "slave_config: bad width {} / burst {}\n",
                req.addr_width,
                req.maxburst
            );
            return Err(EINVAL);
        }
        let (slot, dir) = self.slave_dir(req.chan, req.direction)?;
        // The device address is the device tree's, never user space's (0 = "that one"); a
        // stream has none.
        let dev_addr = match (req.dev_addr, slot.fifo_addr) {
            (0, a) => a.unwrap_or(0),
            (x, Some(a)) if x == a => a,
            (x, _) => {
                dev_dbg!(
                    self.dev(),
                    "slave_config: address {:#x} is not this channel's (linux,fifo-addresses)\n",
                    x
                );
                return Err(EPERM);
            }
        };
        slot.slave_config(
            dir,
            SlaveCfg {
                dev_addr,
                width: req.addr_width,
                burst: req.maxburst,
            },
        )
        .inspect_err(|_| dev_dbg!(self.dev(), "slave_config: provider refused\n"))
    }

    /// `AXI_DMA_IOC_SLAVE_CONFIG_GET`.
    pub(crate) fn slave_config_get(&self, req: &uapi::SlaveConfig) -> Result<uapi::SlaveConfig> {
        let (slot, dir) = self.slave_dir(req.chan, req.direction)?;
        let cfg = slot.slave_config_get(dir).ok_or_else(compat::eopnotsupp)?;
        Ok(uapi::SlaveConfig {
            dev_addr: cfg.dev_addr,
            addr_width: cfg.width,
            maxburst: cfg.burst,
            ..*req
        })
    }
}

/// The error for a direction a channel lacks.
fn refuse_direction(dev: &kernel::device::Device, chan: u32, what: &str) -> Error {
    dev_dbg!(dev, "{}: channel {} cannot do that direction\n", what, chan);
    compat::eopnotsupp()
}
