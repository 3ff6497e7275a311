// SPDX-License-Identifier: GPL-2.0

//! Completion targets: what a descriptor's callback reports to, and the accounting of the
//! references its callbacks own (see the parent module's "Callbacks and quiescence").

use kernel::{
    ffi::c_void,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
    },
};

use super::{
    Quiet,
    TxResult, //
};
use crate::ffi;

/// How many references to a [`Completion`] target its descriptors' callbacks still own:
/// one per submitted descriptor whose callback has not given its reference back yet.
/// Embedded in the target; managed by this module only.
///
/// A count, not a flag: a target may be submitted again as soon as its `complete` ran
/// (the bare benchmark path reuses its targets), while the previous callback is still on
/// its way to giving its reference back on another CPU. With a flag, that callback would
/// clear the new submission's mark and the new one's callback would then keep its
/// reference forever (seen as leaked targets under kmemleak on the 4-CPU guest).
pub(crate) struct CallbackRef(pub(super) Atomic<u32>);

impl CallbackRef {
    /// A target not yet submitted.
    pub(crate) const fn new() -> Self {
        Self(Atomic::new(0))
    }

    /// Takes one reference back if one is out; returns whether it did.
    pub(super) fn take_one(&self) -> bool {
        let mut v = self.0.load(Relaxed);
        while v > 0 {
            match self.0.cmpxchg(v, v - 1, Relaxed) {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
        false
    }
}

/// The target of a descriptor's completion callback.
///
/// `complete` runs in atomic context (tasklet or hard IRQ): it must not sleep, allocate
/// with `GFP_KERNEL`, take a mutex or free DMA memory.
pub(crate) trait Completion: Send + Sync + Sized {
    /// The descriptor ended with `result`; `residue` bytes were not transferred.
    fn complete(&self, result: TxResult, residue: u32);
    /// The flag this module uses to track the callback's reference.
    fn callback_ref(&self) -> &CallbackRef;
}

/// The completion callback, called by the provider in atomic context.
///
/// # Safety
///
/// `param` must be a pointer made by `Arc::<T>::into_raw` in [`Descriptor::submit`], and
/// `result` a valid `struct dmaengine_result` for the call.
pub(super) unsafe extern "C" fn callback<T: Completion>(
    param: *mut c_void,
    result: *const ffi::DmaengineResult,
) {
    // SAFETY: `result` is valid for the call (the function's safety requirement).
    let (code, residue) = unsafe {
        (
            ffi::axi_dma_shim_result_code(result),
            ffi::axi_dma_shim_result_residue(result),
        )
    };
    let p = param.cast_const().cast::<T>();
    // SAFETY: `param` is a reference owned by this callback, so the target is alive until
    // we give the reference back below.
    let target = unsafe { &*p };
    target.complete(TxResult::from_raw(code), residue);
    if target.callback_ref().take_one() {
        // SAFETY: `submit` counted a reference for this descriptor, and only this callback
        // or `reclaim` (with a `Quiet` proof, i.e. never while a callback runs) take one:
        // each is given back exactly once. `Completion` targets free no DMA memory on drop,
        // so dropping in atomic context is fine.
        drop(unsafe { Arc::from_raw(p) });
    }
}

/// Gives back the callback's reference of `target` if the callback did not run.
///
/// `_quiet` proves that no callback of the channel `target` was submitted to runs any
/// more, so the count cannot change under us.
pub(crate) fn reclaim_callback_ref<T: Completion>(target: &Arc<T>, _quiet: &Quiet) {
    let n = target.callback_ref().0.xchg(0, Relaxed);
    for _ in 0..n {
        // SAFETY: `submit` counted these references and no callback runs any more
        // (`Quiet`), so we own each of them (made with `Arc::into_raw` of `target`).
        drop(unsafe { Arc::from_raw(Arc::as_ptr(target)) });
    }
}
