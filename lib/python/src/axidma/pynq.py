# SPDX-License-Identifier: MIT
"""PYNQ-style names on top of :mod:`axidma`, for code written against ``pynq``.

Change ``from pynq import allocate, Overlay`` into
``from axidma.pynq import allocate, Overlay`` and a PYNQ DMA loopback runs unchanged::

    overlay = Overlay("design.bit")        # no bitstream is loaded: the DT describes the PL
    dma = overlay.axi_dma_0                # any attribute: the device's tx/rx channel pair
    inp = allocate(shape=(5,), dtype=np.uint32)
    out = allocate(shape=(5,), dtype=np.uint32)
    inp[:] = np.arange(5)
    dma.sendchannel.transfer(inp)
    dma.recvchannel.transfer(out)
    dma.sendchannel.wait()
    dma.recvchannel.wait()

The device is ``$AXIDMA_DEV`` (default ``/dev/axi-dma0``), opened once per process on
first use; ``allocate`` puts buffers on its first channel that can send (else channel 0).
Differences from PYNQ: ``physical_address``/``device_address`` are None (the driver does
not expose bus addresses: the kernel programs the DMA engine), and a failed transfer
raises :class:`axidma.AxiDmaError` from ``wait()``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._device import AxiDmaError, Channel, Device, DmaArray, Transfer

__all__ = ["allocate", "DMA", "Overlay", "PynqBuffer", "default_device"]

_device: Optional[Device] = None

PynqBuffer = DmaArray


def default_device() -> Device:
    """The process-wide device (opened on first use)."""
    global _device
    if _device is None or _device.closed:
        _device = Device()
    return _device


def _buffer_channel(dev: Device) -> Channel:
    for c in dev.channels:
        if c.can_send:
            return c
    return dev.channels[0]


def allocate(shape: Any, dtype: Any = "u4", target: Any = None, cacheable: bool = False,
             **kwargs: Any) -> DmaArray:
    """PYNQ's ``allocate``: a numpy array in DMA memory (``flush``, ``invalidate``,
    ``freebuffer``, context manager). ``target`` may be a Device."""
    dev = target if isinstance(target, Device) else default_device()
    return dev.allocate(shape, dtype, cached=cacheable, channel=kwargs.pop("channel", _buffer_channel(dev).index))


class _DMAChannel:
    """PYNQ's ``sendchannel``/``recvchannel``: one transfer at a time."""

    def __init__(self, dev: Device, chan: Channel, send: bool):
        self._dev = dev
        self._chan = chan
        self._send = send
        self._xfer: Optional[Transfer] = None
        self.transferred = 0

    @property
    def running(self) -> bool:
        return True

    @property
    def idle(self) -> bool:
        """No transfer of this channel in flight (or the last one ended)."""
        return self._xfer is None or self._xfer.done()

    def transfer(self, array: DmaArray, start: int = 0, nbytes: int = 0) -> None:
        """Start a transfer of ``array`` (from byte ``start``, ``nbytes`` or all of it)."""
        if self._xfer is not None and not self._xfer.finished:
            raise RuntimeError("DMA channel not idle")
        flat = array.reshape(-1).view(np.uint8)[start:]
        n = nbytes or flat.nbytes
        if self._send:
            self._xfer = self._dev.send_async(flat, n, self._chan)
        else:
            self._xfer = self._dev.recv_async(flat, n, self._chan)

    def wait(self, timeout: Optional[float] = None) -> None:
        """Wait for the transfer to end (AxiDmaError if it failed)."""
        if self._xfer is None:
            raise RuntimeError("DMA channel not started")
        self.transferred = self._xfer.wait(timeout)

    async def wait_async(self) -> None:
        import asyncio
        while not self.idle:
            await asyncio.sleep(0.001)
        self.wait()

    def stop(self) -> None:
        if self._xfer is not None and not self._xfer.finished:
            self._dev.cancel(self._chan)

    def start(self) -> None:
        pass


class DMA:
    """PYNQ's ``DMA``: ``sendchannel`` and ``recvchannel`` over a tx/rx channel pair."""

    def __init__(self, description: Any = None, device: Optional[Device] = None,
                 tx: Any = None, rx: Any = None):
        dev = device or default_device()
        self.device = dev
        txc = dev._pick(tx, "send") if (tx is not None or any(c.can_send for c in dev.channels)) else None
        rxc = None
        if rx is not None:
            rxc = dev._pick(rx, "recv")
        elif txc is not None and txc.pair is not None:
            rxc = dev.channel(txc.pair)
        elif any(c.can_recv for c in dev.channels):
            rxc = dev._pick(None, "recv")
        self.sendchannel = _DMAChannel(dev, txc, True) if txc else None
        self.recvchannel = _DMAChannel(dev, rxc, False) if rxc else None


class Overlay:
    """A stand-in for PYNQ's ``Overlay``: the bitstream is the board's business (the
    device tree describes the PL); every attribute is a :class:`DMA` on the device."""

    def __init__(self, bitfile_name: Any = None, download: bool = True, device: Optional[Device] = None, **kw: Any):
        self._device = device
        self._dmas: dict = {}

    def __getattr__(self, name: str) -> DMA:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._dmas:
            self._dmas[name] = DMA(device=self._device)
        return self._dmas[name]

    def download(self) -> None:
        pass

    @property
    def ip_dict(self) -> dict:
        return {}


__all__ += ["AxiDmaError"]
