//! `axidma`: use the axi_dma driver from the shell. Run `axidma --help`.

use axidma::{Buffer, Device};
use std::{
    fs::File,
    io::{Read, Write},
    process::ExitCode,
    time::{Duration, Instant},
};

const HELP: &str = "\
axidma - zero-copy DMA between user space and FPGA logic (axi_dma driver)

USAGE:
    axidma [-d DEVICE] COMMAND [ARGS]

COMMANDS:
    info                         List the device's channels and what they can do.
    copy SIZE [-c CHAN] [-i FILE] [-o FILE] [--verify]
                                 Memory-to-memory DMA on a memcpy channel: data from FILE
                                 (or a generated pattern) is copied by the DMA engine into
                                 a second buffer, written to FILE with -o, and compared
                                 with --verify.
    send SIZE [-c CHAN] [-i FILE]
                                 Memory to device (AXI DMA MM2S, \"tx\").
    recv SIZE [-c CHAN] [-o FILE] [-t MS]
                                 Device to memory (AXI DMA S2MM, \"rx\"); prints the bytes
                                 that arrived (a shorter packet is not an error).
    loop SIZE [--tx NAME] [--rx NAME]
                                 tx -> (loopback FIFO in the PL) -> rx, verified.
    stream rx|tx [-c CHAN] [--slots N] [--slot-size SIZE] [--cached]
                 [-o FILE | -i FILE] [--bytes SIZE] [--seconds S] [-t MS]
                                 Continuous streaming through a ring of N slots kept queued
                                 back to back (gap-free while this keeps up). rx writes what
                                 arrives to FILE (default: discarded) until --bytes or
                                 --seconds, or -t MS (default 2000) pass without data; tx
                                 sends FILE (or --bytes of a pattern) one slot per packet.
                                 The rate is shown on stderr every second; overruns (the ring
                                 ran dry: rx data had nowhere to go, tx a gap) are counted.
    bench [-c CHAN] [--sizes LIST] [--depths LIST] [--iters N] [--csv|--json]
                                 Throughput and latency of memcpy DMA over a size sweep,
                                 each mode against the driver's in-kernel loop on the same
                                 channel and buffers (\"vs kernel\" = kernel time / ours):
                                 kernel, blocking round trips, copy-in/out (what a copying
                                 read/write interface costs), depthN = N in flight.

OPTIONS:
    -d DEVICE    Device node (default /dev/axi-dma0, or $AXIDMA_DEV).
    -c CHAN      Channel name (from dma-names) or index (default: the first that fits).
    -h, --help   This text.

SIZE accepts suffixes k, M (powers of 1024): 4k, 1M. Buffers are allocated by the driver
(dma_alloc_coherent) and mapped into this process: no copy between user and kernel space.

EXAMPLES:
    axidma info
    axidma copy 1M --verify
    axidma -d /dev/axi-dma1 loop 64k
    axidma bench --sizes 4k,64k,1M --depths 1,4 --csv > bench.csv
    axidma stream rx -o capture.bin --bytes 256M --slots 16 --slot-size 1M
";

type Res<T> = Result<T, String>;

fn parse_size(s: &str) -> Res<u64> {
    let (num, mul) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1024),
        Some('m' | 'M') => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("bad size '{s}' (examples: 4096, 4k, 1M)"))?;
    n.checked_mul(mul).filter(|&v| v > 0).ok_or_else(|| format!("bad size '{s}'"))
}

struct Args {
    v: Vec<String>,
}

impl Args {
    fn flag(&mut self, names: &[&str]) -> bool {
        if let Some(i) = self.v.iter().position(|a| names.contains(&a.as_str())) {
            self.v.remove(i);
            true
        } else {
            false
        }
    }
    fn opt(&mut self, names: &[&str]) -> Res<Option<String>> {
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
    fn positional(&mut self, what: &str) -> Res<String> {
        if self.v.is_empty() || self.v[0].starts_with('-') {
            return Err(format!("missing {what}"));
        }
        Ok(self.v.remove(0))
    }
    fn done(&self) -> Res<()> {
        match self.v.first() {
            Some(a) => Err(format!("unexpected argument '{a}' (see --help)")),
            None => Ok(()),
        }
    }
}

fn pick_channel(dev: &Device, want: Option<&str>, fits: impl Fn(&axidma::Channel) -> bool, what: &str) -> Res<u32> {
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

fn fill_pattern(b: &mut [u8], seed: u64) {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    for chunk in b.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

fn load_input(buf: &mut Buffer<'_>, input: Option<&str>) -> Res<()> {
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

fn save_output(data: &[u8], output: Option<&str>) -> Res<()> {
    if let Some(path) = output {
        let mut f = File::create(path).map_err(|e| format!("{path}: {e}"))?;
        f.write_all(data).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn rate(bytes: u64, d: Duration) -> String {
    format!("{:.1} MB/s", bytes as f64 / d.as_secs_f64().max(1e-9) / 1e6)
}

fn cmd_info(dev: &Device) -> Res<()> {
    let i = dev.info();
    println!(
        "{}: ABI {}, {} channel(s); buffers up to {} bytes, {} per open file, {} transfers in flight",
        dev.path().display(),
        i.abi_version,
        i.num_channels,
        i.max_buffer_size,
        i.max_buffers,
        i.max_inflight
    );
    for c in dev.channels().map_err(|e| e.to_string())? {
        let mut caps = vec![];
        if c.can_memcpy() {
            caps.push("memcpy");
        }
        if c.can_send() {
            caps.push("send(mm2s)");
        }
        if c.can_recv() {
            caps.push("recv(s2mm)");
        }
        println!(
            "  {:>2}  {:<8} {:<12} {:<30} align {:<3} {}",
            c.index,
            c.name,
            c.provider,
            caps.join(" "),
            c.addr_align,
            if c.coherent { "coherent (cached mapping)" } else { "non-coherent (uncached mapping)" }
        );
    }
    Ok(())
}

fn cmd_copy(dev: &Device, mut a: Args) -> Res<()> {
    let size = parse_size(&a.positional("SIZE")?)?;
    let chan = a.opt(&["-c"])?;
    let input = a.opt(&["-i"])?;
    let output = a.opt(&["-o"])?;
    let verify = a.flag(&["--verify"]);
    a.done()?;
    let ch = pick_channel(dev, chan.as_deref(), |c| c.can_memcpy(), "memcpy")?;
    let mut src = dev.alloc(ch, size).map_err(|e| e.to_string())?;
    let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
    load_input(&mut src, input.as_deref())?;
    let t = Instant::now();
    let n = dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(|e| e.to_string())?;
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

fn cmd_send(dev: &Device, mut a: Args) -> Res<()> {
    let size = parse_size(&a.positional("SIZE")?)?;
    let chan = a.opt(&["-c"])?;
    let input = a.opt(&["-i"])?;
    a.done()?;
    let ch = pick_channel(dev, chan.as_deref().or(Some("tx")).filter(|_| chan.is_some() || dev.channel_by_name("tx").is_some()), |c| c.can_send(), "send")?;
    let mut src = dev.alloc(ch, size).map_err(|e| e.to_string())?;
    load_input(&mut src, input.as_deref())?;
    let t = Instant::now();
    let n = dev.send(ch, &src, 0, size, None).map_err(|e| e.to_string())?;
    println!("sent {n} bytes in {:.1} us", t.elapsed().as_secs_f64() * 1e6);
    Ok(())
}

fn cmd_recv(dev: &Device, mut a: Args) -> Res<()> {
    let size = parse_size(&a.positional("SIZE")?)?;
    let chan = a.opt(&["-c"])?;
    let output = a.opt(&["-o"])?;
    let timeout = a.opt(&["-t"])?.map(|t| t.parse::<u64>().map(Duration::from_millis)).transpose().map_err(|_| "bad -t")?;
    a.done()?;
    let ch = pick_channel(dev, chan.as_deref().or(Some("rx")).filter(|_| chan.is_some() || dev.channel_by_name("rx").is_some()), |c| c.can_recv(), "receive")?;
    let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
    let n = dev.recv(ch, &mut dst, 0, size, timeout).map_err(|e| e.to_string())?;
    save_output(&dst.as_slice()[..n as usize], output.as_deref())?;
    println!("received {n} bytes");
    Ok(())
}

fn cmd_loop(dev: &Device, mut a: Args) -> Res<()> {
    let size = parse_size(&a.positional("SIZE")?)?;
    let tx_name = a.opt(&["--tx"])?.unwrap_or_else(|| "tx".into());
    let rx_name = a.opt(&["--rx"])?.unwrap_or_else(|| "rx".into());
    a.done()?;
    let tx = pick_channel(dev, Some(&tx_name), |c| c.can_send(), "send")?;
    let rx = pick_channel(dev, Some(&rx_name), |c| c.can_recv(), "receive")?;
    let mut src = dev.alloc(tx, size).map_err(|e| e.to_string())?;
    let mut dst = dev.alloc(rx, size).map_err(|e| e.to_string())?;
    fill_pattern(src.as_mut_slice(), 7);
    let t = Instant::now();
    let bytes = dev.loopback(tx, &src, 0, rx, &mut dst, 0, size, None).map_err(|e| e.to_string())?;
    let el = t.elapsed();
    let ok = bytes == size && src.as_slice() == dst.as_slice();
    println!(
        "looped {} bytes tx->rx in {:.1} us ({}): {}",
        bytes,
        el.as_secs_f64() * 1e6,
        rate(bytes, el),
        if ok { "verified" } else { "DATA MISMATCH" }
    );
    if ok {
        Ok(())
    } else {
        Err("looped data differs".into())
    }
}

struct BenchRow {
    size: u64,
    mode: String,
    iters: u64,
    secs: f64,
    /// Seconds the in-kernel baseline took for the same work (same size, depth, count).
    kernel_secs: f64,
}

/// `depth` memcpys in flight from user space, refilled as completions are reaped.
fn pipelined(dev: &Device, ch: u32, dst: &mut Buffer<'_>, src: &Buffer<'_>, size: u64, n: u64, depth: u32) -> Res<f64> {
    let t = Instant::now();
    let (mut sent, mut done) = (0u64, 0u64);
    while done < n {
        while sent < n && sent - done < u64::from(depth) {
            // Completions are collected with reap below, so the handle is not waited on:
            // forgetting it only ends the borrow (the driver keeps the buffers alive).
            std::mem::forget(dev.submit_memcpy(ch, dst, 0, src, 0, size, sent).map_err(|e| e.to_string())?);
            sent += 1;
        }
        let (c, _) = dev.reap(depth, 1, None).map_err(|e| e.to_string())?;
        if let Some(bad) = c.iter().find(|c| c.error != 0) {
            return Err(format!("transfer failed: errno {}", -bad.error));
        }
        done += c.len() as u64;
    }
    Ok(t.elapsed().as_secs_f64())
}

fn cmd_bench(dev: &Device, mut a: Args) -> Res<()> {
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
        let src = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let mut dst = dev.alloc(ch, size).map_err(|e| e.to_string())?;
        let kernel = |dst: &mut Buffer<'_>, depth: u32| -> Res<f64> {
            let (total, _) = dev.kernel_bench(ch, dst, &src, size, n32, depth).map_err(|e| e.to_string())?;
            Ok(total.as_secs_f64())
        };
        let k1 = kernel(&mut dst, 1)?;
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
            let kd = kernel(&mut dst, d)?;
            let secs = pipelined(dev, ch, &mut dst, &src, size, n, d)?;
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

struct StreamOpts {
    chan: Option<String>,
    slots: u32,
    slot_size: u64,
    cached: bool,
    file: Option<String>,
    bytes: Option<u64>,
    seconds: Option<f64>,
    idle: Duration,
}

impl StreamOpts {
    fn parse(a: &mut Args, file_opt: &str) -> Res<Self> {
        let slots = a.opt(&["--slots"])?.map(|s| s.parse::<u32>()).transpose().map_err(|_| "bad --slots")?.unwrap_or(8);
        if slots == 0 {
            return Err("bad --slots".into());
        }
        Ok(Self {
            chan: a.opt(&["-c"])?,
            slots,
            slot_size: a.opt(&["--slot-size"])?.map(|s| parse_size(&s)).transpose()?.unwrap_or(64 * 1024),
            cached: a.flag(&["--cached"]),
            file: a.opt(&[file_opt])?,
            bytes: a.opt(&["--bytes"])?.map(|s| parse_size(&s)).transpose()?,
            seconds: a
                .opt(&["--seconds"])?
                .map(|s| s.parse::<f64>().ok().filter(|v| *v > 0.0).ok_or("bad --seconds"))
                .transpose()?,
            idle: Duration::from_millis(
                a.opt(&["-t"])?.map(|t| t.parse::<u64>()).transpose().map_err(|_| "bad -t")?.unwrap_or(2000),
            ),
        })
    }
}

/// Progress on stderr, at most once a second.
struct Progress {
    what: &'static str,
    start: Instant,
    last: Instant,
    last_bytes: u64,
}

impl Progress {
    fn new(what: &'static str) -> Self {
        let now = Instant::now();
        Self { what, start: now, last: now, last_bytes: 0 }
    }
    fn tick(&mut self, bytes: u64, bufs: u64, overruns: u64) {
        let now = Instant::now();
        if now.duration_since(self.last) >= Duration::from_secs(1) {
            eprintln!(
                "{}: {} now, {} bytes in {} buffers, {} overruns",
                self.what,
                rate(bytes - self.last_bytes, now.duration_since(self.last)),
                bytes,
                bufs,
                overruns
            );
            self.last = now;
            self.last_bytes = bytes;
        }
    }
}

fn cmd_stream(dev: &Device, mut a: Args) -> Res<()> {
    let dir = a.positional("rx or tx")?;
    match dir.as_str() {
        "rx" => {
            let o = StreamOpts::parse(&mut a, "-o")?;
            a.done()?;
            stream_rx(dev, o)
        }
        "tx" => {
            let o = StreamOpts::parse(&mut a, "-i")?;
            a.done()?;
            stream_tx(dev, o)
        }
        other => Err(format!("stream: '{other}' is neither rx nor tx")),
    }
}

fn stream_rx(dev: &Device, o: StreamOpts) -> Res<()> {
    let want = o.chan.as_deref().or(Some("rx")).filter(|_| o.chan.is_some() || dev.channel_by_name("rx").is_some());
    let ch = pick_channel(dev, want, |c| c.can_recv(), "receive")?;
    let mut out = match o.file.as_deref() {
        Some(p) => Some(std::io::BufWriter::new(File::create(p).map_err(|e| format!("{p}: {e}"))?)),
        None => None,
    };
    let mut ring = dev.ring(ch, axidma::RingDir::Rx, o.slots, o.slot_size, o.cached).map_err(|e| e.to_string())?;
    let (mut bytes, mut bufs, mut errors) = (0u64, 0u64, 0u64);
    let mut p = Progress::new("rx");
    let mut first: Option<Instant> = None;
    let mut idle_since = Instant::now();
    loop {
        if o.bytes.is_some_and(|b| bytes >= b) || o.seconds.is_some_and(|s| p.start.elapsed().as_secs_f64() >= s) {
            break;
        }
        let done = ring.reap(o.slots, 1, Some(Duration::from_millis(200))).map_err(|e| e.to_string())?;
        if done.is_empty() {
            if idle_since.elapsed() >= o.idle {
                break;
            }
            continue;
        }
        idle_since = Instant::now();
        first.get_or_insert_with(Instant::now);
        for d in &done {
            if d.error != 0 {
                errors += 1;
            }
            let data = ring.data(d).ok_or("rx slot not held")?;
            let take = match o.bytes {
                Some(b) => data.len().min((b - bytes.min(b)) as usize),
                None => data.len(),
            };
            if let Some(w) = out.as_mut() {
                w.write_all(&data[..take]).map_err(|e| format!("write: {e}"))?;
            }
            bytes += take as u64;
            bufs += 1;
        }
        ring.release(done.len() as u32).map_err(|e| e.to_string())?;
        p.tick(bytes, bufs, ring.overruns());
    }
    if let Some(mut w) = out {
        w.flush().map_err(|e| format!("write: {e}"))?;
    }
    let overruns = ring.overruns();
    drop(ring);
    let secs = first.map_or(Duration::ZERO, |f| f.elapsed());
    println!(
        "received {bytes} bytes in {bufs} buffers, {}, {overruns} overruns, {errors} errors",
        rate(bytes, secs)
    );
    if bytes == 0 {
        return Err(format!("nothing arrived within {} ms", o.idle.as_millis()));
    }
    Ok(())
}

fn stream_tx(dev: &Device, o: StreamOpts) -> Res<()> {
    let want = o.chan.as_deref().or(Some("tx")).filter(|_| o.chan.is_some() || dev.channel_by_name("tx").is_some());
    let ch = pick_channel(dev, want, |c| c.can_send(), "send")?;
    let slot = u32::try_from(o.slot_size).map_err(|_| "--slot-size too large")?;
    let mut input: Box<dyn Read> = match o.file.as_deref() {
        Some(p) => Box::new(std::io::BufReader::new(File::open(p).map_err(|e| format!("{p}: {e}"))?)),
        None => {
            let n = o.bytes.ok_or("stream tx needs -i FILE or --bytes SIZE")?;
            let mut v = vec![0u8; n as usize];
            fill_pattern(&mut v, 1);
            Box::new(std::io::Cursor::new(v))
        }
    };
    let mut ring = dev.ring(ch, axidma::RingDir::Tx, o.slots, o.slot_size, o.cached).map_err(|e| e.to_string())?;
    let (mut sent, mut queued_bytes, mut bufs, mut errors) = (0u64, 0u64, 0u64, 0u64);
    let mut lens = std::collections::VecDeque::new();
    let mut eof = false;
    let mut p = Progress::new("tx");
    loop {
        // Fill and queue every free slot.
        while !eof {
            let Some(s) = ring.next_slot() else { break };
            let mut n = 0;
            while n < s.len() {
                let r = input.read(&mut s[n..]).map_err(|e| format!("read: {e}"))?;
                if r == 0 {
                    eof = true;
                    break;
                }
                n += r;
            }
            if n == 0 {
                break;
            }
            ring.send(n as u32).map_err(|e| e.to_string())?;
            lens.push_back(n as u64);
            queued_bytes += n as u64;
        }
        if lens.is_empty() {
            break;
        }
        let done = ring.reap(o.slots, 1, Some(Duration::from_millis(u64::from(slot / 1024).max(2000)))).map_err(|e| e.to_string())?;
        if done.is_empty() {
            return Err(format!("tx: nothing completed, {} slots queued", ring.queued()));
        }
        for d in &done {
            lens.pop_front();
            if d.error != 0 {
                errors += 1;
            }
            sent += d.bytes;
            bufs += 1;
        }
        p.tick(sent, bufs, ring.overruns());
    }
    let overruns = ring.overruns();
    drop(ring);
    let secs = p.start.elapsed();
    println!(
        "sent {sent} of {queued_bytes} bytes in {bufs} buffers, {}, {overruns} underruns, {errors} errors",
        rate(sent, secs)
    );
    if errors > 0 || sent != queued_bytes {
        return Err(format!("{errors} buffers failed"));
    }
    Ok(())
}

fn run() -> Res<()> {
    let mut a = Args { v: std::env::args().skip(1).collect() };
    if a.v.is_empty() || a.flag(&["-h", "--help", "help"]) {
        print!("{HELP}");
        return Ok(());
    }
    let path = a.opt(&["-d"])?.or_else(|| std::env::var("AXIDMA_DEV").ok()).unwrap_or_else(|| axidma::DEFAULT_DEVICE.into());
    let cmd = a.positional("COMMAND")?;
    let dev = Device::open(&path).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT) => format!(
            "{path}: no such device. Is the module loaded (insmod axi_dma_mod.ko) and a \
             device-tree node with compatible \"linux,axi-dma-user\" bound?"
        ),
        Some(libc::EACCES) | Some(libc::EPERM) => format!("{path}: permission denied (run as root or adjust the udev rule)"),
        _ => format!("{path}: {e}"),
    })?;
    match cmd.as_str() {
        "info" => {
            a.done()?;
            cmd_info(&dev)
        }
        "copy" => cmd_copy(&dev, a),
        "send" => cmd_send(&dev, a),
        "recv" => cmd_recv(&dev, a),
        "loop" => cmd_loop(&dev, a),
        "bench" => cmd_bench(&dev, a),
        "stream" => cmd_stream(&dev, a),
        other => Err(format!("unknown command '{other}' (see --help)")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axidma: {e}");
            ExitCode::FAILURE
        }
    }
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
