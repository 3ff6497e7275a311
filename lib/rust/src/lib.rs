//! Safe user-space access to the `axi_dma` zero-copy DMA driver.
//!
//! ```no_run
//! use axidma::Device;
//! let dev = Device::open_default()?;
//! let chan = dev.channel_by_name("tx").unwrap_or(0);
//! let mut src = dev.alloc(chan, 4096)?;
//! let mut dst = dev.alloc(chan, 4096)?;
//! src.as_mut_slice().fill(0x5a);
//! let bytes = dev.memcpy(chan, &mut dst, 0, &src, 0, 4096, None)?;
//! assert_eq!(bytes, 4096);
//! assert_eq!(dst.as_slice(), src.as_slice());
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! Buffers are mapped into the process when allocated. A [`Buffer`] is the only way to
//! their bytes (`as_slice`, `as_mut_slice`). Blocking calls borrow buffers until the DMA is
//! over. Non-blocking ones take them by value, completion-style (like `io_uring` crates):
//! the [`Transfer`] owns them and gives them back when it is over.
//!
//! ```no_run
//! # let dev = axidma::Device::open_default()?;
//! let rx = dev.channel_by_name("rx").unwrap_or(1);
//! let buf = dev.alloc(rx, 65536)?;
//! let t = dev.submit_recv(rx, buf, 0, 65536, 0)?; // `buf` moved into the transfer
//! // ... other work while the engine writes ...
//! let (done, buf) = t.wait(None)?; // over: the buffer is back
//! println!("{:?}", &buf.as_slice()[..done.bytes as usize]);
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! Several transfers in flight on the same buffers use [`SharedBuffer`]s (no CPU access),
//! collect completions with [`Device::reap`] and keep the transfers in an [`InFlight`]
//! until their completions hand the buffers back:
//!
//! ```no_run
//! # let dev = axidma::Device::open_default()?;
//! # let chan = 0;
//! let src = dev.alloc(chan, 4096)?.into_shared();
//! let dst = dev.alloc(chan, 4096)?.into_shared();
//! let mut inflight = axidma::InFlight::with_capacity(4);
//! for i in 0..4 {
//!     inflight.push(dev.submit_memcpy(chan, dst.clone(), 0, src.clone(), 0, 4096, i)?);
//! }
//! while !inflight.is_empty() {
//!     let (done, _) = dev.reap(4, 1, None)?;
//!     for c in &done {
//!         let _buffers = inflight.finish(c); // no system call
//!     }
//! }
//! let dst = dst.try_into_buffer().expect("no transfer holds it any more");
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! No `unsafe` is needed to use this crate.
//!
//! # Soundness
//!
//! The DMA engine reads and writes buffer memory behind the compiler's back. Safe code must
//! never hold a slice of memory the engine may still write (a data race, and a `&[u8]`
//! whose bytes change under it), nor write memory the engine may still read. The rule the
//! crate keeps: **a buffer's bytes are reachable only through a [`Buffer`] or a [`Ring`]'s
//! slot, and neither exists, nor can be used, while a transfer may access that memory** —
//! whatever safe code does, `mem::forget` included (leaking is safe in Rust, so no
//! guarantee may rest on a destructor running).
//!
//! - **Blocking calls** ([`Device::memcpy`], [`send`](Device::send),
//!   [`recv`](Device::recv), [`loopback`](Device::loopback),
//!   [`kernel_bench`](Device::kernel_bench)) borrow their buffers, `&Buffer` for what the
//!   engine reads and `&mut Buffer` for what it writes, and return only when the DMA is over.
//!   Nothing can forget a borrow a running call holds. The driver's wait is interruptible: a
//!   signal makes it return `EINTR` with the transfer still running, so the crate then waits
//!   for it by id (restarting after every signal; a timeout makes the driver stop the
//!   transfer) before returning. [`Device::loopback`] is two non-blocking transfers for that
//!   reason: the driver's `XFER_LOOPBACK` reports only the receive's id after a signal.
//! - **Non-blocking transfers own their buffers.** `submit_*` moves the handles into the
//!   [`Transfer`], which has no lifetime and hands them back only once the transfer is over:
//!   from [`Transfer::wait`], or from [`Transfer::finish`] with the transfer's
//!   [`Completion`], which only [`Device::reap`] can make (and which names its open file:
//!   transfer ids are unique per file). Forgetting a `Transfer` forgets its handles: the
//!   memory stays mapped and unreachable. There is no borrow that forgetting could end.
//!   Dropping a `Transfer` waits for it, as before, but soundness does not depend on that.
//! - **[`SharedBuffer`]** is a clonable handle (an `Arc` of the mapping) for several transfers
//!   at once, e.g. a pipeline of copies between the same two buffers. It gives no access to
//!   the bytes. [`SharedBuffer::try_into_buffer`] gives a [`Buffer`] back only when it is the
//!   last handle, so a clone held by a forgotten transfer keeps the memory out of reach for
//!   good. A [`Buffer`] is never `Clone`: while one exists, no transfer holds its mapping.
//! - **Handles keep the file open.** Every buffer (hence every transfer and ring) holds an
//!   `Arc` of the open file, so no id outlives the file that gave it. The file is closed when
//!   the last handle goes; the driver stops a closing file's transfers before it frees their
//!   buffers.
//! - **Dropping a buffer while the engine may use it is fine**: the mapping goes first, then
//!   the id (`FREE`); the driver keeps the memory until the transfer ends, and the unmapped
//!   addresses are never that memory again. That is what happens to the buffers of a
//!   transfer whose end the crate cannot establish (the driver answering outside its ABI):
//!   [`Transfer::wait`] then returns [`Failed`] without them, and a blocking call aborts the
//!   process rather than return and end its borrows.
//! - **Buffers are checked against the device they are used on** (`EINVAL` otherwise): ids
//!   are per open file, and another file's id could name one of this file's buffers that
//!   safe code is reading.
//! - **Rings** own their buffer and lend out one slot at a time: [`Ring::data`] an rx slot the
//!   driver reported reaped and not queued since, [`Ring::next_slot`] a tx slot never queued
//!   or reaped since. Which slots those are is tracked from the slot numbers the driver
//!   returns, not from assumptions about its order, and the slices borrow the ring, so
//!   [`Ring::release`] / [`Ring::send`] (which hand slots to the engine) cannot run while one
//!   is alive. A slice is only ever made of the slot itself, never of the whole buffer
//!   (which would cover slots the engine is writing). Forgetting a `Ring` leaks its buffer
//!   and leaves the stream running until the file is closed; no slot is reachable.
//!
//! Outside the guarantee: `unsafe` code, e.g. ioctls on [`Device`]'s raw descriptor, or
//! mapping it again.
//!
//! ```compile_fail,E0382
//! # let dev = axidma::Device::open_default()?;
//! let buf = dev.alloc(0, 4096)?;
//! let t = dev.submit_recv(0, buf, 0, 4096, 0)?;
//! std::mem::forget(t); // leaks the transfer, and the buffer with it
//! let _ = buf.as_slice(); // error: `buf` was moved into the transfer
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! ```compile_fail,E0599
//! # let dev = axidma::Device::open_default()?;
//! let buf = dev.alloc(0, 4096)?.into_shared();
//! let _ = buf.as_slice(); // error: a SharedBuffer has no access to the bytes
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! ```compile_fail,E0599
//! # let dev = axidma::Device::open_default()?;
//! let buf = dev.alloc(0, 4096)?;
//! let copy = buf.clone(); // error: a Buffer is the one handle with CPU access
//! # Ok::<(), axidma::Error>(())
//! ```
//!
//! ```compile_fail,E0502
//! # let dev = axidma::Device::open_default()?;
//! let mut ring = dev.ring(1, axidma::RingDir::Rx, 4, 4096, false)?;
//! let done = ring.reap(4, 1, None)?;
//! let data = ring.data(&done[0]).unwrap();
//! ring.release(1)?; // error: the slot would go back to the engine while `data` is read
//! println!("{}", data.len());
//! # Ok::<(), axidma::Error>(())
//! ```

#![deny(missing_docs)]

pub mod abi;
mod batch;
mod blocking;
mod buffer;
mod device;
mod error;
mod inflight;
mod ring;
mod transfer;

pub use batch::{Batch, BatchBufs, Submission, BATCH_MAX};
pub use buffer::{Buffer, DmaBuf, SharedBuffer};
pub use device::{Channel, Device, DEFAULT_DEVICE};
pub use error::{Error, Failed, Result};
pub use inflight::InFlight;
pub use ring::{Ring, RingDir};
pub use transfer::{Completion, Done, Submitted, Transfer};
