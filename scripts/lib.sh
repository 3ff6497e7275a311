# Shared settings for the project's scripts (sourced, not run).
# Everything expensive lives in $CACHE, outside the repository.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${AXI_DMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/axi-dma}
# Kernel series the module supports, oldest first. Each comes from Debian's
# linux-source-<series> package (scripts/setup-host.sh fetches the newest build of each
# that the mirror still has). KVER picks the one a script works on (default: the newest
# fetched); KVERS the ones `make test` runs (default: every fetched one).
KSERIES_SUPPORTED="7.2 7.3"
KSOURCE_SUITES="sid trixie-backports"
BINDGEN=$CACHE/bindgen/bin/bindgen
BUSYBOX_DIR=$CACHE/busybox
LLVM_BIN=/usr/lib/llvm-19/bin
mkdir -p "$CACHE"
# Cargo target directories, one per checkout: cargo's fingerprints of path packages do not
# record where the checkout is, so two checkouts sharing a target directory silently run
# each other's builds (seen: one checkout's ABI test binary run against another's header).
CHECKOUT_KEY=$(printf '%s' "$REPO" | sha256sum | cut -c1-12)
CARGO_HOST_DIR=$CACHE/cargo-host-$CHECKOUT_KEY
CARGO_CROSS_DIR=$CACHE/cargo-cross-$CHECKOUT_KEY

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Per series: $CACHE/linux-source-<series>.deb-name names the .deb the source came from,
# and the tarball is kept as $CACHE/src/<that name>.tar.xz.
kseries_debname() { cat "$CACHE/linux-source-$1.deb-name" 2>/dev/null || true; }
kernel_tarball_path() { local d; d=$(kseries_debname "${1:-$(kver)}"); echo "$CACHE/src/${d%.deb}.tar.xz"; }
# The series whose source has been fetched, oldest first.
kseries_fetched() {
  local s d
  for s in $KSERIES_SUPPORTED; do
    d=$(kseries_debname "$s")
    [ -n "$d" ] && [ -f "$CACHE/src/${d%.deb}.tar.xz" ] && echo "$s"
  done
  return 0
}
kseries_check() { # series... : each must be supported
  local s
  for s in "$@"; do case " $KSERIES_SUPPORTED " in *" $s "*) ;; *) die "kernel series $s is not supported ($KSERIES_SUPPORTED)";; esac; done
}
# The series this script works on: $KVER, else the newest fetched.
kver() {
  if [ -n "${KVER:-}" ]; then kseries_check "$KVER"; echo "$KVER"; return; fi
  local s; s=$(kseries_fetched | tail -1)
  [ -n "$s" ] || die "no kernel source fetched yet (run make setup)"
  echo "$s"
}

# board -> kernel ARCH, cross prefix, image, QEMU
board_arch() { case $1 in zcu102) echo arm64;; zc702) echo arm;; *) die "unknown board $1 (zcu102|zc702)";; esac; }
board_cross() { case $1 in zcu102) echo aarch64-linux-gnu-;; zc702) echo arm-linux-gnueabihf-;; esac; }
board_debarch() { case $1 in zcu102) echo arm64;; zc702) echo armhf;; esac; }
board_image() { case $1 in zcu102) echo arch/arm64/boot/Image;; zc702) echo arch/arm/boot/zImage;; esac; }
board_fragment() { case $1 in zcu102) echo "$REPO/configs/zynqmp-arm64.config";; zc702) echo "$REPO/configs/zynq7000-arm.config";; esac; }
board_rust_target() { case $1 in zcu102) echo aarch64-unknown-linux-gnu;; zc702) echo armv7-unknown-linux-gnueabihf;; esac; }

# The kernel flavour: "test" (default: the fragments as they are, debugging options on) or
# "bench" (`make bench`: configs/bench.config, merged last, turns those options off).
kflavour() {
  case ${KFLAVOUR:-test} in test|bench) echo "${KFLAVOUR:-test}";; *) die "KFLAVOUR must be test or bench";; esac
}
# The config fragments a board's kernel is built from, in merge order (later ones win).
kernel_fragments() {
  echo "$(board_fragment "$1")" "$REPO/configs/common.config"
  if [ "$(kflavour)" = bench ]; then echo "$REPO/configs/bench.config"; fi
}
# The kernel build directory for a board (and the series kver picks), keyed by kernel
# source version + fragment hash. The same fragments serve every series.
kernel_key() {
  local b=$1 src_ver frag_hash suffix=
  src_ver=$(kseries_debname "$(kver)"); src_ver=${src_ver:-unknown}
  # shellcheck disable=SC2046
  frag_hash=$(cat $(kernel_fragments "$b") | sha256sum | cut -c1-16)
  [ "$(kflavour)" = test ] || suffix=-$(kflavour)
  echo "${src_ver%.deb}-$b-$frag_hash$suffix"
}
kernel_out() { echo "$CACHE/kbuild/$(kernel_key "$1")"; }
kernel_src() { echo "$CACHE/src/linux-$(kseries_debname "${1:-$(kver)}" | sed 's/^linux-source-[0-9.]*_//; s/_all.deb$//')"; }
# Device trees compiled with a series' include files.
dtb_dir() { local d; d=$(kernel_src "$@"); echo "$CACHE/dtb/${d##*/}"; }
# A board's serial log for MODE, per kernel series.
board_log() { echo "${LOGDIR:-$REPO/out}/$1-$(kver)-$2.log"; }

# Kernel log lines that fail a board's run whatever the tests said.
BAD_LOG='WARNING:|BUG:|Oops|Unable to handle kernel|Kernel panic|DMA-API: [^p].*(error|leak|free|sync|unmap|map|mapping)|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|sleeping function called from invalid context|unreferenced object|kmemleak: [0-9]+ new suspected|KASAN|UBSAN|refcount_t:|list_add corruption|list_del corruption|hung_task|blocked for more than|rcu_.*stall|Internal error|unsupported interworking|page allocation failure'

# Boot BOARD in MODE (test|soak) on the kernel series kver picks and print one
# "PASS <series>/name" / "FAIL <series>/name: why" line per guest check, plus the run
# itself and the kernel log scan.
run_board_checks() {
  local b=$1 mode=$2 out rc glog hits kv
  kv=$(kver)
  out=$(KVER=$kv "$REPO/scripts/run-board.sh" "$b" "$mode" 2>&1); rc=$?
  glog=$(KVER=$kv board_log "$b" "$mode")
  if [ $rc != 0 ]; then
    echo "FAIL $kv/$b:build_and_boot: $(echo "$out" | grep -v '^\[' | tail -4 | tr '\n' ' ')"
    return 0
  fi
  echo "$out" | sed -n "s|^@@RESULT \([^ ]*\) PASS *\$|PASS $kv/\1|p; s|^@@RESULT \([^ ]*\) FAIL *\(.*\)\$|FAIL $kv/\1: \2|p"
  hits=$(grep -E "$BAD_LOG" "$glog" | grep -v -E 'DMA-API: (preallocated|debugging enabled)' | head -5 | tr '\n' ' ')
  [ -z "$hits" ] && echo "PASS $kv/$b:kernel_log_clean" || echo "FAIL $kv/$b:kernel_log_clean: $hits(see $glog)"
}
