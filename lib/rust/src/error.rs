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

/// A failed non-blocking call that owned buffers: the error, and the buffers back when the
/// crate knows the engine is done with them.
///
/// `bufs` is `Some` when the submission was refused (nothing started) or the transfer is
/// over (it failed, timed out and was stopped, or was collected by [`Device::reap`]).
/// It is `None` only if the driver answered in a way that leaves open whether the DMA still
/// runs: the buffers are then unmapped and freed (the driver keeps the memory until the
/// transfer ends) instead of being handed back.
///
/// [`Device::reap`]: crate::Device::reap
pub struct Failed<B> {
    /// What went wrong.
    pub error: Error,
    /// The buffers, if they are safe to touch again.
    pub bufs: Option<B>,
}

impl<B> fmt::Debug for Failed<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failed").field("error", &self.error).field("bufs_back", &self.bufs.is_some()).finish()
    }
}

impl<B> fmt::Display for Failed<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl<B> std::error::Error for Failed<B> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<B> From<Failed<B>> for Error {
    /// Keeps the error; the buffers (if any) are dropped.
    fn from(f: Failed<B>) -> Self {
        f.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_reads_like_its_error_and_converts_for_question_mark() {
        let f = Failed { error: Error::errno("transfer", libc::EBUSY), bufs: Some(vec![1u8]) };
        assert_eq!(f.to_string(), "transfer: Device or resource busy (os error 16)");
        assert!(format!("{f:?}").contains("bufs_back: true"));
        let e: Error = f.into();
        assert_eq!(e.raw_os_error(), Some(libc::EBUSY));
    }
}
