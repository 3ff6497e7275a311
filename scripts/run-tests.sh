#!/usr/bin/env bash
# `make test`: every check of the project, host-side and inside both emulated boards, on
# every supported kernel series. Installs what is missing, builds (or reuses) the kernels,
# and ends with the line "N passed, N failed". Exit status 0 only if nothing failed.
#   BOARDS="zcu102 zc702"   boards to run (default both)
#   KVERS="7.2 7.3"         kernel series to run (default: every one set-up fetched; a
#                           series the mirror no longer has is reported by set-up, skipped)
#   LOGDIR=out              where serial logs and the summary go
# Checks that depend on the kernel are named <series>/<board>:<check>.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
boards=${BOARDS:-zcu102 zc702}
logdir=${LOGDIR:-$REPO/out}; mkdir -p "$logdir"
export LOGDIR=$logdir
results="$logdir/results.txt"; : > "$results"
t_start=$(date +%s)

pass() { echo "PASS $1" | tee -a "$results"; }
fail() { echo "FAIL $1${2:+: $2}" | tee -a "$results"; }
check() { # name cmd...
  local n=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$n"; else fail "$n" "$(echo "$out" | tail -5 | tr '\n' ' ')"; fi
}

"$REPO/scripts/setup-host.sh" || { fail host_setup "scripts/setup-host.sh failed"; }

fetched=$(kseries_fetched | tr '\n' ' ')
kvers=
for kv in ${KVERS:-$fetched}; do
  case " $KSERIES_SUPPORTED " in *" $kv "*) ;; *) fail "$kv/kernel_source" "not a supported series ($KSERIES_SUPPORTED)"; continue;; esac
  case " $fetched " in
    *" $kv "*) kvers="$kvers $kv" ;;
    *) fail "$kv/kernel_source" "linux-source-$kv was not fetched (gone from the mirror? see scripts/setup-host.sh)" ;;
  esac
done
kvers=${kvers# }
newest=${kvers##* }
untested=
for kv in $KSERIES_SUPPORTED; do case " $kvers " in *" $kv "*) ;; *) untested="$untested $kv";; esac; done
log "kernel series: ${kvers:-none}; boards: $boards${untested:+; NOT tested:$untested}"

# ---------------------------------------------------------------- host-side checks
log "host-side checks"
for kv in $kvers; do
  for b in $boards; do
    KVER=$kv "$REPO/scripts/build-kernel.sh" "$b" || fail "$kv/$b:kernel_build"
  done
done
# The boards' test runs boot QEMU built with patches/qemu/ (an AXI DMA in the PL).
"$REPO/scripts/build-qemu.sh" >/dev/null || fail qemu_build "scripts/build-qemu.sh failed"
for kv in $kvers; do
  check "$kv/dtbs_build" env KVER=$kv "$REPO/scripts/build-dtbs.sh"
done
# The device-tree checks below use the DTs compiled with the newest series' includes.
export KVER=$newest
dtbdir=$(dtb_dir)
check dt_binding_schema dt-doc-validate "$REPO/dts/bindings/dma/linux,axi-dma-user.yaml"
# Whether a DT holds a string (grep -c reads it all: with -q, fdtdump could die of SIGPIPE
# and pipefail would call the match a miss).
dt_has() { fdtdump "$1" 2>/dev/null | grep -c -- "$2" >/dev/null; }
# dt-validate finds nothing to check in a bare overlay (its nodes sit under fragments with
# unresolved references): validate each real-board overlay applied onto its SoC's DT.
ovl=$(mktemp -d)
apply_overlay() { # overlay.dtbo -> merged .dtb in $ovl
  local o=$1 base
  case $(basename "$o") in zynq7000-*) base=zc702-qemu.dtb ;; *) base=zcu102-qemu.dtb ;; esac
  fdtoverlay -i "$dtbdir/$base" -o "$ovl/$(basename "${o%.dtbo}")+$base" "$o"
}
for o in "$dtbdir"/*.dtbo; do
  apply_overlay "$o" || fail "dt_overlay_applies:$(basename "$o")" "fdtoverlay failed"
done
dt_files=$(ls "$dtbdir"/*.dtb "$ovl"/*.dtb)
for f in $dt_files; do
  n="dt_validate:$(basename "$f")"
  if ! dt_has "$f" 'linux,axi-dma-user'; then fail "$n" "no axi-dma-user node"; continue; fi
  out=$(dt-validate -s "$REPO/dts/bindings" -l axi-dma-user "$f" 2>&1)
  [ -z "$out" ] && pass "$n" || fail "$n" "$out"
done
# The schema must reject a bad node, or the checks above prove nothing.
bad=$(mktemp --suffix=.dtb)
printf '/dts-v1/;\n/ { #address-cells=<1>; #size-cells=<1>; d: dma { #dma-cells=<1>; };\n  dma-user { compatible = "linux,axi-dma-user"; dmas = <&d 0>; bogus = <1>; }; };\n' \
  | dtc -q -I dts -O dtb -o "$bad" -
out=$(dt-validate -s "$REPO/dts/bindings" -l axi-dma-user "$bad" 2>&1)
echo "$out" | grep -q "dma-names' is a required property" && echo "$out" | grep -q bogus \
  && pass dt_validate_rejects_bad_node || fail dt_validate_rejects_bad_node "$out"
rm -f "$bad"
# ... and so must an overlay's mistake, once applied.
sed 's/dma-names = "tx", "rx";/& bogus = <1>;/' "$REPO/dts/zynq7000-axi-dma-overlay.dtso" \
  | dtc -q -@ -I dts -O dtb -o "$ovl/zynq7000-bad.dtbo" - && apply_overlay "$ovl/zynq7000-bad.dtbo"
out=$(dt-validate -s "$REPO/dts/bindings" -l axi-dma-user "$ovl/zynq7000-bad+zc702-qemu.dtb" 2>&1)
echo "$out" | grep -q bogus && pass dt_validate_rejects_bad_overlay || fail dt_validate_rejects_bad_overlay "$out"
# The AXI DMA nodes of the patched-QEMU DTs and of the real-board overlays against the
# kernel's own xlnx,axi-dma binding (with the two generic DMA schemas it references), and a
# bad node that binding must reject.
xsch=$(mktemp -d); kb="$(kernel_src)/Documentation/devicetree/bindings/dma"
mkdir -p "$xsch/dma/xilinx" && cp "$kb/dma-controller.yaml" "$kb/dma-common.yaml" "$xsch/dma/" \
  && cp "$kb/xilinx/xlnx,axi-dma.yaml" "$xsch/dma/xilinx/"
for f in $dt_files; do   # QEMU DTs and the real-board overlays (applied)
  dt_has "$f" 'xlnx,axi-dma-1.00.a' || continue
  # Except xlnx,irq-delay: xilinx_dma reads it (as a u8) from the channel nodes, where the
  # binding has no place for it (it lists a u32 on the controller, which the driver ignores).
  dtc -q -I dtb -O dts "$f" | grep -v 'xlnx,irq-delay' | dtc -q -I dts -O dtb -o "$xsch/v.dtb" -
  out=$(dt-validate -s "$xsch" -l xlnx,axi-dma "$xsch/v.dtb" 2>&1)
  [ -z "$out" ] && pass "dt_validate_xlnx_axi_dma:$(basename "$f")" || fail "dt_validate_xlnx_axi_dma:$(basename "$f")" "$out"
done
bad=$(mktemp --suffix=.dtb)
printf '/dts-v1/;\n/ { #address-cells=<1>; #size-cells=<1>; dma-controller@40400000 { compatible = "xlnx,axi-dma-1.00.a";\n  reg = <0x40400000 0x10000>; #dma-cells = <1>; bogus = <1>; dma-channel-mm2s { compatible = "xlnx,axi-dma-mm2s-channel"; }; }; };\n' \
  | dtc -q -I dts -O dtb -o "$bad" -
out=$(dt-validate -s "$xsch" -l xlnx,axi-dma "$bad" 2>&1)
echo "$out" | grep -q "'xlnx,addrwidth' is a required property" && echo "$out" | grep -q "'xlnx,datawidth' is a required" \
  && echo "$out" | grep -q bogus && pass dt_validate_xlnx_axi_dma_rejects_bad_node || fail dt_validate_xlnx_axi_dma_rejects_bad_node "$out"
rm -rf "$bad" "$xsch" "$ovl"
unset KVER
check rustfmt "$REPO/scripts/fmt-check.sh"
for kv in $kvers; do
  for b in $boards; do
    # The module builds without a single warning, and clippy (with the kernel's lints) is clean.
    out=$(touch "$REPO/axi_dma.rs"; CLIPPY=1 KVER=$kv "$REPO/scripts/build-module.sh" "$b" 2>&1)
    if [ $? -ne 0 ]; then fail "$kv/$b:module_build_clippy" "$(echo "$out" | grep -m3 -E 'error|ERROR')"
    elif echo "$out" | grep -qiE '^warning|warning:'; then fail "$kv/$b:module_build_clippy" "$(echo "$out" | grep -m3 -i warning)"
    else pass "$kv/$b:module_build_clippy"; fi
    # What Yocto's module class runs (make KERNEL_SRC=... O=..., make modules_install), then
    # depmod and modinfo on the installed module.
    check "$kv/$b:build_contract" env KVER=$kv "$REPO/scripts/check-build-contract.sh" "$b"
  done
done
# The UAPI layout check (tests/uapi-layout, also scripts/check-uapi.sh) is one of the
# crates below: each of its tests counts.
# Host-side unit tests of the Rust crates (ABI against the C header, argument parsing...):
# every Rust test counts.
for crate in lib/rust tools/axidma tests/uapi-layout; do
  out=$(cd "$REPO/$crate" && CARGO_TARGET_DIR="$CARGO_HOST_DIR" cargo test --locked 2>&1)
  rc=$?
  while read -r p f; do
    for i in $(seq 1 "$p"); do pass "cargo:$crate:test$i" >/dev/null; done
    for i in $(seq 1 "$f"); do fail "cargo:$crate:failed$i" >/dev/null; done
  done < <(echo "$out" | sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p')
  [ $rc = 0 ] && pass "cargo:$crate" || fail "cargo:$crate" "$(echo "$out" | grep -m3 -E 'FAILED|panicked|error')"
  echo "$out" | grep -E "^test .* (ok|FAILED)$" | sed "s|^|  $crate: |"
done

# The Python package (lib/python): its layouts against the C header for x86_64, arm64 and
# armhf, ioctl numbers, argument validation, errors, pip install. Every pytest test counts.
out=$(cd "$REPO/lib/python" && python3 -m pytest -v -p no:cacheprovider tests 2>&1); rc=$?
while read -r id st; do
  case $st in PASSED) pass "python:host:$id" >/dev/null ;; SKIPPED) ;; *) fail "python:host:$id" "$st" ;; esac
done < <(echo "$out" | sed -n 's/^tests\/\([^ ]*\) \(PASSED\|FAILED\|ERROR\|SKIPPED\).*/\1 \2/p')
[ $rc = 0 ] && pass "python:host" || fail "python:host" "$(echo "$out" | grep -m3 -E 'FAILED|Error|error')"
echo "$out" | tail -1 | sed 's|^|  lib/python: |'

# The benchmark renderer (make bench) on a small sample: a table and a plot come out.
sample=$(mktemp -d)
cat > "$sample/s.json" <<'J'
{"ioctl_us": 0.5, "rows": [
  {"size": 4096, "mode": "floor", "depth": 1, "iterations": 10, "seconds": 0.01, "mb_per_s": 4.0, "transfers_per_s": 1000.0, "us_per_transfer": 1000.0, "ratio_to_floor": 1.0, "ratio_to_kernel": 1.33, "syscalls_per_transfer": 0.1, "cpu_ms_per_mb": 1.0},
  {"size": 4096, "mode": "kernel", "depth": 1, "iterations": 10, "seconds": 0.0133, "mb_per_s": 3.0, "transfers_per_s": 750.0, "us_per_transfer": 1333.0, "ratio_to_floor": 0.75, "ratio_to_kernel": 1.0, "syscalls_per_transfer": 0.1, "cpu_ms_per_mb": 1.0},
  {"size": 4096, "mode": "blocking", "depth": 1, "iterations": 10, "seconds": 0.02, "mb_per_s": 2.0, "transfers_per_s": 500.0, "us_per_transfer": 2000.0, "ratio_to_floor": 0.5, "ratio_to_kernel": 0.67, "syscalls_per_transfer": 1.0, "cpu_ms_per_mb": 12.5}
]}
J
if python3 "$REPO/scripts/bench-render.py" "$sample" sample="$sample/s.json" >/dev/null 2>&1 \
   && grep -q '| 4k | 4.0 |  | 3.0 (0.75) | 2.0 (0.50) |  | 1.00 | 12.5 |' "$sample/bench.md" \
   && grep -q 'blocking 256 B and 4 KiB >= 0.9: \*\*missed\*\*, worst 0.50' "$sample/bench.md" && [ -s "$sample/bench.png" ]; then
  pass bench_render
else
  fail bench_render "scripts/bench-render.py did not produce the table and plot"
fi
# ... and the Python row (lib/python/guest_tests/bench_loop.py's JSON) on its own.
echo '{"size": 1048576, "iterations": 3, "python_us": 20000.0, "c_us": 19000.0, "python_mb_per_s": 52.4, "c_mb_per_s": 55.2, "ratio": 0.95, "python_loop_us": 18000.0, "python_loop_mb_per_s": 58.3, "ratio_loop": 1.06}' > "$sample/p.json"
if python3 "$REPO/scripts/bench-render.py" "$sample/py" python:sample="$sample/p.json" >/dev/null 2>&1 \
   && grep -q '| sample | 1M | 3 | 55.2 | 52.4 (0.95) | 58.3 (1.06) |' "$sample/py/bench.md"; then
  pass bench_render_python
else
  fail bench_render_python "scripts/bench-render.py did not render the Python row"
fi
# The profiler's report (scripts/profile.sh) on a made-up guest log and plugin dumps: one
# workload of 10 transfers, 1000 kernel instructions in two functions (one in the module),
# 50 in user space; dump 0 (boot) must be ignored.
cat > "$sample/g.log" <<'L'
@@KSYM ffff800080001000 do_one_thing
@@KSYM ffff800080002000 other_thing
@@KSYM ffff800090000000 _RNvCs1234_7axi_dma5start [axi_dma_mod]
@@PROF-WINDOW floor 4096 1 10
L
printf 'ffff800080001000 5 1000000\n' > "$sample/d.0"
printf 'ffff800080001010 4 150\nffff800090000010 10 40\n10 5 10\n' > "$sample/d.1"
if out=$(python3 "$REPO/scripts/profile/report.py" "$sample/g.log" "$sample/d" 2>&1) \
   && echo "$out" | grep -q '| floor 4096 B depth 1 | 105 | 100 | 5 | 40 |' \
   && echo "$out" | grep -q '| 60.0 | 57.1% | `do_one_thing` |' \
   && grep -q "axi_dma::start \[axi_dma_mod\]" "$sample/d.functions.tsv"; then
  pass profile_report
else
  fail profile_report "scripts/profile/report.py: $out"
fi
# ... with the axidma tool's symbols (an object whose function `tool_fn` is at 0): the
# user-space instructions of an r* workload (`axidma prof-load`) are named, a C
# workload's (prof_load, at the same addresses) are not.
echo '@@PROF-WINDOW rbatch 4096 1 10' >> "$sample/g.log"
printf 'ffff800080001000 5 1
' > "$sample/d.2"
printf '10 7 10
' > "$sample/d.3"
if printf 'void tool_fn(void) {}\n' | cc -x c -c -o "$sample/u.o" - 2>/dev/null \
   && out=$(python3 "$REPO/scripts/profile/report.py" "$sample/g.log" "$sample/d" 25 "$sample/u.o" 2>&1) \
   && echo "$out" | grep -q '| rbatch 4096 B depth 1 | 7 | 0 | 7 | 0 |' \
   && echo "$out" | grep -q '`tool_fn \[user\]`' \
   && grep -q "^floor:4096:1.*\[user space\]" "$sample/d.functions.tsv"; then
  pass profile_report_user
else
  fail profile_report_user "scripts/profile/report.py with user symbols: $out"
fi
rm -rf "$sample"

# ---------------------------------------------------------------- the emulated boards
for kv in $kvers; do
  for b in $boards; do
    log "booting $b (Linux $kv)"
    KVER=$kv run_board_checks "$b" test | while IFS= read -r line; do
      case $line in PASS\ *) pass "${line#PASS }" ;; FAIL\ *) n=${line#FAIL }; fail "${n%%: *}" "${n#*: }" ;; esac
    done
  done
done

np=$(grep -c '^PASS' "$results"); nf=$(grep -c '^FAIL' "$results")
echo
echo "== summary (details: $results; serial logs: $logdir/*.log; $(( $(date +%s) - t_start )) s)"
grep '^FAIL' "$results" || true
[ -z "$untested" ] || echo "NOTE: Linux$untested not tested (${KVERS:+not asked for, or }not fetched: see scripts/setup-host.sh)"
echo "$np passed, $nf failed"
[ "$nf" = 0 ]
