//! `axidma stream rx|tx`: continuous streaming through a ring of slots.

use crate::util::{fill_pattern, parse_size, pick_channel, rate, Args, Res};
use axidma::Device;
use std::{
    fs::File,
    io::{Read, Write},
    time::{Duration, Instant},
};

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

pub fn cmd_stream(dev: &Device, mut a: Args) -> Res<()> {
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
    // Slots consumed in the previous round: given back by the next call, which also reaps
    // (one system call per round, STREAM_CYCLE).
    let mut consumed = 0u32;
    loop {
        if o.bytes.is_some_and(|b| bytes >= b) || o.seconds.is_some_and(|s| p.start.elapsed().as_secs_f64() >= s) {
            break;
        }
        let done = ring
            .release_and_reap(consumed, o.slots, 1, Some(Duration::from_millis(200)))
            .map_err(|e| e.to_string())?;
        consumed = 0;
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
        consumed = done.len() as u32;
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
