//! `axidma`: use the axi_dma driver from the shell. Run `axidma --help`.

mod cmd;
mod util;

use axidma::Device;
use cmd::*;
use std::process::ExitCode;
use util::{Args, Res};

const HELP: &str = "\
axidma - zero-copy DMA between user space and FPGA logic (axi_dma driver)

USAGE:
    axidma [-d DEVICE] COMMAND [ARGS]

COMMANDS:
    info                         List the device's channels and what they can do.
    copy SIZE [-c CHAN] [-i FILE] [-o FILE] [--verify] [--user-memory | --import-heap HEAP]
                                 Memory-to-memory DMA on a memcpy channel: data from FILE
                                 (or a generated pattern) is copied by the DMA engine into
                                 a second buffer, written to FILE with -o, and compared
                                 with --verify. --user-memory: both buffers are this
                                 process's own memory, registered with the driver (no
                                 driver allocation; copied in 128 KiB pieces).
                                 --import-heap HEAP: the source is a dma-buf of
                                 /dev/dma_heap/HEAP (e.g. system), imported.
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
    bench [-c CHAN] [--sizes LIST] [--depths LIST] [--batch LIST] [--iters N]
          [--loopback | --memory] [--csv|--json]
                                 Throughput and latency of memcpy DMA over a size sweep,
                                 each mode against the floor: the bare dmaengine path
                                 (prepare, submit, issue, callback; nothing of the driver's)
                                 in the kernel on the same channel, buffers, size and depth
                                 (\"vs floor\" = floor time / ours). Modes: floor, kernel
                                 (the driver's in-kernel loop), blocking round trips,
                                 copy-in/out (what a copying read/write interface costs),
                                 depthN = N in flight (one XFER each, REAP per round),
                                 batchN = N in flight submitted and reaped by one SUBMIT
                                 per round. Also system calls and CPU time (user+system,
                                 getrusage) per transfer and MB. --loopback: blocking
                                 round trips from a tx channel to its pair (AXI DMA).
                                 --memory: blocking copies between the driver's coherent
                                 buffers, this process's registered memory and imported
                                 system-heap dma-bufs (with their hand-overs).

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
        // A developer's workload for scripts/profile.sh (see cmd/prof.rs); not in the help.
        "prof-load" => cmd_prof_load(&dev, a),
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
