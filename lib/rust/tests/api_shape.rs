//! The API's shape, checked on the host (no device needed):
//!
//! - at compile time, that transfers own their buffers and hand the same types back, and
//!   that every handle is `'static` (no borrow for `mem::forget` to end);
//! - by compiling small programs against the crate, that what must not compile does not,
//!   for the intended reason (rustdoc's `compile_fail` does not check error codes on stable).

use axidma::{Buffer, Completion, Device, Done, Failed, InFlight, Ring, SharedBuffer, Transfer};
use std::{path::PathBuf, process::Command};

fn owned_and_thread_safe<T: Send + Sync + 'static>() {}

#[test]
fn handles_are_owned_and_thread_safe() {
    owned_and_thread_safe::<Device>();
    owned_and_thread_safe::<Buffer>();
    owned_and_thread_safe::<SharedBuffer>();
    owned_and_thread_safe::<Transfer<Buffer>>();
    owned_and_thread_safe::<Transfer<(Buffer, SharedBuffer)>>();
    owned_and_thread_safe::<Ring>();
    owned_and_thread_safe::<Completion>();
    owned_and_thread_safe::<Failed<Buffer>>();
    owned_and_thread_safe::<InFlight<(SharedBuffer, SharedBuffer)>>();
}

/// A receive takes the buffer and gives the same buffer type back with the outcome; a
/// failure converts into `axidma::Error` with `?`.
#[allow(dead_code)]
fn recv_round_trip(dev: &Device, buf: Buffer) -> axidma::Result<(Done, Buffer)> {
    let t: Transfer<Buffer> = dev.submit_recv(1, buf, 0, 4096, 7)?;
    Ok(t.wait(None)?)
}

/// Transfers need no borrow of the device or the buffers: they can be kept anywhere, also
/// after the `Device` handle is gone, and finished by reaped completions.
#[allow(dead_code)]
fn pipeline(dev: Device, src: SharedBuffer, dst: SharedBuffer) -> axidma::Result<Vec<Transfer<(SharedBuffer, SharedBuffer)>>> {
    let mut v = Vec::new();
    for i in 0..4 {
        v.push(dev.submit_memcpy(0, dst.clone(), 0, src.clone(), 0, 64, i)?);
    }
    let (done, _pending) = dev.reap(4, 1, None)?;
    for c in &done {
        if let Some(i) = v.iter().position(|t| t.is_finished_by(c)) {
            let (d, s): (SharedBuffer, SharedBuffer) = v.swap_remove(i).finish(c).map_err(|_| unreachable_err())?;
            drop((d, s));
        }
    }
    drop(dev);
    Ok(v)
}

#[allow(dead_code)]
fn unreachable_err() -> axidma::Error {
    unreachable!()
}

/// Programs that must not compile, each with the error it must fail with.
const MUST_NOT_COMPILE: &[(&str, &str, &str)] = &[
    (
        "moved_into_transfer",
        "E0382",
        "let buf = dev.alloc(0, 4096)?;
         let t = dev.submit_recv(0, buf, 0, 4096, 0)?;
         std::mem::forget(t);
         let _ = buf.as_slice();",
    ),
    (
        "moved_into_memcpy",
        "E0382",
        "let (mut src, dst) = (dev.alloc(0, 64)?, dev.alloc(0, 64)?);
         let t = dev.submit_memcpy(0, dst, 0, src, 0, 64, 0)?;
         src.as_mut_slice()[0] = 1;
         drop(t);",
    ),
    (
        "shared_has_no_bytes",
        "E0599",
        "let buf = dev.alloc(0, 4096)?.into_shared();
         let _ = buf.as_slice();",
    ),
    (
        "buffer_is_not_clone",
        "E0599",
        "let buf = dev.alloc(0, 4096)?;
         let _copy = buf.clone();",
    ),
    (
        "blocking_recv_needs_exclusive",
        "E0502",
        "let mut buf = dev.alloc(1, 4096)?;
         let view = buf.as_slice();
         dev.recv(1, &mut buf, 0, 4096, None)?;
         println!(\"{}\", view.len());",
    ),
    (
        "ring_slot_outlives_release",
        "E0502",
        "let mut ring = dev.ring(1, axidma::RingDir::Rx, 4, 4096, false)?;
         let done = ring.reap(4, 1, None)?;
         let data = ring.data(&done[0]).unwrap();
         ring.release(1)?;
         println!(\"{}\", data.len());",
    ),
    (
        "tx_slot_outlives_send",
        "E0499",
        "let mut ring = dev.ring(0, axidma::RingDir::Tx, 4, 4096, false)?;
         let slot = ring.next_slot().unwrap();
         ring.send(16)?;
         slot[0] = 1;",
    ),
    (
        "buffer_not_dma_buf_by_reference",
        "E0277",
        "let buf = dev.alloc(1, 4096)?;
         let t = dev.submit_recv(1, &buf, 0, 4096, 0)?;
         drop(t);",
    ),
    (
        "dma_buf_is_sealed",
        "E0277",
        "struct Mine(Vec<u8>);
         impl axidma::DmaBuf for Mine {}
         let t = dev.submit_recv(1, Mine(vec![0; 64]), 0, 64, 0)?;
         drop(t);",
    ),
    (
        "completions_cannot_be_forged",
        "E0451",
        "let buf = dev.alloc(1, 4096)?;
         let t = dev.submit_recv(1, buf, 0, 4096, 0)?;
         let fake = axidma::Completion { raw: axidma::abi::Completion { xfer_id: t.id(), ..Default::default() }, serial: 0 };
         let _ = t.finish(&fake);",
    ),
];

/// The same, compiling: the harness itself works.
const MUST_COMPILE: &str = "let buf = dev.alloc(1, 4096)?;
     let t = dev.submit_recv(1, buf, 0, 4096, 0)?;
     let (_done, buf) = t.wait(None)?;
     let _ = buf.as_slice();";

fn program(body: &str) -> String {
    format!("fn main() -> Result<(), axidma::Error> {{\n    let dev = axidma::Device::open_default()?;\n    {body}\n    Ok(())\n}}\n")
}

#[test]
fn what_must_not_compile_does_not() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("api-shape");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"api-shape\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\naxidma = {{ path = \"{}\" }}\n\n[workspace]\n",
            crate_dir.display()
        ),
    )
    .unwrap();
    // The crate's own lock file: the same libc, nothing fetched.
    let lock = std::fs::read_to_string(crate_dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("Cargo.lock"), lock).unwrap();
    std::fs::write(dir.join("src/bin/ok.rs"), program(MUST_COMPILE)).unwrap();
    for (name, _, body) in MUST_NOT_COMPILE {
        std::fs::write(dir.join(format!("src/bin/{name}.rs")), program(body)).unwrap();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let check = |bin: &str| {
        let out = Command::new(&cargo)
            .args(["check", "--offline", "--quiet", "--message-format=short", "--bin", bin])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, err) = check("ok");
    assert!(ok, "the control program does not compile:\n{err}");
    for (name, code, _) in MUST_NOT_COMPILE {
        let (ok, err) = check(name);
        assert!(!ok, "{name} compiles but must not");
        assert!(err.contains(&format!("error[{code}]")), "{name} must fail with {code}, got:\n{err}");
    }
}
