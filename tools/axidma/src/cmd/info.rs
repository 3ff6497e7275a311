//! `axidma info`: the device's limits and channels.

use crate::util::Res;
use axidma::Device;

pub fn cmd_info(dev: &Device) -> Res<()> {
    let i = dev.info();
    println!(
        "{}: ABI {} revision {}, {} channel(s); buffers up to {} bytes, {} per open file, {} transfers in flight",
        dev.path().display(),
        i.abi_version,
        i.abi_revision,
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
        let pair = match c.pair {
            Some(p) => format!("  pair {p}"),
            None => String::new(),
        };
        println!(
            "  {:>2}  {:<8} {:<12} {:<30} align {:<3} {}{}",
            c.index,
            c.name,
            c.provider,
            caps.join(" "),
            c.addr_align,
            if c.coherent { "coherent (cached mapping)" } else { "non-coherent (uncached mapping)" },
            pair
        );
    }
    Ok(())
}
