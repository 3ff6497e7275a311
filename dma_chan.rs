// SPDX-License-Identifier: GPL-2.0

//! A safe dmaengine channel abstraction (Linux 7.2's `kernel` crate has none).
//!
//! Everything that touches the C dmaengine API lives here and in `mmap.rs`. The calls go
//! through one-line wrappers in `axi_dma_shim.c`, declared in the private [`ffi`] module,
//! because the dmaengine helpers are `static inline` and `<linux/dmaengine.h>` is not part of
//! the kernel crate's bindings.

use core::{
    marker::PhantomData,
    ptr::NonNull, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::{
        c_char,
        c_long,
        c_void, //
    },
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
    },
    types::Opaque,
};

use crate::xfer::Xfer;

/// Declarations of the C shim. This module may not be used outside this file and `mmap.rs`.
pub(crate) mod ffi {
    use kernel::{
        bindings,
        ffi::{
            c_char,
            c_int,
            c_long,
            c_ulong,
            c_void, //
        },
    };

    /// Opaque `struct dma_chan`.
    #[repr(C)]
    pub(crate) struct DmaChan {
        _p: [u8; 0],
    }

    /// Opaque `struct dma_async_tx_descriptor`.
    #[repr(C)]
    pub(crate) struct TxDesc {
        _p: [u8; 0],
    }

    // The kernel's own bindings crate allows this lint too: bindgen emits opaque
    // zero-sized placeholders for some nested C types that pointers refer to.
    #[expect(improper_ctypes, reason = "pointers to bindgen-generated C structs")]
    extern "C" {
        pub(crate) fn axi_dma_shim_request_chan(
            dev: *mut bindings::device,
            name: *const c_char,
        ) -> *mut DmaChan;
        pub(crate) fn axi_dma_shim_release_chan(chan: *mut DmaChan);
        pub(crate) fn axi_dma_shim_dma_device(chan: *mut DmaChan) -> *mut bindings::device;
        pub(crate) fn axi_dma_shim_chan_name(chan: *mut DmaChan) -> *const c_char;
        pub(crate) fn axi_dma_shim_can_memcpy(chan: *mut DmaChan) -> bool;
        pub(crate) fn axi_dma_shim_can_slave(chan: *mut DmaChan) -> bool;
        pub(crate) fn axi_dma_shim_copy_align(chan: *mut DmaChan) -> u32;
        pub(crate) fn axi_dma_shim_max_seg_size(chan: *mut DmaChan) -> u32;
        pub(crate) fn axi_dma_shim_directions(
            chan: *mut DmaChan,
            dirs: *mut u32,
            gran: *mut u32,
        ) -> c_int;
        pub(crate) fn axi_dma_shim_slave_config(
            chan: *mut DmaChan,
            dir: u32,
            dev_addr: u64,
            width: u32,
            burst: u32,
        ) -> c_int;
        pub(crate) fn axi_dma_shim_prep_memcpy(
            chan: *mut DmaChan,
            dst: u64,
            src: u64,
            len: usize,
        ) -> *mut TxDesc;
        pub(crate) fn axi_dma_shim_prep_slave(
            chan: *mut DmaChan,
            buf: u64,
            len: usize,
            dir: u32,
        ) -> *mut TxDesc;
        pub(crate) fn axi_dma_shim_submit(tx: *mut TxDesc, param: *mut c_void) -> i32;
        pub(crate) fn axi_dma_shim_issue_pending(chan: *mut DmaChan);
        pub(crate) fn axi_dma_shim_terminate_sync(chan: *mut DmaChan) -> c_int;
        pub(crate) fn axi_dma_shim_tx_status(
            chan: *mut DmaChan,
            cookie: i32,
            residue: *mut u32,
        ) -> u32;
        pub(crate) fn axi_dma_shim_waitqueue_size() -> usize;
        pub(crate) fn axi_dma_shim_init_waitqueue(wq: *mut bindings::wait_queue_head);
        pub(crate) fn axi_dma_shim_wake_up_all(wq: *mut bindings::wait_queue_head);
        pub(crate) fn axi_dma_shim_wait_ne(
            wq: *mut bindings::wait_queue_head,
            word: *const u32,
            val: u32,
            ms: u32,
        ) -> c_long;
        pub(crate) fn axi_dma_shim_wait_ne_killable(
            wq: *mut bindings::wait_queue_head,
            word: *const u32,
            val: u32,
            ms: u32,
        ) -> c_long;
        pub(crate) fn axi_dma_shim_poll_wait(
            file: *mut bindings::file,
            wq: *mut bindings::wait_queue_head,
            pt: *mut bindings::poll_table_struct,
        );
        pub(crate) fn axi_dma_shim_dma_to_pfn(dev: *mut bindings::device, dma: u64) -> u64;
        pub(crate) fn axi_dma_shim_dev_is_coherent(dev: *mut bindings::device) -> bool;
        pub(crate) fn axi_dma_shim_iommu_mapped(dev: *mut bindings::device) -> bool;
        pub(crate) fn axi_dma_shim_vma_set_dmacoherent(vma: *mut bindings::vm_area_struct);
        pub(crate) fn axi_dma_shim_vma_pgoff(vma: *mut bindings::vm_area_struct) -> c_ulong;
        pub(crate) fn axi_dma_shim_vma_private(vma: *mut bindings::vm_area_struct) -> *mut c_void;
        pub(crate) fn axi_dma_shim_vma_set_ops(
            vma: *mut bindings::vm_area_struct,
            ops: *const bindings::vm_operations_struct,
            private: *mut c_void,
        );
        pub(crate) fn axi_dma_shim_alloc_noncoherent(
            dev: *mut bindings::device,
            size: usize,
            handle: *mut u64,
            dir: u32,
        ) -> *mut c_void;
        pub(crate) fn axi_dma_shim_free_noncoherent(
            dev: *mut bindings::device,
            size: usize,
            vaddr: *mut c_void,
            handle: u64,
            dir: u32,
        );
        pub(crate) fn axi_dma_shim_sync_for_cpu(
            dev: *mut bindings::device,
            addr: u64,
            size: usize,
            dir: u32,
        );
        pub(crate) fn axi_dma_shim_sync_for_device(
            dev: *mut bindings::device,
            addr: u64,
            size: usize,
            dir: u32,
        );
        pub(crate) fn axi_dma_shim_virt_to_pfn(vaddr: *mut c_void) -> u64;
        pub(crate) fn axi_dma_shim_remap(
            vma: *mut bindings::vm_area_struct,
            pfn: u64,
            size: c_ulong,
        ) -> c_int;
    }
}

/// Returns the raw `struct device` behind a Rust [`Device`].
pub(crate) fn raw_device<Ctx: kernel::device::DeviceContext>(
    dev: &Device<Ctx>,
) -> *mut kernel::bindings::device {
    // CAST: `Device<Ctx>` is `#[repr(transparent)]` over `Opaque<bindings::device>`, so a
    // reference to it is a pointer to the C `struct device`.
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// Transfer direction, as `enum dma_transfer_direction`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    /// Memory to memory (memcpy).
    MemToMem = 0,
    /// Memory to device (AXI DMA MM2S, "tx").
    MemToDev = 1,
    /// Device to memory (AXI DMA S2MM, "rx").
    DevToMem = 2,
}

/// What a channel can do, learnt from the dmaengine capabilities at probe time.
#[derive(Copy, Clone, Default)]
pub(crate) struct Caps {
    /// Bit `Direction as u32` set for each supported direction.
    pub(crate) directions: u32,
    /// Required alignment of addresses and lengths for memcpy, in bytes.
    pub(crate) addr_align: u32,
    /// Largest length of one segment the provider accepts.
    pub(crate) max_seg_size: u32,
    /// `enum dma_residue_granularity` (0 descriptor, 1 segment, 2 burst).
    pub(crate) residue_granularity: u32,
}

impl Caps {
    /// Whether `dir` is supported.
    pub(crate) fn supports(&self, dir: Direction) -> bool {
        self.directions & (1 << dir as u32) != 0
    }
}

/// Result of a finished transfer, as `enum dmaengine_tx_result`.
pub(crate) const TX_NOERROR: u32 = 0;
/// `DMA_TRANS_ABORTED`.
pub(crate) const TX_ABORTED: u32 = 3;

/// A dmaengine channel owned by this driver.
///
/// # Invariants
///
/// `raw` is a channel returned by `dma_request_chan()` and not yet released; it is released
/// exactly once, in [`Drop`], after all its transfers were terminated.
pub(crate) struct Channel {
    raw: NonNull<ffi::DmaChan>,
}

// SAFETY: dmaengine channels may be used and released from any thread.
unsafe impl Send for Channel {}
// SAFETY: The dmaengine API serialises concurrent calls on a channel internally (the
// provider's channel lock); our `&self` methods only call into it.
unsafe impl Sync for Channel {}

impl Channel {
    /// Requests the channel named `name` in the `dma-names` property of `dev`.
    pub(crate) fn request(dev: &Device<Bound>, name: &CStr) -> Result<Self> {
        // SAFETY: `dev` is a valid, bound device and `name` a NUL-terminated string, both
        // live for the call.
        let raw = unsafe { ffi::axi_dma_shim_request_chan(raw_device(dev), name.as_char_ptr()) };
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
        let mut dirs = 0u32;
        let mut gran = 0u32;
        // SAFETY: The channel is valid (type invariant); the out pointers are valid locals.
        let ret = unsafe { ffi::axi_dma_shim_directions(self.as_ptr(), &mut dirs, &mut gran) };
        if ret != 0 {
            // Memcpy-only providers (e.g. ZynqMP GDMA) report no slave capabilities.
            dirs = 0;
            gran = 0;
        }
        // SAFETY: The channel is valid (type invariant).
        if unsafe { ffi::axi_dma_shim_can_memcpy(self.as_ptr()) } {
            dirs |= 1 << Direction::MemToMem as u32;
        } else {
            dirs &= !(1 << Direction::MemToMem as u32);
        }
        // SAFETY: The channel is valid (type invariant).
        if !unsafe { ffi::axi_dma_shim_can_slave(self.as_ptr()) } {
            dirs &= 1 << Direction::MemToMem as u32;
        }
        Caps {
            directions: dirs,
            // SAFETY: The channel is valid (type invariant).
            addr_align: unsafe { ffi::axi_dma_shim_copy_align(self.as_ptr()) },
            // SAFETY: The channel is valid (type invariant).
            max_seg_size: unsafe { ffi::axi_dma_shim_max_seg_size(self.as_ptr()) },
            residue_granularity: gran,
        }
    }

    /// The device that performs the DMA (the provider): buffers are allocated on it.
    pub(crate) fn dma_device(&self) -> &Device<Bound> {
        // SAFETY: The channel is valid (type invariant), so the returned provider device is
        // valid and bound: a provider cannot be unbound while one of its channels is held
        // (`dma_request_chan()` took a reference on the provider's module and the dmaengine
        // core refuses to unregister a device with channels in use). The reference lives
        // no longer than `&self`, i.e. than our hold on the channel.
        unsafe {
            Device::<kernel::device::Normal>::from_raw(ffi::axi_dma_shim_dma_device(self.as_ptr()))
                .as_bound()
        }
    }

    /// Configures the fixed device-side address, bus width and burst for slave transfers.
    pub(crate) fn slave_config(
        &self,
        dir: Direction,
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
    pub(crate) fn prep_memcpy(&self, dst: u64, src: u64, len: usize) -> Result<Descriptor<'_>> {
        // SAFETY: The channel is valid (type invariant). The addresses belong to buffers the
        // caller keeps alive until the transfer finished or the channel was terminated.
        let raw = unsafe { ffi::axi_dma_shim_prep_memcpy(self.as_ptr(), dst, src, len) };
        Descriptor::new(self, raw)
    }

    /// Prepares a slave (memory-to-device or device-to-memory) descriptor.
    pub(crate) fn prep_slave(
        &self,
        buf: u64,
        len: usize,
        dir: Direction,
    ) -> Result<Descriptor<'_>> {
        // SAFETY: As in `prep_memcpy`.
        let raw = unsafe { ffi::axi_dma_shim_prep_slave(self.as_ptr(), buf, len, dir as u32) };
        Descriptor::new(self, raw)
    }

    /// Starts the queued descriptors.
    pub(crate) fn issue_pending(&self) {
        // SAFETY: The channel is valid (type invariant).
        unsafe { ffi::axi_dma_shim_issue_pending(self.as_ptr()) }
    }

    /// Aborts every transfer on the channel and waits until no callback runs any more.
    ///
    /// After this returns no completion callback of a previously submitted descriptor will
    /// run: their transfers must be finished by the caller (see [`Xfer::abort`]).
    pub(crate) fn terminate_sync(&self) {
        // SAFETY: The channel is valid (type invariant); we are in process context.
        let _ = unsafe { ffi::axi_dma_shim_terminate_sync(self.as_ptr()) };
    }

    /// Status of the transfer with `cookie`: (`enum dma_status`, residue in bytes).
    pub(crate) fn tx_status(&self, cookie: i32) -> (u32, u32) {
        let mut residue = 0u32;
        // SAFETY: The channel is valid (type invariant); `residue` is a valid local.
        let s = unsafe { ffi::axi_dma_shim_tx_status(self.as_ptr(), cookie, &mut residue) };
        (s, residue)
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.terminate_sync();
        // SAFETY: The channel is valid and released exactly once (type invariant); its
        // transfers were terminated just above.
        unsafe { ffi::axi_dma_shim_release_chan(self.as_ptr()) }
    }
}

/// A prepared, not yet submitted descriptor. The provider frees it when it completes or the
/// channel is terminated; dropping an unsubmitted one leaves it to the provider's
/// terminate (all providers we drive recycle unsubmitted descriptors on terminate).
pub(crate) struct Descriptor<'a> {
    raw: NonNull<ffi::TxDesc>,
    /// A descriptor belongs to (and must not outlive) its channel.
    _chan: PhantomData<&'a Channel>,
}

impl<'a> Descriptor<'a> {
    fn new(_chan: &'a Channel, raw: *mut ffi::TxDesc) -> Result<Self> {
        // The prep callbacks return NULL when the request cannot be described (bad
        // alignment, length or resources).
        let raw = NonNull::new(raw).ok_or(EINVAL)?;
        Ok(Self {
            raw,
            _chan: PhantomData,
        })
    }

    /// Submits the descriptor with `xfer` as completion target and returns the cookie.
    ///
    /// The callback owns one reference to `xfer` until it ran or the channel was terminated.
    pub(crate) fn submit(self, xfer: &Arc<Xfer>) -> Result<i32> {
        let param = Arc::into_raw(xfer.clone());
        xfer.cb_ref.store(1, Relaxed);
        // SAFETY: `raw` is a prepared descriptor of `chan`, submitted once; `param` is a
        // reference to `xfer` that the callback (or `Xfer::abort`) gives back.
        let cookie =
            unsafe { ffi::axi_dma_shim_submit(self.raw.as_ptr(), param.cast_mut().cast()) };
        if cookie < 0 {
            xfer.cb_ref.store(0, Relaxed);
            // SAFETY: The submission failed, so the callback will never run: the reference
            // made by `into_raw` above is still ours.
            drop(unsafe { Arc::from_raw(param) });
            return Err(Error::from_errno(cookie));
        }
        Ok(cookie)
    }
}

/// Completion callback, called by the provider in atomic context (tasklet or IRQ).
///
/// # Safety
///
/// `param` must be a pointer made by `Arc::into_raw` in [`Descriptor::submit`].
#[no_mangle]
unsafe extern "C" fn axi_dma_rust_xfer_done(param: *mut c_void, result: u32, residue: u32) {
    // SAFETY: By the function's safety requirement `param` is an `Arc<Xfer>` reference owned
    // by this callback, so the `Xfer` is alive here.
    let xfer = unsafe { &*param.cast_const().cast::<Xfer>() };
    xfer.complete(result, residue);
    if xfer.cb_ref.xchg(0, Relaxed) == 1 {
        // SAFETY: The flag was set by `submit`, so the reference made there is given back
        // exactly once. Dropping it may free the `Xfer`, which holds no DMA memory (only
        // atomics and an `Arc` to a wait queue), so this is fine in atomic context.
        drop(unsafe { Arc::from_raw(param.cast_const().cast::<Xfer>()) });
    }
}

/// Gives back the callback's reference of a transfer whose callback will never run.
///
/// Must only be called after [`Channel::terminate_sync`] returned for the channel the
/// transfer was submitted to, or on a transfer that was never submitted.
pub(crate) fn reclaim_callback_ref(xfer: &Arc<Xfer>) {
    if xfer.cb_ref.xchg(0, Relaxed) == 1 {
        // SAFETY: The flag was set by `submit` and no callback runs any more (the caller's
        // contract), so we own the reference `submit` made with `Arc::into_raw`.
        drop(unsafe { Arc::from_raw(Arc::as_ptr(xfer)) });
    }
}

/// A wait queue that completion callbacks may wake from atomic context.
///
/// # Invariants
///
/// `inner` is initialised with `init_waitqueue_head()`.
#[pin_data]
pub(crate) struct WaitQueue {
    #[pin]
    inner: Opaque<kernel::bindings::wait_queue_head>,
}

// SAFETY: A wait queue head is designed to be used from any thread and context.
unsafe impl Send for WaitQueue {}
// SAFETY: As above; all operations take the queue's internal lock.
unsafe impl Sync for WaitQueue {}

/// Outcome of a wait.
pub(crate) enum WaitResult {
    /// The condition became true.
    Ready,
    /// The time ran out.
    TimedOut,
    /// A signal arrived.
    Interrupted,
}

impl WaitQueue {
    /// Creates an initialiser for a wait queue.
    pub(crate) fn new() -> impl PinInit<Self> {
        // The C type's size is checked against the binding's once, here.
        // SAFETY: A pure function returning `sizeof(struct wait_queue_head)`.
        let c_size = unsafe { ffi::axi_dma_shim_waitqueue_size() };
        debug_assert_eq!(
            c_size,
            core::mem::size_of::<kernel::bindings::wait_queue_head>()
        );
        // INVARIANT: `init_waitqueue_head` initialises `inner`.
        pin_init!(Self {
            // SAFETY: `slot` is valid for writes and pinned.
            inner <- Opaque::ffi_init(|slot| unsafe { ffi::axi_dma_shim_init_waitqueue(slot) }),
        })
    }

    pub(crate) fn as_raw(&self) -> *mut kernel::bindings::wait_queue_head {
        self.inner.get()
    }

    /// Wakes every waiter. Safe in atomic context.
    pub(crate) fn wake_up_all(&self) {
        // SAFETY: `inner` is an initialised wait queue head (type invariant).
        unsafe { ffi::axi_dma_shim_wake_up_all(self.as_raw()) }
    }

    /// Sleeps (interruptibly) until `word != val`, for at most `ms` milliseconds.
    pub(crate) fn wait_ne(
        &self,
        word: &Atomic<u32>,
        val: u32,
        ms: u32,
        killable_only: bool,
    ) -> WaitResult {
        // SAFETY: `inner` is initialised (type invariant) and `word` is valid for the call;
        // the C side only reads it with `READ_ONCE`.
        let r: c_long = unsafe {
            if killable_only {
                ffi::axi_dma_shim_wait_ne_killable(self.as_raw(), word.as_ptr(), val, ms)
            } else {
                ffi::axi_dma_shim_wait_ne(self.as_raw(), word.as_ptr(), val, ms)
            }
        };
        match r {
            r if r > 0 => WaitResult::Ready,
            0 => {
                // The condition may have become true just as the time ran out.
                if word.load(Relaxed) != val {
                    WaitResult::Ready
                } else {
                    WaitResult::TimedOut
                }
            }
            _ => WaitResult::Interrupted,
        }
    }

    /// Registers the queue with a `poll()` call.
    ///
    /// # Safety
    ///
    /// `file` and `pt` must be the arguments of the current `poll` file operation.
    pub(crate) unsafe fn poll_wait(
        &self,
        file: *mut kernel::bindings::file,
        pt: *mut kernel::bindings::poll_table_struct,
    ) {
        // SAFETY: Guaranteed by the caller; the queue lives as long as the file.
        unsafe { ffi::axi_dma_shim_poll_wait(file, self.as_raw(), pt) }
    }
}

/// Reads the `dma-names` strings of `dev` (at most `max`).
pub(crate) fn dma_names(dev: &Device<Bound>, max: usize) -> Result<KVec<CString>> {
    let prop = c"dma-names";
    let mut ptrs: [*const c_char; 16] = [core::ptr::null(); 16];
    let n = max.min(ptrs.len());
    // SAFETY: `dev` is valid; `ptrs` has room for `n` pointers; the strings point into the
    // device tree, which outlives this call (we copy them below).
    let got = unsafe {
        kernel::bindings::device_property_read_string_array(
            raw_device(dev),
            prop.as_char_ptr(),
            ptrs.as_mut_ptr(),
            n,
        )
    };
    let got = usize::try_from(got).map_err(|_| Error::from_errno(got))?;
    let mut names = KVec::with_capacity(got, GFP_KERNEL)?;
    for p in ptrs.iter().take(got) {
        // SAFETY: `device_property_read_string_array` filled the first `got` entries with
        // valid NUL-terminated strings.
        let s = unsafe { CStr::from_char_ptr(*p) };
        names.push(CString::try_from(s)?, GFP_KERNEL)?;
    }
    Ok(names)
}

/// `enum dma_data_direction` of a cached buffer: how the device will use it.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum DataDir {
    /// Both ways (`DMA_BIDIRECTIONAL`).
    Bidirectional = 0,
    /// The device reads it (`DMA_TO_DEVICE`).
    ToDevice = 1,
    /// The device writes it (`DMA_FROM_DEVICE`).
    FromDevice = 2,
}

/// Cacheable DMA memory from `dma_alloc_noncoherent()`: the CPU and the device see the same
/// bytes only after the explicit [`sync_for_device`](Self::sync_for_device) and
/// [`sync_for_cpu`](Self::sync_for_cpu) hand-overs.
///
/// # Invariants
///
/// `vaddr`/`handle`/`size` describe one live allocation on `dev` with direction `dir`,
/// freed exactly once in `Drop`.
pub(crate) struct NonCoherent {
    dev: ARef<Device>,
    vaddr: NonNull<c_void>,
    handle: u64,
    size: usize,
    dir: DataDir,
}

// SAFETY: The allocation is plain memory owned by this value; freeing it from any thread
// is allowed.
unsafe impl Send for NonCoherent {}
// SAFETY: `&self` methods only read the fields and call the thread-safe sync functions.
unsafe impl Sync for NonCoherent {}

impl NonCoherent {
    /// Allocates `size` zeroed bytes for DMA by `dev` in direction `dir`.
    pub(crate) fn alloc(dev: &Device<Bound>, size: usize, dir: DataDir) -> Result<Self> {
        let mut handle = 0u64;
        // SAFETY: `dev` is a valid bound device; `handle` is a valid local.
        let p = unsafe {
            ffi::axi_dma_shim_alloc_noncoherent(raw_device(dev), size, &mut handle, dir as u32)
        };
        // INVARIANT: a non-NULL result is a live allocation of `size` bytes.
        Ok(Self {
            dev: dev.into(),
            vaddr: NonNull::new(p).ok_or(ENOMEM)?,
            handle,
            size,
            dir,
        })
    }

    /// The DMA address of the start.
    pub(crate) fn dma_handle(&self) -> u64 {
        self.handle
    }

    /// The page frame number of byte 0 (cacheable memory in the kernel's linear map).
    pub(crate) fn pfn(&self) -> u64 {
        // SAFETY: `vaddr` is a live allocation in the linear map (type invariant).
        unsafe { ffi::axi_dma_shim_virt_to_pfn(self.vaddr.as_ptr()) }
    }

    /// The direction the buffer was allocated for.
    pub(crate) fn dir(&self) -> DataDir {
        self.dir
    }

    /// Hands `[off, off + len)` to the CPU (after the device wrote it).
    pub(crate) fn sync_for_cpu(&self, off: u64, len: usize) {
        // SAFETY: The range lies in the allocation (checked by the caller) and `dev` is
        // the device it was allocated on.
        unsafe {
            ffi::axi_dma_shim_sync_for_cpu(
                raw_device(&*self.dev),
                self.handle + off,
                len,
                self.dir as u32,
            )
        }
    }

    /// Hands `[off, off + len)` to the device (after the CPU wrote it).
    pub(crate) fn sync_for_device(&self, off: u64, len: usize) {
        // SAFETY: As in `sync_for_cpu`.
        unsafe {
            ffi::axi_dma_shim_sync_for_device(
                raw_device(&*self.dev),
                self.handle + off,
                len,
                self.dir as u32,
            )
        }
    }
}

impl Drop for NonCoherent {
    fn drop(&mut self) {
        // SAFETY: Freed exactly once, with the values it was allocated with (type invariant);
        // the caller quiesced every transfer using it (a buffer is dropped only when no
        // transfer or mapping holds it).
        unsafe {
            ffi::axi_dma_shim_free_noncoherent(
                raw_device(&*self.dev),
                self.size,
                self.vaddr.as_ptr(),
                self.handle,
                self.dir as u32,
            )
        }
    }
}
