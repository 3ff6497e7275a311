# SPDX-License-Identifier: MIT
"""Device, buffers as numpy arrays, transfers, rings: the UAPI with ``fcntl.ioctl`` and
``mmap`` (docs/uapi.md is the reference for every call)."""
from __future__ import annotations

import array
import errno as _errno
import fcntl
import mmap
import os
import struct
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _abi as abi

DEFAULT_DEVICE = "/dev/axi-dma0"
# The oldest driver this package works with (revision 2: SUBMIT, per-channel directions,
# the zero rule); newer calls (STREAM_CYCLE, revision 3) are used where the driver has them.
REQUIRED_REVISION = 2

Shape = Union[int, Sequence[int]]
ChanSpec = Union[int, str, "Channel", None]


class AxiDmaError(OSError):
    """A call the driver refused or a transfer that failed.

    ``errno`` is the error number (``errno.ETIMEDOUT``, ``errno.EIO``...), ``operation``
    the UAPI call (``"XFER"``, ``"WAIT"``, ``"ALLOC"``...), ``bytes`` what a failed
    transfer moved before it ended (None where that does not apply).
    """

    def __init__(self, err: int, operation: str = "", nbytes: Optional[int] = None):
        super().__init__(err, f"{operation}: {os.strerror(err)}" if operation else os.strerror(err))
        self.operation = operation
        self.bytes = nbytes


def _ms(timeout: Optional[float]) -> int:
    """Seconds (None: the module's default) -> the UAPI's timeout_ms (0 = default)."""
    if timeout is None:
        return 0
    if not isinstance(timeout, (int, float)) or timeout != timeout:
        raise TypeError("timeout must be a number of seconds or None")
    if timeout <= 0:
        raise ValueError("timeout must be > 0 seconds (None: the module's default)")
    return max(1, min(0xFFFFFFFF, int(round(timeout * 1000))))


@dataclass(frozen=True)
class Info:
    """What ``AXI_DMA_IOC_INFO`` reports about the device and its limits."""
    abi_version: int
    abi_revision: int
    num_channels: int
    max_buffers: int
    max_inflight: int
    max_buffer_size: int


@dataclass(frozen=True)
class Channel:
    """One channel of the device (``AXI_DMA_IOC_CHAN_INFO``) and what it can do."""
    index: int
    name: str
    provider: str
    directions: int
    addr_align: int
    max_seg_size: int
    residue_granularity: int
    coherent: bool
    pair: Optional[int]
    flags: int

    @property
    def can_memcpy(self) -> bool:
        return bool(self.directions & abi.DIR_MEM_TO_MEM)

    @property
    def can_send(self) -> bool:
        return bool(self.directions & abi.DIR_MEM_TO_DEV)

    @property
    def can_recv(self) -> bool:
        return bool(self.directions & abi.DIR_DEV_TO_MEM)

    @property
    def streaming(self) -> bool:
        """The device side is an AXI stream (AXI DMA): no device address."""
        return bool(self.flags & abi.CHAN_STREAMING)

    @property
    def fifo(self) -> bool:
        """The device side is a fixed address from the device tree."""
        return bool(self.flags & abi.CHAN_FIFO)

    @property
    def capabilities(self) -> List[str]:
        caps = [n for n, ok in (("memcpy", self.can_memcpy), ("send", self.can_send),
                                ("recv", self.can_recv)) if ok]
        return caps


class _Mapping:
    """One DMA buffer of a file: its id and its mapping (freed when both are gone)."""

    def __init__(self, dev: "Device", bid: int, size: int, mm: mmap.mmap, chan: int, flags: int):
        self.dev = dev
        self.id = bid
        self.size = size
        self.mm = mm
        self.chan = chan
        self.flags = flags
        self.freed = False
        whole = np.frombuffer(mm, dtype=np.uint8, count=size)
        self.base = whole.__array_interface__["data"][0]
        self.bytes = whole

    def free(self) -> None:
        if self.freed:
            return
        self.freed = True
        self.dev._buffers.pop(self.id, None)
        if self.dev._fd is not None:
            self.dev._ioctl("FREE", abi.IOC_FREE, abi.FREE, id=self.id)
        # The mapping stays valid while arrays view it; the kernel frees the memory at the
        # last munmap (when the last array and this object are gone).


class DmaArray(np.ndarray):
    """A numpy array whose memory is a DMA buffer of a :class:`Device` (no copy).

    Slices and views of it are DmaArrays of the same buffer and can be transferred too
    (they must be C-contiguous). PYNQ's names are there: ``flush``, ``invalidate``,
    ``freebuffer``, ``physical_address`` and ``device_address``.
    """

    _dma: Optional[_Mapping]
    _off: Optional[int]

    def __array_finalize__(self, obj: Any) -> None:
        self._dma = getattr(obj, "_dma", None)
        self._off = None  # computed on first use (an array's data never moves)

    # -- where it lives
    @property
    def buffer_id(self) -> int:
        """The driver's buffer id."""
        return self._mapping().id

    @property
    def offset(self) -> int:
        """Byte offset of this array's first element in its DMA buffer."""
        off = self._off
        if off is None:
            off = self._off = self.__array_interface__["data"][0] - self._mapping().base
        return off

    @property
    def cached(self) -> bool:
        """Allocated with ``cached=True`` (needs sync around DMA)."""
        return bool(self._mapping().flags & abi.ALLOC_CACHED)

    @property
    def device_address(self) -> None:
        """The bus address the DMA engine uses: not exposed by this driver's UAPI.

        User space never programs a DMA engine with it here (the kernel does), so the
        UAPI (revision 2) has no call that returns it; this is always None.
        """
        return None

    physical_address = device_address

    def _mapping(self) -> _Mapping:
        m = self._dma
        if m is None:
            raise TypeError("not a DMA array (this view lost its buffer)")
        if m.freed:
            raise ValueError("the DMA buffer was freed")
        return m

    # -- cache hand-over
    def sync_for_device(self) -> None:
        """Hand the bytes of this array to the device (after the CPU wrote them)."""
        m = self._mapping()
        m.dev._sync(m, abi.SYNC_FOR_DEVICE, self.offset, max(self.nbytes, 1))

    def sync_for_cpu(self) -> None:
        """Hand the bytes of this array to the CPU (after the device wrote them)."""
        m = self._mapping()
        m.dev._sync(m, abi.SYNC_FOR_CPU, self.offset, max(self.nbytes, 1))

    flush = sync_for_device
    invalidate = sync_for_cpu

    # -- lifetime
    def free(self) -> None:
        """Drop the buffer's id: no more transfers; the memory goes with the last view."""
        if self._dma is not None:
            self._dma.free()

    freebuffer = free

    def close(self) -> None:
        self.free()

    def __enter__(self) -> "DmaArray":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()

    def __reduce__(self) -> Any:  # pickling copies the data out: a plain array
        return np.asarray(self).copy().__reduce__()


class Transfer:
    """A non-blocking transfer in flight: ``wait()``, ``done()``, then ``bytes``."""

    def __init__(self, dev: "Device", xfer_id: int, kind: str, chan: int, nbytes: int,
                 dst: Optional[DmaArray] = None, user_data: int = 0):
        self.dev = dev
        self.id = xfer_id
        self.kind = kind
        self.chan = chan
        self.len = nbytes
        self.user_data = user_data
        self._dst = dst
        self.finished = False
        self.bytes: Optional[int] = None
        self.error: int = 0

    def _complete(self, nbytes: int, error: int) -> None:
        self.finished = True
        self.bytes = nbytes
        self.error = -error if error < 0 else error
        self.dev._inflight.pop(self.id, None)
        d = self._dst
        if d is not None and d._dma is not None and not d._dma.freed and d.cached and not error:
            # A cached destination: the CPU's view after the device wrote it.
            d._dma.dev._sync(d._dma, abi.SYNC_FOR_CPU, d.offset, max(d.nbytes, 1))

    def done(self) -> bool:
        """Whether the transfer ended (does not collect it; never blocks)."""
        if self.finished:
            return True
        st = self.dev._ioctl("STATUS", abi.IOC_STATUS, abi.STATUS, xfer_id=self.id)
        return st["state"] == abi.STATE_DONE

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the end and return the bytes moved.

        Raises AxiDmaError (ETIMEDOUT, EIO, ECANCELED) if it failed. A timeout
        terminates the channel (the driver's rule for every timed-out wait). timeout in
        seconds; None: the module's default (5 s).
        """
        if not self.finished:
            try:
                w = self.dev._ioctl("WAIT", abi.IOC_WAIT, abi.WAIT, xfer_id=self.id,
                                    timeout_ms=_ms(timeout), _want_struct_on_error=True)
            except AxiDmaError as e:
                if e.errno in (_errno.EIO, _errno.ECANCELED, _errno.ETIMEDOUT) and e.bytes is not None:
                    self._complete(e.bytes, e.errno)
                raise
            self._complete(w["bytes"], w["error"])
        if self.error:
            raise AxiDmaError(self.error, self.kind, self.bytes)
        assert self.bytes is not None
        return self.bytes

    def __repr__(self) -> str:
        st = "done" if self.finished else "in flight"
        return f"<Transfer {self.kind} id={self.id} chan={self.chan} len={self.len} {st}>"


class Frame(np.ndarray):
    """A filled slot of an rx ring (a view of the DMA buffer): ``seq``, ``slot``,
    ``gap`` (the ring ran dry before it: an overrun), ``error`` (0 or an errno)."""

    seq: int
    slot: int
    gap: bool
    error: int

    def __array_finalize__(self, obj: Any) -> None:
        for k, v in (("seq", 0), ("slot", 0), ("gap", False), ("error", 0)):
            setattr(self, k, getattr(obj, k, v))


class _Ring:
    """What rx and tx rings share: stopping, and use as a context manager."""

    dev: "Device"
    chan: int
    buf: Any
    running: bool
    overruns: int

    def stop(self) -> Dict[str, int]:
        """Stop the ring (terminating queued slots) and free its buffer; the counters."""
        if not self.running:
            return {}
        self.running = False
        s = self.dev._ioctl("STREAM_STOP", abi.IOC_STREAM_STOP, abi.STREAM_STOP, chan=self.chan)
        self.overruns = s["overruns"]
        self.buf.free()
        return {"aborted": s["aborted"], "completed": s["completed"], "overruns": s["overruns"]}

    def close(self) -> Dict[str, int]:
        return self.stop()

    def __enter__(self) -> Any:
        return self


class RxRing(_Ring):
    """An rx ring on a slave channel: iterate to get each filled slot as a numpy view.

    Each frame stays valid until the next iteration step, which gives its slot back to
    the device (copy it to keep it). ``overruns`` counts the times the ring ran dry.
    Iteration ends after ``count`` frames (None: forever) or when nothing arrives within
    ``timeout`` (None: raise AxiDmaError(ETIMEDOUT) instead of ending).
    """

    def __init__(self, dev: "Device", chan: int, slots: int, slot_size: int,
                 dtype: Any = np.uint8, cached: bool = False,
                 count: Optional[int] = None, timeout: Optional[float] = None):
        self.dev = dev
        self.chan = chan
        self.slots = slots
        self.slot_size = slot_size
        self.dtype = np.dtype(dtype)
        self.count = count
        self.timeout = timeout
        self.overruns = 0
        self.received = 0
        self._held = 0
        self.buf = dev.allocate(slots * slot_size, np.uint8, cached=cached, channel=chan,
                                _flags_extra=abi.ALLOC_FROM_DEVICE if cached else 0)
        dev._ioctl("STREAM_START", abi.IOC_STREAM_START, abi.STREAM_START, chan=chan,
                   direction=abi.DIR_DEV_TO_MEM, buf=self.buf.buffer_id, count=slots,
                   offset=0, slot_size=slot_size)
        self.running = True
        self._entries = array.array("B", bytes(abi.STREAM_DONE.size * 1))

    def _give_back(self) -> None:
        if self._held:
            self.dev._ioctl("STREAM_PUSH", abi.IOC_STREAM_PUSH, abi.STREAM_PUSH,
                            chan=self.chan, count=self._held)
            self._held = 0

    def next_frame(self, timeout: Optional[float] = None) -> Optional[Frame]:
        """The next filled slot (giving the previous one back), or None on timeout."""
        if self.dev.info.abi_revision >= 3:
            # give back and collect in one system call
            r = self.dev._ioctl("STREAM_CYCLE", abi.IOC_STREAM_CYCLE, abi.STREAM_CYCLE, chan=self.chan,
                                push=self._held, entries=self._entries.buffer_info()[0], max=1, min=1,
                                timeout_ms=_ms(timeout))
            self._held = 0
        else:
            self._give_back()
            r = self.dev._ioctl("STREAM_REAP", abi.IOC_STREAM_REAP, abi.STREAM_REAP, chan=self.chan,
                                max=1, entries=self._entries.buffer_info()[0], min=1,
                                timeout_ms=_ms(timeout))
        self.overruns = r["overruns"]
        if r["count"] == 0:
            return None
        d = abi.STREAM_DONE.unpack(self._entries)
        self._held = 1
        start = d["slot"] * self.slot_size
        n = d["bytes"] // self.dtype.itemsize
        raw = np.asarray(self.buf)[start:start + n * self.dtype.itemsize]
        f = raw.view(self.dtype).view(Frame)
        f.seq, f.slot, f.gap, f.error = d["seq"], d["slot"], bool(d["flags"] & abi.STREAM_GAP), -d["error"]
        self.received += 1
        return f

    def __iter__(self) -> Iterator[Frame]:
        while self.running and (self.count is None or self.received < self.count):
            f = self.next_frame(self.timeout)
            if f is None:
                if self.timeout is None:
                    raise AxiDmaError(_errno.ETIMEDOUT, "STREAM_REAP")
                return
            if f.error:
                raise AxiDmaError(f.error, "STREAM_REAP (slot %d)" % f.slot, int(f.nbytes))
            yield f

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class TxRing(_Ring):
    """A tx ring on a slave channel: ``send(array)`` copies into the next free slot and
    queues it; ``slot()`` gives the next slot as an array to fill in place (zero copy)
    and ``push(nbytes)`` queues it. ``flush()`` waits until everything was sent."""

    def __init__(self, dev: "Device", chan: int, slots: int, slot_size: int,
                 cached: bool = False, timeout: Optional[float] = None):
        self.dev = dev
        self.chan = chan
        self.slots = slots
        self.slot_size = slot_size
        self.timeout = timeout
        self.overruns = 0
        self.sent = 0
        self._next = 0
        self._free = slots
        self.buf = dev.allocate(slots * slot_size, np.uint8, cached=cached, channel=chan,
                                _flags_extra=abi.ALLOC_TO_DEVICE if cached else 0)
        dev._ioctl("STREAM_START", abi.IOC_STREAM_START, abi.STREAM_START, chan=chan,
                   direction=abi.DIR_MEM_TO_DEV, buf=self.buf.buffer_id, count=slots,
                   offset=0, slot_size=slot_size)
        self.running = True
        self._entries = array.array("B", bytes(abi.STREAM_DONE.size * min(slots, abi.REAP_MAX)))
        self._lens = array.array("I", [0])

    def _reap(self, minimum: int, timeout: Optional[float]) -> int:
        n = min(self.slots, abi.REAP_MAX)
        r = self.dev._ioctl("STREAM_REAP", abi.IOC_STREAM_REAP, abi.STREAM_REAP, chan=self.chan,
                            max=n, entries=self._entries.buffer_info()[0], min=minimum,
                            timeout_ms=_ms(timeout))
        self.overruns = r["overruns"]
        for i in range(r["count"]):
            d = abi.STREAM_DONE.unpack(self._entries, i * abi.STREAM_DONE.size)
            if d["error"]:
                raise AxiDmaError(-d["error"], "STREAM_REAP (tx slot %d)" % d["slot"], d["bytes"])
            self.sent += d["bytes"]
        self._free += r["count"]
        return r["count"]

    def slot(self) -> np.ndarray:
        """The next free slot as a uint8 array (waits for one to be sent if none is free)."""
        while self._free == 0:
            if self._reap(1, self.timeout) == 0:
                raise AxiDmaError(_errno.ETIMEDOUT, "STREAM_REAP")
        s = self._next * self.slot_size
        return np.asarray(self.buf)[s:s + self.slot_size]

    def push(self, nbytes: int) -> None:
        """Queue the slot returned by slot() with its first nbytes."""
        if not 1 <= nbytes <= self.slot_size:
            raise ValueError(f"nbytes must be 1..{self.slot_size}")
        if self._free == 0:
            raise ValueError("no slot was taken with slot()")
        self._lens[0] = nbytes
        p = self.dev._ioctl("STREAM_PUSH", abi.IOC_STREAM_PUSH, abi.STREAM_PUSH, chan=self.chan,
                            count=1, lens=self._lens.buffer_info()[0])
        self._free -= 1
        self._next = (p["first"] + 1) % self.slots

    def send(self, data: Any) -> None:
        """Copy data (any array or bytes-like, up to slot_size bytes) into a slot and queue it."""
        b = np.frombuffer(memoryview(np.ascontiguousarray(data)).cast("B"), dtype=np.uint8)
        if not 1 <= b.size <= self.slot_size:
            raise ValueError(f"data must be 1..{self.slot_size} bytes")
        self.slot()[:b.size] = b
        self.push(b.size)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Wait until every queued slot was sent."""
        while self._free < self.slots:
            if self._reap(1, timeout if timeout is not None else self.timeout) == 0:
                raise AxiDmaError(_errno.ETIMEDOUT, "STREAM_REAP")

    def __exit__(self, *exc: Any) -> None:
        try:
            if exc[0] is None:
                self.flush()
        finally:
            self.stop()


class Device:
    """An open ``/dev/axi-dmaN`` (default: ``$AXIDMA_DEV`` or ``/dev/axi-dma0``).

    Every open is its own context: buffers, transfers, rings and claims belong to it and
    die with :meth:`close`. Use it as a context manager. Channels are named by index or
    by their ``dma-names`` entry ("tx", "rx", ...).
    """

    def __init__(self, path: Optional[str] = None):
        self.path = path or os.environ.get("AXIDMA_DEV") or DEFAULT_DEVICE
        self._fd: Optional[int] = None
        self._buffers: Dict[int, _Mapping] = {}
        self._inflight: Dict[int, Transfer] = {}
        self.pending = 0  # transfers of this file in flight at the last reap()
        self._picked: Dict[Any, Channel] = {}
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
        except OSError as e:
            raise AxiDmaError(e.errno or _errno.ENODEV, f"open {self.path}") from None
        try:
            i = self._ioctl("INFO", abi.IOC_INFO, abi.INFO)
            rev = i["abi_revision"] or 1
            if i["abi_version"] != abi.ABI_VERSION or rev < REQUIRED_REVISION:
                raise AxiDmaError(_errno.EPROTO, "INFO (ABI %d revision %d, want %d >= %d)" % (
                    i["abi_version"], rev, abi.ABI_VERSION, REQUIRED_REVISION))
            self.info = Info(i["abi_version"], rev, i["num_channels"], i["max_buffers"],
                             i["max_inflight"], i["max_buffer_size"])
            self.channels: List[Channel] = [self._chan_info(n) for n in range(i["num_channels"])]
            self._reap_entries = array.array("B", bytes(abi.COMPLETION.size * abi.REAP_MAX))
        except BaseException:
            os.close(self._fd)
            self._fd = None
            raise

    # ------------------------------------------------------------------ plumbing
    def _ioctl(self, _op: str, _req: int, _layout: abi.Layout, _want_struct_on_error: bool = False,
               **fields: Any) -> Dict[str, Any]:
        if self._fd is None:
            raise AxiDmaError(_errno.EBADF, _op)
        buf = _layout.pack(**fields)
        try:
            fcntl.ioctl(self._fd, _req, buf, True)
        except OSError as e:
            nbytes = None
            if _want_struct_on_error and "bytes" in _layout.offsets:
                nbytes = _layout.unpack(buf)["bytes"]
            raise AxiDmaError(e.errno or _errno.EIO, _op, nbytes) from None
        return _layout.unpack(buf)

    def _chan_info(self, n: int) -> Channel:
        c = self._ioctl("CHAN_INFO", abi.IOC_CHAN_INFO, abi.CHAN_INFO, index=n)
        return Channel(n, c["name"], c["provider"], c["directions"], c["addr_align"],
                       c["max_seg_size"], c["residue_granularity"], bool(c["coherent"]),
                       None if c["pair"] == abi.NO_PAIR else c["pair"], c["flags"])

    def fileno(self) -> int:
        """The file descriptor: readable (select/poll/asyncio) while a completion waits."""
        if self._fd is None:
            raise ValueError("device closed")
        return self._fd

    def close(self) -> None:
        """Close the file: its transfers are aborted, rings stopped, ids dropped. Arrays
        still viewing buffers stay readable until they are gone."""
        if self._fd is not None:
            for m in list(self._buffers.values()):
                m.freed = True
            self._buffers.clear()
            self._inflight.clear()
            os.close(self._fd)
            self._fd = None

    @property
    def closed(self) -> bool:
        return self._fd is None

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<axidma.Device {self.path} channels={[c.name for c in self.channels]}>"

    # ------------------------------------------------------------------ channels
    def channel(self, spec: ChanSpec) -> Channel:
        """A channel by index, by name or as given."""
        if isinstance(spec, Channel):
            return spec
        if isinstance(spec, bool) or spec is None:
            raise TypeError("channel must be an index or a name")
        if isinstance(spec, int):
            if not 0 <= spec < len(self.channels):
                raise ValueError(f"no channel {spec} (the device has {len(self.channels)})")
            return self.channels[spec]
        if isinstance(spec, str):
            for c in self.channels:
                if c.name == spec:
                    return c
            raise ValueError(f"no channel named {spec!r} ({', '.join(c.name for c in self.channels)})")
        raise TypeError("channel must be an index or a name")

    _WHAT = {"memcpy": (abi.DIR_MEM_TO_MEM, None), "send": (abi.DIR_MEM_TO_DEV, "tx"),
             "recv": (abi.DIR_DEV_TO_MEM, "rx")}

    def _pick(self, spec: ChanSpec, what: str) -> Channel:
        """The channel for a transfer of kind `what` (checked), by spec or by default."""
        key = (spec if not isinstance(spec, Channel) else spec.index, what)
        try:
            return self._picked[key]
        except (KeyError, TypeError, AttributeError):
            pass
        bit, want = self._WHAT[what]
        if spec is not None:
            c = self.channel(spec)
        else:
            # A channel that can: prefer the conventional name, then the first one.
            able = [c for c in self.channels if c.directions & bit]
            if not able:
                raise AxiDmaError(_errno.EOPNOTSUPP, f"{what}: no channel of {self.path} can")
            named = [c for c in able if c.name == want]
            c = (named or able)[0]
        if not c.directions & bit:
            raise AxiDmaError(_errno.EOPNOTSUPP, f"{what} on channel {c.name!r} (it can: {', '.join(c.capabilities)})")
        try:
            self._picked[key] = c
        except (TypeError, AttributeError):
            pass
        return c

    # ------------------------------------------------------------------ buffers
    def allocate(self, shape: Shape, dtype: Any = np.uint8, cached: bool = False,
                 channel: ChanSpec = 0, _flags_extra: int = 0) -> DmaArray:
        """A zeroed numpy array of ``shape`` and ``dtype`` in a new DMA buffer (no copy).

        ``channel``: a channel of the DMA engine that will access it (buffers work on
        every channel of that engine). ``cached=True``: cacheable memory, fast for the
        CPU; call ``sync_for_device()`` after writing and ``sync_for_cpu()`` before
        reading around DMA (the transfer methods do it for whole arrays they are given).
        """
        dt = np.dtype(dtype)
        if isinstance(shape, (int, np.integer)):
            shape = (int(shape),)
        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError("negative dimension")
        nbytes = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
        if nbytes <= 0:
            raise ValueError("a DMA buffer holds at least one byte")
        if nbytes > self.info.max_buffer_size:
            raise ValueError(f"{nbytes} bytes is above the device's max_buffer_size {self.info.max_buffer_size}")
        c = self.channel(channel)
        flags = (abi.ALLOC_CACHED if cached else 0) | _flags_extra
        a = self._ioctl("ALLOC", abi.IOC_ALLOC, abi.ALLOC, size=nbytes, chan=c.index, flags=flags)
        try:
            mm = mmap.mmap(self._fd, a["mmap_size"], mmap.MAP_SHARED,  # type: ignore[arg-type]
                           mmap.PROT_READ | mmap.PROT_WRITE, offset=a["mmap_offset"])
        except OSError as e:
            self._ioctl("FREE", abi.IOC_FREE, abi.FREE, id=a["id"])
            raise AxiDmaError(e.errno or _errno.ENOMEM, "mmap") from None
        m = _Mapping(self, a["id"], nbytes, mm, c.index, flags)
        self._buffers[m.id] = m
        arr = m.bytes.view(dt).reshape(shape).view(DmaArray)
        arr._dma = m
        return arr

    def free(self, arr: DmaArray) -> None:
        """Free a buffer (same as ``arr.free()``)."""
        self._own(arr, "free").free()

    def _own(self, arr: Any, what: str) -> _Mapping:
        if not isinstance(arr, DmaArray) or arr._dma is None:
            raise TypeError(f"{what}: needs an array from Device.allocate(), not {type(arr).__name__}")
        m = arr._dma
        if m.freed:
            raise ValueError(f"{what}: the DMA buffer was freed")
        if m.dev is not self:
            raise ValueError(f"{what}: the array belongs to another Device")
        if not arr.flags["C_CONTIGUOUS"]:
            raise ValueError(f"{what}: the array must be C-contiguous")
        return m

    def _sync(self, m: _Mapping, op: int, offset: int, nbytes: int) -> None:
        if m.flags & abi.ALLOC_CACHED:
            self._ioctl("SYNC", abi.IOC_SYNC, abi.SYNC, id=m.id, op=op, offset=offset, len=nbytes)

    def sync_for_cpu(self, arr: DmaArray) -> None:
        """See DmaArray.sync_for_cpu."""
        self._own(arr, "sync_for_cpu")
        arr.sync_for_cpu()

    def sync_for_device(self, arr: DmaArray) -> None:
        """See DmaArray.sync_for_device."""
        self._own(arr, "sync_for_device")
        arr.sync_for_device()

    # ------------------------------------------------------------------ transfers
    @staticmethod
    def _len(arr: DmaArray, nbytes: Optional[int], what: str) -> int:
        if nbytes is None:
            n = arr.nbytes
        else:
            if isinstance(nbytes, bool) or not isinstance(nbytes, (int, np.integer)):
                raise TypeError(f"{what}: nbytes must be an int")
            n = int(nbytes)
            if n > arr.nbytes:
                raise ValueError(f"{what}: nbytes {n} is more than the array's {arr.nbytes}")
        if n <= 0:
            raise ValueError(f"{what}: a transfer moves at least one byte")
        return n

    _XFER_OUT = struct.Struct("=QQi")  # xfer_id, bytes, error at their offset

    def _xfer(self, op: str, kind: int, chan: Channel, n: int, src: Optional[DmaArray],
              dst: Optional[DmaArray], nonblock: bool, timeout: Optional[float],
              rx_chan: int = 0, user_data: int = 0) -> Tuple[int, int]:
        """One XFER (the hot path: packed directly); returns (xfer_id, bytes)."""
        src_id = src_off = dst_id = dst_off = 0
        sm = dm = None
        if src is not None:
            sm = self._own(src, op)
            src_id, src_off = sm.id, src.offset
            if sm.flags & abi.ALLOC_CACHED:
                self._sync(sm, abi.SYNC_FOR_DEVICE, src_off, n)
        if dst is not None:
            dm = self._own(dst, op)
            dst_id, dst_off = dm.id, dst.offset
        if self._fd is None:
            raise AxiDmaError(_errno.EBADF, op)
        buf = bytearray(abi.XFER._struct.pack(
            chan.index, kind, src_id, dst_id, src_off, dst_off, n,
            abi.XFER_NONBLOCK if nonblock else 0, _ms(timeout) if timeout is not None else 0,
            user_data, 0, 0, 0, rx_chan))
        try:
            fcntl.ioctl(self._fd, abi.IOC_XFER, buf, True)
        except OSError as e:
            _, nbytes, _ = self._XFER_OUT.unpack_from(buf, abi.XFER.offsets["xfer_id"])
            raise AxiDmaError(e.errno or _errno.EIO, op, nbytes) from None
        xid, nbytes, _ = self._XFER_OUT.unpack_from(buf, abi.XFER.offsets["xfer_id"])
        if not nonblock and dm is not None and dm.flags & abi.ALLOC_CACHED and nbytes:
            self._sync(dm, abi.SYNC_FOR_CPU, dst_off, nbytes)
        return xid, nbytes

    def memcpy(self, dst: DmaArray, src: DmaArray, nbytes: Optional[int] = None,
               channel: ChanSpec = None, timeout: Optional[float] = None) -> int:
        """Copy src into dst by DMA (``nbytes``: default all of src); the bytes copied."""
        n = self._len(src, nbytes, "memcpy")
        if n > dst.nbytes:
            raise ValueError(f"memcpy: {n} bytes do not fit in dst ({dst.nbytes})")
        return self._xfer("memcpy", abi.XFER_MEMCPY, self._pick(channel, "memcpy"), n, src, dst,
                          False, timeout)[1]

    def send(self, src: DmaArray, nbytes: Optional[int] = None, channel: ChanSpec = None,
             timeout: Optional[float] = None) -> int:
        """Send src to the device (MM2S, "tx"); the bytes sent."""
        n = self._len(src, nbytes, "send")
        return self._xfer("send", abi.XFER_TO_DEV, self._pick(channel, "send"), n, src, None,
                          False, timeout)[1]

    def recv(self, dst: DmaArray, nbytes: Optional[int] = None, channel: ChanSpec = None,
             timeout: Optional[float] = None) -> int:
        """Receive from the device into dst (S2MM, "rx"); the bytes that arrived (a
        shorter packet ends it early)."""
        n = self._len(dst, nbytes, "recv")
        return self._xfer("recv", abi.XFER_FROM_DEV, self._pick(channel, "recv"), n, None, dst,
                          False, timeout)[1]

    def loop(self, src: DmaArray, dst: DmaArray, nbytes: Optional[int] = None,
             channel: ChanSpec = None, rx_channel: ChanSpec = None,
             timeout: Optional[float] = None) -> int:
        """Send src on a tx channel and receive into dst on its pair (where the logic
        loops the stream back), both waited for; the bytes received."""
        n = self._len(src, nbytes, "loop")
        if n > dst.nbytes:
            raise ValueError(f"loop: {n} bytes do not fit in dst ({dst.nbytes})")
        tx = self._pick(channel, "send")
        if rx_channel is None:
            if tx.pair is None:
                raise ValueError(f"loop: channel {tx.name!r} has no pair: give rx_channel")
            rx = self.channel(tx.pair)
        else:
            rx = self._pick(rx_channel, "recv")
        return self._xfer("loop", abi.XFER_LOOPBACK, tx, n, src, dst, False, timeout,
                          rx_chan=rx.index)[1]

    def _async(self, op: str, kind: int, chan: Channel, n: int, src: Optional[DmaArray],
               dst: Optional[DmaArray], user_data: int) -> Transfer:
        xid, _ = self._xfer(op, kind, chan, n, src, dst, True, None, user_data=user_data)
        t = Transfer(self, xid, op, chan.index, n, dst, user_data)
        self._inflight[t.id] = t
        return t

    def memcpy_async(self, dst: DmaArray, src: DmaArray, nbytes: Optional[int] = None,
                     channel: ChanSpec = None, user_data: int = 0) -> Transfer:
        """A non-blocking memcpy: returns at once with a Transfer."""
        n = self._len(src, nbytes, "memcpy")
        if n > dst.nbytes:
            raise ValueError(f"memcpy: {n} bytes do not fit in dst ({dst.nbytes})")
        return self._async("memcpy", abi.XFER_MEMCPY, self._pick(channel, "memcpy"), n, src, dst, user_data)

    def send_async(self, src: DmaArray, nbytes: Optional[int] = None, channel: ChanSpec = None,
                   user_data: int = 0) -> Transfer:
        """A non-blocking send: returns at once with a Transfer."""
        n = self._len(src, nbytes, "send")
        return self._async("send", abi.XFER_TO_DEV, self._pick(channel, "send"), n, src, None, user_data)

    def recv_async(self, dst: DmaArray, nbytes: Optional[int] = None, channel: ChanSpec = None,
                   user_data: int = 0) -> Transfer:
        """A non-blocking receive: returns at once with a Transfer (``bytes`` once done)."""
        n = self._len(dst, nbytes, "recv")
        return self._async("recv", abi.XFER_FROM_DEV, self._pick(channel, "recv"), n, None, dst, user_data)

    def reap(self, min: int = 0, max: int = abi.REAP_MAX, timeout: Optional[float] = None) -> List[Transfer]:
        """Collect finished non-blocking transfers (in the order they finished).

        Waits for at least ``min`` (0: never sleeps) up to ``timeout``. Each returned
        Transfer has ``bytes`` and ``error`` set; ``wait()`` on it returns or raises at
        once. Call it when ``fileno()`` is readable.
        """
        if not 1 <= max <= abi.REAP_MAX or not 0 <= min <= max:
            raise ValueError(f"reap: need 0 <= min <= max <= {abi.REAP_MAX}, max >= 1")
        r = self._ioctl("REAP", abi.IOC_REAP, abi.REAP, entries=self._reap_entries.buffer_info()[0],
                        max=max, min=min, timeout_ms=_ms(timeout))
        done: List[Transfer] = []
        for i in range(r["count"]):
            c = abi.COMPLETION.unpack(self._reap_entries, i * abi.COMPLETION.size)
            t = self._inflight.get(c["xfer_id"])
            if t is None:  # submitted without a handle (or its handle was dropped)
                t = Transfer(self, c["xfer_id"], "?", c["chan"], 0, None, c["user_data"])
            t._complete(c["bytes"], c["error"])
            done.append(t)
        self.pending = r["pending"]
        return done

    @property
    def in_flight(self) -> int:
        """Non-blocking transfers of this Device not yet collected."""
        return len(self._inflight)

    def submit(self, transfers: Sequence[Tuple[str, Any, Any]], channel: ChanSpec = None) -> List[Transfer]:
        """Submit a batch of non-blocking transfers with one system call (SUBMIT).

        Each item is ``("memcpy", dst, src)``, ``("send", src, None)`` or
        ``("recv", dst, None)`` with whole arrays, on ``channel`` (or the default
        channel for each kind). A refused one raises AxiDmaError; the ones before it are
        in flight (``err.submitted`` holds their Transfers).
        """
        if not 1 <= len(transfers) <= abi.SUBMIT_MAX:
            raise ValueError(f"submit: 1..{abi.SUBMIT_MAX} transfers")
        kinds = {"memcpy": abi.XFER_MEMCPY, "send": abi.XFER_TO_DEV, "recv": abi.XFER_FROM_DEV}
        arr = bytearray()
        meta = []
        for item in transfers:
            what, a, b = item
            if what not in kinds:
                raise ValueError(f"submit: unknown kind {what!r}")
            c = self._pick(channel, what)
            f: Dict[str, Any] = dict(chan=c.index, kind=kinds[what], flags=abi.XFER_NONBLOCK)
            if what == "memcpy":
                dm, sm = self._own(a, what), self._own(b, what)
                n = self._len(b, None, what)
                if n > a.nbytes:
                    raise ValueError(f"memcpy: {n} bytes do not fit in dst ({a.nbytes})")
                f.update(src_buf=sm.id, src_off=b.offset, dst_buf=dm.id, dst_off=a.offset, len=n)
                dst = a
                if sm.flags & abi.ALLOC_CACHED:
                    self._sync(sm, abi.SYNC_FOR_DEVICE, b.offset, n)
            elif what == "send":
                sm = self._own(a, what)
                n = self._len(a, None, what)
                f.update(src_buf=sm.id, src_off=a.offset, len=n)
                dst = None
                if sm.flags & abi.ALLOC_CACHED:
                    self._sync(sm, abi.SYNC_FOR_DEVICE, a.offset, n)
            else:
                dm = self._own(a, what)
                n = self._len(a, None, what)
                f.update(dst_buf=dm.id, dst_off=a.offset, len=n)
                dst = a
            arr += abi.XFER.pack(**f)
            meta.append((what, c.index, n, dst))
        xb = array.array("B", arr)
        s = abi.SUBMIT.pack(xfers=xb.buffer_info()[0], count=len(transfers))
        err = None
        try:
            fcntl.ioctl(self._fd, abi.IOC_SUBMIT, s, True)  # type: ignore[arg-type]
        except OSError as e:
            err = e.errno or _errno.EIO
        r = abi.SUBMIT.unpack(s)
        out = []
        for i in range(r["queued"]):
            x = abi.XFER.unpack(xb, i * abi.XFER.size)
            what, ci, n, dst = meta[i]
            t = Transfer(self, x["xfer_id"], what, ci, n, dst)
            self._inflight[t.id] = t
            out.append(t)
        if err is not None:
            e2 = AxiDmaError(err, f"SUBMIT (transfer {r['queued']})")
            e2.submitted = out  # type: ignore[attr-defined]
            raise e2
        return out

    def cancel(self, channel: ChanSpec) -> int:
        """Terminate every transfer on a channel; how many of this file's were in flight."""
        return self._ioctl("CANCEL", abi.IOC_CANCEL, abi.CANCEL, chan=self.channel(channel).index)["cancelled"]

    def claim(self, channel: ChanSpec) -> None:
        """Own a channel exclusively until unclaim() or close()."""
        self._ioctl("CLAIM", abi.IOC_CLAIM, abi.CLAIM, chan=self.channel(channel).index)

    def unclaim(self, channel: ChanSpec) -> None:
        self._ioctl("UNCLAIM", abi.IOC_UNCLAIM, abi.CLAIM, chan=self.channel(channel).index)

    # ------------------------------------------------------------------ rings
    def stream_rx(self, channel: ChanSpec = None, slots: int = 8, slot_size: int = 65536,
                  dtype: Any = np.uint8, cached: bool = False, count: Optional[int] = None,
                  timeout: Optional[float] = None) -> RxRing:
        """Start an rx ring: ``for frame in dev.stream_rx("rx", 8, 4096): ...``."""
        c = self._pick(channel, "recv")
        self._ring_args(slots, slot_size)
        return RxRing(self, c.index, slots, slot_size, dtype, cached, count, timeout)

    def stream_tx(self, channel: ChanSpec = None, slots: int = 8, slot_size: int = 65536,
                  cached: bool = False, timeout: Optional[float] = None) -> TxRing:
        """Start a tx ring: ``ring.send(array)`` queues a copy, ``slot()``/``push()`` fill in place."""
        c = self._pick(channel, "send")
        self._ring_args(slots, slot_size)
        return TxRing(self, c.index, slots, slot_size, cached, timeout)

    def _ring_args(self, slots: int, slot_size: int) -> None:
        if not 1 <= slots <= self.info.max_inflight:
            raise ValueError(f"slots must be 1..{self.info.max_inflight}")
        if slot_size < 1 or slots * slot_size > self.info.max_buffer_size:
            raise ValueError("slot_size must be >= 1 and the ring fit in max_buffer_size")
