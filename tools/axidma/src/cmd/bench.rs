//! `axidma bench`: memcpy throughput and latency against the in-kernel loop.

use crate::util::{fill_pattern, parse_size, pick_channel, Args, Res};
use axidma::{Buffer, Device, SharedBuffer};
use std::{collections::HashMap, time::Instant};

struct BenchRow {
    size: u64,
    mode: String,
    iters: u64,
    secs: f64,
    /// Seconds the in-kernel baseline took for the same work (same size, depth, count).
    kernel_secs: f64,
}

/// `depth` memcpys in flight from user space, refilled as completions are reaped. Each
/// transfer owns a handle to both buffers until its reaped completion hands them back
/// (no system call): the buffers cannot be touched while any copy may still run.
fn pipelined(dev: &Device, ch: u32, dst: &SharedBuffer, src: &SharedBuffer, size: u64, n: u64, depth: u32) -> Res<f64> {
    let t = Instant::now();
    let (mut sent, mut done) = (0u64, 0u64);
    let mut inflight = HashMap::with_capacity(depth as usize);
    while done < n {
        while sent < n && sent - done < u64::from(depth) {
            let x = dev.submit_memcpy(ch, dst.clone(), 0, src.clone(), 0, size, sent).map_err(|e| e.to_string())?;
            inflight.insert(x.id(), x);
            sent += 1;
        }
        let (c, _) = dev.reap(depth, 1, None).map_err(|e| e.to_string())?;
        for c in &c {
            if let Some(x) = inflight.remove(&c.xfer_id) {
                drop(x.finish(c));
            }
        }
        if let Some(bad) = c.iter().find(|c| c.error != 0) {
            return Err(format!("transfer failed: errno {}", -bad.error));
        }
        done += c.len() as u64;
    }
    Ok(t.elapsed().as_secs_f64())
}

pub fn cmd_bench(dev: &Device, mut a: Args) -> Res<()> {
    let chan = a.opt(&["-c"])?;
    let sizes = a.opt(&["--sizes"])?.unwrap_or_else(|| "64,4k,64k,1M".into());
    let depths = a.opt(&["--depths"])?.or(a.opt(&["--depth"])?).unwrap_or_else(|| "1,2,4,8".into());
    let iters: u64 = a.opt(&["--iters"])?.map_or(Ok(0), |d| d.parse()).map_err(|_| "bad --iters")?;
    let csv = a.flag(&["--csv"]);
    let json = a.flag(&["--json"]);
    a.done()?;
    let ch = pick_channel(dev, chan.as_deref(), |c| c.can_memcpy(), "memcpy")?;
    let sizes: Vec<u64> = sizes.split(',').map(parse_size).collect::<Res<_>>()?;
    let depths: Vec<u32> = depths.split(',').map(|d| d.parse().map_err(|_| format!("bad depth '{d}'"))).collect::<Res<_>>()?;
    let mut rows = vec![];
    for (k, &size) in sizes.iter().enumerate() {
        let n = if iters > 0 { iters } else { (256 * 1024 * 1024 / size).clamp(8, 2000) };
        let n32 = u32::try_from(n).map_err(|_| "too many iterations")?;
        let mut src = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let kernel = |dst: &mut Buffer, src: &Buffer, depth: u32| -> Res<f64> {
            let (total, _) = dev.kernel_bench(ch, dst, src, size, n32, depth).map_err(|e| e.to_string())?;
            Ok(total.as_secs_f64())
        };
        let k1 = kernel(&mut dst, &src, 1)?;
        rows.push(BenchRow { size, mode: "kernel".into(), iters: n, secs: k1, kernel_secs: k1 });
        // Blocking round trips: one XFER ioctl (submit + wait) per transfer.
        let t = Instant::now();
        for _ in 0..n {
            dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(|e| e.to_string())?;
        }
        rows.push(BenchRow { size, mode: "blocking".into(), iters: n, secs: t.elapsed().as_secs_f64(), kernel_secs: k1 });
        // The copying alternative: data lives in ordinary memory and is copied into the
        // DMA buffer before, and out of it after, every transfer.
        let (mut heap_in, mut heap_out) = (vec![0u8; size as usize], vec![0u8; size as usize]);
        fill_pattern(&mut heap_in, size);
        let mut src_w = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let t = Instant::now();
        for _ in 0..n {
            src_w.as_mut_slice().copy_from_slice(&heap_in);
            dev.memcpy(ch, &mut dst, 0, &src_w, 0, size, None).map_err(|e| e.to_string())?;
            heap_out.copy_from_slice(dst.as_slice());
        }
        rows.push(BenchRow { size, mode: "copy-in/out".into(), iters: n, secs: t.elapsed().as_secs_f64(), kernel_secs: k1 });
        drop(src_w);
        for &d in &depths {
            let kd = kernel(&mut dst, &src, d)?;
            let (src_s, dst_s) = (src.into_shared(), dst.into_shared());
            let secs = pipelined(dev, ch, &dst_s, &src_s, size, n, d)?;
            // Every transfer handed its handles back (or was dropped, which waits for it).
            src = src_s.try_into_buffer().map_err(|_| "source buffer still in a transfer")?;
            dst = dst_s.try_into_buffer().map_err(|_| "destination buffer still in a transfer")?;
            rows.push(BenchRow { size, mode: format!("depth{d}"), iters: n, secs, kernel_secs: kd });
        }
        if !csv && !json {
            eprint!("\r[{}/{}] {} bytes done   ", k + 1, sizes.len(), size);
        }
    }
    // Per-call overhead of the ioctl path alone: a request the driver answers at once.
    let t = Instant::now();
    let calls = 20000u32;
    for _ in 0..calls {
        let _ = dev.status_of(u64::MAX);
    }
    let ioctl_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(calls);
    if !csv && !json {
        eprintln!();
    }
    if csv {
        println!("size,mode,iterations,seconds,mb_per_s,transfers_per_s,us_per_transfer,ratio_to_kernel");
    } else if json {
        println!("{{\"ioctl_us\": {ioctl_us:.3}, \"rows\": [");
    } else {
        println!(
            "{:>10} {:>12} {:>7} {:>10} {:>12} {:>12} {:>9}",
            "size", "mode", "iters", "MB/s", "transfers/s", "us/transfer", "vs kernel"
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let mbps = (r.size * r.iters) as f64 / r.secs / 1e6;
        let tps = r.iters as f64 / r.secs;
        let us = r.secs * 1e6 / r.iters as f64;
        let ratio = r.kernel_secs / r.secs;
        if csv {
            println!("{},{},{},{:.6},{:.3},{:.1},{:.2},{:.3}", r.size, r.mode, r.iters, r.secs, mbps, tps, us, ratio);
        } else if json {
            let comma = if i + 1 < rows.len() { "," } else { "" };
            println!(
                "  {{\"size\": {}, \"mode\": \"{}\", \"iterations\": {}, \"seconds\": {:.6}, \"mb_per_s\": {:.3}, \"transfers_per_s\": {:.1}, \"us_per_transfer\": {:.2}, \"ratio_to_kernel\": {:.3}}}{comma}",
                r.size, r.mode, r.iters, r.secs, mbps, tps, us, ratio
            );
        } else {
            println!("{:>10} {:>12} {:>7} {:>10.1} {:>12.1} {:>12.2} {:>9.3}", r.size, r.mode, r.iters, mbps, tps, us, ratio);
        }
    }
    if json {
        println!("]}}");
    } else if !csv {
        println!("ioctl round trip (no DMA): {ioctl_us:.2} us");
    }
    Ok(())
}
