//! The C header is the source of truth for the ABI: compile a program against it and
//! compare every structure's size and field offsets and every ioctl number with `abi`.

use axidma::abi::*;
use std::{collections::BTreeMap, mem::offset_of, path::PathBuf, process::Command};

macro_rules! fields {
    ($out:ident, $c:literal, $t:ty, [$($f:ident),*]) => {
        $out.insert(format!("sizeof {}", $c), std::mem::size_of::<$t>() as u64);
        $( $out.insert(format!("offsetof {}.{}", $c, stringify!($f)), offset_of!($t, $f) as u64); )*
    };
}

fn rust_side() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    fields!(m, "axi_dma_info", Info, [abi_version, num_channels, max_buffers, max_inflight, max_buffer_size, abi_revision, reserved32, reserved]);
    fields!(m, "axi_dma_chan_info", ChanInfo, [index, directions, addr_align, max_seg_size, residue_granularity, coherent, name, provider, pair, flags, reserved]);
    fields!(m, "axi_dma_alloc", Alloc, [size, chan, flags, id, pad, mmap_offset, mmap_size]);
    fields!(m, "axi_dma_free", Free, [id, pad]);
    fields!(m, "axi_dma_xfer", Xfer, [chan, kind, src_buf, dst_buf, src_off, dst_off, len, flags, timeout_ms, user_data, xfer_id, bytes, error, rx_chan]);
    fields!(m, "axi_dma_completion", Completion, [xfer_id, user_data, bytes, error, chan]);
    fields!(m, "axi_dma_reap", Reap, [entries, max, min, timeout_ms, count, pending, pad]);
    fields!(m, "axi_dma_status", Status, [xfer_id, state, error, bytes]);
    fields!(m, "axi_dma_wait", Wait, [xfer_id, timeout_ms, error, bytes, user_data]);
    fields!(m, "axi_dma_cancel", Cancel, [chan, cancelled]);
    fields!(m, "axi_dma_slave_config", SlaveConfig, [chan, direction, dev_addr, addr_width, maxburst]);
    fields!(m, "axi_dma_kbench", KBench, [chan, src_buf, dst_buf, depth, len, iters, flags, total_ns, submit_ns]);
    fields!(m, "axi_dma_sync", Sync, [id, op, offset, len]);
    fields!(m, "axi_dma_stream_start", StreamStart, [chan, direction, buf, count, offset, slot_size, flags, queued]);
    fields!(m, "axi_dma_stream_push", StreamPush, [chan, count, lens, first, queued]);
    fields!(m, "axi_dma_stream_done", StreamDone, [seq, bytes, slot, error, flags, pad]);
    fields!(m, "axi_dma_stream_reap", StreamReap, [chan, max, entries, min, timeout_ms, count, queued, overruns]);
    fields!(m, "axi_dma_stream_stop", StreamStop, [chan, aborted, completed, overruns]);
    fields!(m, "axi_dma_claim", Claim, [chan, flags]);
    fields!(m, "axi_dma_stream_cycle", StreamCycle, [chan, push, lens, entries, max, min, timeout_ms, first, count, queued, overruns]);
    fields!(m, "axi_dma_register", Register, [addr, size, chan, flags, id, pad]);
    fields!(m, "axi_dma_export", Export, [id, flags, fd, pad]);
    fields!(m, "axi_dma_import", Import, [fd, chan, flags, id, size]);
    fields!(m, "axi_dma_submit", Submit, [xfers, count, flags, queued, error, entries, max, min, timeout_ms, reaped, pending, pad]);
    for (n, v) in [
        ("AXI_DMA_IOC_INFO", IOC_INFO), ("AXI_DMA_IOC_CHAN_INFO", IOC_CHAN_INFO),
        ("AXI_DMA_IOC_ALLOC", IOC_ALLOC), ("AXI_DMA_IOC_FREE", IOC_FREE),
        ("AXI_DMA_IOC_XFER", IOC_XFER), ("AXI_DMA_IOC_WAIT", IOC_WAIT),
        ("AXI_DMA_IOC_REAP", IOC_REAP), ("AXI_DMA_IOC_STATUS", IOC_STATUS),
        ("AXI_DMA_IOC_CANCEL", IOC_CANCEL), ("AXI_DMA_IOC_SLAVE_CONFIG", IOC_SLAVE_CONFIG),
        ("AXI_DMA_IOC_KBENCH", IOC_KBENCH), ("AXI_DMA_IOC_SYNC", IOC_SYNC),
        ("AXI_DMA_IOC_STREAM_START", IOC_STREAM_START), ("AXI_DMA_IOC_STREAM_PUSH", IOC_STREAM_PUSH),
        ("AXI_DMA_IOC_STREAM_REAP", IOC_STREAM_REAP), ("AXI_DMA_IOC_STREAM_STOP", IOC_STREAM_STOP),
        ("AXI_DMA_IOC_CLAIM", IOC_CLAIM), ("AXI_DMA_IOC_UNCLAIM", IOC_UNCLAIM),
        ("AXI_DMA_IOC_SLAVE_CONFIG_GET", IOC_SLAVE_CONFIG_GET), ("AXI_DMA_IOC_SUBMIT", IOC_SUBMIT), ("AXI_DMA_IOC_STREAM_CYCLE", IOC_STREAM_CYCLE),
        ("AXI_DMA_IOC_REGISTER", IOC_REGISTER), ("AXI_DMA_REGISTER_TO_DEVICE", REGISTER_TO_DEVICE),
        ("AXI_DMA_REGISTER_FROM_DEVICE", REGISTER_FROM_DEVICE), ("AXI_DMA_REGISTER_MAX_RUNS", REGISTER_MAX_RUNS),
        ("AXI_DMA_IOC_EXPORT", IOC_EXPORT), ("AXI_DMA_IOC_IMPORT", IOC_IMPORT),
        ("AXI_DMA_IMPORT_TO_DEVICE", IMPORT_TO_DEVICE), ("AXI_DMA_IMPORT_FROM_DEVICE", IMPORT_FROM_DEVICE),
        ("AXI_DMA_SUBMIT_MAX", SUBMIT_MAX),
        ("AXI_DMA_NO_PAIR", NO_PAIR), ("AXI_DMA_CHAN_STREAMING", CHAN_STREAMING), ("AXI_DMA_CHAN_FIFO", CHAN_FIFO),
        ("AXI_DMA_STREAM_GAP", STREAM_GAP),
        ("AXI_DMA_ALLOC_CACHED", ALLOC_CACHED), ("AXI_DMA_ALLOC_TO_DEVICE", ALLOC_TO_DEVICE),
        ("AXI_DMA_ALLOC_FROM_DEVICE", ALLOC_FROM_DEVICE), ("AXI_DMA_SYNC_FOR_CPU", SYNC_FOR_CPU),
        ("AXI_DMA_SYNC_FOR_DEVICE", SYNC_FOR_DEVICE),
        ("AXI_DMA_ABI_VERSION", ABI_VERSION), ("AXI_DMA_ABI_REVISION", ABI_REVISION), ("AXI_DMA_DIR_MEM_TO_MEM", DIR_MEM_TO_MEM),
        ("AXI_DMA_DIR_MEM_TO_DEV", DIR_MEM_TO_DEV), ("AXI_DMA_DIR_DEV_TO_MEM", DIR_DEV_TO_MEM),
        ("AXI_DMA_XFER_MEMCPY", XFER_MEMCPY), ("AXI_DMA_XFER_TO_DEV", XFER_TO_DEV),
        ("AXI_DMA_XFER_FROM_DEV", XFER_FROM_DEV), ("AXI_DMA_XFER_LOOPBACK", XFER_LOOPBACK), ("AXI_DMA_XFER_NONBLOCK", XFER_NONBLOCK), ("AXI_DMA_KBENCH_BARE", KBENCH_BARE), ("AXI_DMA_KBENCH_LOOPBACK", KBENCH_LOOPBACK),
        ("AXI_DMA_STATE_PENDING", STATE_PENDING), ("AXI_DMA_STATE_DONE", STATE_DONE),
    ] {
        m.insert(format!("value {n}"), u64::from(v));
    }
    m
}

#[test]
fn rust_abi_matches_the_c_header() {
    let rust = rust_side();
    // Looked up at run time: a test binary reused from another checkout must not point there.
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let header = PathBuf::from(dir).join("../../include/uapi/axi_dma.h");
    let mut c = String::from("#include <stdio.h>\n#include <stddef.h>\n");
    c += &format!("#include \"{}\"\nint main(void) {{\n", header.display());
    for k in rust.keys() {
        let expr = if let Some(t) = k.strip_prefix("sizeof ") {
            format!("sizeof(struct {t})")
        } else if let Some(tf) = k.strip_prefix("offsetof ") {
            let (t, f) = tf.split_once('.').unwrap();
            format!("offsetof(struct {t}, {f})")
        } else {
            k.strip_prefix("value ").unwrap().to_string()
        };
        c += &format!("  printf(\"{k}=%llu\\n\", (unsigned long long)({expr}));\n");
    }
    c += "  return 0;\n}\n";
    let dir = std::env::temp_dir().join(format!("axidma-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("abi.c"), c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(&cc).args(["-Wall", "-o"]).arg(dir.join("abi")).arg(dir.join("abi.c")).status().unwrap();
    assert!(st.success(), "compiling the C side failed");
    let out = Command::new(dir.join("abi")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap();
        assert_eq!(rust[k], v.parse::<u64>().unwrap(), "{k} differs between Rust and C");
        n += 1;
    }
    assert_eq!(n, rust.len());
    let _ = std::fs::remove_dir_all(&dir);
}
