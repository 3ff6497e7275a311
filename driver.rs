// SPDX-License-Identifier: GPL-2.0

//! The platform driver: the OF match table, probe and unbind, the misc device and debugfs
//! files of each bound client node, and instance numbering (`/dev/axi-dmaN`).

use kernel::{
    device::Core,
    of, platform,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
    },
};

use crate::{
    compat,
    device::{
        Limits,
        Shared, //
    },
    miscdev::MiscReg,
    stats::{
        ObjectsView,
        StatsView,
        LIVE_BUFFERS,
        LIVE_BYTES, //
    },
};

/// Instance numbers in use (bit N: `axi-dmaN`), at most 64.
static INSTANCES: Atomic<u64> = Atomic::new(0);

/// A taken instance number, given back when dropped.
struct Instance(u32);

impl Instance {
    /// Takes the lowest free number (`ENOSPC` when all 64 are taken).
    fn take() -> Result<Self> {
        loop {
            let cur = INSTANCES.load(Relaxed);
            let free = lowest_clear_bit(cur).ok_or(ENOSPC)?;
            if INSTANCES.cmpxchg(cur, cur | (1 << free), Relaxed).is_ok() {
                return Ok(Self(free));
            }
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let mut cur = INSTANCES.load(Relaxed);
        while let Err(now) = INSTANCES.cmpxchg(cur, cur & !(1u64 << self.0), Relaxed) {
            cur = now;
        }
    }
}

/// The lowest clear bit of `set`, if any.
fn lowest_clear_bit(set: u64) -> Option<u32> {
    let n = (!set).trailing_zeros();
    (n < 64).then_some(n)
}

/// The driver data of one bound client node.
#[pin_data(PinnedDrop)]
pub(crate) struct AxiDmaDriver {
    // Declared first so that it is dropped first: no new opens during teardown.
    #[pin]
    misc: MiscReg,
    #[pin]
    _stats: kernel::debugfs::File<StatsView>,
    #[pin]
    _objects: kernel::debugfs::File<ObjectsView>,
    _debugfs: kernel::debugfs::Dir,
    shared: Arc<Shared>,
    // Dropped last (also when probe fails half-way): gives the number back.
    _instance: Instance,
}

crate::compat::of_device_table!(
    OF_TABLE,
    <AxiDmaDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"linux,axi-dma-user"), ())]
);

impl platform::Driver for AxiDmaDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        pin_init::pin_init_scope(move || {
            let dev = pdev.as_ref();
            use crate::module_parameters as p;
            let mut max_buffer_size = compat::param(p::max_buffer_size.value());
            if let Some(fw) = dev.fwnode() {
                if let Some(dt) = fw.property_read::<u32>(c"linux,max-buffer-size").optional() {
                    max_buffer_size = max_buffer_size.min(u64::from(dt));
                }
            }
            let limits = Limits {
                max_buffer_size,
                max_buffers: compat::param(p::max_buffers.value()),
                max_pinned_bytes: compat::param(p::max_pinned_bytes.value()),
                max_file_pinned_bytes: compat::param(p::max_file_pinned_bytes.value()),
                max_inflight: compat::param(p::max_inflight.value()).max(1),
                default_timeout_ms: compat::param(p::timeout_ms.value()).max(1),
            };
            let shared = Shared::new(dev, limits)?;
            let instance = Instance::take()?;
            let name = CString::try_from_fmt(fmt!("axi-dma{}", instance.0))?;
            dev_info!(
                dev,
                "/dev/{} ready: {} channel(s), buffers up to {:#x} bytes\n",
                name.to_str().unwrap_or("?"),
                shared.chans.len(),
                max_buffer_size
            );
            // /sys/kernel/debug/axi-dmaN/{stats,objects}.
            let debugfs = kernel::debugfs::Dir::new(&name);
            let mut view = KVec::with_capacity(shared.chans.len(), GFP_KERNEL)?;
            for slot in shared.chans.iter() {
                let mut n = KVec::new();
                n.extend_from_slice(slot.name.to_bytes(), GFP_KERNEL)?;
                view.push((n, slot.stats.clone()), GFP_KERNEL)?;
            }
            Ok(try_pin_init!(Self {
                // Initialised first so that a failure below drops (and returns) it.
                _instance: instance,
                misc <- MiscReg::register(name, shared.clone()),
                _stats <- debugfs.read_write_file(c"stats", StatsView { chans: view }),
                _objects <- debugfs.read_only_file(c"objects", ObjectsView),
                _debugfs: debugfs,
                shared,
            }? Error))
        })
    }

    fn unbind<'bound>(pdev: &'bound platform::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        dev_dbg!(pdev.as_ref(), "unbind: stopping all transfers\n");
        this.shared.shutdown();
    }
}

#[pinned_drop]
impl PinnedDrop for AxiDmaDriver {
    fn drop(self: Pin<&mut Self>) {
        // Also reached when probe fails after `misc` was registered, or without unbind.
        self.shared.shutdown();
        // Buffers still alive belong to other bound devices (this one's were revoked).
        dev_info!(
            self.shared.dev,
            "unbound; module-wide {} DMA buffer(s), {:#x} bytes still allocated\n",
            LIVE_BUFFERS.load(Relaxed),
            LIVE_BYTES.load(Relaxed)
        );
    }
}

#[kunit_tests(axi_dma_instances)]
mod tests {
    use super::lowest_clear_bit;

    #[test]
    fn lowest_clear_bit_finds_holes_and_fullness() {
        assert_eq!(lowest_clear_bit(0), Some(0));
        assert_eq!(lowest_clear_bit(0b1011), Some(2));
        assert_eq!(lowest_clear_bit(u64::MAX >> 1), Some(63));
        assert_eq!(lowest_clear_bit(u64::MAX), None);
    }
}
