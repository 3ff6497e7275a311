//! `axidma send`: memory to device (MM2S).

use crate::util::{load_input, parse_size, pick_channel, Args, Res};
use axidma::Device;
use std::time::Instant;

pub fn cmd_send(dev: &Device, mut a: Args) -> Res<()> {
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
