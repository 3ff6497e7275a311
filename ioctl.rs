// SPDX-License-Identifier: GPL-2.0

//! The ioctl boundary: copies each argument from user space once, hands the copy to the
//! open file (`file.rs`), and copies the results back. No lock is held here, so none is
//! ever held across a user copy. Errors become errnos only here.

use core::mem::size_of;
use kernel::{
    prelude::*,
    transmute::{
        AsBytes,
        FromBytes, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

use crate::{
    file::OpenFile,
    uapi::{
        self,
        uapi_structs, //
    },
};

macro_rules! uapi_bytes {
    ($($t:ident = $size:expr),* $(,)?) => {$(
        // SAFETY: A `#[repr(C)]` struct of integers and byte arrays with no implicit padding
        // (`uapi.rs` pins its size to the C header's): every bit pattern is valid.
        unsafe impl FromBytes for uapi::$t {}
        // SAFETY: As above: no padding and no uninitialised bytes.
        unsafe impl AsBytes for uapi::$t {}
    )*};
}
uapi_structs!(uapi_bytes);

/// Reads one `T` from user space.
fn read_arg<T: FromBytes>(arg: usize) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .reader()
        .read::<T>()
}

/// A request whose padding, reserved or output-only fields are not zero (`EINVAL`: the
/// ABI keeps them free to grow).
macro_rules! read_req {
    ($arg:expr, $t:ty) => {{
        let r: $t = read_arg($arg)?;
        if !r.only_inputs() {
            return Err(EINVAL);
        }
        r
    }};
}

/// Writes one `T` to user space.
fn write_arg<T: AsBytes>(arg: usize, v: &T) -> Result {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .writer()
        .write(v)
}

/// Writes `entries` to the user array at `ptr`, which has room for `max` of them.
fn write_entries<T: AsBytes>(ptr: u64, max: u32, entries: &[T]) -> Result {
    let ptr = usize::try_from(ptr).map_err(|_| EFAULT)?;
    let len = (max as usize)
        .checked_mul(size_of::<T>())
        .ok_or(EOVERFLOW)?;
    let mut w = UserSlice::new(UserPtr::from_addr(ptr), len).writer();
    for e in entries {
        w.write(e)?;
    }
    Ok(())
}

/// Reads `n` `T`s from the user array at `ptr`.
fn read_array<T: FromBytes>(ptr: u64, n: u32) -> Result<KVec<T>> {
    let ptr = usize::try_from(ptr).map_err(|_| EFAULT)?;
    let n = n as usize;
    let len = n.checked_mul(size_of::<T>()).ok_or(EOVERFLOW)?;
    let mut r = UserSlice::new(UserPtr::from_addr(ptr), len).reader();
    let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
    for _ in 0..n {
        v.push(r.read::<T>()?, GFP_KERNEL)?;
    }
    Ok(v)
}

/// A ring push's tx lengths (`lens` = 0: none, whole slots), copied in before any lock is
/// taken. More than any ring can hold: `EINVAL` (the push would refuse it anyway).
fn read_lens(lens: u64, count: u32) -> Result<KVec<u32>> {
    if lens == 0 {
        Ok(KVec::new())
    } else if count <= uapi::REAP_MAX.max(1024) {
        read_array::<u32>(lens, count)
    } else {
        Err(EINVAL)
    }
}

/// `AXI_DMA_IOC_SUBMIT`: copies the batch in once, submits it (no lock is held across any
/// user copy), writes the ids and the outcome back, then reaps if asked to.
fn submit(file: &OpenFile, arg: usize) -> Result<isize> {
    let mut req = read_req!(arg, uapi::Submit);
    if req.count == 0
        || req.count > uapi::SUBMIT_MAX
        || req.flags != 0
        || req.max > uapi::REAP_MAX
        || req.min > req.max
    {
        return Err(EINVAL);
    }
    let mut xfers = read_array::<uapi::Xfer>(req.xfers, req.count)?;
    let (queued, refused) = file.submit_batch(&mut xfers);
    req.queued = queued;
    req.error = refused.map_or(0, |e| e.to_errno());
    // What was queued runs whatever happens to these copies: REAP collects it too.
    write_entries(req.xfers, req.count, &xfers)?;
    write_arg(arg, &req)?;
    if let Some(e) = refused {
        return Err(e);
    }
    if req.max > 0 {
        let reap = uapi::Reap {
            entries: req.entries,
            max: req.max,
            min: req.min,
            timeout_ms: req.timeout_ms,
            ..Default::default()
        };
        let (entries, out) = file.reap(&reap)?;
        write_entries(req.entries, req.max, &entries)?;
        req.reaped = out.count;
        req.pending = out.pending;
        write_arg(arg, &req)?;
    }
    Ok(0)
}

/// A call whose output is written back also when it failed (blocking transfers report
/// `bytes`/`error`, and after `EINTR` the id to `WAIT` for).
fn reply<T: AsBytes>(arg: usize, (out, r): (Option<T>, Result)) -> Result<isize> {
    if let Some(out) = out {
        match write_arg(arg, &out) {
            // A fault writing the result back hides nothing worse.
            Err(e) if r.is_ok() => return Err(e),
            _ => {}
        }
    }
    r.map(|()| 0)
}

/// Dispatches one ioctl of `file`.
pub(crate) fn dispatch(file: &OpenFile, cmd: u32, arg: usize) -> Result<isize> {
    // The size is part of the command number, so a caller built against another layout
    // matches no arm and gets ENOTTY rather than a misread structure.
    match cmd {
        uapi::IOC_INFO => write_arg(arg, &file.info()).map(|()| 0),
        uapi::IOC_CHAN_INFO => {
            let out = file.chan_info(&read_req!(arg, uapi::ChanInfo))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_REGISTER => {
            let out = file.register(&read_req!(arg, uapi::Register))?;
            if let Err(e) = write_arg(arg, &out) {
                // User space cannot learn the id: undo.
                file.alloc_undo(out.id);
                return Err(e);
            }
            Ok(0)
        }
        uapi::IOC_IMPORT => {
            let out = file.import(&read_req!(arg, uapi::Import))?;
            if let Err(e) = write_arg(arg, &out) {
                // User space cannot learn the id: undo.
                file.alloc_undo(out.id);
                return Err(e);
            }
            Ok(0)
        }
        // The fd is installed when the call returns; if the result cannot be written back,
        // user space cannot learn it: the caller gets EFAULT and the fd stays open (as with
        // DRM's PRIME export), closed at exit.
        uapi::IOC_EXPORT => file
            .export(&read_req!(arg, uapi::Export))
            .and_then(|out| write_arg(arg, &out))
            .map(|()| 0),
        uapi::IOC_ALLOC => {
            let out = file.alloc(&read_req!(arg, uapi::Alloc))?;
            if let Err(e) = write_arg(arg, &out) {
                // User space cannot learn the id: undo.
                file.alloc_undo(out.id);
                return Err(e);
            }
            Ok(0)
        }
        uapi::IOC_FREE => file.free(&read_req!(arg, uapi::Free)).map(|()| 0),
        uapi::IOC_XFER => reply(arg, file.xfer(&read_req!(arg, uapi::Xfer))),
        uapi::IOC_WAIT => reply(arg, file.wait(&read_req!(arg, uapi::Wait))),
        uapi::IOC_REAP => {
            let req = read_req!(arg, uapi::Reap);
            let (entries, out) = file.reap(&req)?;
            write_entries(req.entries, req.max, &entries)?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_STATUS => {
            let out = file.status(&read_req!(arg, uapi::Status))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_CANCEL => {
            let out = file.cancel(&read_req!(arg, uapi::Cancel))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_SLAVE_CONFIG => file
            .slave_config(&read_req!(arg, uapi::SlaveConfig))
            .map(|()| 0),
        uapi::IOC_KBENCH => {
            let out = file.kbench(&read_req!(arg, uapi::KBench))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_SYNC => file.sync(&read_req!(arg, uapi::Sync)).map(|()| 0),
        uapi::IOC_STREAM_START => {
            let out = file.stream_start(&read_req!(arg, uapi::StreamStart))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_STREAM_PUSH => {
            let req = read_req!(arg, uapi::StreamPush);
            // The lengths are copied before any lock is taken.
            let lens = read_lens(req.lens, req.count)?;
            let out = file.stream_push(&req, &lens)?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_STREAM_CYCLE => {
            let req = read_req!(arg, uapi::StreamCycle);
            // Checked before the push, so that a bad reap half never leaves slots queued.
            if req.max == 0 || req.max > uapi::REAP_MAX || req.min > req.max {
                return Err(EINVAL);
            }
            let (first, pushed) = if req.push > 0 {
                let push = uapi::StreamPush {
                    chan: req.chan,
                    count: req.push,
                    lens: req.lens,
                    ..Default::default()
                };
                let lens = read_lens(req.lens, req.push)?;
                let p = file.stream_push(&push, &lens)?;
                (p.first, p.count)
            } else if req.lens != 0 {
                return Err(EINVAL);
            } else {
                (0, 0)
            };
            let reap = uapi::StreamReap {
                chan: req.chan,
                max: req.max,
                entries: req.entries,
                min: req.min,
                timeout_ms: req.timeout_ms,
                ..Default::default()
            };
            let (entries, r) = match file.stream_reap(&reap) {
                // Slots were queued: the call reports them rather than fail. A signal ends
                // the wait only; collect what is there without waiting.
                Err(e) if e == EINTR && pushed > 0 => {
                    file.stream_reap(&uapi::StreamReap { min: 0, ..reap })?
                }
                r => r?,
            };
            write_entries(req.entries, req.max, &entries)?;
            let out = uapi::StreamCycle {
                push: pushed,
                first,
                count: r.count,
                queued: r.queued,
                overruns: r.overruns,
                ..req
            };
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_STREAM_REAP => {
            let req = read_req!(arg, uapi::StreamReap);
            let (entries, out) = file.stream_reap(&req)?;
            // Reaped slots are already the caller's: a fault writing them back loses them
            // for this call only (rx slots stay held, to be pushed again).
            write_entries(req.entries, req.max, &entries)?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_STREAM_STOP => {
            let out = file.stream_stop(&read_req!(arg, uapi::StreamStop))?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_SLAVE_CONFIG_GET => {
            let req: uapi::SlaveConfig = read_arg(arg)?;
            if !req.only_get_inputs() {
                return Err(EINVAL);
            }
            let out = file.slave_config_get(&req)?;
            write_arg(arg, &out).map(|()| 0)
        }
        uapi::IOC_SUBMIT => submit(file, arg),
        uapi::IOC_CLAIM => file.claim(&read_req!(arg, uapi::Claim), true).map(|()| 0),
        uapi::IOC_UNCLAIM => file.claim(&read_req!(arg, uapi::Claim), false).map(|()| 0),
        _ => Err(ENOTTY),
    }
}
