// SPDX-License-Identifier: GPL-2.0

//! The state of one bound client node ([`Shared`]), shared with its open files (which may
//! outlive the binding): its channels, the limits applied to user requests and the
//! registry of what unbind must revoke. The probe-time discovery of the channels is in
//! `device/discover.rs`.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    prelude::*,
    sync::{
        aref::ARef,
        Arc, //
    },
};

use crate::{
    buffer::Registry,
    chan::ChanSlot, //
};

mod discover;

use discover::channels;

/// Most channels one client node may name.
pub(crate) const MAX_CHANNELS: usize = 8;

/// Limits applied to user requests.
pub(crate) struct Limits {
    pub(crate) max_buffer_size: u64,
    pub(crate) max_buffers: u32,
    /// Most bytes of user memory registered on the device at once.
    pub(crate) max_pinned_bytes: u64,
    /// Most bytes of user memory one open file has registered at once.
    pub(crate) max_file_pinned_bytes: u64,
    pub(crate) max_inflight: u32,
    pub(crate) default_timeout_ms: u32,
}

/// State shared by the bound device and its open files.
pub(crate) struct Shared {
    pub(crate) dev: ARef<Device>,
    pub(crate) chans: KVec<Arc<ChanSlot>>,
    pub(crate) limits: Limits,
    /// The device's live buffers and open files' mappings, revoked at unbind.
    pub(crate) registry: Arc<Registry>,
}

impl Shared {
    /// Requests every channel named by `dev`'s `dma-names` and builds the shared state.
    pub(crate) fn new(dev: &Device<Bound>, limits: Limits) -> Result<Arc<Self>> {
        let chans = channels(dev)?;
        Arc::new(
            Self {
                dev: dev.into(),
                chans,
                limits,
                registry: Registry::new()?,
            },
            GFP_KERNEL,
        )
        .map_err(Into::into)
    }

    /// The channel with `index` (`EINVAL` if there is none).
    pub(crate) fn chan(&self, index: u32) -> Result<&Arc<ChanSlot>> {
        self.chans.get(index as usize).ok_or_else(|| {
            dev_dbg!(self.dev, "no channel {}\n", index);
            EINVAL
        })
    }

    /// Unbind: stops every transfer, releases every channel, then revokes every buffer (user
    /// mappings are zapped and the memory freed while the providers are still bound).
    pub(crate) fn shutdown(&self) {
        for slot in self.chans.iter() {
            slot.shutdown();
        }
        let n = self.registry.revoke_all();
        if n > 0 {
            dev_info!(self.dev, "unbind: revoked {} buffer(s) of open files\n", n);
        }
    }
}
