#!/usr/bin/env python3
"""Render `axidma bench --json` results: a Markdown table of throughput and ratios to the
in-kernel baseline, plus a PNG plot. Usage: bench-render.py OUTDIR BOARD=FILE.json ...
[python:BOARD=FILE.json ...] (lib/python/guest_tests/bench_loop.py: numpy against C)."""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt_size(n):
    for unit, div in (("M", 1 << 20), ("k", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def table(board, data):
    rows = data["rows"]
    sizes = sorted({r["size"] for r in rows})
    modes = []
    for r in rows:
        if r["mode"] not in modes:
            modes.append(r["mode"])
    by = {(r["size"], r["mode"]): r for r in rows}
    out = [f"### {board}", "",
           "Throughput in MB/s, and in brackets the ratio to the in-kernel loop on the same "
           "channel and buffers measured in the same boot (same size, same number in flight; "
           "`blocking` and `copy-in/out` against the kernel's one-at-a-time loop).", "",
           "| size | " + " | ".join(modes) + " |",
           "|---:|" + "---:|" * len(modes)]
    for s in sizes:
        cells = []
        for m in modes:
            r = by.get((s, m))
            if not r:
                cells.append("")
            elif m == "kernel":
                cells.append(f"{r['mb_per_s']:.1f}")
            else:
                cells.append(f"{r['mb_per_s']:.1f} ({r['ratio_to_kernel']:.2f})")
        out.append(f"| {fmt_size(s)} | " + " | ".join(cells) + " |")
    small = [by[(s, "kernel")]["us_per_transfer"] for s in sizes if s <= 4096 and (s, "kernel") in by]
    if small:
        out += ["", f"Per transfer at 4 KiB and below: kernel loop {min(small):.1f}-{max(small):.1f} us; "
                f"ioctl round trip with no DMA {data['ioctl_us']:.2f} us."]
    return "\n".join(out) + "\n"


def python_table(rows):
    out = ["### Python (numpy) against C", "",
           "1 MiB loopbacks on the loopback provider, median of the runs, interleaved in the same "
           "boot. `same calls`: `axidma` with numpy arrays making exactly the C tool's system "
           "calls (non-blocking receive, blocking send, wait); `dev.loop()`: the one-call "
           "`LOOPBACK` a Python program would use; C: `axidma-demo loop`. Ratio = C time / "
           "Python time (1.0: Python costs nothing).", "",
           "| board | size | runs | C MB/s | numpy, same calls MB/s (ratio) | numpy, dev.loop() MB/s (ratio) |",
           "|---|---:|---:|---:|---:|---:|"]
    for board, d in rows:
        loop = (f"{d['python_loop_mb_per_s']:.1f} ({d['ratio_loop']:.2f})" if "ratio_loop" in d else "")
        out.append(f"| {board} | {fmt_size(d['size'])} | {d['iterations']} | {d['c_mb_per_s']:.1f} | "
                   f"{d['python_mb_per_s']:.1f} ({d['ratio']:.2f}) | {loop} |")
    return "\n".join(out) + "\n"


def plot(path, results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plot", file=sys.stderr)
        return False
    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.5), squeeze=False)
    for ax, (board, data) in zip(axes[0], results):
        modes = []
        for r in data["rows"]:
            if r["mode"] not in modes:
                modes.append(r["mode"])
        for m in modes:
            pts = sorted((r["size"], r["mb_per_s"]) for r in data["rows"] if r["mode"] == m)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                    lw=2.5 if m == "kernel" else 1.2, label=m)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("transfer size (bytes)")
        ax.set_ylabel("MB/s")
        ax.set_title(f"axi_dma memcpy throughput, {board} (QEMU)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    results = []
    py = []
    for arg in sys.argv[2:]:
        board, path = arg.split("=", 1)
        if board.startswith("python:"):
            py.append((board[len("python:"):], load(path)))
        else:
            results.append((board, load(path)))
    md = "".join(table(b, d) + "\n" for b, d in results)
    if py:
        md += python_table(py) + "\n"
    with open(os.path.join(outdir, "bench.md"), "w") as f:
        f.write(md)
    print(md)
    if plot(os.path.join(outdir, "bench.png"), results):
        print(f"plot: {os.path.join(outdir, 'bench.png')}")


if __name__ == "__main__":
    main()
