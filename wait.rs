// SPDX-License-Identifier: GPL-2.0

//! A wait queue that completion callbacks may wake from atomic context.
//!
//! Linux 7.2's `CondVar` needs a lock shared with the waker, which a DMA callback must not
//! take, and its `Completion` has no timeout. This wraps `struct wait_queue_head` and the
//! `wait_event_*_timeout()` macros: a waiter sleeps until a 32-bit word the waker stores
//! with release ordering reaches (or leaves) a value.
//!
//! # Examples
//!
//! ```ignore
//! // Waker (any context): word.store(DONE, Release); wq.wake_up_all();
//! match wq.wait(&word, Until::Eq(DONE), ms, Sleep::Interruptible) {
//!     WaitResult::Ready => { /* read what the waker published, with Acquire */ }
//!     WaitResult::TimedOut | WaitResult::Interrupted => {}
//! }
//! ```

use kernel::{
    bindings,
    ffi::c_long,
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic, //
    },
    time::msecs_to_jiffies,
    types::Opaque,
};

use crate::ffi;

/// A wait queue head.
///
/// # Invariants
///
/// `inner` is initialised with `init_waitqueue_head()`.
#[pin_data]
pub(crate) struct WaitQueue {
    #[pin]
    inner: Opaque<bindings::wait_queue_head>,
}

// SAFETY: A wait queue head is designed to be used from any thread and context.
unsafe impl Send for WaitQueue {}
// SAFETY: As above; all operations take the queue's internal lock.
unsafe impl Sync for WaitQueue {}

/// Outcome of a wait.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum WaitResult {
    /// The condition became true.
    Ready,
    /// The time ran out.
    TimedOut,
    /// A signal arrived (a fatal one for [`Sleep::Killable`]).
    Interrupted,
}

/// How a wait may be ended early.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Sleep {
    /// By any signal (`TASK_INTERRUPTIBLE`).
    Interruptible,
    /// By a fatal signal only (`TASK_KILLABLE`).
    Killable,
    /// Not at all (`TASK_UNINTERRUPTIBLE`): release paths that must drain.
    Uninterruptible,
}

/// The condition of a wait on a word.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Until {
    /// The word equals the value.
    Eq(u32),
    /// The word differs from the value.
    Ne(u32),
}

impl Until {
    fn holds(self, v: u32) -> bool {
        match self {
            Self::Eq(x) => v == x,
            Self::Ne(x) => v != x,
        }
    }
}

/// Whether the current task was sent a fatal signal (`SIGKILL`): long loops that never
/// sleep (a wait whose condition is already true does not look at signals) check it.
pub(crate) fn fatal_signal_pending() -> bool {
    // SAFETY: Reads the current task's signal state; always valid in process context.
    unsafe { ffi::axi_dma_shim_fatal_signal_pending() }
}

impl WaitQueue {
    /// Creates an initialiser for a wait queue.
    pub(crate) fn new() -> impl PinInit<Self> {
        // SAFETY: A pure function returning `sizeof(struct wait_queue_head)`.
        let c_size = unsafe { ffi::axi_dma_shim_waitqueue_size() };
        debug_assert_eq!(c_size, core::mem::size_of::<bindings::wait_queue_head>());
        // INVARIANT: `init_waitqueue_head` initialises `inner`.
        pin_init!(Self {
            // SAFETY: `slot` is valid for writes and pinned.
            inner <- Opaque::ffi_init(|slot| unsafe { ffi::axi_dma_shim_init_waitqueue(slot) }),
        })
    }

    fn as_raw(&self) -> *mut bindings::wait_queue_head {
        self.inner.get()
    }

    /// Wakes every waiter. Safe in atomic context.
    pub(crate) fn wake_up_all(&self) {
        // SAFETY: `inner` is an initialised wait queue head (type invariant).
        unsafe { ffi::axi_dma_shim_wake_up_all(self.as_raw()) }
    }

    /// Sleeps until `word` satisfies `until`, for at most `ms` milliseconds (at least one
    /// jiffy). On `Ready` an `Acquire` load saw the condition, so what the waker stored
    /// before its `Release` store of the word is visible.
    pub(crate) fn wait(
        &self,
        word: &Atomic<u32>,
        until: Until,
        ms: u32,
        sleep: Sleep,
    ) -> WaitResult {
        let (val, eq) = match until {
            Until::Eq(v) => (v, true),
            Until::Ne(v) => (v, false),
        };
        // A zero timeout would not sleep at all; the macros count in jiffies.
        let j: c_long = c_long::try_from(msecs_to_jiffies(ms))
            .unwrap_or(c_long::MAX)
            .max(1);
        let w = word.as_ptr().cast_const();
        // SAFETY: `inner` is initialised (type invariant) and `word` is valid for the call;
        // the C side only reads it with `READ_ONCE`.
        let r = unsafe {
            match sleep {
                Sleep::Interruptible => {
                    ffi::axi_dma_shim_wait_interruptible(self.as_raw(), w, val, eq, j)
                }
                Sleep::Killable => ffi::axi_dma_shim_wait_killable(self.as_raw(), w, val, eq, j),
                Sleep::Uninterruptible => {
                    ffi::axi_dma_shim_wait_uninterruptible(self.as_raw(), w, val, eq, j)
                }
            }
        };
        // `READ_ONCE` has no acquire semantics: decide on our own `Acquire` load. The
        // condition may also have become true just as the time ran out.
        if until.holds(word.load(Acquire)) {
            WaitResult::Ready
        } else if r < 0 {
            WaitResult::Interrupted
        } else {
            WaitResult::TimedOut
        }
    }

    /// Registers the queue with a `poll()` call.
    ///
    /// # Safety
    ///
    /// `file` and `pt` must be the arguments of the current `poll` file operation, and the
    /// queue must live as long as the file.
    pub(crate) unsafe fn poll_wait(
        &self,
        file: *mut bindings::file,
        pt: *mut bindings::poll_table_struct,
    ) {
        // SAFETY: Guaranteed by the caller.
        unsafe { ffi::axi_dma_shim_poll_wait(file, self.as_raw(), pt) }
    }
}

/// Waits for an RCU grace period: every reader inside `rcu::read_lock()` when this was
/// called has left it on return. Expedited (the other CPUs are interrupted rather than
/// waited for: tens of microseconds instead of the normal grace period's milliseconds),
/// for removals user space asks for and waits on (FREE); a system booted with
/// `rcupdate.rcu_normal=1`, as real-time setups are, gets the normal one. Process context,
/// no lock held.
pub(crate) fn rcu_grace_period() {
    // SAFETY: An FFI call without arguments; it sleeps, which the callers allow (above).
    unsafe { ffi::axi_dma_shim_synchronize_rcu_expedited() };
}
