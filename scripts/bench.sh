#!/usr/bin/env bash
# `make bench`: boot each board, run the driver's benchmark (user space against the
# in-kernel loop on the same channel, in the same boot), print the table and write
# out/bench/{bench.md,bench.png,<board>.json,<board>-python.json}. BOARDS and BENCH_SIZES
# may be set.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
boards=${BOARDS:-zcu102 zc702}
out=${LOGDIR:-$REPO/out}/bench; mkdir -p "$out"
args=()
for b in $boards; do
  log "benchmarking on $b"
  "$REPO/scripts/run-board.sh" "$b" bench >/dev/null
  sed -n '/^@@BENCH-BEGIN/,/^@@BENCH-END/p' "$(board_log "$b" bench)" | sed '1d;$d' | grep -v '^\[' > "$out/$b.json"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/$b.json" || die "$b: no benchmark output (see $(board_log "$b" bench))"
  args+=("$b=$out/$b.json")
  # numpy-driven 1 MiB loopback against the C tool (guest/bench.sh, lib/python).
  sed -n '/^@@PYBENCH-BEGIN/,/^@@PYBENCH-END/p' "$(board_log "$b" bench)" | sed '1d;$d' | grep '^{' > "$out/$b-python.json" || true
  if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/$b-python.json" 2>/dev/null; then
    args+=("python:$b=$out/$b-python.json")
  else
    log "$b: no Python benchmark output"
  fi
done
python3 "$REPO/scripts/bench-render.py" "$out" "${args[@]}"
