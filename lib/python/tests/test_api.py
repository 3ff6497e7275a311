# SPDX-License-Identifier: MIT
"""Argument validation and errors, on the host (no driver): everything the package checks
before it asks the kernel, and how a refusal reaches the caller."""
import errno
import os

import numpy as np
import pytest

import axidma
from axidma import _abi as abi
from axidma._device import Channel, Device, Info, _ms


def fake_device(max_buffer_size=1 << 20):
    """A Device with channels but no file: validation runs, any ioctl fails with EBADF."""
    d = Device.__new__(Device)
    d.path = "/dev/fake"
    d._fd = None
    d._buffers = {}
    d._inflight = {}
    d._picked = {}
    d.pending = 0
    d.info = Info(1, 2, 3, 64, 64, max_buffer_size)
    d.channels = [
        Channel(0, "tx", "dma0chan0", abi.DIR_MEM_TO_DEV, 4, 1 << 20, 1, False, 1, abi.CHAN_STREAMING),
        Channel(1, "rx", "dma0chan1", abi.DIR_DEV_TO_MEM, 4, 1 << 20, 1, False, 0, abi.CHAN_STREAMING),
        Channel(2, "mem", "dma1chan0", abi.DIR_MEM_TO_MEM, 1, 1 << 20, 0, True, None, 0),
    ]
    return d


def test_error_is_oserror_with_operation_and_errno():
    e = axidma.AxiDmaError(errno.ETIMEDOUT, "WAIT", 12)
    assert isinstance(e, OSError)
    assert e.errno == errno.ETIMEDOUT and e.operation == "WAIT" and e.bytes == 12
    assert "WAIT" in str(e) and os.strerror(errno.ETIMEDOUT) in str(e)


def test_open_missing_device():
    with pytest.raises(axidma.AxiDmaError) as ei:
        axidma.Device("/dev/axi-dma-does-not-exist")
    assert ei.value.errno == errno.ENOENT and "open" in ei.value.operation


def test_open_wrong_device_is_enotty_from_info():
    # /dev/null takes no ioctl: the INFO call fails and the file is closed again
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(axidma.AxiDmaError) as ei:
        axidma.Device("/dev/null")
    assert ei.value.errno == errno.ENOTTY and ei.value.operation == "INFO"
    assert len(os.listdir("/proc/self/fd")) == before


def test_env_selects_device(monkeypatch):
    monkeypatch.setenv("AXIDMA_DEV", "/dev/axi-dma-env-test")
    with pytest.raises(axidma.AxiDmaError) as ei:
        axidma.Device()
    assert "/dev/axi-dma-env-test" in ei.value.operation


def test_pack_zeroes_everything_not_given():
    b = abi.XFER.pack(chan=1, len=5)
    f = abi.XFER.unpack(b)
    assert f["chan"] == 1 and f["len"] == 5
    assert all(v == 0 for k, v in f.items() if k not in ("chan", "len"))
    with pytest.raises(TypeError):
        abi.XFER.pack(bogus=1)


def test_unpack_chan_name():
    b = abi.CHAN_INFO.pack(name=b"tx", provider=b"dma0chan0", pair=abi.NO_PAIR)
    f = abi.CHAN_INFO.unpack(b)
    assert f["name"] == "tx" and f["provider"] == "dma0chan0" and f["pair"] == abi.NO_PAIR


@pytest.mark.parametrize("t,ms", [(None, 0), (1, 1000), (0.0001, 1), (0.25, 250), (1e9, 0xFFFFFFFF)])
def test_timeouts(t, ms):
    assert _ms(t) == ms


@pytest.mark.parametrize("t,exc", [(0, ValueError), (-1, ValueError), ("1", TypeError), (float("nan"), TypeError)])
def test_bad_timeouts(t, exc):
    with pytest.raises(exc):
        _ms(t)


def test_channels_by_name_and_capabilities():
    d = fake_device()
    assert d.channel("rx").index == 1 and d.channel(2).name == "mem"
    assert d.channel("tx").capabilities == ["send"] and d.channel("tx").streaming
    assert d._pick(None, "send").name == "tx" and d._pick(None, "recv").name == "rx"
    assert d._pick(None, "memcpy").name == "mem"
    with pytest.raises(ValueError):
        d.channel("nope")
    with pytest.raises(ValueError):
        d.channel(3)
    with pytest.raises(TypeError):
        d.channel(1.5)
    with pytest.raises(axidma.AxiDmaError) as ei:
        d._pick("rx", "send")
    assert ei.value.errno == errno.EOPNOTSUPP


@pytest.mark.parametrize("shape,exc", [((-1,), ValueError), (0, ValueError), ((0, 4), ValueError),
                                       ((1 << 20) + 1, ValueError)])
def test_allocate_validation(shape, exc):
    with pytest.raises(exc):
        fake_device().allocate(shape, np.uint8)


def test_allocate_reaches_the_driver():
    # valid arguments: the (missing) file is what fails, as an AxiDmaError of ALLOC
    with pytest.raises(axidma.AxiDmaError) as ei:
        fake_device().allocate((16, 16), np.float32, channel="tx")
    assert ei.value.errno == errno.EBADF and ei.value.operation == "ALLOC"


def test_transfers_need_dma_arrays():
    d = fake_device()
    a = np.zeros(16, np.uint8)
    with pytest.raises(TypeError):
        d.memcpy(a, a)
    with pytest.raises(TypeError):
        d.send(a)
    with pytest.raises(TypeError):
        d.recv_async(a)


def test_reap_and_ring_arguments():
    d = fake_device()
    for kw in ({"max": 0}, {"max": 257}, {"min": 5, "max": 4}):
        with pytest.raises(ValueError):
            d.reap(**kw)
    with pytest.raises(ValueError):
        d.stream_rx("rx", slots=0)
    with pytest.raises(ValueError):
        d.stream_rx("rx", slots=65)
    with pytest.raises(ValueError):
        d.stream_rx("rx", slots=4, slot_size=1 << 20)
    with pytest.raises(axidma.AxiDmaError):
        d.stream_tx("rx")
    with pytest.raises(ValueError):
        d.submit([])


def test_pynq_module_imports():
    from axidma import pynq
    assert pynq.PynqBuffer is axidma.DmaArray
    assert callable(pynq.allocate) and pynq.DMA and pynq.Overlay


def fake_array(dev, shape, dtype, bid=7, flags=0):
    """A DmaArray over anonymous memory, wired like Device.allocate wires a real one."""
    import mmap as _mmap
    from axidma._device import DmaArray, _Mapping
    n = int(np.prod(shape)) * np.dtype(dtype).itemsize
    mm = _mmap.mmap(-1, (n + 4095) // 4096 * 4096)
    m = _Mapping(dev, bid, n, mm, 0, flags)
    dev._buffers[bid] = m
    a = m.bytes.view(dtype).reshape(shape).view(DmaArray)
    a._dma = m
    return a


def test_views_know_their_buffer_and_offset():
    d = fake_device()
    a = fake_array(d, (8, 16), np.float64)
    assert a.offset == 0 and a.buffer_id == 7 and not a.cached
    v = a[2:4]
    assert isinstance(v, axidma.DmaArray) and v.offset == 2 * 16 * 8 and v.buffer_id == 7
    assert a.reshape(-1)[5:].offset == 40
    assert a.view(np.uint8)[3:].offset == 3 * 128 and a.reshape(-1).view(np.uint8)[3:].offset == 3
    assert a.device_address is None and a.physical_address is None
    # what a transfer checks before the kernel sees it
    assert d._own(v, "t") is a._dma
    with pytest.raises(ValueError):
        d._own(a[:, ::2], "t")  # not contiguous
    with pytest.raises(ValueError):
        fake_device()._own(a, "t")  # another Device's array
    with pytest.raises(ValueError):
        d.memcpy(a[:1], a, channel="mem")  # does not fit
    with pytest.raises(ValueError):
        d.send(a, nbytes=a.nbytes + 1, channel="tx")
    with pytest.raises(ValueError):
        d.send(a, nbytes=0, channel="tx")
    with pytest.raises(TypeError):
        d.send(a, nbytes=1.5, channel="tx")
    # freeing: the id goes (no file here: no FREE call), the data stays readable
    a[:] = 3.5
    a.free()
    a.free()  # twice is harmless
    with pytest.raises(ValueError):
        v.buffer_id
    with pytest.raises(ValueError):
        d.memcpy(a, a, channel="mem")
    assert (a == 3.5).all()
    # a plain copy is a plain array
    import pickle
    c = pickle.loads(pickle.dumps(v))
    assert type(c) is np.ndarray and (c == 3.5).all()
