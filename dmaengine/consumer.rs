// SPDX-License-Identifier: GPL-2.0

//! What a dmaengine consumer device needs besides its channels: the names it gives them
//! (`dma-names`) and a device link to each provider.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
};

use crate::ffi;

/// Reads the `dma-names` strings of `dev` (at most `max`, at most 16).
pub(crate) fn dma_names(dev: &Device<Bound>, max: usize) -> Result<KVec<kernel::str::CString>> {
    let mut ptrs: [*const kernel::ffi::c_char; 16] = [core::ptr::null(); 16];
    let n = max.min(ptrs.len());
    // SAFETY: `dev` is valid; `ptrs` has room for `n` pointers; the strings point into the
    // firmware node, which outlives this call (we copy them below).
    let got = unsafe {
        kernel::bindings::device_property_read_string_array(
            ffi::raw_device(dev),
            c"dma-names".as_char_ptr(),
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
        names.push(kernel::str::CString::try_from(s)?, GFP_KERNEL)?;
    }
    Ok(names)
}

/// Makes `consumer` a consumer of `supplier` (`device_link_add()` with
/// `DL_FLAG_AUTOREMOVE_CONSUMER`): the supplier (a DMA provider) cannot be unbound before
/// the consumer was; the link goes when the consumer unbinds.
pub(crate) fn link_consumer(consumer: &Device<Bound>, supplier: &Device<Bound>) -> Result {
    /// `DL_FLAG_AUTOREMOVE_CONSUMER`.
    const DL_FLAG_AUTOREMOVE_CONSUMER: u32 = 1 << 1;
    // SAFETY: Both devices are valid and bound for the call.
    let ok = unsafe {
        ffi::axi_dma_shim_link_consumer(
            ffi::raw_device(consumer),
            ffi::raw_device(supplier),
            DL_FLAG_AUTOREMOVE_CONSUMER,
        )
    };
    if ok {
        Ok(())
    } else {
        Err(EINVAL)
    }
}
