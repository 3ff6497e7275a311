//! `axidma prof-load MODE SIZE DEPTH ITERS`: a developer's workload for `scripts/profile.sh`
//! (`rblocking`, `rpipelined`, `rbatch` there). It runs the loops of `axidma bench`
//! through this crate between two profiling markers, as `prof_load` (C, no library) does
//! for the driver alone, so that the profiler's report shows what the Rust crate and the
//! tool add per transfer in user space (the tool is static and not position-independent:
//! its functions are found by address).

use super::bench::{batched, pipelined};
use crate::util::{pick_channel, Args, Res};
use axidma::Device;

/// An unallocated hint instruction the QEMU plugin (`scripts/profile/insn-profile.c`)
/// takes as a window boundary; a no-op on hardware and for QEMU itself.
fn marker() {
    // SAFETY: A hint instruction from the architecture's NOP space: no effect on state.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        core::arch::asm!(".inst 0xd5032fff", options(nostack, preserves_flags));
    }
    // SAFETY: As above (the A32 and T32 encodings of an unallocated hint).
    #[cfg(all(target_arch = "arm", target_feature = "thumb-mode"))]
    unsafe {
        core::arch::asm!(".inst.w 0xf3af80ff", options(nostack, preserves_flags));
    }
    // SAFETY: As above.
    #[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
    unsafe {
        core::arch::asm!(".inst 0xe320f0ff", options(nostack, preserves_flags));
    }
}

pub fn cmd_prof_load(dev: &Device, mut a: Args) -> Res<()> {
    let mode = a.positional("MODE")?;
    let num = |a: &mut Args, what: &str| -> Res<u64> {
        let v = a.positional(what)?;
        v.parse().map_err(|_| format!("bad {what} '{v}'"))
    };
    let size = num(&mut a, "SIZE")?;
    let depth = u32::try_from(num(&mut a, "DEPTH")?).map_err(|_| "bad DEPTH")?;
    let iters = num(&mut a, "ITERS")?;
    a.done()?;
    let ch = pick_channel(dev, None, |c| c.can_memcpy(), "memcpy")?;
    let (src, mut dst) = (dev.alloc(ch, size).map_err(|e| e.to_string())?, dev.alloc(ch, size).map_err(|e| e.to_string())?);
    match mode.as_str() {
        "blocking" => {
            marker();
            for _ in 0..iters {
                dev.memcpy(ch, &mut dst, 0, &src, 0, size, None).map_err(|e| e.to_string())?;
            }
            marker();
        }
        "pipelined" | "batch" => {
            let (src, dst) = (src.into_shared(), dst.into_shared());
            marker();
            if mode == "batch" {
                batched(dev, ch, &dst, &src, size, iters, depth)?;
            } else {
                pipelined(dev, ch, &dst, &src, size, iters, depth)?;
            }
            marker();
        }
        other => return Err(format!("unknown prof-load mode '{other}' (blocking, pipelined, batch)")),
    }
    println!("axidma prof-load {mode} size {size} depth {depth} iters {iters} done");
    Ok(())
}
