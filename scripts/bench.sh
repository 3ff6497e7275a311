#!/usr/bin/env bash
# `make bench`: boot each board on the bench kernel (KFLAVOUR=bench: the test kernel's
# fragments without the debugging options; built once and cached like the test kernels,
# never used by `make test`), run the guest benchmarks (guest/bench.sh: dmatest, the
# memcpy sweep against the bare dmaengine floor, the AXI DMA loopback), print the tables
# and write out/bench/{bench.md,bench.png,<board>.json,<board>-python.json}.
# BOARDS, BENCH_SIZES, KVER may be set; KFLAVOUR=test benchmarks the debug (test) kernel
# instead (into out/bench-test). BENCH_ICOUNT=1|0 forces QEMU's deterministic instruction
# counting (scripts/run-board.sh) or wall-clock time; by default zcu102 counts
# instructions and zc702 uses wall-clock time (see below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export KFLAVOUR=${KFLAVOUR:-bench}
BENCH_ICOUNT_SET=${BENCH_ICOUNT:-}
# A full sweep under -icount runs longer than a test boot.
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-5400}
boards=${BOARDS:-zcu102 zc702}
out=${LOGDIR:-$REPO/out}/bench; [ "$KFLAVOUR" = bench ] || out=$out-$KFLAVOUR
mkdir -p "$out"
section() { # LOG NAME -> the lines between @@NAME-BEGIN and @@NAME-END, kernel messages dropped
  sed -n "/^@@$2-BEGIN/,/^@@$2-END/p" "$1" | sed '1d;$d' | grep -v '^\['
}
args=()
for b in $boards; do
  log "benchmarking on $b ($KFLAVOUR kernel)"
  # On the emulated Zynq-7000, -icount runs of the sweep did not finish (QEMU running at
  # full speed, the guest making no progress; seen 3 times out of 4 runs, not
  # investigated): that board uses wall-clock time unless BENCH_ICOUNT is set.
  icount=${BENCH_ICOUNT_SET:-}
  [ -n "$icount" ] || { [ "$b" = zc702 ] && icount=0 || icount=1; }
  # One CPU online (maxcpus=1; BENCH_CPUS to change) under -icount: with four, a vCPU
  # spinning on a lock whose holder's vCPU is not running counts instructions no board
  # would execute, until QEMU switches vCPUs (scripts/profile.sh measured
  # queued_spin_lock_slowpath at 90% of a transfer's instructions that way), and boots
  # disagreed by up to 3x. zc702 runs on one CPU anyway.
  cpus=${BENCH_CPUS:-}; if [ -z "$cpus" ] && [ "$icount" = 1 ]; then cpus=1; fi
  GUEST_APPEND=${cpus:+maxcpus=$cpus }${GUEST_APPEND:-} BENCH_ICOUNT=$icount "$REPO/scripts/run-board.sh" "$b" bench >/dev/null
  l=$(board_log "$b" bench)
  section "$l" BENCH > "$out/$b.bench.json"
  section "$l" DMATEST > "$out/$b.dmatest.json"
  section "$l" LOOPBACK > "$out/$b.loopback.json"
  section "$l" MEMORY > "$out/$b.memory.json"
  python3 - "$out" "$b" "$KFLAVOUR" "$icount" "$(kver)" "$cpus" <<'PY' || die "$b: no benchmark output (see $l)"
import json, sys
out, b, flavour, icount, kver, cpus = sys.argv[1:]
def part(name, required):
    try:
        return json.load(open(f"{out}/{b}.{name}.json"))
    except (OSError, ValueError):
        if required:
            raise
        return None
d = part("bench", True)
d["dmatest"] = part("dmatest", False)
d["loopback"] = part("loopback", False)
d["memory"] = part("memory", False)
d["kernel"] = {"series": kver, "flavour": flavour}
d["icount"] = icount == "1"
d["cpus"] = int(cpus) if cpus else None
json.dump(d, open(f"{out}/{b}.json", "w"), indent=1)
PY
  rm -f "$out/$b".{bench,dmatest,loopback,memory}.json
  args+=("$b=$out/$b.json")
  # numpy-driven 1 MiB loopback against the C tool (guest/bench.sh, lib/python).
  section "$l" PYBENCH | grep '^{' > "$out/$b-python.json" || true
  if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/$b-python.json" 2>/dev/null; then
    args+=("python:$b=$out/$b-python.json")
  else
    log "$b: no Python benchmark output"
  fi
done
python3 "$REPO/scripts/bench-render.py" "$out" "${args[@]}"
