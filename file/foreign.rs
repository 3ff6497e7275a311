// SPDX-License-Identifier: GPL-2.0

//! Memory the driver did not allocate, as buffers of an open file: REGISTER (the caller's
//! own pages, pinned), EXPORT (one of our buffers as a dma-buf) and IMPORT (another
//! driver's dma-buf). The buffers then live in the file's table like allocated ones
//! (`buffers.rs`).

use kernel::{
    dma::DataDirection,
    prelude::*, //
};

use super::{
    buffers::direction,
    OpenFile, //
};
use crate::{
    buffer::{
        Buffer,
        PinCharge, //
    },
    uapi,
};

impl OpenFile {
    /// The direction REGISTER's and IMPORT's flags ask for (`what` names the ioctl in the
    /// debug message of a refusal).
    fn register_direction(&self, flags: u32, what: &str) -> Result<DataDirection> {
        uapi::decode_register_flags(flags)
            .map(direction)
            .map_err(|f| {
                dev_dbg!(self.dev(), "{}: bad flags {:#x}\n", what, f.0);
                EINVAL
            })
    }

    /// `AXI_DMA_IOC_REGISTER`: pins and maps a range of the caller's memory as a buffer.
    pub(crate) fn register(&self, req: &uapi::Register) -> Result<uapi::Register> {
        let l = &self.shared.limits;
        let dir = self.register_direction(req.flags, "register")?;
        let page = kernel::page::PAGE_SIZE as u64;
        if (req.addr | req.size) & (page - 1) != 0 {
            dev_dbg!(self.dev(), "register: address or size not page-aligned\n");
            return Err(EINVAL);
        }
        if req.size == 0 || req.size > l.max_buffer_size {
            dev_dbg!(
                self.dev(),
                "register: size {:#x} outside 1 page..={:#x}\n",
                req.size,
                l.max_buffer_size
            );
            return Err(EINVAL);
        }
        if req.addr.checked_add(req.size).is_none() {
            return Err(EINVAL);
        }
        let slot = self.chan(req.chan)?;
        let max = l.max_buffers as usize;
        if self.bufs.len() >= max {
            dev_dbg!(self.dev(), "register: {} buffers already\n", max);
            return Err(ENOSPC);
        }
        // Checked again when it is listed (another thread may register meanwhile); here so
        // that a refused overlap pins nothing.
        self.bufs.check_user_free(req.addr, req.size)?;
        let charge = PinCharge::take(
            &self.shared.registry,
            l.max_pinned_bytes,
            &self.pins,
            l.max_file_pinned_bytes,
            req.size,
        )
        .inspect_err(|_| dev_dbg!(self.dev(), "register: pinned-memory limit reached\n"))?;
        let buf = Buffer::register(
            slot.dma_device(),
            req.addr,
            req.size,
            dir,
            charge,
            &self.shared.registry,
        )
        .inspect_err(|e| dev_dbg!(self.dev(), "register: {:#x} bytes: {:?}\n", req.size, e))?;
        let id = self.bufs.insert_user(buf, req.addr, max)?;
        Ok(uapi::Register { id, ..*req })
    }

    /// `AXI_DMA_IOC_EXPORT`: a buffer as a new dma-buf file descriptor.
    pub(crate) fn export(&self, req: &uapi::Export) -> Result<uapi::Export> {
        let (cloexec, rdwr) = (kernel::bindings::O_CLOEXEC, kernel::bindings::O_RDWR);
        if req.flags & !(cloexec | rdwr) != 0 {
            dev_dbg!(self.dev(), "export: bad flags {:#x}\n", req.flags);
            return Err(EINVAL);
        }
        let buf = self.bufs.get(req.id)?;
        let fd = crate::dmabuf::export(&buf, req.flags & rdwr, req.flags & cloexec)
            .inspect_err(|e| dev_dbg!(self.dev(), "export: buffer {}: {:?}\n", req.id, e))?;
        Ok(uapi::Export { fd, ..*req })
    }

    /// `AXI_DMA_IOC_IMPORT`: another driver's dma-buf as a buffer.
    pub(crate) fn import(&self, req: &uapi::Import) -> Result<uapi::Import> {
        let dir = self.register_direction(req.flags, "import")?;
        let slot = self.chan(req.chan)?;
        let max = self.shared.limits.max_buffers as usize;
        if self.bufs.len() >= max {
            dev_dbg!(self.dev(), "import: {} buffers already\n", max);
            return Err(ENOSPC);
        }
        let buf = Buffer::import(slot.dma_device(), req.fd, dir, &self.shared.registry)
            .inspect_err(|e| dev_dbg!(self.dev(), "import: fd {}: {:?}\n", req.fd, e))?;
        let size = buf.size;
        let id = self.bufs.insert_imported(buf, max)?;
        Ok(uapi::Import { id, size, ..*req })
    }
}
