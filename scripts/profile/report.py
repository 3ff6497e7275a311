#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/profile.sh's report: guest instructions per transfer, per kernel function.

Usage: report.py GUEST.LOG DUMP-PREFIX [TOP [USER-BIN]]
GUEST.LOG holds the guest's text symbols (@@KSYM addr name [module]) and its workloads
(@@PROF-WINDOW mode size depth iters); DUMP-PREFIX.N are insn-profile.c's dumps, the
workload k being dump 2k+1 (dump 0 runs from boot to the first marker). USER-BIN: a
static, non-position-independent guest program (the `axidma` tool) whose functions
user-space addresses are mapped to (shown as `name [user]`); other user-space code is
`[user space]`.
"""
import bisect
import re
import subprocess
import sys
from collections import defaultdict


def demangle(names):
    try:
        r = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True, check=True)
        out = r.stdout.splitlines()
        if len(out) == len(names):
            # Crate hashes add nothing here.
            return [re.sub(r"\[[0-9a-f]+\]", "", n) for n in out]
    except (OSError, subprocess.CalledProcessError):
        pass
    return names


# Where a function belongs, for the per-part summary (first match wins).
PARTS = [
    ("our module", re.compile(r"\[axi_dma_mod\]$")),
    ("user space", re.compile(r"^\[user space\]$")),
    ("Rust helpers (refcounts, atomics, locks)", re.compile(r"^rust_helper_")),
    # pl330.c's static helpers have generic names (_setup_req, _start, ...).
    ("DMA provider + dmaengine", re.compile(
        r"^(zynqmp_dma|pl330|_?xilinx_dma|xilinx_|dma_|dmaengine|__dma|_setup_req|_start|_trigger|"
        r"_until_dmac_idle|_emit_|_bursts|_loop|_prepare_ccr|fill_px|get_burst_len|pluck_desc|"
        r"_state|_stop|mark_free|_dmov|_ldst|_sendev|_wfp|_dmaend|_dmago|_bursts|_thrd_active|"
        r"add_desc|_chan_ns)")),
    ("system call entry/exit, user copies", re.compile(
        r"^(el0|ret_to_user|invoke_syscall|do_el0_svc|__arm64_sys_ioctl|__se_sys_ioctl|sys_ioctl|"
        r"do_vfs_ioctl|vfs_ioctl|fdget|fdput|__fget|vector_swi|ret_fast_syscall|__arch_copy|"
        r"arm_copy_|__copy_|_copy_|copy_from_user|copy_to_user|__get_user|__put_user|vectors|"
        r"local_daif|syscall_|__sys_trace|el0t_)")),
    ("locks (mutex, spinlock)", re.compile(r"(spin_lock|spin_unlock|mutex_lock|mutex_unlock|queued_|_raw_)")),
    ("memcpy/memset", re.compile(r"(__pi_mem|^mem(cpy|set|move)|^__mem(cpy|set|move))")),
]


def user_symbols(path):
    """(sorted addresses, names) of the text symbols of the static program at `path`."""
    syms = []
    for nm in ("aarch64-linux-gnu-nm", "arm-linux-gnueabihf-nm", "nm"):
        try:
            r = subprocess.run([nm, "--defined-only", path], capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        for line in r.stdout.splitlines():
            p = line.split()
            # Mapping symbols ($a, $d, $t, $x) mark code/data runs, not functions.
            if len(p) == 3 and p[1] in "tTwW" and not p[2].startswith("$"):
                syms.append((int(p[0], 16) & ~1, p[2]))
        if syms:
            break
    syms.sort()
    return [a for a, _ in syms], demangle([n for _, n in syms])


def is_user(name):
    return name == "[user space]" or name.endswith(" [user]")


def part_of(name):
    if is_user(name):
        return "user space"
    for part, rx in PARTS:
        if rx.search(name):
            return part
    return "scheduler, interrupts, wake-ups, other kernel"


def main():
    log, prefix = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    uaddrs, unames = user_symbols(sys.argv[4]) if len(sys.argv) > 4 else ([], [])
    syms, windows, failed = [], [], []
    for line in open(log, errors="replace"):
        p = line.split()
        if not p:
            continue
        if p[0] == "@@KSYM" and len(p) >= 3:
            mod = p[3].strip("[]") if len(p) > 3 else ""
            syms.append((int(p[1], 16), p[2], mod))
        elif p[0] == "@@PROF-WINDOW" and len(p) == 5:
            windows.append((p[1], int(p[2]), int(p[3]), int(p[4])))
        elif p[0] == "@@PROF-FAILED":
            failed.append(p[1])
    if not syms or not windows:
        sys.exit("report.py: no symbols or no workloads in the guest log")
    if failed:
        sys.exit("report.py: workloads failed in the guest: " + ", ".join(failed))
    syms.sort()
    addrs = [s[0] for s in syms]
    names = demangle([s[1] for s in syms])
    lowest = addrs[0]

    def where(pc, tool):
        if pc < lowest:
            # Only the `r*` workloads run the tool; prof_load (C) lives at the same
            # addresses (both are static programs linked at the default address).
            i = bisect.bisect_right(uaddrs, pc) - 1 if tool else -1
            if i >= 0 and pc - uaddrs[i] < 1 << 16:
                return f"{unames[i]} [user]"
            return "[user space]"
        i = bisect.bisect_right(addrs, pc) - 1
        mod = syms[i][2]
        return f"{names[i]}" + (f" [{mod}]" if mod else "")

    results = []
    for k, (mode, size, depth, iters) in enumerate(windows):
        per = defaultdict(int)
        try:
            f = open(f"{prefix}.{2 * k + 1}")
        except OSError:
            sys.exit(f"report.py: no dump for workload {k}")
        for line in f:
            pc, insns, n = line.split()
            per[where(int(pc, 16), mode.startswith("r"))] += int(insns) * int(n)
        results.append(((mode, size, depth, iters), per))

    # Every function of every workload, for diffs (e.g. the driver's loop minus the floor).
    with open(f"{prefix}.functions.tsv", "w") as t:
        for (mode, size, depth, iters), per in results:
            for name, v in sorted(per.items(), key=lambda kv: -kv[1]):
                t.write(f"{mode}:{size}:{depth}\t{v / iters:.1f}\t{name}\n")
    print("Guest instructions per transfer (QEMU TCG plugin count; DMA copies are host work, not counted)\n")
    print("| workload | total | kernel | user space | our module |")
    print("|---|---:|---:|---:|---:|")
    for (mode, size, depth, iters), per in results:
        tot = sum(per.values())
        user = sum(v for k, v in per.items() if is_user(k))
        ours = sum(v for k, v in per.items() if k.endswith("[axi_dma_mod]"))
        print(f"| {mode} {size} B depth {depth} | {tot / iters:.0f} | {(tot - user) / iters:.0f} "
              f"| {user / iters:.0f} | {ours / iters:.0f} |")
    print("\nBy part (instructions per transfer):\n")
    names = [part for part, _ in PARTS] + ["scheduler, interrupts, wake-ups, other kernel"]
    print("| part | " + " | ".join(f"{m} {sz} d{dp}" for (m, sz, dp, _), _ in results) + " |")
    print("|---|" + "---:|" * len(results))
    sums = []
    for _, per in results:
        by = defaultdict(int)
        for name, v in per.items():
            by[part_of(name)] += v
        sums.append(by)
    for part in names:
        row = [f"{sums[i][part] / w[3]:.0f}" for i, (w, _) in enumerate(results)]
        print(f"| {part} | " + " | ".join(row) + " |")
    for (mode, size, depth, iters), per in results:
        tot = sum(per.values())
        print(f"\n## {mode}, {size} B, depth {depth}, {iters} transfers: {tot / iters:.0f} instructions per transfer\n")
        print("| instructions/transfer | share | function |")
        print("|---:|---:|---|")
        for name, v in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
            print(f"| {v / iters:.1f} | {100 * v / tot:.1f}% | `{name}` |")


if __name__ == "__main__":
    main()
