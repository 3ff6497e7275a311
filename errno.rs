// SPDX-License-Identifier: GPL-2.0

//! Error codes Linux 7.2's `kernel::error::code` does not declare (asm-generic/errno.h, the
//! same on arm and arm64). Functions, because 7.2's `Error` has no `const` constructor.

use kernel::error::Error;

/// `ECANCELED`: a transfer was aborted (cancel, stop, close, unbind).
pub(crate) fn ecanceled() -> Error {
    Error::from_errno(-125)
}

/// `EOPNOTSUPP`: the channel cannot do what was asked (a direction it lacks).
pub(crate) fn eopnotsupp() -> Error {
    Error::from_errno(-95)
}
