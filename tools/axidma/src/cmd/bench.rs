//! `axidma bench`: throughput, system calls and CPU time per transfer, from user space and
//! in the kernel, against the floor: the bare dmaengine path (`KBENCH_BARE`) on the same
//! channel, buffers, size and depth, measured in the same run.

use crate::util::{
    dmabuf_sync, fill_pattern, heap_buffer, parse_size, pick_channel, Args, Res, DMA_BUF_SYNC_END, DMA_BUF_SYNC_READ,
    DMA_BUF_SYNC_START, DMA_BUF_SYNC_WRITE, PIECE,
};
use axidma::{abi, Batch, Buffer, Device, InFlight, SharedBuffer};
use std::{
    collections::HashMap,
    os::fd::AsFd,
    time::Instant,
};

struct BenchRow {
    size: u64,
    mode: String,
    depth: u32,
    iters: u64,
    secs: f64,
    /// Seconds the floor (bare dmaengine path, same size and depth) took for the same work.
    floor_secs: f64,
    /// Seconds the driver's in-kernel loop (same size and depth) took.
    kernel_secs: f64,
    /// System calls made.
    calls: u64,
    /// User + system CPU time of the process.
    cpu_secs: f64,
}

/// User + system CPU time this process has used so far.
fn cpu_now() -> f64 {
    // SAFETY: `getrusage` writes only into `ru`, a valid local.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: As above; RUSAGE_SELF is always valid.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Wall time, CPU time and system calls of one measured run.
struct Run {
    secs: f64,
    cpu_secs: f64,
    calls: u64,
}

fn measure(f: impl FnOnce() -> Res<u64>) -> Res<Run> {
    let (c0, t) = (cpu_now(), Instant::now());
    let calls = f()?;
    Ok(Run { secs: t.elapsed().as_secs_f64(), cpu_secs: cpu_now() - c0, calls })
}

/// `depth` memcpys in flight from user space, refilled as completions are reaped (one
/// XFER per transfer, one REAP per round). Each transfer owns a handle to both buffers
/// until its reaped completion hands them back (no system call).
pub(super) fn pipelined(dev: &Device, ch: u32, dst: &SharedBuffer, src: &SharedBuffer, size: u64, n: u64, depth: u32) -> Res<u64> {
    let (mut sent, mut done, mut calls) = (0u64, 0u64, 0u64);
    let mut inflight = InFlight::with_capacity(depth as usize);
    while done < n {
        while sent < n && sent - done < u64::from(depth) {
            let x = dev.submit_memcpy(ch, dst.clone(), 0, src.clone(), 0, size, sent).map_err(|e| e.to_string())?;
            inflight.push(x);
            sent += 1;
            calls += 1;
        }
        let (c, _) = dev.reap(depth, 1, None).map_err(|e| e.to_string())?;
        calls += 1;
        for c in &c {
            drop(inflight.finish(c));
        }
        if let Some(bad) = c.iter().find(|c| c.error != 0) {
            return Err(format!("transfer failed: errno {}", -bad.error));
        }
        done += c.len() as u64;
    }
    Ok(calls)
}

/// Batched: one SUBMIT per round submits as many memcpys as there is room for (`depth` at
/// first, then as many as completed) and collects the completions in the same call.
pub(super) fn batched(dev: &Device, ch: u32, dst: &SharedBuffer, src: &SharedBuffer, size: u64, n: u64, depth: u32) -> Res<u64> {
    let (mut sent, mut done, mut calls) = (0u64, 0u64, 0u64);
    let mut inflight = InFlight::with_capacity(depth as usize);
    while done < n {
        let room = (u64::from(depth) - (sent - done)).min(n - sent);
        // CAST: room <= depth <= 64.
        let mut batch = Batch::with_capacity(room as usize);
        for i in 0..room {
            batch.memcpy(ch, dst, 0, src, 0, size, sent + i);
        }
        let pending = sent - done + room;
        let s = if batch.is_empty() {
            // Everything is in flight: only collect.
            let (c, p) = dev.reap(depth, 1, None).map_err(|e| e.to_string())?;
            axidma::Submission { transfers: vec![], refused: None, completions: c, pending: p }
        } else {
            // CAST: pending <= depth <= 64.
            dev.submit_batch(batch, Some((depth, 1.min(pending as u32), None))).map_err(|e| e.to_string())?
        };
        calls += 1;
        if let Some((e, _)) = s.refused {
            return Err(format!("batch refused: {e}"));
        }
        sent += s.transfers.len() as u64;
        for t in s.transfers {
            inflight.push(t);
        }
        for c in &s.completions {
            if c.error != 0 {
                return Err(format!("transfer failed: errno {}", -c.error));
            }
            drop(inflight.finish(c));
        }
        done += s.completions.len() as u64;
    }
    Ok(calls)
}

fn parse_list<T: std::str::FromStr>(s: &str, what: &str) -> Res<Vec<T>> {
    s.split(',').filter(|d| !d.is_empty()).map(|d| d.parse().map_err(|_| format!("bad {what} '{d}'"))).collect()
}

pub fn cmd_bench(dev: &Device, mut a: Args) -> Res<()> {
    let chan = a.opt(&["-c"])?;
    let sizes = a.opt(&["--sizes"])?.unwrap_or_else(|| "64,4k,64k,1M".into());
    let depths = a.opt(&["--depths"])?.or(a.opt(&["--depth"])?).unwrap_or_else(|| "1,2,4,8".into());
    let batches = a.opt(&["--batch"])?.unwrap_or_else(|| "1,4,8,32".into());
    let iters: u64 = a.opt(&["--iters"])?.map_or(Ok(0), |d| d.parse()).map_err(|_| "bad --iters")?;
    let loopback = a.flag(&["--loopback"]);
    let memory = a.flag(&["--memory"]);
    let csv = a.flag(&["--csv"]);
    let json = a.flag(&["--json"]);
    a.done()?;
    let sizes: Vec<u64> = sizes.split(',').map(parse_size).collect::<Res<_>>()?;
    let depths: Vec<u32> = parse_list(&depths, "depth")?;
    let batches: Vec<u32> = parse_list(&batches, "batch")?;
    if let Some(d) = depths.iter().chain(&batches).find(|&&d| d == 0 || d > 32) {
        return Err(format!("depth {d} out of range (1..32)"));
    }
    let rows = if memory {
        let ch = pick_channel(dev, chan.as_deref(), |c| c.can_memcpy(), "memcpy")?;
        bench_memory(dev, ch, &sizes, iters, csv || json)?
    } else if loopback {
        let tx = pick_channel(dev, chan.as_deref(), |c| c.can_send() && c.pair.is_some(), "loopback (tx with a pair)")?;
        bench_loopback(dev, tx, &sizes, iters, csv || json)?
    } else {
        let ch = pick_channel(dev, chan.as_deref(), |c| c.can_memcpy(), "memcpy")?;
        bench_memcpy(dev, ch, &sizes, &depths, &batches, iters, csv || json)?
    };
    // Per-call overhead of the ioctl path alone: a request the driver answers at once.
    let t = Instant::now();
    let calls = 20000u32;
    for _ in 0..calls {
        let _ = dev.status_of(u64::MAX);
    }
    let ioctl_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(calls);
    print_rows(&rows, ioctl_us, csv, json);
    Ok(())
}

fn iterations(iters: u64, size: u64) -> u64 {
    if iters > 0 {
        iters
    } else {
        (256 * 1024 * 1024 / size).clamp(8, 1000)
    }
}

/// The in-kernel loops: (bare floor, driver) seconds for one size and depth.
#[allow(clippy::too_many_arguments)]
fn kernel_pair(
    dev: &Device,
    ch: u32,
    dst: &mut Buffer,
    src: &Buffer,
    size: u64,
    n: u64,
    depth: u32,
    flags: u32,
) -> Res<(Run, Run)> {
    let n32 = u32::try_from(n).map_err(|_| "too many iterations")?;
    let mut one = |f: u32| -> Res<Run> {
        let c0 = cpu_now();
        let (total, _) = dev.kernel_bench_flags(ch, dst, src, size, n32, depth, flags | f).map_err(|e| e.to_string())?;
        Ok(Run { secs: total.as_secs_f64(), cpu_secs: cpu_now() - c0, calls: 1 })
    };
    // The floor first, then ours, then the floor again: the better of the two floors, so a
    // disturbance in one run cannot flatter the ratio.
    let f1 = one(abi::KBENCH_BARE)?;
    let k = one(0)?;
    let f2 = one(abi::KBENCH_BARE)?;
    let floor = if f2.secs < f1.secs { f2 } else { f1 };
    Ok((floor, k))
}

fn row(size: u64, mode: String, depth: u32, iters: u64, r: &Run, floor: &Run, kernel: &Run) -> BenchRow {
    BenchRow {
        size,
        mode,
        depth,
        iters,
        secs: r.secs,
        floor_secs: floor.secs,
        kernel_secs: kernel.secs,
        calls: r.calls,
        cpu_secs: r.cpu_secs,
    }
}

fn bench_memcpy(
    dev: &Device,
    ch: u32,
    sizes: &[u64],
    depths: &[u32],
    batches: &[u32],
    iters: u64,
    quiet: bool,
) -> Res<Vec<BenchRow>> {
    let mut rows = vec![];
    let mut all_depths: Vec<u32> = depths.iter().chain(batches).copied().collect();
    all_depths.sort_unstable();
    all_depths.dedup();
    for (k, &size) in sizes.iter().enumerate() {
        let n = iterations(iters, size);
        let mut src = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let mut kernel = HashMap::new();
        for &d in std::iter::once(&1).chain(&all_depths) {
            if let std::collections::hash_map::Entry::Vacant(e) = kernel.entry(d) {
                e.insert(kernel_pair(dev, ch, &mut dst, &src, size, n, d, 0)?);
            }
        }
        let (f1, k1) = &kernel[&1];
        rows.push(row(size, "floor".into(), 1, n, f1, f1, k1));
        rows.push(row(size, "kernel".into(), 1, n, k1, f1, k1));
        // Blocking round trips: one XFER ioctl (submit + wait) per transfer.
        let r = measure(|| {
            for _ in 0..n {
                dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(|e| e.to_string())?;
            }
            Ok(n)
        })?;
        rows.push(row(size, "blocking".into(), 1, n, &r, f1, k1));
        // The copying alternative: data lives in ordinary memory and is copied into the
        // DMA buffer before, and out of it after, every transfer.
        let (mut heap_in, mut heap_out) = (vec![0u8; size as usize], vec![0u8; size as usize]);
        fill_pattern(&mut heap_in, size);
        let mut src_w = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let r = measure(|| {
            for _ in 0..n {
                src_w.as_mut_slice().copy_from_slice(&heap_in);
                dev.memcpy(ch, &mut dst, 0, &src_w, 0, size, None).map_err(|e| e.to_string())?;
                heap_out.copy_from_slice(dst.as_slice());
            }
            Ok(n)
        })?;
        rows.push(row(size, "copy-in/out".into(), 1, n, &r, f1, k1));
        drop(src_w);
        for &d in &all_depths {
            let (fd, kd) = &kernel[&d];
            if d != 1 {
                rows.push(row(size, format!("kernel-d{d}"), d, n, kd, fd, kd));
            }
            let (src_s, dst_s) = (src.into_shared(), dst.into_shared());
            let mut res = vec![];
            if depths.contains(&d) {
                res.push((format!("depth{d}"), measure(|| pipelined(dev, ch, &dst_s, &src_s, size, n, d))?));
            }
            if batches.contains(&d) {
                res.push((format!("batch{d}"), measure(|| batched(dev, ch, &dst_s, &src_s, size, n, d))?));
            }
            // Every transfer handed its handles back (or was dropped, which waits for it).
            src = src_s.try_into_buffer().map_err(|_| "source buffer still in a transfer")?;
            dst = dst_s.try_into_buffer().map_err(|_| "destination buffer still in a transfer")?;
            for (mode, r) in res {
                rows.push(row(size, mode, d, n, &r, fd, kd));
            }
        }
        if !quiet {
            eprint!("\r[{}/{}] {} bytes done   ", k + 1, sizes.len(), size);
        }
    }
    if !quiet {
        eprintln!();
    }
    Ok(rows)
}

/// Blocking round trips tx -> rx on an engine whose send side loops back to its receive
/// side (the AXI DMA on the project's emulated boards): the bare floor, the driver's
/// in-kernel loop and one LOOPBACK ioctl per round trip.
fn bench_loopback(dev: &Device, tx: u32, sizes: &[u64], iters: u64, quiet: bool) -> Res<Vec<BenchRow>> {
    let rx = dev.channel(tx).map_err(|e| e.to_string())?.pair.ok_or("no pair")?;
    let mut rows = vec![];
    for &size in sizes {
        let n = iterations(iters, size);
        let mut src = dev.alloc(tx, size).map_err(|e| e.to_string())?;
        let mut dst = dev.alloc(rx, size).map_err(|e| e.to_string())?;
        fill_pattern(src.as_mut_slice(), size);
        let (f, k) = kernel_pair(dev, tx, &mut dst, &src, size, n, 1, abi::KBENCH_LOOPBACK)?;
        rows.push(row(size, "floor".into(), 1, n, &f, &f, &k));
        rows.push(row(size, "kernel".into(), 1, n, &k, &f, &k));
        let r = measure(|| {
            for _ in 0..n {
                let got = dev.loopback(tx, &src, 0, rx, &mut dst, 0, size, None).map_err(|e| e.to_string())?;
                if got != size {
                    return Err(format!("loopback moved {got} of {size} bytes"));
                }
            }
            Ok(n)
        })?;
        if dst.as_slice() != src.as_slice() {
            return Err("loopback data differs".into());
        }
        rows.push(row(size, "blocking".into(), 1, n, &r, &f, &k));
        if !quiet {
            eprint!("\r{size} bytes done   ");
        }
    }
    if !quiet {
        eprintln!();
    }
    Ok(rows)
}

/// One blocking copy of `size` bytes from `src` to `dst` in transfers of at most `piece`.
fn copy_pieces(dev: &Device, ch: u32, dst: &SharedBuffer, src: &SharedBuffer, size: u64, piece: u64) -> Res<()> {
    for off in (0..size).step_by(piece as usize) {
        let len = piece.min(size - off);
        let x = dev.submit_memcpy(ch, dst.clone(), off, src.clone(), off, len, 0).map_err(|f| f.error.to_string())?;
        x.wait(None).map_err(|f| f.error.to_string())?;
    }
    Ok(())
}

/// Where the memory comes from (issue #17): blocking copies of `size` bytes between two
/// buffers of each kind, with the hand-overs a correct program makes: the driver's coherent
/// buffers (one transfer, nothing to hand over), this process's registered memory (pieces
/// of 32 pages, `SYNC` around each copy) and imported system-heap dma-bufs (pieces,
/// `DMA_BUF_IOCTL_SYNC` around each copy). Every row against the same bare floor (coherent
/// buffers, one transfer), so their ratios compare directly.
fn bench_memory(dev: &Device, ch: u32, sizes: &[u64], iters: u64, quiet: bool) -> Res<Vec<BenchRow>> {
    let e = |e: axidma::Error| e.to_string();
    let mut rows = vec![];
    for &size in sizes {
        let n = iterations(iters, size);
        let pieces = size.div_ceil(PIECE);
        let mut src = dev.alloc(ch, size).map_err(e)?;
        let mut dst = dev.alloc(ch, size).map_err(e)?;
        fill_pattern(src.as_mut_slice(), size);
        let (f, k) = kernel_pair(dev, ch, &mut dst, &src, size, n, 1, 0)?;
        rows.push(row(size, "floor".into(), 1, n, &f, &f, &k));
        let r = measure(|| {
            for _ in 0..n {
                dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(e)?;
            }
            Ok(n)
        })?;
        rows.push(row(size, "coherent".into(), 1, n, &r, &f, &k));
        drop((src, dst));
        // Registered memory of this process.
        let mut us = dev.alloc_user(ch, size, abi::REGISTER_TO_DEVICE).map_err(e)?;
        fill_pattern(us.as_mut_slice(), size);
        let mut bufs = Some((us, dev.alloc_user(ch, size, abi::REGISTER_FROM_DEVICE).map_err(e)?));
        let r = measure(|| {
            for _ in 0..n {
                let (s, d) = bufs.take().ok_or("buffers lost")?;
                // The source handed over after the CPU's writes, the destination both ways
                // around the DMA.
                s.sync_for_device(0, size).map_err(e)?;
                d.sync_for_device(0, size).map_err(e)?;
                let (s, d) = (s.into_shared(), d.into_shared());
                copy_pieces(dev, ch, &d, &s, size, PIECE)?;
                let s = s.try_into_buffer().map_err(|_| "source still in a transfer")?;
                let d = d.try_into_buffer().map_err(|_| "destination still in a transfer")?;
                d.sync_for_cpu(0, size).map_err(e)?;
                bufs = Some((s, d));
            }
            // Three SYNCs, and a submission and a wait per piece.
            Ok(n * (3 + 2 * pieces))
        })?;
        drop(bufs);
        rows.push(row(size, "user".into(), 1, n, &r, &f, &k));
        // Imported system-heap dma-bufs.
        let (sfd, sp, sl) = heap_buffer("system", size)?;
        let (dfd, dp, dl) = heap_buffer("system", size)?;
        let r = (|| -> Res<Run> {
            let hs = dev.import(ch, sfd.as_fd(), abi::IMPORT_TO_DEVICE).map_err(e)?;
            let hd = dev.import(ch, dfd.as_fd(), abi::IMPORT_FROM_DEVICE).map_err(e)?;
            measure(|| {
                for _ in 0..n {
                    dmabuf_sync(&sfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)?;
                    copy_pieces(dev, ch, &hd, &hs, size, PIECE)?;
                    dmabuf_sync(&dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)?;
                    dmabuf_sync(&dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)?;
                }
                Ok(n * (3 + 2 * pieces))
            })
        })();
        // SAFETY: Our mappings, unmapped once; the imports hold the dma-bufs.
        unsafe {
            libc::munmap(sp.cast(), sl);
            libc::munmap(dp.cast(), dl);
        }
        rows.push(row(size, "heap".into(), 1, n, &r?, &f, &k));
        if !quiet {
            eprint!("\r{size} bytes done   ");
        }
    }
    if !quiet {
        eprintln!();
    }
    Ok(rows)
}

fn print_rows(rows: &[BenchRow], ioctl_us: f64, csv: bool, json: bool) {
    if csv {
        println!("size,mode,depth,iterations,seconds,mb_per_s,transfers_per_s,us_per_transfer,ratio_to_floor,ratio_to_kernel,syscalls_per_transfer,cpu_ms_per_mb");
    } else if json {
        println!("{{\"ioctl_us\": {ioctl_us:.3}, \"rows\": [");
    } else {
        println!(
            "{:>9} {:>12} {:>6} {:>10} {:>11} {:>9} {:>9} {:>10} {:>10}",
            "size", "mode", "iters", "MB/s", "us/transfer", "vs floor", "vs kernel", "calls/xfer", "cpu ms/MB"
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let mb = (r.size * r.iters) as f64 / 1e6;
        let mbps = mb / r.secs;
        let tps = r.iters as f64 / r.secs;
        let us = r.secs * 1e6 / r.iters as f64;
        let (rf, rk) = (r.floor_secs / r.secs, r.kernel_secs / r.secs);
        let calls = r.calls as f64 / r.iters as f64;
        let cpu = r.cpu_secs * 1e3 / mb;
        if csv {
            println!(
                "{},{},{},{},{:.6},{:.3},{:.1},{:.2},{:.3},{:.3},{:.3},{:.3}",
                r.size, r.mode, r.depth, r.iters, r.secs, mbps, tps, us, rf, rk, calls, cpu
            );
        } else if json {
            let comma = if i + 1 < rows.len() { "," } else { "" };
            println!(
                "  {{\"size\": {}, \"mode\": \"{}\", \"depth\": {}, \"iterations\": {}, \"seconds\": {:.6}, \"mb_per_s\": {:.3}, \"transfers_per_s\": {:.1}, \"us_per_transfer\": {:.2}, \"ratio_to_floor\": {:.3}, \"ratio_to_kernel\": {:.3}, \"syscalls_per_transfer\": {:.3}, \"cpu_ms_per_mb\": {:.3}}}{comma}",
                r.size, r.mode, r.depth, r.iters, r.secs, mbps, tps, us, rf, rk, calls, cpu
            );
        } else {
            println!(
                "{:>9} {:>12} {:>6} {:>10.1} {:>11.2} {:>9.3} {:>9.3} {:>10.3} {:>10.2}",
                r.size, r.mode, r.iters, mbps, us, rf, rk, calls, cpu
            );
        }
    }
    if json {
        println!("]}}");
    } else if !csv {
        println!("ioctl round trip (no DMA): {ioctl_us:.2} us");
    }
}
