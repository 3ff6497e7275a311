# SPDX-License-Identifier: MIT
"""axidma: zero-copy DMA between numpy arrays and FPGA logic through the axi_dma driver.

Pure Python over the driver's UAPI (``fcntl.ioctl`` and ``mmap``); the same package serves
arm64 and armhf. Quick start::

    import numpy as np, axidma
    with axidma.Device() as dev:                 # $AXIDMA_DEV or /dev/axi-dma0
        src = dev.allocate((1024,), np.uint32)   # a numpy array in DMA memory
        dst = dev.allocate((1024,), np.uint32)
        src[:] = np.arange(1024)
        dev.memcpy(dst, src)
        assert (dst == src).all()

``axidma.pynq`` offers PYNQ's ``allocate`` and ``DMA`` names on top of it.
"""
from ._abi import ABI_REVISION, ABI_VERSION
from ._device import (DEFAULT_DEVICE, REQUIRED_REVISION, AxiDmaError, Channel, Device, DmaArray, Frame, Info,
                      RxRing, Transfer, TxRing)

__version__ = "0.1.0"
__all__ = ["ABI_REVISION", "ABI_VERSION", "AxiDmaError", "Channel", "DEFAULT_DEVICE", "Device",
           "DmaArray", "Frame", "Info", "REQUIRED_REVISION", "RxRing", "Transfer", "TxRing", "open"]


def open(path: "str | None" = None) -> Device:  # noqa: A001 (like io.open)
    """Open a device (``Device(path)``)."""
    return Device(path)
