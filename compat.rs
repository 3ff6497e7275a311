// SPDX-License-Identifier: GPL-2.0

//! What differs between the kernel series the module supports, Linux 7.2 and 7.3.
//!
//! Kbuild sets `cfg(kernel_7_3)` when the kernel being built against is 7.3 or later (from
//! `VERSION` and `PATCHLEVEL` of that kernel's Makefile); nothing else selects a series.
//! Each item here has one form per series and the rest of the driver uses only these
//! items, written against the newer kernel's shape, so no driver logic is duplicated.

/// Declares a module's OF match table and exports it for modpost (the `of:` aliases).
///
/// 7.3's `kernel::of_device_table!` names the exported table itself; 7.2's takes that
/// name as its second argument.
macro_rules! of_device_table {
    ($table:ident, $info:ty, $ids:tt) => {
        #[cfg(kernel_7_3)]
        kernel::of_device_table!($table, $info, $ids);
        #[cfg(not(kernel_7_3))]
        kernel::of_device_table!($table, MODULE_OF_TABLE, $info, $ids);
    };
}
pub(crate) use of_device_table;

/// The value of a module parameter (7.3's `ModuleParamAccess::value` returns a copy, 7.2's
/// a reference).
#[cfg(kernel_7_3)]
pub(crate) fn param<T: Copy>(value: T) -> T {
    value
}

/// The value of a module parameter (7.3's `ModuleParamAccess::value` returns a copy, 7.2's
/// a reference).
#[cfg(not(kernel_7_3))]
pub(crate) fn param<T: Copy>(value: &T) -> T {
    *value
}

/// The DMA address of a coherent allocation (`dma_address()` in 7.3, `dma_handle()` in 7.2).
pub(crate) fn dma_address(mem: &kernel::dma::Coherent<[u8]>) -> kernel::dma::DmaAddress {
    #[cfg(kernel_7_3)]
    return mem.dma_address();
    #[cfg(not(kernel_7_3))]
    return mem.dma_handle();
}

/// `ECANCELED`: a transfer was aborted (cancel, stop, close, unbind). 7.3's
/// `kernel::error::code` declares it; 7.2's does not (asm-generic/errno.h: 125 on arm and
/// arm64), and 7.2's `Error` has no `const` constructor, hence a function.
pub(crate) fn ecanceled() -> kernel::error::Error {
    #[cfg(kernel_7_3)]
    return kernel::error::code::ECANCELED;
    #[cfg(not(kernel_7_3))]
    return kernel::error::Error::from_errno(-125);
}

/// `EOPNOTSUPP`: the channel cannot do what was asked (a direction it lacks). As for
/// [`ecanceled`]: 7.3 declares it, 7.2 does not (95).
pub(crate) fn eopnotsupp() -> kernel::error::Error {
    #[cfg(kernel_7_3)]
    return kernel::error::code::EOPNOTSUPP;
    #[cfg(not(kernel_7_3))]
    return kernel::error::Error::from_errno(-95);
}
