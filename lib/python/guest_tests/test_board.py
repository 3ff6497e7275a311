# SPDX-License-Identifier: MIT
"""The axidma package on a board (run inside both emulated boards by guest/run-tests.sh).

Devices come from the environment: AXIDMA_MEM (a memcpy-capable node, default
/dev/axi-dma0), AXIDMA_LOOP (the loopback test provider's node), AXIDMA_AXI (the AXI DMA
of the patched QEMU). Run under pytest, or as a program (no pytest in the guest image):
``python3 test_board.py [TEST...]`` prints "ok NAME" / "not ok NAME: why" per test, the
format guest/lib.sh's run_ctests counts, and exits 1 if any failed.
"""
import asyncio
import errno
import os
import select
import sys
import time
import traceback

import numpy as np

import axidma

MEM = os.environ.get("AXIDMA_MEM", "/dev/axi-dma0")
LOOP = os.environ.get("AXIDMA_LOOP", "")
AXI = os.environ.get("AXIDMA_AXI", "")
RNG = np.random.default_rng(1)


def need(path):
    if not path or not os.path.exists(path):
        raise AssertionError(f"device node {path!r} missing")
    return path


def raises(exc_type, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except exc_type as e:
        return e
    raise AssertionError(f"{getattr(fn, '__name__', fn)} did not raise {exc_type.__name__}")


def memcpy_chan(dev):
    return next(c for c in dev.channels if c.can_memcpy)


# ---------------------------------------------------------------------------- the tests
def test_info():
    with axidma.Device(need(MEM)) as dev:
        assert dev.info.abi_version == 1 and dev.info.abi_revision >= 2
        assert dev.info.num_channels == len(dev.channels) >= 1
        assert dev.info.max_buffers >= 1 and dev.info.max_buffer_size >= 1 << 20
        for c in dev.channels:
            assert c.name and c.provider.startswith("dma") and c.capabilities
        assert any(c.can_memcpy for c in dev.channels)
    assert dev.closed


SHAPES = [(np.uint8, (4096,)), (np.uint16, (64, 64)), (np.int32, (3, 5, 7)), (np.float32, (1000,)),
          (np.float64, (16, 16)), (np.complex64, (128,)), (np.int64, (2, 3, 4, 5))]


def test_alloc_dtypes():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        arrs = []
        for dt, shape in SHAPES:
            a = dev.allocate(shape, dt, channel=c.index)
            assert isinstance(a, np.ndarray) and isinstance(a, axidma.DmaArray)
            assert a.shape == shape and a.dtype == np.dtype(dt) and a.flags["C_CONTIGUOUS"]
            assert not a.any(), "fresh DMA memory must be zeroed"
            a[...] = 7
            assert (a == 7).all() and a.offset == 0 and a.device_address is None
            arrs.append(a)
        assert len({a.buffer_id for a in arrs}) == len(arrs)
        v = arrs[1][10:20]
        assert isinstance(v, axidma.DmaArray) and v.buffer_id == arrs[1].buffer_id
        assert v.offset == 10 * 64 * 2
        for a in arrs:
            a.free()
        raises(ValueError, lambda: arrs[0].buffer_id)
        assert (arrs[0] == 7).all(), "a freed buffer stays readable while viewed"


def test_memcpy():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        src = dev.allocate((256, 256), np.float32, channel=c.index)
        dst = dev.allocate((256, 256), np.float32, channel=c.index)
        src[:] = RNG.standard_normal(src.shape, dtype=np.float32)
        assert dev.memcpy(dst, src, channel=c.index) == src.nbytes
        assert np.array_equal(dst, src)
        # rows: offsets inside both buffers, a part of the array
        dst[:] = 0
        assert dev.memcpy(dst[100:150], src[0:50], channel=c.index) == 50 * 256 * 4
        assert np.array_equal(dst[100:150], src[0:50]) and not dst[:100].any() and not dst[150:].any()
        assert dev.memcpy(dst, src, nbytes=1024) == 1024
        # the default memcpy channel
        b = dev.allocate(1 << 20, np.uint8, channel=c.index)
        b2 = dev.allocate(1 << 20, np.uint8, channel=c.index)
        b[:] = RNG.integers(0, 256, b.size, dtype=np.uint8)
        dev.memcpy(b2, b)
        assert np.array_equal(b, b2)


def test_memcpy_cached():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        src = dev.allocate((512, 64), np.uint32, cached=True, channel=c.index)
        dst = dev.allocate((512, 64), np.uint32, cached=True, channel=c.index)
        assert src.cached and dst.cached
        for _ in range(3):
            src[:] = RNG.integers(0, 1 << 32, src.shape, dtype=np.uint32)
            src.flush()              # PYNQ's name for sync_for_device
            dev.memcpy(dst, src)     # (does the syncs for the arrays it is given as well)
            dst.invalidate()         # sync_for_cpu
            assert np.array_equal(dst, src)
        # explicit syncs of parts
        src[3:5].sync_for_device()
        dst[3:5].sync_for_cpu()
        dev.sync_for_cpu(dst)


def test_nonblocking_select():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        n = 16
        srcs = [dev.allocate(16384, np.uint8, channel=c.index) for _ in range(n)]
        dsts = [dev.allocate(16384, np.uint8, channel=c.index) for _ in range(n)]
        for s in srcs:
            s[:] = RNG.integers(0, 256, s.size, dtype=np.uint8)
        xs = [dev.memcpy_async(d, s, channel=c.index, user_data=i) for i, (d, s) in enumerate(zip(dsts, srcs))]
        assert dev.in_flight == n
        got = []
        deadline = time.time() + 20
        while len(got) < n:
            assert time.time() < deadline, f"only {len(got)} of {n} completions"
            r, _, _ = select.select([dev], [], [], 5)
            assert r == [dev], "select timed out"
            got += dev.reap()
        assert sorted(t.user_data for t in got) == list(range(n))
        assert all(t.done() and t.wait() == 16384 for t in xs)
        assert dev.in_flight == 0
        for d, s in zip(dsts, srcs):
            assert np.array_equal(d, s)
        # wait() and done() on their own
        t = dev.memcpy_async(dsts[0], srcs[1], channel=c.index)
        assert t.wait(timeout=5) == 16384 and t.done() and np.array_equal(dsts[0], srcs[1])
        # nothing in flight: select says not readable
        r, _, _ = select.select([dev.fileno()], [], [], 0)
        assert r == []


class _PipeSock:
    """Half of a socketpair made of a pipe: all asyncio's self-pipe uses."""

    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd

    def setblocking(self, flag):
        os.set_blocking(self.fd, flag)

    def recv(self, n):
        return os.read(self.fd, n)

    def send(self, data):
        return os.write(self.fd, data)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class _socketpair_without_sockets:
    """The guest kernels are built without networking (no AF_UNIX), and asyncio's event
    loop wakes itself through a socketpair: give it a pipe instead, where sockets fail.
    Real boards' kernels have sockets; this changes nothing about how the device is used."""

    def __enter__(self):
        import socket
        self.socket = socket
        self.orig = socket.socketpair
        try:
            a, b = socket.socketpair()
            a.close()
            b.close()
        except OSError:
            def pair(*a, **kw):
                r, w = os.pipe()
                return _PipeSock(r), _PipeSock(w)
            socket.socketpair = pair
        return self

    def __exit__(self, *exc):
        self.socket.socketpair = self.orig


def test_asyncio():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        src = dev.allocate(65536, np.uint8, channel=c.index)
        dst = dev.allocate((8, 65536 // 8), np.uint8, channel=c.index)
        src[:] = RNG.integers(0, 256, src.size, dtype=np.uint8)

        async def main():
            loop = asyncio.get_running_loop()
            done = asyncio.Event()
            got = []

            def readable():
                got.extend(dev.reap())
                if len(got) == 8:
                    done.set()
            loop.add_reader(dev.fileno(), readable)
            try:
                for i in range(8):
                    dev.memcpy_async(dst[i], src[i * 8192:(i + 1) * 8192], channel=c.index)
                await asyncio.wait_for(done.wait(), 20)
            finally:
                loop.remove_reader(dev.fileno())
            return got
        with _socketpair_without_sockets():
            got = asyncio.run(main())
        assert len(got) == 8 and all(t.bytes == 8192 and not t.error for t in got)
        assert np.array_equal(dst.reshape(-1), src)


def test_submit_batch():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        src = dev.allocate((16, 4096), np.uint8, channel=c.index)
        dst = dev.allocate((16, 4096), np.uint8, channel=c.index)
        src[:] = RNG.integers(0, 256, src.shape, dtype=np.uint8)
        xs = dev.submit([("memcpy", dst[i], src[i]) for i in range(16)], channel=c.index)
        assert len(xs) == 16 and all(t.wait() == 4096 for t in xs)
        assert np.array_equal(dst, src)


def test_errors():
    with axidma.Device(need(MEM)) as dev:
        c = memcpy_chan(dev)
        # the driver's refusals arrive as AxiDmaError(errno) naming the call
        bufs = []
        e = None
        for _ in range(dev.info.max_buffers + 1):
            try:
                bufs.append(dev.allocate(64, np.uint8, channel=c.index))
            except axidma.AxiDmaError as err:
                e = err
                break
        assert e is not None and e.errno == errno.ENOSPC and e.operation == "ALLOC", e
        assert isinstance(e, OSError) and len(bufs) == dev.info.max_buffers
        for b in bufs:
            b.free()
        a = dev.allocate(4096, np.uint8, channel=c.index)
        b = dev.allocate(4096, np.uint8, channel=c.index)
        # a claimed channel: another file gets EBUSY
        dev.claim(c.index)
        with axidma.Device(MEM) as other:
            x = other.allocate(4096, np.uint8, channel=c.index)
            y = other.allocate(4096, np.uint8, channel=c.index)
            e = raises(axidma.AxiDmaError, other.memcpy, y, x, channel=c.index)
            assert e.errno == errno.EBUSY and e.operation == "memcpy", e
            # buffers of one file mean nothing in another
            raises(ValueError, other.memcpy, y, a, channel=c.index)
        dev.unclaim(c.index)
        e = raises(axidma.AxiDmaError, dev.unclaim, c.index)
        assert e.errno == errno.EINVAL
        # Python-side refusals: ValueError/TypeError before any ioctl
        raises(ValueError, dev.memcpy, a[:10], b, channel=c.index)
        raises(TypeError, dev.memcpy, np.zeros(4096, np.uint8), b, channel=c.index)
        raises(ValueError, dev.allocate, dev.info.max_buffer_size + 1)
        raises(ValueError, dev.memcpy, a[::2], b[:2048], channel=c.index)  # not contiguous
        if any(not ch.can_send for ch in dev.channels):
            ch = next(ch for ch in dev.channels if not ch.can_send)
            e = raises(axidma.AxiDmaError, dev.send, a, channel=ch.index)
            assert e.errno == errno.EOPNOTSUPP
        # GDMA (zcu102): a buffer of one DMA engine on a channel of another
        provs = {ch.provider.split("chan")[0] for ch in dev.channels if ch.can_memcpy}
        if len(provs) > 1:
            other_ch = next(ch for ch in dev.channels if ch.can_memcpy and not ch.provider.startswith(c.provider.split("chan")[0] + "chan"))
            e = raises(axidma.AxiDmaError, dev.memcpy, b, a, channel=other_ch.index)
            assert e.errno == errno.EINVAL, e
        a.free()
        raises(ValueError, dev.memcpy, b, a, channel=c.index)
    e = raises(axidma.AxiDmaError, axidma.Device, "/dev/axi-dma63")
    assert e.errno == errno.ENOENT


def _loop_check(path, sizes=(4, 4096, 65536, 1 << 20)):
    with axidma.Device(need(path)) as dev:
        tx = dev.channel("tx")
        assert tx.can_send and tx.pair is not None and dev.channel(tx.pair).can_recv
        src = dev.allocate(1 << 20, np.uint8, channel="tx")
        dst = dev.allocate(1 << 20, np.uint8, channel="tx")
        src[:] = RNG.integers(0, 256, src.size, dtype=np.uint8)
        for n in sizes:
            dst[:n] = 0
            assert dev.loop(src[:n], dst[:n]) == n
            assert np.array_equal(dst[:n], src[:n]), f"{n} bytes"
        # typed arrays: the loop of a uint32 ramp
        s32 = dev.allocate((64, 64), np.uint32, channel="tx")
        d32 = dev.allocate((64, 64), np.uint32, channel="tx")
        s32[:] = np.arange(s32.size, dtype=np.uint32).reshape(s32.shape)
        assert dev.loop(s32, d32) == s32.nbytes and np.array_equal(s32, d32)
        # non-blocking, several in flight: receives first, then the sends
        k = 8
        rx = [dev.recv_async(dst[i * 4096:(i + 1) * 4096]) for i in range(k)]
        tx_ = [dev.send_async(src[i * 4096:(i + 1) * 4096]) for i in range(k)]
        assert [t.wait(5) for t in tx_] == [4096] * k
        assert [t.wait(5) for t in rx] == [4096] * k
        assert np.array_equal(dst[:k * 4096], src[:k * 4096])
        # a blocking recv with nothing coming: ETIMEDOUT, with the bytes (0) it got
        e = raises(axidma.AxiDmaError, dev.recv, dst[:4096], timeout=0.2)
        assert e.errno == errno.ETIMEDOUT and e.bytes == 0, e
        # cached buffers through the loop
        cs = dev.allocate(65536, np.uint8, cached=True, channel="tx")
        cd = dev.allocate(65536, np.uint8, cached=True, channel="tx")
        cs[:] = RNG.integers(0, 256, cs.size, dtype=np.uint8)
        assert dev.loop(cs, cd) == 65536 and np.array_equal(cs, cd)


def test_loop_loopback():
    _loop_check(LOOP)


def test_loop_axi():
    _loop_check(AXI)


def _ring_check(path, overrun=True):
    with axidma.Device(need(path)) as dev:
        frames = [RNG.integers(0, 1 << 16, 1024, dtype=np.uint16) for _ in range(12)]
        with dev.stream_rx("rx", slots=4, slot_size=2048, dtype=np.uint16, count=12, timeout=5) as rx, \
                dev.stream_tx("tx", slots=4, slot_size=2048, timeout=5) as tx:
            got = []
            it = iter(rx)
            for i, f in enumerate(frames):
                tx.send(f)
                if i >= 3:
                    got.append(next(it).copy())
            got += [f.copy() for f in it]
            tx.flush()
            assert len(got) == 12
            for i, (a, b) in enumerate(zip(got, frames)):
                assert a.dtype == np.uint16 and np.array_equal(a, b), f"frame {i}"
        if not overrun:
            return
        # The ring runs dry: both slots filled before either was given back. The next
        # frame after the refill carries the gap and the ring counts an overrun.
        with dev.stream_rx("rx", slots=2, slot_size=4096, timeout=5) as rx, \
                dev.stream_tx("tx", slots=4, slot_size=4096, timeout=5) as tx:
            tx.send(np.full(4096, 1, np.uint8))
            tx.send(np.full(4096, 2, np.uint8))
            tx.flush()
            f0 = rx.next_frame(5)
            f1 = rx.next_frame(5)
            assert f0 is not None and f1 is not None and (f0 == 1).all() and (f1 == 2).all()
            tx.send(np.full(4096, 3, np.uint8))
            tx.flush()
            f2 = rx.next_frame(5)
            assert f2 is not None and (f2 == 3).all()
            assert rx.overruns >= 1 and (f1.gap or f2.gap), (rx.overruns, f1.gap, f2.gap)
            assert f2.seq == 2 and f2.slot == 0


def test_ring_loopback():
    _ring_check(LOOP)


def test_ring_axi():
    _ring_check(AXI, overrun=False)


def test_pynq_example():
    """The PYNQ DMA loopback example, as written for PYNQ but for the import line, on the
    loopback provider and on the AXI DMA (send started before the receive, as PYNQ does)."""
    saved = os.environ.get("AXIDMA_DEV")
    try:
        for path in (LOOP, AXI):
            _pynq_example(need(path))
    finally:
        if saved is None:
            os.environ.pop("AXIDMA_DEV", None)
        else:
            os.environ["AXIDMA_DEV"] = saved


def _pynq_example(path):
    os.environ["AXIDMA_DEV"] = path
    from axidma import pynq
    pynq._device = None
    # ---- the PYNQ example, unchanged:
    from axidma.pynq import allocate, Overlay  # was: from pynq import allocate, Overlay
    overlay = Overlay("design_1.bit")
    dma = overlay.axi_dma_0
    input_buffer = allocate(shape=(5,), dtype=np.uint32)
    output_buffer = allocate(shape=(5,), dtype=np.uint32)
    for i in range(5):
        input_buffer[i] = i
    dma.sendchannel.transfer(input_buffer)
    dma.recvchannel.transfer(output_buffer)
    dma.sendchannel.wait()
    dma.recvchannel.wait()
    # ----
    assert np.array_equal(output_buffer, input_buffer), (output_buffer, input_buffer)
    assert dma.sendchannel.idle and dma.recvchannel.idle and dma.recvchannel.transferred == 20
    # the rest of PynqBuffer: context manager, flush/invalidate, freebuffer, cacheable
    with allocate(shape=(1024,), dtype=np.int16, cacheable=True) as a:
        with allocate(shape=(1024,), dtype=np.int16, cacheable=True) as b:
            a[:] = np.arange(1024, dtype=np.int16) * -3
            a.flush()
            dma.recvchannel.transfer(b)
            dma.sendchannel.transfer(a)
            dma.sendchannel.wait()
            dma.recvchannel.wait()
            b.invalidate()
            assert np.array_equal(a, b)
            assert a.physical_address is None
    input_buffer.freebuffer()
    output_buffer.freebuffer()
    pynq.default_device().close()
    pynq._device = None


TESTS = [n for n in sorted(globals()) if n.startswith("test_")]
ORDER = ["test_info", "test_alloc_dtypes", "test_memcpy", "test_memcpy_cached",
         "test_nonblocking_select", "test_asyncio", "test_submit_batch", "test_errors",
         "test_loop_loopback", "test_ring_loopback", "test_loop_axi", "test_ring_axi",
         "test_pynq_example"]
assert sorted(ORDER) == TESTS


def main(argv):
    names = [a if a.startswith("test_") else "test_" + a for a in argv] or ORDER
    failed = 0
    t0 = time.time()
    for n in names:
        short = n[len("test_"):]
        fn = globals().get(n)
        if fn is None:
            print(f"not ok {short}: no such test")
            failed += 1
            continue
        t = time.time()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 (every failure is a result)
            tb = traceback.extract_tb(e.__traceback__)
            where = f"line {tb[-1].lineno}" if tb else ""
            why = f"{type(e).__name__}: {e} ({where})".replace("\n", " ")
            print(f"not ok {short}: {why}")
            traceback.print_exc(file=sys.stdout)
            failed += 1
        else:
            print(f"ok {short}")
        print(f"# {short}: {time.time() - t:.2f} s", flush=True)
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}: {len(names)} tests in {time.time() - t0:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
