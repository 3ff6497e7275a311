//! `axidma copy`: memory-to-memory DMA, verified on request.

use crate::util::{load_input, parse_size, pick_channel, rate, save_output, Args, Res};
use axidma::Device;
use std::time::Instant;

pub fn cmd_copy(dev: &Device, mut a: Args) -> Res<()> {
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
