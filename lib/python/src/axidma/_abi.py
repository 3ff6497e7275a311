# SPDX-License-Identifier: MIT
"""The driver's ABI, transcribed from ``include/uapi/axi_dma.h``.

Every structure is described field by field with :mod:`struct` codes in native byte order
and *no* automatic alignment (``=``): the header pads explicitly, so the layout is the same
for arm64 and armhf (and x86_64). The host tests compile the header with each cross
compiler and compare every size, offset, ioctl number and constant with this module.
"""
from __future__ import annotations

import struct
from typing import Any, Dict, List, Tuple

ABI_VERSION = 1
ABI_REVISION = 4
IOC_MAGIC = 0xAD
MAX_CHANNELS = 8
NAME_LEN = 32

DIR_MEM_TO_MEM = 1 << 0
DIR_MEM_TO_DEV = 1 << 1
DIR_DEV_TO_MEM = 1 << 2

NO_PAIR = 0xFFFFFFFF
CHAN_STREAMING = 1 << 0
CHAN_FIFO = 1 << 1

ALLOC_CACHED = 1 << 0
ALLOC_TO_DEVICE = 1 << 1
ALLOC_FROM_DEVICE = 1 << 2

REGISTER_TO_DEVICE = 1 << 1
REGISTER_FROM_DEVICE = 1 << 2
REGISTER_MAX_RUNS = 64
IMPORT_TO_DEVICE = 1 << 1
IMPORT_FROM_DEVICE = 1 << 2

XFER_MEMCPY = 0
XFER_TO_DEV = 1
XFER_FROM_DEV = 2
XFER_LOOPBACK = 3
XFER_NONBLOCK = 1 << 0

STATE_PENDING = 0
STATE_DONE = 1

SYNC_FOR_CPU = 1
SYNC_FOR_DEVICE = 2

STREAM_GAP = 1 << 0
KBENCH_BARE = 1 << 0
KBENCH_LOOPBACK = 1 << 1
SUBMIT_MAX = 64
REAP_MAX = 256


class Layout:
    """One C structure: field names, :mod:`struct` codes, offsets and size."""

    def __init__(self, cname: str, fields: List[Tuple[str, str]]):
        self.cname = cname
        self.fields = fields
        self.names = [f for f, _ in fields]
        self.offsets: Dict[str, int] = {}
        off = 0
        for name, code in fields:
            self.offsets[name] = off
            size = struct.calcsize("=" + code)
            elem = struct.calcsize("=" + code.lstrip("0123456789")) if not code.endswith("s") else 1
            # The header aligns every field naturally (u64 at 8 also on 32-bit ARM EABI).
            assert off % elem == 0, f"{cname}.{name} misaligned"
            off += size
        self.size = off
        self.fmt = "=" + "".join(code for _, code in fields)
        self._struct = struct.Struct(self.fmt)
        assert self._struct.size == self.size
        # how many values each field takes in a flat pack()/unpack() tuple
        self._counts = [int(code[:-1]) if code[:-1].isdigit() and not code.endswith("s") else 1
                        for _, code in fields]
        self._scalar = all(n == 1 and not code.endswith("s") for (_, code), n in zip(fields, self._counts))
        self._zero = [0] * len(fields)
        self._index = {name: i for i, name in enumerate(self.names)}

    def pack(self, **values: Any) -> bytearray:
        """A zeroed structure with the given fields set (the driver's zero rule)."""
        if self._scalar:  # the fast path: every field one value
            flat = self._zero[:]
            idx = self._index
            try:
                for k, v in values.items():
                    flat[idx[k]] = v
            except KeyError:
                raise TypeError(f"{self.cname} has no field(s) {sorted(set(values) - set(idx))}") from None
            return bytearray(self._struct.pack(*flat))
        flat = []
        for (name, code), n in zip(self.fields, self._counts):
            v = values.pop(name, None)
            if code.endswith("s"):
                flat.append(v if v is not None else b"")
            elif n > 1:
                flat.extend(v if v is not None else [0] * n)
            else:
                flat.append(v if v is not None else 0)
        if values:
            raise TypeError(f"{self.cname} has no field(s) {sorted(values)}")
        return bytearray(self._struct.pack(*flat))

    def unpack(self, data: Any, offset: int = 0) -> Dict[str, Any]:
        """The fields of a structure as a dict (char arrays decoded up to their NUL)."""
        flat = self._struct.unpack_from(data, offset)
        if self._scalar:
            return dict(zip(self.names, flat))
        out: Dict[str, Any] = {}
        i = 0
        for (name, code), n in zip(self.fields, self._counts):
            if code.endswith("s"):
                out[name] = flat[i].split(b"\0", 1)[0].decode("utf-8", "replace")
                i += 1
            elif n > 1:
                out[name] = list(flat[i:i + n])
                i += n
            else:
                out[name] = flat[i]
                i += 1
        return out


U32, S32, U64 = "I", "i", "Q"

INFO = Layout("axi_dma_info", [
    ("abi_version", U32), ("num_channels", U32), ("max_buffers", U32), ("max_inflight", U32),
    ("max_buffer_size", U64), ("abi_revision", U32), ("reserved32", U32), ("reserved", "3Q")])
CHAN_INFO = Layout("axi_dma_chan_info", [
    ("index", U32), ("directions", U32), ("addr_align", U32), ("max_seg_size", U32),
    ("residue_granularity", U32), ("coherent", U32), ("name", f"{NAME_LEN}s"),
    ("provider", f"{NAME_LEN}s"), ("pair", U32), ("flags", U32), ("reserved", U64)])
ALLOC = Layout("axi_dma_alloc", [
    ("size", U64), ("chan", U32), ("flags", U32), ("id", U32), ("pad", U32),
    ("mmap_offset", U64), ("mmap_size", U64)])
FREE = Layout("axi_dma_free", [("id", U32), ("pad", U32)])
XFER = Layout("axi_dma_xfer", [
    ("chan", U32), ("kind", U32), ("src_buf", U32), ("dst_buf", U32), ("src_off", U64),
    ("dst_off", U64), ("len", U64), ("flags", U32), ("timeout_ms", U32), ("user_data", U64),
    ("xfer_id", U64), ("bytes", U64), ("error", S32), ("rx_chan", U32)])
COMPLETION = Layout("axi_dma_completion", [
    ("xfer_id", U64), ("user_data", U64), ("bytes", U64), ("error", S32), ("chan", U32)])
REAP = Layout("axi_dma_reap", [
    ("entries", U64), ("max", U32), ("min", U32), ("timeout_ms", U32), ("count", U32),
    ("pending", U32), ("pad", U32)])
STATUS = Layout("axi_dma_status", [
    ("xfer_id", U64), ("state", U32), ("error", S32), ("bytes", U64)])
WAIT = Layout("axi_dma_wait", [
    ("xfer_id", U64), ("timeout_ms", U32), ("error", S32), ("bytes", U64), ("user_data", U64)])
CANCEL = Layout("axi_dma_cancel", [("chan", U32), ("cancelled", U32)])
SLAVE_CONFIG = Layout("axi_dma_slave_config", [
    ("chan", U32), ("direction", U32), ("dev_addr", U64), ("addr_width", U32), ("maxburst", U32)])
KBENCH = Layout("axi_dma_kbench", [
    ("chan", U32), ("src_buf", U32), ("dst_buf", U32), ("depth", U32), ("len", U64),
    ("iters", U32), ("flags", U32), ("total_ns", U64), ("submit_ns", U64)])
SYNC = Layout("axi_dma_sync", [("id", U32), ("op", U32), ("offset", U64), ("len", U64)])
STREAM_START = Layout("axi_dma_stream_start", [
    ("chan", U32), ("direction", U32), ("buf", U32), ("count", U32), ("offset", U64),
    ("slot_size", U64), ("flags", U32), ("queued", U32)])
STREAM_PUSH = Layout("axi_dma_stream_push", [
    ("chan", U32), ("count", U32), ("lens", U64), ("first", U32), ("queued", U32)])
STREAM_DONE = Layout("axi_dma_stream_done", [
    ("seq", U64), ("bytes", U64), ("slot", U32), ("error", S32), ("flags", U32), ("pad", U32)])
STREAM_REAP = Layout("axi_dma_stream_reap", [
    ("chan", U32), ("max", U32), ("entries", U64), ("min", U32), ("timeout_ms", U32),
    ("count", U32), ("queued", U32), ("overruns", U64)])
STREAM_CYCLE = Layout("axi_dma_stream_cycle", [
    ("chan", U32), ("push", U32), ("lens", U64), ("entries", U64), ("max", U32), ("min", U32),
    ("timeout_ms", U32), ("first", U32), ("count", U32), ("queued", U32), ("overruns", U64)])
STREAM_STOP = Layout("axi_dma_stream_stop", [
    ("chan", U32), ("aborted", U32), ("completed", U64), ("overruns", U64)])
CLAIM = Layout("axi_dma_claim", [("chan", U32), ("flags", U32)])
SUBMIT = Layout("axi_dma_submit", [
    ("xfers", U64), ("count", U32), ("flags", U32), ("queued", U32), ("error", S32),
    ("entries", U64), ("max", U32), ("min", U32), ("timeout_ms", U32), ("reaped", U32),
    ("pending", U32), ("pad", U32)])

REGISTER = Layout("axi_dma_register", [
    ("addr", U64), ("size", U64), ("chan", U32), ("flags", U32), ("id", U32), ("pad", U32)])

EXPORT = Layout("axi_dma_export", [("id", U32), ("flags", U32), ("fd", S32), ("pad", U32)])
IMPORT = Layout("axi_dma_import", [
    ("fd", S32), ("chan", U32), ("flags", U32), ("id", U32), ("size", U64)])

LAYOUTS = [INFO, CHAN_INFO, ALLOC, FREE, XFER, COMPLETION, REAP, STATUS, WAIT, CANCEL,
           SLAVE_CONFIG, KBENCH, SYNC, STREAM_START, STREAM_PUSH, STREAM_DONE, STREAM_REAP,
           STREAM_CYCLE, STREAM_STOP, CLAIM, SUBMIT, REGISTER, EXPORT, IMPORT]

# <asm-generic/ioctl.h>, which ARM and arm64 use unchanged.
_IOC_NONE, _IOC_WRITE, _IOC_READ = 0, 1, 2


def _ioc(direction: int, nr: int, layout: Layout) -> int:
    return (direction << 30) | (layout.size << 16) | (IOC_MAGIC << 8) | nr


def _IOR(nr: int, layout: Layout) -> int:
    return _ioc(_IOC_READ, nr, layout)


def _IOW(nr: int, layout: Layout) -> int:
    return _ioc(_IOC_WRITE, nr, layout)


def _IOWR(nr: int, layout: Layout) -> int:
    return _ioc(_IOC_READ | _IOC_WRITE, nr, layout)


IOC_INFO = _IOR(0x00, INFO)
IOC_CHAN_INFO = _IOWR(0x01, CHAN_INFO)
IOC_ALLOC = _IOWR(0x02, ALLOC)
IOC_FREE = _IOW(0x03, FREE)
IOC_XFER = _IOWR(0x04, XFER)
IOC_WAIT = _IOWR(0x05, WAIT)
IOC_REAP = _IOWR(0x06, REAP)
IOC_STATUS = _IOWR(0x07, STATUS)
IOC_CANCEL = _IOWR(0x08, CANCEL)
IOC_SLAVE_CONFIG = _IOW(0x09, SLAVE_CONFIG)
IOC_KBENCH = _IOWR(0x0A, KBENCH)
IOC_SYNC = _IOW(0x0B, SYNC)
IOC_STREAM_START = _IOWR(0x0C, STREAM_START)
IOC_STREAM_PUSH = _IOWR(0x0D, STREAM_PUSH)
IOC_STREAM_REAP = _IOWR(0x0E, STREAM_REAP)
IOC_STREAM_STOP = _IOWR(0x0F, STREAM_STOP)
IOC_CLAIM = _IOW(0x10, CLAIM)
IOC_UNCLAIM = _IOW(0x11, CLAIM)
IOC_SLAVE_CONFIG_GET = _IOWR(0x12, SLAVE_CONFIG)
IOC_SUBMIT = _IOWR(0x13, SUBMIT)
IOC_STREAM_CYCLE = _IOWR(0x14, STREAM_CYCLE)
IOC_REGISTER = _IOWR(0x15, REGISTER)
IOC_EXPORT = _IOWR(0x16, EXPORT)
IOC_IMPORT = _IOWR(0x17, IMPORT)
