//! What every subcommand shares: argument parsing, channel choice, data in and out.

use axidma::{Buffer, Device};
use std::{
    fs::File,
    io::{Read, Write},
    time::Duration,
};

pub type Res<T> = Result<T, String>;

pub fn parse_size(s: &str) -> Res<u64> {
    let (num, mul) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1024),
        Some('m' | 'M') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("bad size '{s}' (examples: 4096, 4k, 1M)"))?;
    n.checked_mul(mul).filter(|&v| v > 0).ok_or_else(|| format!("bad size '{s}'"))
}

pub struct Args {
    pub v: Vec<String>,
}

impl Args {
    pub fn flag(&mut self, names: &[&str]) -> bool {
        if let Some(i) = self.v.iter().position(|a| names.contains(&a.as_str())) {
            self.v.remove(i);
            true
        } else {
            false
        }
    }
    pub fn opt(&mut self, names: &[&str]) -> Res<Option<String>> {
        if let Some(i) = self.v.iter().position(|a| names.contains(&a.as_str())) {
            if i + 1 >= self.v.len() {
                return Err(format!("{} needs a value", self.v[i]));
            }
            let val = self.v.remove(i + 1);
            self.v.remove(i);
            Ok(Some(val))
        } else {
            Ok(None)
        }
    }
    pub fn positional(&mut self, what: &str) -> Res<String> {
        if self.v.is_empty() || self.v[0].starts_with('-') {
            return Err(format!("missing {what}"));
        }
        Ok(self.v.remove(0))
    }
    pub fn done(&self) -> Res<()> {
        match self.v.first() {
            Some(a) => Err(format!("unexpected argument '{a}' (see --help)")),
            None => Ok(()),
        }
    }
}

pub fn pick_channel(dev: &Device, want: Option<&str>, fits: impl Fn(&axidma::Channel) -> bool, what: &str) -> Res<u32> {
    let chans = dev.channels().map_err(|e| e.to_string())?;
    match want {
        Some(w) => {
            let c = chans
                .iter()
                .find(|c| c.name == w || c.index.to_string() == w)
                .ok_or_else(|| format!("no channel '{w}' on {} (see `axidma info`)", dev.path().display()))?;
            if !fits(c) {
                return Err(format!("channel '{}' cannot {what}", c.name));
            }
            Ok(c.index)
        }
        None => chans
            .iter()
            .find(|c| fits(c))
            .map(|c| c.index)
            .ok_or_else(|| format!("no channel of {} can {what}", dev.path().display())),
    }
}

pub fn fill_pattern(b: &mut [u8], seed: u64) {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    for chunk in b.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

pub fn load_input(buf: &mut Buffer, input: Option<&str>) -> Res<()> {
    match input {
        Some(path) => {
            let mut f = File::open(path).map_err(|e| format!("{path}: {e}"))?;
            let n = buf.len();
            f.read_exact(&mut buf.as_mut_slice()[..n])
                .map_err(|e| format!("{path}: need {n} bytes: {e}"))
        }
        None => {
            fill_pattern(buf.as_mut_slice(), 42);
            Ok(())
        }
    }
}

pub fn save_output(data: &[u8], output: Option<&str>) -> Res<()> {
    if let Some(path) = output {
        let mut f = File::create(path).map_err(|e| format!("{path}: {e}"))?;
        f.write_all(data).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

pub fn rate(bytes: u64, d: Duration) -> String {
    format!("{:.1} MB/s", bytes as f64 / d.as_secs_f64().max(1e-9) / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("2M"), Ok(2 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999999999M").is_err());
    }

    #[test]
    fn options_are_taken_out_of_the_arguments() {
        let mut a = Args { v: ["1M", "-c", "tx", "--verify"].map(String::from).to_vec() };
        assert!(a.flag(&["--verify"]));
        assert_eq!(a.opt(&["-c"]).unwrap().as_deref(), Some("tx"));
        assert_eq!(a.positional("SIZE").unwrap(), "1M");
        assert!(a.done().is_ok());
        let mut b = Args { v: vec!["-c".into()] };
        assert!(b.opt(&["-c"]).is_err());
    }

    #[test]
    fn pattern_is_deterministic() {
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        fill_pattern(&mut x, 1);
        fill_pattern(&mut y, 1);
        assert_eq!(x, y);
        fill_pattern(&mut y, 2);
        assert_ne!(x, y);
    }
}

/// Largest piece of one transfer on scattered memory (registered or imported): 32 pages
/// span at most 64 DMA runs (`AXI_DMA_REGISTER_MAX_RUNS`) on both sides together.
pub const PIECE: u64 = 32 * 4096;

/// `struct dma_buf_sync` flags (<linux/dma-buf.h>).
pub const DMA_BUF_SYNC_READ: u64 = 1;
pub const DMA_BUF_SYNC_WRITE: u64 = 2;
pub const DMA_BUF_SYNC_START: u64 = 0;
pub const DMA_BUF_SYNC_END: u64 = 4;

/// `DMA_BUF_IOCTL_SYNC` (`_IOW('b', 0, struct dma_buf_sync)`) with `flags` on dma-buf `fd`.
pub fn dmabuf_sync(fd: &std::os::fd::OwnedFd, flags: u64) -> Res<()> {
    use std::os::fd::AsRawFd;
    let req: u64 = (1 << 30) | (8 << 16) | ((b'b' as u64) << 8);
    // SAFETY: `flags` is a valid `struct dma_buf_sync` for the call.
    if unsafe { libc::ioctl(fd.as_raw_fd(), req as _, &flags) } < 0 {
        return Err(format!("DMA_BUF_IOCTL_SYNC: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

/// A buffer of `size` bytes (rounded up to pages) from the DMA heap `/dev/dma_heap/HEAP`,
/// mapped: (dma-buf fd, mapping, length). The caller unmaps it.
pub fn heap_buffer(heap: &str, size: u64) -> Res<(std::os::fd::OwnedFd, *mut u8, usize)> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    /// `struct dma_heap_allocation_data` (<linux/dma-heap.h>).
    #[repr(C)]
    struct HeapAlloc {
        len: u64,
        fd: u32,
        fd_flags: u32,
        heap_flags: u64,
    }
    let path = format!("/dev/dma_heap/{heap}");
    let h = File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let len = (size + 4095) & !4095;
    let mut a = HeapAlloc { len, fd: 0, fd_flags: (libc::O_RDWR | libc::O_CLOEXEC) as u32, heap_flags: 0 };
    // DMA_HEAP_IOCTL_ALLOC: _IOWR('H', 0, struct dma_heap_allocation_data).
    let req: u64 = (3 << 30) | (24 << 16) | ((b'H' as u64) << 8);
    // SAFETY: `a` is a valid `struct dma_heap_allocation_data` for the call.
    if unsafe { libc::ioctl(h.as_raw_fd(), req as _, &mut a) } < 0 {
        return Err(format!("{path}: allocate {len} bytes: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: The heap installed this fd for us.
    let fd = unsafe { OwnedFd::from_raw_fd(a.fd as i32) };
    // SAFETY: A new shared mapping of the dma-buf; the caller unmaps it.
    let p = unsafe {
        libc::mmap(std::ptr::null_mut(), len as usize, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd.as_raw_fd(), 0)
    };
    if p == libc::MAP_FAILED {
        return Err(format!("mmap of the heap buffer: {}", std::io::Error::last_os_error()));
    }
    Ok((fd, p.cast(), len as usize))
}
