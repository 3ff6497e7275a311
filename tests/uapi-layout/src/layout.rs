// SPDX-License-Identifier: GPL-2.0
//! Every structure of `uapi.rs`: its fields must tile it with no gap (so none is missing
//! from the lists below), and C static assertions generated from Rust's own `size_of` and
//! `offset_of!` must hold for `include/uapi/axi_dma.h` on x86_64, arm64 and armhf. The ioctl
//! numbers and the ABI version are asserted the same way.

use std::{fmt::Write as _, path::PathBuf, process::Command};
use crate::uapi::{self as u, uapi_structs, *};

/// (C name, Rust size, [(field, offset, size)]).
type Layout = (&'static str, usize, Vec<(&'static str, usize, usize)>);

macro_rules! layout {
    ($c:literal, $t:ty { $($f:ident),* $(,)? }) => {{
        let v: $t = Default::default();
        let _ = &v;
        ($c, core::mem::size_of::<$t>(), vec![$((
            stringify!($f),
            core::mem::offset_of!($t, $f),
            {
                fn sz<T>(_: &T) -> usize { core::mem::size_of::<T>() }
                sz(&v.$f)
            },
        )),*])
    }};
}

fn layouts() -> Vec<Layout> {
    vec![
        layout!("axi_dma_info", Info { abi_version, num_channels, max_buffers, max_inflight, max_buffer_size, abi_revision, reserved32, reserved }),
        layout!("axi_dma_chan_info", ChanInfo { index, directions, addr_align, max_seg_size, residue_granularity, coherent, name, provider, pair, flags, reserved }),
        layout!("axi_dma_alloc", Alloc { size, chan, flags, id, pad, mmap_offset, mmap_size }),
        layout!("axi_dma_free", Free { id, pad }),
        layout!("axi_dma_xfer", Xfer { chan, kind, src_buf, dst_buf, src_off, dst_off, len, flags, timeout_ms, user_data, xfer_id, bytes, error, rx_chan }),
        layout!("axi_dma_completion", Completion { xfer_id, user_data, bytes, error, chan }),
        layout!("axi_dma_reap", Reap { entries, max, min, timeout_ms, count, pending, pad }),
        layout!("axi_dma_status", Status { xfer_id, state, error, bytes }),
        layout!("axi_dma_wait", Wait { xfer_id, timeout_ms, error, bytes, user_data }),
        layout!("axi_dma_cancel", Cancel { chan, cancelled }),
        layout!("axi_dma_slave_config", SlaveConfig { chan, direction, dev_addr, addr_width, maxburst }),
        layout!("axi_dma_sync", u::Sync { id, op, offset, len }),
        layout!("axi_dma_kbench", KBench { chan, src_buf, dst_buf, depth, len, iters, flags, total_ns, submit_ns }),
        layout!("axi_dma_submit", Submit { xfers, count, flags, queued, error, entries, max, min, timeout_ms, reaped, pending, pad }),
        layout!("axi_dma_stream_start", StreamStart { chan, direction, buf, count, offset, slot_size, flags, queued }),
        layout!("axi_dma_stream_push", StreamPush { chan, count, lens, first, queued }),
        layout!("axi_dma_stream_done", StreamDone { seq, bytes, slot, error, flags, pad }),
        layout!("axi_dma_stream_reap", StreamReap { chan, max, entries, min, timeout_ms, count, queued, overruns }),
        layout!("axi_dma_stream_cycle", StreamCycle { chan, push, lens, entries, max, min, timeout_ms, first, count, queued, overruns }),
        layout!("axi_dma_register", Register { addr, size, chan, flags, id, pad }),
        layout!("axi_dma_export", Export { id, flags, fd, pad }),
        layout!("axi_dma_import", Import { fd, chan, flags, id, size }),
        layout!("axi_dma_stream_stop", StreamStop { chan, aborted, completed, overruns }),
        layout!("axi_dma_claim", Claim { chan, flags }),
    ]
}

#[test]
fn fields_tile_every_structure() {
    for (name, size, fields) in layouts() {
        let mut f = fields.clone();
        f.sort_by_key(|x| x.1);
        let mut at = 0;
        for (field, off, sz) in f {
            assert_eq!(off, at, "{name}.{field}: a gap or overlap at {at} (implicit padding or a field missing from the list)");
            at = off + sz;
        }
        assert_eq!(at, size, "{name}: fields end at {at}, the structure at {size}");
    }
}

#[test]
fn every_structure_is_listed() {
    let mut n = 0;
    macro_rules! count {
        ($($t:ident = $size:expr),* $(,)?) => {$( let _ = $size; n += 1; )*};
    }
    uapi_structs!(count);
    assert_eq!(n, layouts().len(), "uapi_structs! and this test list different structures");
}

fn c_checks() -> String {
    let mut c = String::from("#include <stddef.h>\n#include \"axi_dma.h\"\n");
    for (name, size, fields) in layouts() {
        writeln!(c, "_Static_assert(sizeof(struct {name}) == {size}, \"{name}: size\");").unwrap();
        for (field, off, sz) in fields {
            writeln!(c, "_Static_assert(offsetof(struct {name}, {field}) == {off}, \"{name}.{field}: offset\");").unwrap();
            writeln!(c, "_Static_assert(sizeof(((struct {name} *)0)->{field}) == {sz}, \"{name}.{field}: size\");").unwrap();
        }
    }
    for (name, nr) in IOCTLS {
        writeln!(c, "_Static_assert(AXI_DMA_IOC_{name} == {nr:#x}u, \"AXI_DMA_IOC_{name}\");").unwrap();
    }
    writeln!(c, "_Static_assert(AXI_DMA_ABI_VERSION == {ABI_VERSION}, \"ABI version\");").unwrap();
    writeln!(c, "_Static_assert(AXI_DMA_ABI_REVISION == {ABI_REVISION}, \"ABI revision\");").unwrap();
    writeln!(c, "_Static_assert(AXI_DMA_IOC_MAGIC == {MAGIC:#x}, \"magic\");").unwrap();
    writeln!(c, "_Static_assert(AXI_DMA_NAME_LEN == {NAME_LEN}, \"name length\");").unwrap();
    for (n, v) in [
        ("AXI_DMA_DIR_MEM_TO_MEM", DIR_MEM_TO_MEM),
        ("AXI_DMA_DIR_MEM_TO_DEV", DIR_MEM_TO_DEV),
        ("AXI_DMA_DIR_DEV_TO_MEM", DIR_DEV_TO_MEM),
        ("AXI_DMA_ALLOC_CACHED", ALLOC_CACHED),
        ("AXI_DMA_ALLOC_TO_DEVICE", ALLOC_TO_DEVICE),
        ("AXI_DMA_ALLOC_FROM_DEVICE", ALLOC_FROM_DEVICE),
        ("AXI_DMA_XFER_NONBLOCK", XFER_NONBLOCK),
        ("AXI_DMA_STATE_PENDING", STATE_PENDING),
        ("AXI_DMA_STATE_DONE", STATE_DONE),
        ("AXI_DMA_STREAM_GAP", STREAM_GAP),
        ("AXI_DMA_NO_PAIR", NO_PAIR),
        ("AXI_DMA_SUBMIT_MAX", SUBMIT_MAX),
        ("AXI_DMA_CHAN_STREAMING", CHAN_STREAMING),
        ("AXI_DMA_CHAN_FIFO", CHAN_FIFO),
    ] {
        writeln!(c, "_Static_assert({n} == {v}u, \"{n}\");").unwrap();
    }
    c
}

#[test]
fn c_header_agrees_on_every_target() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("uapi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("check.c");
    std::fs::write(&src, c_checks()).unwrap();
    let mut ran = 0;
    for cc in ["gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc"] {
        let out = Command::new(cc)
            .args(["-std=c11", "-Wall", "-Werror", "-fsyntax-only", "-I"])
            .arg(root.join("include/uapi"))
            .arg(&src)
            .output();
        match out {
            Ok(o) => {
                assert!(o.status.success(), "{cc}: {}", String::from_utf8_lossy(&o.stderr));
                ran += 1;
            }
            // The cross compilers come with `make setup`; CI always has them.
            Err(e) if std::env::var_os("CI").is_none() => eprintln!("{cc}: {e} (skipped)"),
            Err(e) => panic!("{cc}: {e}"),
        }
    }
    assert!(ran >= 1, "no C compiler ran");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_layout_is_caught() {
    // The check must be able to fail: one offset off by 8 is rejected by the compiler.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("uapi-layout-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("bad.c");
    let good = c_checks();
    let bad = good.replacen(
        "offsetof(struct axi_dma_alloc, id) == 16",
        "offsetof(struct axi_dma_alloc, id) == 24",
        1,
    );
    assert_ne!(good, bad, "the assertion to break was not generated");
    std::fs::write(&src, bad).unwrap();
    let st = Command::new("gcc")
        .args(["-std=c11", "-fsyntax-only", "-I"])
        .arg(root.join("include/uapi"))
        .arg(&src)
        .output()
        .unwrap();
    assert!(!st.status.success(), "a wrong offset compiled");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decoders_accept_exactly_the_documented_values() {
    assert_eq!(XferKind::try_from(0), Ok(XferKind::Memcpy));
    assert_eq!(XferKind::try_from(1), Ok(XferKind::ToDev));
    assert_eq!(XferKind::try_from(2), Ok(XferKind::FromDev));
    assert_eq!(XferKind::try_from(3), Ok(XferKind::Loopback));
    for bad in [4, 0x100, u32::MAX] {
        assert_eq!(XferKind::try_from(bad), Err(BadValue(bad)));
    }
    assert_eq!(decode_alloc_flags(0), Ok(None));
    assert_eq!(decode_alloc_flags(ALLOC_CACHED), Ok(Some(CachedDir::Both)));
    assert_eq!(decode_alloc_flags(ALLOC_CACHED | ALLOC_TO_DEVICE), Ok(Some(CachedDir::ToDevice)));
    assert_eq!(decode_alloc_flags(ALLOC_CACHED | ALLOC_FROM_DEVICE), Ok(Some(CachedDir::FromDevice)));
    // A direction without CACHED, both directions, unknown bits: refused.
    for bad in [
        ALLOC_TO_DEVICE,
        ALLOC_FROM_DEVICE,
        ALLOC_CACHED | ALLOC_TO_DEVICE | ALLOC_FROM_DEVICE,
        1 << 3,
        0x8000_0000,
    ] {
        assert_eq!(decode_alloc_flags(bad), Err(BadValue(bad)));
    }
    assert_eq!(SyncOp::try_from(1), Ok(SyncOp::ForCpu));
    assert_eq!(SyncOp::try_from(2), Ok(SyncOp::ForDevice));
    for bad in [0, 3, u32::MAX] {
        assert_eq!(SyncOp::try_from(bad), Err(BadValue(bad)));
    }
    assert_eq!(SlaveDir::try_from(DIR_MEM_TO_DEV), Ok(SlaveDir::MemToDev));
    assert_eq!(SlaveDir::try_from(DIR_DEV_TO_MEM), Ok(SlaveDir::DevToMem));
    for bad in [0, DIR_MEM_TO_MEM, DIR_MEM_TO_DEV | DIR_DEV_TO_MEM, 8] {
        assert_eq!(SlaveDir::try_from(bad), Err(BadValue(bad)));
    }
}

#[test]
fn names_are_truncated_and_terminated() {
    let mut n = [0xffu8; NAME_LEN];
    n.fill(0);
    copy_name(&mut n, b"tx");
    assert_eq!(&n[..3], b"tx\0");
    let mut long = [0u8; NAME_LEN];
    copy_name(&mut long, &[b'a'; 100]);
    assert!(long[..NAME_LEN - 1].iter().all(|&c| c == b'a'));
    assert_eq!(long[NAME_LEN - 1], 0);
}

#[test]
fn requests_must_leave_outputs_and_padding_zero() {
    let x = Xfer { chan: 1, kind: 2, src_buf: 3, dst_buf: 4, src_off: 5, dst_off: 6, len: 7, flags: 1, timeout_ms: 9, user_data: 10, rx_chan: 11, ..Default::default() };
    assert!(x.only_inputs());
    for bad in [Xfer { xfer_id: 1, ..x }, Xfer { bytes: 1, ..x }, Xfer { error: -1, ..x }] {
        assert!(!bad.only_inputs());
    }
    assert!(ChanInfo { index: 3, ..Default::default() }.only_inputs());
    assert!(!ChanInfo { index: 3, pair: 1, ..Default::default() }.only_inputs());
    assert!(!ChanInfo { reserved: 1, ..Default::default() }.only_inputs());
    assert!(!ChanInfo { name: [1; NAME_LEN], ..Default::default() }.only_inputs());
    assert!(!Alloc { pad: 1, ..Default::default() }.only_inputs());
    assert!(!Alloc { id: 1, ..Default::default() }.only_inputs());
    assert!(!Free { pad: 1, ..Default::default() }.only_inputs());
    assert!(!Reap { pad: 1, ..Default::default() }.only_inputs());
    assert!(!Reap { count: 1, ..Default::default() }.only_inputs());
    assert!(KBench { flags: 3, ..Default::default() }.only_inputs());
    assert!(!StreamCycle { first: 1, ..Default::default() }.only_inputs());
    assert!(!StreamCycle { overruns: 1, ..Default::default() }.only_inputs());
    assert!(StreamCycle { chan: 1, push: 2, lens: 3, entries: 4, max: 5, min: 6, timeout_ms: 7, ..Default::default() }.only_inputs());
    assert!(!Register { id: 1, ..Default::default() }.only_inputs());
    assert!(!Register { pad: 1, ..Default::default() }.only_inputs());
    assert!(Register { addr: 1, size: 2, chan: 3, flags: 4, ..Default::default() }.only_inputs());
    assert!(!Export { fd: 1, ..Default::default() }.only_inputs());
    assert!(Export { id: 1, flags: 2, ..Default::default() }.only_inputs());
    assert!(!Import { id: 1, ..Default::default() }.only_inputs());
    assert!(!Import { size: 1, ..Default::default() }.only_inputs());
    assert!(Import { fd: 1, chan: 2, flags: 3, ..Default::default() }.only_inputs());
    assert!(!KBench { total_ns: 1, ..Default::default() }.only_inputs());
    assert!(!StreamPush { first: 1, ..Default::default() }.only_inputs());
    assert!(!StreamStop { overruns: 1, ..Default::default() }.only_inputs());
    let sc = SlaveConfig { chan: 1, direction: 2, dev_addr: 3, addr_width: 4, maxburst: 5 };
    assert!(sc.only_inputs());
    assert!(!sc.only_get_inputs());
    assert!(SlaveConfig { chan: 1, direction: 2, ..Default::default() }.only_get_inputs());
}
