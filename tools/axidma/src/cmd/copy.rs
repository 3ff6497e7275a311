//! `axidma copy`: memory-to-memory DMA, verified on request.

use crate::util::{
    dmabuf_sync, fill_pattern, heap_buffer, load_input, parse_size, pick_channel, rate, save_output, Args, Res,
    DMA_BUF_SYNC_END, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_START, DMA_BUF_SYNC_WRITE, PIECE,
};
use axidma::Device;
use std::fs::File;
use std::io::Read;
use std::os::fd::AsFd;
use std::time::Instant;

/// `copy --import-heap HEAP`: the source is a buffer of the DMA heap `/dev/dma_heap/HEAP`
/// (another driver's memory), filled through its own mapping, imported and copied by the
/// engine into a driver buffer in pieces of 32 pages.
fn copy_from_heap(
    dev: &Device,
    ch: u32,
    size: u64,
    heap: &str,
    input: Option<&str>,
    output: Option<&str>,
    verify: bool,
) -> Res<()> {
    let (fd, p, n) = heap_buffer(heap, size)?;
    // SAFETY: `p` maps `n` bytes for as long as this function runs (unmapped at its end);
    // the engine only reads it while this slice is used read-only.
    let mem = unsafe { std::slice::from_raw_parts_mut(p, n) };
    let r = (|| -> Res<()> {
        dmabuf_sync(&fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE)?;
        match input {
            Some(path) => File::open(path)
                .and_then(|mut f| f.read_exact(&mut mem[..size as usize]))
                .map_err(|e| format!("{path}: {e}"))?,
            None => fill_pattern(mem, 42),
        }
        dmabuf_sync(&fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)?;
        // Both ways although the engine only reads it: the heap's `DMA_BUF_IOCTL_SYNC` below
        // syncs every attachment in the direction asked for (here for reading).
        let src = dev.import(ch, fd.as_fd(), 0).map_err(|e| e.to_string())?;
        let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let mut moved = 0;
        for off in (0..size).step_by(PIECE as usize) {
            let piece = PIECE.min(size - off);
            let x = dev.submit_memcpy(ch, dst, off, src.clone(), off, piece, 0).map_err(|f| f.error.to_string())?;
            let (done, (d, _)) = x.wait(None).map_err(|f| f.error.to_string())?;
            moved += done.bytes;
            dst = d;
        }
        let el = t.elapsed();
        save_output(dst.as_slice(), output)?;
        dmabuf_sync(&fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)?;
        let same = dst.as_slice() == &mem[..size as usize];
        dmabuf_sync(&fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)?;
        let status = if !verify { "" } else if same { ", verified" } else { ", DATA MISMATCH" };
        println!(
            "copied {moved} bytes by DMA from an imported {heap}-heap dma-buf in {:.1} us ({}){status}",
            el.as_secs_f64() * 1e6,
            rate(moved, el)
        );
        if verify && !same {
            return Err("the copy differs from the source".into());
        }
        Ok(())
    })();
    // SAFETY: Our mapping, unmapped once; the import holds the dma-buf for any transfer.
    unsafe { libc::munmap(p.cast(), n) };
    r
}

pub fn cmd_copy(dev: &Device, mut a: Args) -> Res<()> {
    let size = parse_size(&a.positional("SIZE")?)?;
    let chan = a.opt(&["-c"])?;
    let input = a.opt(&["-i"])?;
    let output = a.opt(&["-o"])?;
    let verify = a.flag(&["--verify"]);
    let user = a.flag(&["--user-memory"]);
    let heap = a.opt(&["--import-heap"])?;
    a.done()?;
    let ch = pick_channel(dev, chan.as_deref(), |c| c.can_memcpy(), "memcpy")?;
    if let Some(h) = heap {
        return copy_from_heap(dev, ch, size, &h, input.as_deref(), output.as_deref(), verify);
    }
    let alloc = |dev: &Device| if user { dev.alloc_user(ch, size, 0) } else { dev.alloc(ch, size) };
    let mut src = alloc(dev).map_err(|e| e.to_string())?;
    let mut dst = alloc(dev).map_err(|e| e.to_string())?;
    load_input(&mut src, input.as_deref())?;
    let t = Instant::now();
    let n = if user {
        // This process's own memory, registered: cached, so handed over around the DMA, and
        // possibly scattered, so copied in pieces of 32 pages (at most 64 runs together).
        let e = |e: axidma::Error| e.to_string();
        src.sync_for_device(0, size).map_err(e)?;
        dst.sync_for_device(0, size).map_err(e)?;
        let mut n = 0;
        for off in (0..size).step_by(PIECE as usize) {
            let len = PIECE.min(size - off);
            n += dev.memcpy(ch, &mut dst, off, &src, off, len, None).map_err(e)?;
        }
        dst.sync_for_cpu(0, size).map_err(e)?;
        n
    } else {
        dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(|e| e.to_string())?
    };
    let el = t.elapsed();
    save_output(dst.as_slice(), output.as_deref())?;
    let mut status = String::new();
    if verify {
        status = if src.as_slice() == dst.as_slice() { ", verified".into() } else { ", DATA MISMATCH".into() };
    }
    println!("copied {n} bytes by DMA in {:.1} us ({}){status}", el.as_secs_f64() * 1e6, rate(n, el));
    if status.contains("MISMATCH") {
        return Err("the copy differs from the source".into());
    }
    Ok(())
}
