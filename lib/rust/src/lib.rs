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
//! Buffers are mapped into the process when allocated and exposed as slices whose lifetime
//! is tied to the mapping. A non-blocking [`Transfer`] borrows its buffers (the destination
//! mutably) until it is waited for or dropped, so the CPU cannot touch memory the DMA
//! engine is writing. No `unsafe` is needed to use this crate.

#![deny(missing_docs)]

pub mod abi;
mod buffer;
mod device;
mod error;
mod ring;
mod transfer;

pub use buffer::Buffer;
pub use device::{Channel, Device, DEFAULT_DEVICE};
pub use error::{Error, Result};
pub use ring::{Ring, RingDir};
pub use transfer::{Done, Transfer};

#[cfg(test)]
mod tests {
    use super::*;
    use device::{cstr, timeout_ms};
    use std::time::Duration;

    #[test]
    fn ioctl_numbers_are_distinct_and_sized() {
        let all = [
            abi::IOC_INFO,
            abi::IOC_CHAN_INFO,
            abi::IOC_ALLOC,
            abi::IOC_FREE,
            abi::IOC_XFER,
            abi::IOC_WAIT,
            abi::IOC_REAP,
            abi::IOC_STATUS,
            abi::IOC_CANCEL,
            abi::IOC_SLAVE_CONFIG,
            abi::IOC_KBENCH,
            abi::IOC_SYNC,
            abi::IOC_STREAM_START,
            abi::IOC_STREAM_PUSH,
            abi::IOC_STREAM_REAP,
            abi::IOC_STREAM_STOP,
        ];
        for (i, a) in all.iter().enumerate() {
            assert_eq!((a >> 8) & 0xff, 0xAD);
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!((abi::IOC_XFER >> 16) & 0x3fff, 80);
    }

    #[test]
    fn timeouts_round_up_and_saturate() {
        assert_eq!(timeout_ms(None), 0);
        assert_eq!(timeout_ms(Some(Duration::from_micros(10))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_secs(3))), 3000);
        assert_eq!(timeout_ms(Some(Duration::from_secs(u64::MAX))), u32::MAX);
    }

    #[test]
    fn names_stop_at_nul() {
        let mut b = [0u8; 32];
        b[..2].copy_from_slice(b"tx");
        assert_eq!(cstr(&b), "tx");
        assert_eq!(cstr(&[b'x'; 4]), "");
    }

    #[test]
    fn open_missing_device_reports_errno() {
        let e = Device::open("/nonexistent/axi-dma9").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
        assert!(e.to_string().starts_with("open: "));
    }
}
