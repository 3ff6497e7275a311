// SPDX-License-Identifier: GPL-2.0

//! dmaengine channels: a seed for a `kernel::dmaengine` abstraction.
//!
//! Linux 7.2's `kernel` crate has no dmaengine support. This file wraps the C API (through
//! the one-line wrappers of [`crate::ffi`]) in the shape of `rust/kernel/dma.rs`: owned
//! types with `# Invariants`, release in `Drop`, and completion through a trait the
//! callback is generic over, so that nothing here knows the driver using it.
//!
//! # Callbacks and quiescence
//!
//! A submitted descriptor's completion callback runs in atomic context (a tasklet or the
//! IRQ handler). It owns one reference to its [`Completion`] target, given back by the
//! callback itself, or by the submitter when the callback will never run. The second case
//! is the dangerous one: after `dmaengine_terminate_sync()` a callback may still be running
//! on another CPU unless the provider implements `device_synchronize`. In Linux 7.2:
//! - `xilinx_dma` (AXI DMA) and `zynqmp_dma` (GDMA/ADMA) implement it (`tasklet_kill()`);
//! - `pl330` does not: its tasklet calls callbacks with the channel lock dropped, so a
//!   terminate can return while a callback runs on the other Cortex-A9 core. Only
//!   `dma_release_channel()` waits for it (`pl330_free_chan_resources()` kills the tasklet).
//!
//! So a reference is only given back with a [`Quiet`] proof, which only
//! [`Channel::terminate`] (on a provider that synchronises) and [`Channel::release`] make.
//!
//! # Examples
//!
//! ```ignore
//! let chan = Channel::request(dev, c"tx")?;
//! let desc = chan.prep_slave(buf_dma, len, TransferDirection::MemToDev)?;
//! let submitted = desc.submit(&target)?; // `target: Arc<impl Completion>`
//! chan.issue_pending();
//! // ... the callback calls `target.complete()` ...
//! ```

use core::{
    marker::PhantomData,
    ptr::NonNull, //
};
use kernel::{
    device::{
        Bound,
        Device,
        Normal, //
    },
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::c_ulong,
    prelude::*,
    sync::{atomic::Relaxed, Arc},
};

use crate::{
    ffi,
    sg::SgTable, //
};

mod completion;
mod consumer;
use completion::callback;
pub(crate) use completion::{
    reclaim_callback_ref,
    CallbackRef,
    Completion, //
};
pub(crate) use consumer::{
    dma_names,
    link_consumer, //
};

/// `enum dma_transfer_direction` (the subset this driver uses).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum TransferDirection {
    /// `DMA_MEM_TO_MEM` (memcpy).
    MemToMem = 0,
    /// `DMA_MEM_TO_DEV` (AXI DMA MM2S, "tx").
    MemToDev = 1,
    /// `DMA_DEV_TO_MEM` (AXI DMA S2MM, "rx").
    DevToMem = 2,
}

impl TransferDirection {
    /// The bit of this direction in a [`DirectionSet`] (`BIT(DMA_*)`, as in
    /// `struct dma_slave_caps::directions`).
    pub(crate) const fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// A set of [`TransferDirection`]s, as `struct dma_slave_caps::directions`.
#[derive(Copy, Clone, Default, PartialEq, Eq, Debug)]
pub(crate) struct DirectionSet(u32);

impl DirectionSet {
    /// No direction.
    pub(crate) const EMPTY: Self = Self(0);
    /// Only `dir`.
    pub(crate) const fn only(dir: TransferDirection) -> Self {
        Self(dir.bit())
    }
    /// Whether `dir` is in the set.
    pub(crate) const fn contains(self, dir: TransferDirection) -> bool {
        self.0 & dir.bit() != 0
    }
    /// The set with `dir` added.
    pub(crate) const fn with(self, dir: TransferDirection) -> Self {
        Self(self.0 | dir.bit())
    }
    /// The set without `dir`.
    pub(crate) const fn without(self, dir: TransferDirection) -> Self {
        Self(self.0 & !dir.bit())
    }
    /// The common directions of both sets.
    pub(crate) const fn intersect(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }
    /// The raw bits (`BIT(DMA_MEM_TO_MEM) | ...`).
    pub(crate) const fn bits(self) -> u32 {
        self.0
    }
}

/// `enum dma_residue_granularity`: how precisely a provider reports the bytes left.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum ResidueGranularity {
    /// Only per descriptor: a transfer in flight reports its whole length as left.
    Descriptor = 0,
    /// Per finished segment.
    Segment = 1,
    /// Per burst.
    Burst = 2,
}

impl ResidueGranularity {
    fn from_raw(v: u32) -> Self {
        match v {
            1 => Self::Segment,
            2 => Self::Burst,
            _ => Self::Descriptor,
        }
    }
}

/// What a channel can do, read from its provider.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Caps {
    /// Directions the channel's device supports. Note that some providers (xilinx_dma)
    /// report the whole device's directions for each of its channels.
    pub(crate) directions: DirectionSet,
    /// Required alignment of memcpy addresses and lengths, in bytes (a power of two).
    pub(crate) addr_align: u32,
    /// `dma_get_max_seg_size()` of the provider device: the largest segment its DMA
    /// mappings are built from (a memcpy may be split into several by the provider).
    pub(crate) max_seg_size: u32,
    /// Residue reporting granularity.
    pub(crate) residue: ResidueGranularity,
    /// Whether the provider implements `device_synchronize`.
    pub(crate) synchronizes: bool,
}

/// `enum dmaengine_tx_result`: how a descriptor ended, as its callback reports it.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum TxResult {
    /// `DMA_TRANS_NOERROR`.
    NoError,
    /// `DMA_TRANS_READ_FAILED`, `DMA_TRANS_WRITE_FAILED` (or an unknown code).
    Failed,
    /// `DMA_TRANS_ABORTED`.
    Aborted,
}

impl TxResult {
    fn from_raw(v: u32) -> Self {
        match v {
            0 => Self::NoError,
            3 => Self::Aborted,
            _ => Self::Failed,
        }
    }
}

/// `enum dma_status` of a cookie.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Status {
    /// `DMA_COMPLETE`.
    Complete,
    /// `DMA_IN_PROGRESS`.
    InProgress,
    /// `DMA_PAUSED`.
    Paused,
    /// `DMA_ERROR` (or an unknown value).
    Error,
}

/// Proof that no completion callback of a channel's past descriptors runs now or later.
///
/// Made only by [`Channel::terminate`] on a provider with `device_synchronize`, and by
/// [`Channel::release`].
pub(crate) struct Quiet(());

/// A dmaengine channel.
///
/// # Invariants
///
/// `raw` is a channel returned by `dma_request_chan()` and not yet released; it is
/// released exactly once, in [`Channel::release`] or [`Drop`].
pub(crate) struct Channel {
    raw: NonNull<ffi::DmaChan>,
}

// SAFETY: dmaengine channels may be used and released from any thread.
unsafe impl Send for Channel {}
// SAFETY: The dmaengine API serialises concurrent calls on a channel internally (the
// provider's channel lock); our `&self` methods only call into it.
unsafe impl Sync for Channel {}

/// `DMA_PREP_INTERRUPT | DMA_CTRL_ACK`: a callback when done, and the provider may recycle
/// the descriptor then (we never re-submit one).
const PREP_FLAGS: c_ulong = (1 << 0) | (1 << 1);

impl Channel {
    /// Requests the channel named `name` in the `dma-names` property of `dev`.
    pub(crate) fn request(dev: &Device<Bound>, name: &CStr) -> Result<Self> {
        // SAFETY: `dev` is a valid, bound device and `name` a NUL-terminated string, both
        // live for the call.
        let raw =
            unsafe { ffi::axi_dma_shim_request_chan(ffi::raw_device(dev), name.as_char_ptr()) };
        let raw = from_err_ptr(raw)?;
        // INVARIANT: `dma_request_chan()` returned a valid channel (not an ERR_PTR).
        Ok(Self {
            raw: NonNull::new(raw).ok_or(ENODEV)?,
        })
    }

    fn as_ptr(&self) -> *mut ffi::DmaChan {
        self.raw.as_ptr()
    }

    /// The provider's channel name, e.g. `dma0chan3`.
    pub(crate) fn name(&self) -> &CStr {
        // SAFETY: `dma_chan_name()` returns the channel device's name, valid while the
        // channel is held (type invariant); the lifetime is tied to `&self`.
        unsafe { CStr::from_char_ptr(ffi::axi_dma_shim_chan_name(self.as_ptr())) }
    }

    /// Reads the channel's capabilities.
    pub(crate) fn caps(&self) -> Caps {
        let (mut dirs, mut gran) = (0u32, 0u32);
        let p = self.as_ptr();
        // SAFETY: The channel is valid (type invariant); the out pointers are valid locals.
        // Memcpy-only providers (e.g. ZynqMP GDMA) report no slave capabilities: an error
        // here leaves both at 0, which is what we want.
        let _ = unsafe { ffi::axi_dma_shim_slave_caps(p, &mut dirs, &mut gran) };
        let mut directions = DirectionSet(dirs).without(TransferDirection::MemToMem);
        // SAFETY: The channel is valid (type invariant).
        if !unsafe { ffi::axi_dma_shim_can_slave(p) } {
            directions = DirectionSet::EMPTY;
        }
        directions = directions.intersect(
            DirectionSet::only(TransferDirection::MemToDev).with(TransferDirection::DevToMem),
        );
        // SAFETY: The channel is valid (type invariant).
        if unsafe { ffi::axi_dma_shim_can_memcpy(p) } {
            directions = directions.with(TransferDirection::MemToMem);
        }
        // SAFETY: The channel is valid (type invariant).
        let align_log2 = unsafe { ffi::axi_dma_shim_copy_align_log2(p) };
        Caps {
            directions,
            // `enum dmaengine_alignment` is at most DMAENGINE_ALIGN_64_BYTES (6).
            addr_align: 1u32.checked_shl(align_log2).unwrap_or(1),
            // SAFETY: The channel is valid (type invariant).
            max_seg_size: unsafe { ffi::axi_dma_shim_max_seg_size(p) },
            residue: ResidueGranularity::from_raw(gran),
            // SAFETY: The channel is valid (type invariant).
            synchronizes: unsafe { ffi::axi_dma_shim_has_synchronize(p) },
        }
    }

    /// The device that performs the DMA (the provider): buffers are allocated on it.
    pub(crate) fn dma_device(&self) -> &Device<Bound> {
        // SAFETY: The channel is valid (type invariant), so the provider device is valid and
        // bound: the dmaengine core refuses to unregister a device while its channels are
        // held, and a provider's remove unregisters it before the device is unbound. The
        // reference lives no longer than `&self`, i.e. than our hold on the channel.
        unsafe {
            Device::<Normal>::from_raw(ffi::axi_dma_shim_dma_device(self.as_ptr())).as_bound()
        }
    }

    /// Configures the fixed device-side address, bus width and burst for slave transfers.
    pub(crate) fn slave_config(
        &self,
        dir: TransferDirection,
        dev_addr: u64,
        width: u32,
        burst: u32,
    ) -> Result {
        // SAFETY: The channel is valid (type invariant).
        to_result(unsafe {
            ffi::axi_dma_shim_slave_config(self.as_ptr(), dir as u32, dev_addr, width, burst)
        })
    }

    /// Prepares a memcpy descriptor between two DMA addresses.
    ///
    /// The caller keeps the memory behind both ranges allocated until the descriptor
    /// completed, or until the channel was released after a terminate.
    pub(crate) fn prep_memcpy(&self, dst: u64, src: u64, len: usize) -> Result<Descriptor<'_>> {
        // SAFETY: The channel is valid (type invariant); the addresses are only stored.
        let raw =
            unsafe { ffi::axi_dma_shim_prep_memcpy(self.as_ptr(), dst, src, len, PREP_FLAGS) };
        Descriptor::new(raw)
    }

    /// Prepares a slave (memory-to-device or device-to-memory) descriptor; as
    /// [`prep_memcpy`](Self::prep_memcpy) for the memory.
    pub(crate) fn prep_slave(
        &self,
        buf: u64,
        len: usize,
        dir: TransferDirection,
    ) -> Result<Descriptor<'_>> {
        // SAFETY: As in `prep_memcpy`.
        let raw = unsafe {
            ffi::axi_dma_shim_prep_slave(self.as_ptr(), buf, len, dir as u32, PREP_FLAGS)
        };
        Descriptor::new(raw)
    }

    /// Prepares a send or receive (`dir`) of the DMA segments listed in `sgt` (made by
    /// [`SgTable::of_dma_segments`]). The providers copy the list into their own
    /// descriptors while preparing (`pl330`, `xilinx_dma`, the test provider), so the table
    /// may go right after this returns.
    pub(crate) fn prep_slave_sg(
        &self,
        sgt: &SgTable,
        dir: TransferDirection,
    ) -> Result<Descriptor<'_>> {
        // SAFETY: As in `prep_memcpy`; `sgt` is an initialised table of DMA segments.
        let raw = unsafe {
            ffi::axi_dma_shim_prep_slave_sg(self.as_ptr(), sgt.raw(), dir as u32, PREP_FLAGS)
        };
        Descriptor::new(raw)
    }

    /// Starts the submitted descriptors.
    pub(crate) fn issue_pending(&self) {
        // SAFETY: The channel is valid (type invariant).
        unsafe { ffi::axi_dma_shim_issue_pending(self.as_ptr()) }
    }

    /// Aborts every descriptor on the channel (`dmaengine_terminate_sync()`).
    ///
    /// Returns a [`Quiet`] proof only if the provider implements `device_synchronize` and
    /// the terminate succeeded; otherwise a callback may still be running (pl330) and only
    /// [`release`](Self::release) can make one. Note that a terminate does not always stop
    /// the engine: ZynqMP GDMA's `terminate_all` masks interrupts and frees descriptors
    /// while a running transfer goes on, so memory an aborted transfer used may still be
    /// written until the channel is released (see `chan.rs`).
    pub(crate) fn terminate(&self) -> Result<Option<Quiet>> {
        // SAFETY: The channel is valid (type invariant); we are in process context.
        to_result(unsafe { ffi::axi_dma_shim_terminate_sync(self.as_ptr()) })?;
        // SAFETY: The channel is valid (type invariant).
        let sync = unsafe { ffi::axi_dma_shim_has_synchronize(self.as_ptr()) };
        Ok(sync.then_some(Quiet(())))
    }

    /// Status of the descriptor with `cookie`: its state and the bytes not yet transferred.
    pub(crate) fn tx_status(&self, cookie: i32) -> (Status, u32) {
        let mut residue = 0u32;
        // SAFETY: The channel is valid (type invariant); `residue` is a valid local.
        let s = unsafe { ffi::axi_dma_shim_tx_status(self.as_ptr(), cookie, &mut residue) };
        let s = match s {
            0 => Status::Complete,
            1 => Status::InProgress,
            2 => Status::Paused,
            _ => Status::Error,
        };
        (s, residue)
    }

    /// Terminates and releases the channel. After this no callback of its descriptors runs:
    /// `dma_release_channel()` synchronises (`dma_chan_put()` calls `dmaengine_synchronize()`)
    /// and frees the channel's resources, which kills the providers' tasklets (pl330).
    pub(crate) fn release(self) -> Quiet {
        drop(self);
        Quiet(())
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        // SAFETY: The channel is valid (type invariant); in process context.
        let _ = unsafe { ffi::axi_dma_shim_terminate_sync(self.as_ptr()) };
        // SAFETY: The channel is valid and released exactly once (type invariant).
        unsafe { ffi::axi_dma_shim_release_chan(self.as_ptr()) }
    }
}

/// A prepared, not yet submitted descriptor of a channel.
///
/// Dropping one unsubmitted leaves it to the provider, which recycles prepared descriptors
/// on its next terminate or when the channel is released.
pub(crate) struct Descriptor<'a> {
    raw: NonNull<ffi::TxDesc>,
    _chan: PhantomData<&'a Channel>,
}

impl Descriptor<'_> {
    fn new(raw: *mut ffi::TxDesc) -> Result<Self> {
        // The prep callbacks return NULL when the request cannot be described (bad
        // alignment, length or resources).
        Ok(Self {
            raw: NonNull::new(raw).ok_or(EINVAL)?,
            _chan: PhantomData,
        })
    }

    /// Submits the descriptor with `target` as completion target; returns the cookie.
    ///
    /// The callback owns one reference to `target` until it ran, or until
    /// [`reclaim_callback_ref`] gave it back with a [`Quiet`] proof.
    pub(crate) fn submit<T: Completion>(self, target: &Arc<T>) -> Result<i32> {
        let param = Arc::into_raw(target.clone());
        target.callback_ref().0.fetch_add(1, Relaxed);
        // SAFETY: `raw` is a prepared descriptor, submitted once (`self` is consumed);
        // `param` is a reference to `target` that `callback::<T>` (or `reclaim`) gives back.
        let cookie = unsafe {
            ffi::axi_dma_shim_submit(self.raw.as_ptr(), callback::<T>, param.cast_mut().cast())
        };
        if cookie < 0 {
            // The submission failed, so its callback will never run: one of the references
            // counted is ours to give back (they are all references to the same target, so
            // which one does not matter; a callback of an earlier submission takes its own).
            if target.callback_ref().take_one() {
                // SAFETY: `take_one` accounted for one reference made by `into_raw` (the
                // count includes ours, which no callback will take).
                drop(unsafe { Arc::from_raw(param) });
            }
            return Err(Error::from_errno(cookie));
        }
        Ok(cookie)
    }
}
