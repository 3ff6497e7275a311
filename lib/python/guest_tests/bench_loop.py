# SPDX-License-Identifier: MIT
"""`make bench`: 1 MiB loopback throughput driven from numpy (axidma) against the C tool
(`axidma-demo loop BYTES tx rx N`: warm, one process, the first loop dropped) in the same
boot, on the same device and the same system calls (a
non-blocking receive, a blocking send, a wait for the receive), and Device.loop() (one
LOOPBACK call, what a Python program would write) against the same C runs.
Usage: python3 bench_loop.py DEVICE [BYTES] [ITERATIONS] -> one JSON object on stdout."""
import json
import re
import statistics
import subprocess
import sys
import time

import numpy as np

import axidma


def python_loop_us(dev, src, dst, n):
    t0 = time.perf_counter()
    rx = dev.recv_async(dst, n)
    dev.send(src, n)
    got = rx.wait()
    t1 = time.perf_counter()
    assert got == n
    return (t1 - t0) * 1e6


def python_paired_us(dev, src, dst, n):
    t0 = time.perf_counter()
    got = dev.loop(src, dst, n)  # one LOOPBACK call: what a Python program would write
    t1 = time.perf_counter()
    assert got == n
    return (t1 - t0) * 1e6


def c_loop_us(path, n, k):
    """k timed loops from one run of the C tool (warm: its first, untimed here, is dropped)."""
    out = subprocess.run(["axidma-demo", "loop", str(n), "tx", "rx", str(k + 1)], capture_output=True,
                         text=True, env={"AXIDMA_DEV": path, "PATH": "/bin:/usr/bin"}, check=True).stdout
    runs = re.findall(r"looped (\d+) bytes tx->rx in ([0-9.]+) us: verified", out)
    assert len(runs) == k + 1 and all(int(b) == n for b, _ in runs), out
    return [float(us) for _, us in runs[1:]]


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 20
    iters = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    py, pl, c = [], [], []
    with axidma.Device(path) as dev:
        src = dev.allocate(n, np.uint8, channel="tx")
        dst = dev.allocate(n, np.uint8, channel="tx")
        src[:] = np.arange(n, dtype=np.uint32).astype(np.uint8) * 13 + 1
        python_loop_us(dev, src, dst, n)  # warm-up
        assert np.array_equal(src, dst)
        k = 3
        for _ in range(max(1, iters // k)):  # interleaved in rounds: all see the same machine state
            c += c_loop_us(path, n, k)
            for _ in range(k):
                dst[:] = 0
                py.append(python_loop_us(dev, src, dst, n))
            for _ in range(k):
                dst[:] = 0
                pl.append(python_paired_us(dev, src, dst, n))
        assert np.array_equal(src, dst)
    py_us, c_us, pl_us = statistics.median(py), statistics.median(c), statistics.median(pl)
    print(json.dumps({"size": n, "iterations": len(py), "python_us": round(py_us, 1), "c_us": round(c_us, 1),
                      "python_mb_per_s": round(n / py_us, 1), "c_mb_per_s": round(n / c_us, 1),
                      "ratio": round(c_us / py_us, 3), "python_loop_us": round(pl_us, 1),
                      "python_loop_mb_per_s": round(n / pl_us, 1), "ratio_loop": round(c_us / pl_us, 3)}))


if __name__ == "__main__":
    main()
