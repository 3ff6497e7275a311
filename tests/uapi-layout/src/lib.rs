// SPDX-License-Identifier: GPL-2.0
//! The kernel module's UAPI mirror, compiled as it is on the host (it uses `core` only),
//! checked field by field against the C header by the C compiler of every target user
//! space is built for (`layout.rs`, run by `cargo test`).

#[path = "../../../uapi.rs"]
#[allow(unused_imports, reason = "uapi_structs! is used by the kernel side")]
mod uapi;

#[cfg(test)]
mod layout;
