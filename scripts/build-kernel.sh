#!/usr/bin/env bash
# Build (or reuse) the Rust-enabled kernel for one emulated board.
# Usage: [KVER=7.2|7.3] scripts/build-kernel.sh zcu102|zc702   (default: the newest series)
# The build tree is cached in $CACHE/kbuild/<source version>-<board>-<fragment hash>.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
kv=$(kver)
arch=$(board_arch "$b")
src=$(kernel_src)
out=$(kernel_out "$b")

if [ ! -f "$src/Makefile" ]; then
  log "extracting Linux $kv source to $src"
  t="$CACHE/src/.extract.$$"; rm -rf "$t"; mkdir -p "$t"
  tar -xaf "$(kernel_tarball_path)" -C "$t"
  rm -rf "$src"; mv "$t"/linux-source-"$kv" "$src"; rm -rf "$t"
fi

# One build per tree at a time (a second `make` would reconfigure it under the first).
mkdir -p "$(dirname "$out")"
exec 8>"$out.lock"
flock 8

if [ -f "$out/.axi-dma-built" ]; then
  log "kernel for $b is cached: $out"
  exit 0
fi

kmake() {
  PATH="$LLVM_BIN:$PATH" make -C "$src" O="$out" ARCH="$arch" LLVM=1 \
    RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc BINDGEN="$BINDGEN" "$@"
}

mkdir -p "$out"
log "configuring $b kernel (Linux $kv, $(kflavour) flavour) in $out"
kmake allnoconfig >/dev/null
( cd "$out" && PATH="$LLVM_BIN:$PATH" ARCH="$arch" LLVM=1 "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
    "$out/.config" $(kernel_fragments "$b") >/dev/null )
kmake olddefconfig >/dev/null

# Every option our fragments ask for must have landed: a silently dropped option
# (unmet dependency) would make the tests weaker without anyone noticing.
# A later fragment overrides an earlier one (configs/bench.config turns debugging off).
declare -A want=()
order=()
while IFS= read -r line; do
  case $line in CONFIG_*=*) ;; *) continue;; esac
  opt=${line%%=*}
  [ -n "${want[$opt]+set}" ] || order+=("$opt")
  want[$opt]=${line#*=}
done < <(cat $(kernel_fragments "$b"))
# An option turned off takes its sub-options with it (CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE
# under CONFIG_DEBUG_KMEMLEAK): those are not checked.
for off in "${order[@]}"; do
  [ "${want[$off]}" = n ] || continue
  for opt in "${order[@]}"; do
    case $opt in "${off}_"*) [ "${want[$opt]}" = n ] || want[$opt]=skip ;; esac
  done
done
missing=0
for opt in "${order[@]}"; do
  val=${want[$opt]}
  [ "$val" != skip ] || continue
  if [ "$val" = n ]; then
    grep -q "^$opt=" "$out/.config" && { echo "config: $opt should be off"; missing=1; }
  else
    grep -qx "$opt=$val" "$out/.config" || { echo "config: $opt=$val did not take ($(grep "^$opt=" "$out/.config" || echo unset))"; missing=1; }
  fi
done
[ $missing = 0 ] || die "kernel config for $b is missing options (see above)"

log "building $b kernel (Linux $kv; a few minutes on 2 cores)"
t0=$(date +%s)
targets=("$(basename "$(board_image "$b")")" modules)
[ "$arch" = arm ] && targets+=(xilinx/zynq-zc702.dtb)
kmake -j"$(( $(nproc) + 1 ))" "${targets[@]}" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; die "kernel build failed"; }
echo "$(( $(date +%s) - t0 ))" > "$out/build-seconds"
touch "$out/.axi-dma-built"
log "kernel for $b (Linux $kv) built in $(cat "$out/build-seconds") s: $out/$(board_image "$b")"
