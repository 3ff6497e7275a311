//! `axidma loop`: tx -> PL loopback -> rx, verified.

use crate::util::{fill_pattern, parse_size, pick_channel, rate, Args, Res};
use axidma::Device;
use std::time::Instant;

pub fn cmd_loop(dev: &Device, mut a: Args) -> Res<()> {
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
