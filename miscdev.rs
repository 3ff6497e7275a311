// SPDX-License-Identifier: GPL-2.0

//! The misc device and its file operations.
//!
//! Linux 7.2's `kernel::miscdevice` cannot be used for this driver, for two reasons that
//! matter to users: its `file_operations` have no `owner` (so `rmmod` with an open file or
//! a live mapping would unload code that the file still points to), and it has no `poll`.
//! This module therefore registers a `struct miscdevice` with a static `file_operations`
//! table of its own, whose `owner` pins the module while any file is open, and forwards
//! each operation to `file.rs` (through `ioctl.rs` for ioctls) and `mmap.rs`.

use kernel::{
    bindings,
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong,
        c_void, //
    },
    prelude::*,
    str::CString,
    sync::Arc,
    types::Opaque,
};

use crate::{
    device::Shared,
    ffi::{
        self,
        raw_device, //
    },
    file::OpenFile,
    ioctl,
    mmap, //
};

/// A registered misc device whose files act on `shared`.
///
/// # Invariants
///
/// `raw` holds a `struct miscdevice` registered with `misc_register()` whose `name` points
/// into `name`; it is deregistered exactly once, in `drop`.
#[pin_data(PinnedDrop)]
pub(crate) struct MiscReg {
    #[pin]
    raw: Opaque<bindings::miscdevice>,
    name: CString,
    shared: Arc<Shared>,
}

// SAFETY: `misc_deregister` may be called from any thread; the other fields are `Send`.
unsafe impl Send for MiscReg {}
// SAFETY: No `&self` method mutates anything.
unsafe impl Sync for MiscReg {}

impl MiscReg {
    /// Registers `/dev/<name>` for `shared`, with the platform device as parent.
    pub(crate) fn register(name: CString, shared: Arc<Shared>) -> impl PinInit<Self, Error> {
        try_pin_init!(&this in Self {
            name,
            shared,
            raw <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                // SAFETY: `this` is being initialised; `name` and `shared` were written
                // before `raw` (field order in the initialiser) and are pinned with it.
                let me = unsafe { &*this.as_ptr() };
                let mut m: bindings::miscdevice = pin_init::zeroed();
                m.minor = bindings::MISC_DYNAMIC_MINOR as c_int;
                m.name = me.name.as_char_ptr();
                m.fops = &FOPS.0;
                m.parent = raw_device(&*me.shared.dev);
                m.mode = 0o660;
                // SAFETY: `slot` is valid for writes.
                unsafe { slot.write(m) };
                // SAFETY: `slot` holds a filled-in miscdevice that stays pinned until `drop`
                // deregisters it.
                // INVARIANT: On success the device is registered.
                kernel::error::to_result(unsafe { bindings::misc_register(slot) })
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for MiscReg {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered (type invariant). After this returns no new file can be opened;
        // open files keep their own `Arc<Shared>` and the static fops stay valid because the
        // fops `owner` keeps the module loaded while they exist.
        unsafe { bindings::misc_deregister(self.raw.get()) };
    }
}

/// `EPOLLIN` and `EPOLLRDNORM` (uapi/linux/eventpoll.h; not in the 7.2 bindings).
const EPOLLIN: bindings::__poll_t = 0x1;
const EPOLLRDNORM: bindings::__poll_t = 0x40;

/// `file_operations` wrapper so that it can be a `static`.
struct Fops(bindings::file_operations);
// SAFETY: The table is immutable.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops(bindings::file_operations {
    owner: &raw mut bindings::__this_module,
    open: Some(fop_open),
    release: Some(fop_release),
    mmap: Some(fop_mmap),
    unlocked_ioctl: Some(fop_ioctl),
    #[cfg(CONFIG_COMPAT)]
    // Every UAPI structure has one layout for 32- and 64-bit tasks (fixed-width fields,
    // explicit padding, pointers as u64): only the argument pointer needs converting.
    compat_ioctl: bindings::compat_ptr_ioctl,
    poll: Some(fop_poll),
    llseek: Some(bindings::noop_llseek),
    // SAFETY: All-zero is valid for the remaining fields (absent operations).
    ..unsafe { core::mem::zeroed() }
});

/// Borrows the open file's state.
///
/// # Safety
///
/// `file` must be a file of our misc device between `fop_open` and `fop_release`.
unsafe fn file_state<'a>(file: *mut bindings::file) -> &'a OpenFile {
    // SAFETY: `fop_open` stored an `Arc<OpenFile>` made with `into_raw`, released only in
    // `fop_release` (caller's guarantee).
    unsafe { &*(*file).private_data.cast_const().cast::<OpenFile>() }
}

/// # Safety
///
/// Called by the VFS only, as this driver's `file_operations` entry, with the arguments
/// that entry receives.
unsafe extern "C" fn fop_open(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `misc_open()` stored our `struct miscdevice` in `private_data` and holds
    // `misc_mtx`, so the registration cannot go away during this call.
    let misc = unsafe { (*file).private_data }.cast::<bindings::miscdevice>();
    // SAFETY: `misc` is the `raw` field of a pinned, registered `MiscReg` (the only kind of
    // miscdevice using these fops); `Opaque<T>` is `repr(transparent)`.
    let reg = unsafe {
        &*kernel::container_of!(misc.cast::<Opaque<bindings::miscdevice>>(), MiscReg, raw)
    };
    // SAFETY: `file` is being opened.
    let mapping = unsafe { ffi::axi_dma_shim_file_mapping(file) };
    // SAFETY: `mapping` is the file's; the state is dropped in `fop_release`, while the file
    // is still open.
    match unsafe { OpenFile::new(reg.shared.clone(), mapping) } {
        Ok(state) => {
            // SAFETY: `file` is being opened; we own its private data from now on.
            unsafe { (*file).private_data = Arc::into_raw(state).cast_mut().cast::<c_void>() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the VFS only, as this driver's `file_operations` entry, with the arguments
/// that entry receives.
unsafe extern "C" fn fop_release(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `private_data` holds the `Arc<OpenFile>` from `fop_open`; release is the last
    // operation on the file, so we take the reference back.
    let state = unsafe { Arc::from_raw((*file).private_data.cast_const().cast::<OpenFile>()) };
    state.release();
    drop(state);
    0
}

/// # Safety
///
/// Called by the VFS only, as this driver's `file_operations` entry, with the arguments
/// that entry receives.
unsafe extern "C" fn fop_ioctl(file: *mut bindings::file, cmd: c_uint, arg: c_ulong) -> c_long {
    // SAFETY: An ioctl runs between open and release.
    let state = unsafe { file_state(file) };
    // `c_ulong` is `usize` in the kernel's FFI types.
    match ioctl::dispatch(state, cmd, arg) {
        // CAST: our ioctls return 0 on success.
        Ok(v) => v as c_long,
        Err(e) => c_long::try_from(e.to_errno()).unwrap_or(c_long::MIN),
    }
}

/// # Safety
///
/// Called by the VFS only, as this driver's `file_operations` entry, with the arguments
/// that entry receives.
unsafe extern "C" fn fop_mmap(
    file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> c_int {
    // SAFETY: mmap runs between open and release.
    let state = unsafe { file_state(file) };
    let r = (|| -> Result {
        // SAFETY: `vma` is under construction in this mmap call.
        let off = unsafe { mmap::vma_offset(vma) }?;
        let (buf, in_off) = state.buf_at(off)?;
        // SAFETY: As above; the VMA holds `file`, whose fops owner keeps this module loaded.
        unsafe { mmap::map_buffer(vma, &buf, in_off) }
    })();
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the VFS only, as this driver's `file_operations` entry, with the arguments
/// that entry receives.
unsafe extern "C" fn fop_poll(
    file: *mut bindings::file,
    pt: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: poll runs between open and release.
    let state = unsafe { file_state(file) };
    // SAFETY: `file` and `pt` are this poll call's arguments.
    unsafe { state.events.wq.poll_wait(file, pt) };
    if state.readable() {
        EPOLLIN | EPOLLRDNORM
    } else {
        0
    }
}
