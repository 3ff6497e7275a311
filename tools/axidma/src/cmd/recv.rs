//! `axidma recv`: device to memory (S2MM).

use crate::util::{parse_size, pick_channel, save_output, Args, Res};
use axidma::Device;
use std::time::Duration;

pub fn cmd_recv(dev: &Device, mut a: Args) -> Res<()> {
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
