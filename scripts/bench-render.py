#!/usr/bin/env python3
"""Render `make bench` results (scripts/bench.sh): Markdown tables of throughput as ratios
to the floor (the bare dmaengine path, same channel, size and depth, same boot), system
calls and CPU time per transfer, the kernel's dmatest, the AXI DMA loopback, how the
targets of issue #16 fare, and a PNG plot. Usage: bench-render.py OUTDIR BOARD=FILE.json ...
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


def rows_by(data):
    return {(r["size"], r["mode"]): r for r in data["rows"]}


def ratio(r):
    return f"{r['ratio_to_floor']:.2f}" if r else ""


def header(board, data):
    k = data.get("kernel", {})
    clock = ("QEMU `-icount` (guest instructions, 1 ns each, independent of the host's load)"
             if data.get("icount") else "wall-clock time under QEMU (noisy)")
    if data.get("cpus"):
        clock += f", {data['cpus']} CPU online (`maxcpus={data['cpus']}`)"
    flavour = {"bench": "the bench kernel (no debugging options)",
               "test": "the test kernel (KASAN where supported, lockdep, DMA-API debug, kmemleak)"}
    return [f"### {board}", "",
            f"Linux {k.get('series', '?')}, {flavour.get(k.get('flavour'), '?')}; times are "
            f"{clock}. Ratios are the floor's time divided by ours for the same work (1.00 = "
            "as fast as the bare dmaengine path; the floor is the better of two runs around "
            "ours).", ""]


def one_at_a_time(data):
    by = rows_by(data)
    sizes = sorted({r["size"] for r in data["rows"]})
    # dmatest allocates its buffers with kmalloc: it fails (0 iops) above 4 MiB.
    dmat = {r["size"]: r for r in (data.get("dmatest") or {}).get("rows", []) if r["iops"] > 0}
    out = ["One transfer at a time (memcpy). MB/s, and the ratio to the floor in brackets; "
           "`dmatest` is the kernel's own test client (verification off; it maps its buffers "
           "for every transfer), shown for reference.", "",
           "| size | floor MB/s | dmatest | kernel loop | blocking XFER | copy-in/out | syscalls/xfer | CPU ms/MB (blocking) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        f = by.get((s, "floor"))
        if not f:
            continue
        cells = [f"{f['mb_per_s']:.1f}"]
        d = dmat.get(s)
        if d:
            mbps = d["iops"] * s / 1e6
            cells.append(f"{mbps:.1f} ({mbps / f['mb_per_s']:.2f})")
        else:
            cells.append("")
        for m in ("kernel", "blocking", "copy-in/out"):
            r = by.get((s, m))
            cells.append(f"{r['mb_per_s']:.1f} ({ratio(r)})" if r else "")
        b = by.get((s, "blocking"))
        cells.append(f"{b['syscalls_per_transfer']:.2f}" if b else "")
        cells.append(f"{b['cpu_ms_per_mb']:.1f}" if b else "")
        out.append(f"| {fmt_size(s)} | " + " | ".join(cells) + " |")
    return out


def in_flight(data):
    by = rows_by(data)
    sizes = sorted({r["size"] for r in data["rows"]})
    depths = sorted({r["depth"] for r in data["rows"] if r["mode"].startswith(("depth", "batch"))})
    out = ["", "Many in flight (memcpy, depth N). Ratios to the floor at the same depth; "
           "`XFER+REAP` submits each transfer with its own ioctl and reaps once per round, "
           "`SUBMIT` submits and reaps a whole batch (batch = depth) in one ioctl.", "",
           "| size | depth | floor MB/s | kernel loop | XFER+REAP | SUBMIT | syscalls/xfer XFER+REAP / SUBMIT | CPU ms/MB XFER+REAP / SUBMIT |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        for d in depths:
            x, b = by.get((s, f"depth{d}")), by.get((s, f"batch{d}"))
            k = by.get((s, "kernel" if d == 1 else f"kernel-d{d}"))
            ref = x or b
            if not ref:
                continue
            floor_mbps = ref["mb_per_s"] / ref["ratio_to_floor"]
            calls = " / ".join(f"{r['syscalls_per_transfer']:.2f}" if r else "-" for r in (x, b))
            cpu = " / ".join(f"{r['cpu_ms_per_mb']:.1f}" if r else "-" for r in (x, b))
            out.append(f"| {fmt_size(s)} | {d} | {floor_mbps:.1f} | {ratio(k)} | {ratio(x)} | {ratio(b)} | {calls} | {cpu} |")
    return out


def loopback(data):
    lb = data.get("loopback")
    if not lb:
        return []
    by = rows_by(lb)
    sizes = sorted({r["size"] for r in lb["rows"]})
    out = ["", "AXI DMA loopback (MM2S looped back to S2MM in the emulated PL), blocking round "
           "trips: the floor is the bare path (prepare and submit the receive, then the send, "
           "issue both, sleep until the receive's callback: what a minimal dmaengine client "
           "does per round trip, minus its system calls); ours is one `LOOPBACK` ioctl.", "",
           "| size | floor us/round trip | kernel loop | LOOPBACK ioctl | ours us/round trip | minimal client us (floor + 3 ioctls) | ours vs minimal client |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        f, k, b = by.get((s, "floor")), by.get((s, "kernel")), by.get((s, "blocking"))
        if not f or not b:
            continue
        # The minimal C client of issue #16: three ioctls per round trip (start rx,
        # transfer tx, finish rx) around the bare path.
        minimal = f["us_per_transfer"] + 3 * lb["ioctl_us"]
        out.append(f"| {fmt_size(s)} | {f['us_per_transfer']:.1f} | {ratio(k)} | {ratio(b)} | "
                   f"{b['us_per_transfer']:.1f} | {minimal:.1f} | {minimal / b['us_per_transfer']:.2f} |")
    return out


def memory(data):
    mem = data.get("memory")
    if not mem:
        return []
    by = rows_by(mem)
    sizes = sorted({r["size"] for r in mem["rows"]})
    out = ["", "Where the memory comes from (issue #17): blocking copies between two buffers of "
           "each kind with the hand-overs a correct program makes (coherent: none, one transfer; "
           "registered user memory: `SYNC` around each copy, pieces of 32 pages; imported "
           "system-heap dma-bufs: `DMA_BUF_IOCTL_SYNC` around each copy, pieces of 32 pages). "
           "Ratios to the same floor (bare path, coherent buffers, one transfer), and to coherent.", "",
           "| size | coherent MB/s | coherent vs floor | user vs floor | heap vs floor | user vs coherent | heap vs coherent | calls/copy user, heap | CPU ms/MB coherent, user, heap |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        c, u, h = by.get((s, "coherent")), by.get((s, "user")), by.get((s, "heap"))
        if not c or not u or not h:
            continue
        out.append(f"| {fmt_size(s)} | {c['mb_per_s']:.1f} | {ratio(c)} | {ratio(u)} | {ratio(h)} | "
                   f"{c['us_per_transfer'] / u['us_per_transfer']:.2f} | {c['us_per_transfer'] / h['us_per_transfer']:.2f} | "
                   f"{u['syscalls_per_transfer']:.0f}, {h['syscalls_per_transfer']:.0f} | "
                   f"{c['cpu_ms_per_mb']:.2f}, {u['cpu_ms_per_mb']:.2f}, {h['cpu_ms_per_mb']:.2f} |")
    return out


def targets(data):
    """The targets of issue #16, each with the worst case measured."""
    def worst(pred):
        rs = [r for r in data["rows"] if pred(r)]
        if not rs:
            return None
        return min(rs, key=lambda r: r["ratio_to_floor"])

    def line(what, goal, r):
        if r is None:
            return f"- {what}: not measured"
        ok = "met" if r["ratio_to_floor"] >= goal else "**missed**"
        return (f"- {what} >= {goal}: {ok}, worst {r['ratio_to_floor']:.2f} "
                f"({r['mode']} at {fmt_size(r['size'])})")

    kernel_modes = lambda r: r["mode"] == "kernel" or r["mode"].startswith("kernel-d")
    out = ["", "Targets (ratios to the floor):",
           line("in-kernel loop, every size and depth", 0.97, worst(kernel_modes)),
           line("user space batched, >= 4 KiB, >= 4 in flight", 0.95,
                worst(lambda r: r["mode"].startswith("batch") and r["depth"] >= 4 and r["size"] >= 4096)),
           line("user space batched, 64 B-1 KiB, >= 8 in flight", 0.9,
                worst(lambda r: r["mode"].startswith("batch") and r["depth"] >= 8 and 64 <= r["size"] <= 1024)),
           line("blocking 256 B and 4 KiB", 0.9,
                worst(lambda r: r["mode"] == "blocking" and r["size"] in (256, 4096)))]
    lb = data.get("loopback")
    if lb:
        # Against the minimal C client (floor + three ioctls per round trip).
        floor = {r["size"]: r for r in lb["rows"] if r["mode"] == "floor"}
        rs = []
        for r in lb["rows"]:
            f = floor.get(r["size"])
            if r["mode"] == "blocking" and f:
                minimal = f["us_per_transfer"] + 3 * lb["ioctl_us"]
                rs.append(dict(r, ratio_to_floor=minimal / r["us_per_transfer"], mode="LOOPBACK vs minimal client"))
        out.append(line("AXI DMA blocking loopback round trip, against the minimal client", 1.0,
                        min(rs, key=lambda r: r["ratio_to_floor"]) if rs else None))
    return out


def table(board, data):
    out = header(board, data) + one_at_a_time(data) + in_flight(data) + loopback(data) + memory(data) + targets(data)
    out += ["", f"ioctl round trip with no DMA: {data['ioctl_us']:.2f} us."]
    return "\n".join(out) + "\n"


def python_table(rows):
    out = ["### Python (numpy) against C", "",
           "1 MiB loopbacks on the AXI DMA (tx looped back to rx in the PL), median of the runs, interleaved in the same "
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
    shown = ("floor", "kernel", "blocking", "copy-in/out", "depth8", "batch8", "batch32")
    for ax, (board, data) in zip(axes[0], results):
        for m in shown:
            pts = sorted((r["size"], r["mb_per_s"]) for r in data["rows"] if r["mode"] == m)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                        lw=2.5 if m == "floor" else 1.2, label=m)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("transfer size (bytes)")
        ax.set_ylabel("MB/s" + (" (guest instruction time)" if data.get("icount") else ""))
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
    if results and plot(os.path.join(outdir, "bench.png"), results):
        print(f"plot: {os.path.join(outdir, 'bench.png')}")


if __name__ == "__main__":
    main()
