//! The crate's error type.

use std::{fmt, io};

/// An error from the driver or the system, with the operation that failed.
#[derive(Debug)]
pub struct Error {
    /// What was being done.
    pub op: &'static str,
    /// The system error (its `raw_os_error()` is the errno).
    pub source: io::Error,
}

impl Error {
    pub(crate) fn last(op: &'static str) -> Self {
        Self { op, source: io::Error::last_os_error() }
    }
    pub(crate) fn errno(op: &'static str, e: i32) -> Self {
        Self { op, source: io::Error::from_raw_os_error(e) }
    }
    /// The errno value, if the error came from the system.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.source)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
