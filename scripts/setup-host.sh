#!/usr/bin/env bash
# Install everything the project needs on a Debian 12 (bookworm) x86_64 host.
# Idempotent: a second run only checks and returns in seconds.
# No package-mirror host is written here: it is read from this machine's apt sources.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# `scripts/setup-host.sh --refresh` (make setup) looks for newer kernel source builds
# even when everything is in place.
refresh=; [ "${1:-}" = --refresh ] && refresh=1
stamp="$CACHE/host-setup.v6.stamp"
if [ -z "$refresh" ] && [ -f "$stamp" ] && [ -x /usr/bin/rustc ] && [ -x "$BINDGEN" ] && command -v qemu-system-aarch64 >/dev/null \
   && [ -n "$(kseries_fetched)" ] && [ -x "$BUSYBOX_DIR/arm64/bin/busybox" ] && [ -x "$BUSYBOX_DIR/armhf/bin/busybox" ] \
   && command -v dt-validate >/dev/null && python3 -c 'import matplotlib' 2>/dev/null \
   && python3 -c 'import pytest, wheel, numpy' 2>/dev/null; then
  log "host already set up (stamp $stamp)"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root (apt-get install is needed)"
export DEBIAN_FRONTEND=noninteractive

# The first deb822 entry's URIs value is the Debian mirror this machine uses.
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || die "cannot find the Debian mirror in /etc/apt/sources.list.d/debian.sources"

bp=/etc/apt/sources.list.d/axi-dma-backports.sources
if [ ! -f "$bp" ]; then
  cat > "$bp" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

# apt-get update, retried: a mirror mid-sync fails an index now and then.
apt_update() {
  local i
  for i in 1 2 3; do "$@" update -qq && return 0; log "apt-get update failed (try $i), retrying"; sleep 10; done
  log "warning: apt-get update kept failing; continuing with the lists we have"
}

# A private apt state (its own lists, sources and architecture) for download-only fetches,
# so the system's package set is never touched. Usage: private_download NAME SUITES ARCH PKG DESTDIR
# (with PKG empty: only update that state's package lists)
private_download() {
  local name=$1 suites=$2 arch=$3 pkg=$4 dest=$5 st="$CACHE/apt-$1"
  mkdir -p "$st/lists/partial" "$st/archives/partial" "$st/etc"
  cat > "$st/etc/private.sources" <<EOF2
Types: deb
URIs: $mirror
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF2
  local aopts=(-o Dir::State::Lists="$st/lists" -o Dir::Etc::SourceList=/dev/null
         -o Dir::Etc::SourceParts="$st/etc" -o Dir::Cache::Archives="$st/archives"
         -o APT::Architecture="$arch" -o APT::Architectures::="$arch" -o Acquire::Languages=none
         -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  apt_update apt-get "${aopts[@]}"
  [ -z "$pkg" ] || (cd "$dest" && apt-get "${aopts[@]}" download -qq "$pkg")
}

log "apt-get update"
apt_update apt-get

log "installing build and emulation packages"
apt-get install -y -qq --no-install-recommends \
  rustc-web rust-web-src rust-web-clippy rustfmt-web \
  clang-19 lld-19 llvm-19 libclang-19-dev \
  flex bison bc libssl-dev libelf-dev cpio kmod xz-utils rsync file \
  device-tree-compiler python3 \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross \
  >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-arm >/dev/null

if [ ! -x "$BINDGEN" ]; then
  log "cargo install bindgen-cli (about 2 minutes)"
  cargo install --locked --root "$CACHE/bindgen" bindgen-cli
fi

# dtschema (dt-validate) for checking our device trees against our binding.
if ! command -v dt-validate >/dev/null; then
  log "pip install dtschema"
  python3 -m pip install -q dtschema
fi

# matplotlib renders the benchmark plot.
if ! python3 -c 'import matplotlib' 2>/dev/null; then
  log "pip install matplotlib"
  python3 -m pip install -q matplotlib
fi

# pytest runs the Python package's host tests; wheel lets `pip install ./lib/python` build
# without fetching a build environment (setuptools before 70 needs it for bdist_wheel).
if ! python3 -c 'import pytest, wheel, numpy' 2>/dev/null; then
  log "pip install pytest wheel numpy"
  python3 -m pip install -q pytest wheel numpy setuptools
fi

# busybox-static for both guest architectures (download only).
for a in arm64 armhf; do
  if [ ! -x "$BUSYBOX_DIR/$a/bin/busybox" ]; then
    log "busybox-static:$a"
    t=$(mktemp -d); private_download "busybox-$a" bookworm "$a" busybox-static "$t"
    rm -rf "$BUSYBOX_DIR/$a"; mkdir -p "$BUSYBOX_DIR/$a"
    dpkg-deb -x "$t"/busybox-static_*.deb "$t/x"
    mkdir -p "$BUSYBOX_DIR/$a/bin"; cp "$t/x/bin/busybox" "$BUSYBOX_DIR/$a/bin/busybox"
    rm -rf "$t"
  fi
done

# Kernel source: the newest build of linux-source-<series> for each supported series, from
# whichever of $KSOURCE_SUITES has it, fetched with a private apt state so the system is
# never upgraded. A series the mirror no longer carries is skipped (a build fetched
# earlier stays in use).
# Earlier versions of this script kept one series' name in linux-source.deb-name.
if [ -f "$CACHE/linux-source.deb-name" ]; then
  d=$(cat "$CACHE/linux-source.deb-name"); s=$(echo "$d" | sed -n 's/^linux-source-\([0-9.]*\)_.*/\1/p')
  if [ -n "$s" ] && [ -z "$(kseries_debname "$s")" ] && [ -f "$CACHE/src/linux-source-$s.tar.xz" ]; then
    ln -f "$CACHE/src/linux-source-$s.tar.xz" "$CACHE/src/${d%.deb}.tar.xz"
    echo "$d" > "$CACHE/linux-source-$s.deb-name"
  fi
fi
kst="$CACHE/apt-kernel"
kopts=(-o Dir::State::Lists="$kst/lists" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$kst/etc"
       -o Dir::Cache::Archives="$kst/archives" -o APT::Architecture=amd64 -o APT::Architectures::=amd64
       -o Acquire::Languages=none -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
need=$refresh
for s in $KSERIES_SUPPORTED; do [ -f "$(kernel_tarball_path "$s")" ] || need=1; done
if [ -n "$need" ]; then
  log "looking for linux-source-{${KSERIES_SUPPORTED// /,}} in $KSOURCE_SUITES"
  private_download kernel "$KSOURCE_SUITES" amd64 "" ""
  for s in $KSERIES_SUPPORTED; do
    pkg=linux-source-$s
    # The newest version any suite has (apt's candidate would prefer sid's over a newer
    # backport, whose suite has a lower priority).
    newest=
    for v in $(apt-cache "${kopts[@]}" madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}'); do
      if [ -z "$newest" ] || dpkg --compare-versions "$v" gt "$newest"; then newest=$v; fi
    done
    have=$(kseries_debname "$s")
    if [ -z "$newest" ]; then
      if [ -n "$have" ] && [ -f "$(kernel_tarball_path "$s")" ]; then
        log "NOTE: $pkg is no longer on the mirror ($KSOURCE_SUITES); keeping the fetched ${have%.deb}"
      else
        log "NOTE: $pkg is not on the mirror ($KSOURCE_SUITES): Linux $s will not be built or tested"
      fi
      continue
    fi
    deb="${pkg}_${newest//:/%3a}_all.deb"
    if [ "$have" = "$deb" ] && [ -f "$(kernel_tarball_path "$s")" ]; then
      log "$pkg: $newest (fetched already)"
      continue
    fi
    log "downloading $pkg $newest"
    t=$(mktemp -d)
    if ! (cd "$t" && apt-get "${kopts[@]}" download -qq "$pkg=$newest"); then
      log "NOTE: downloading $pkg $newest failed: Linux $s ${have:+stays at ${have%.deb}}${have:-will not be built or tested}"
      rm -rf "$t"; continue
    fi
    got=$(basename "$(ls "$t"/"$pkg"_*.deb)")
    dpkg-deb -x "$t/$got" "$t/x"
    mkdir -p "$CACHE/src"
    mv "$t"/x/usr/src/"$pkg".tar.xz "$CACHE/src/${got%.deb}.tar.xz"
    echo "$got" > "$CACHE/linux-source-$s.deb-name"
    rm -rf "$t"
  done
fi
[ -n "$(kseries_fetched)" ] || die "no supported kernel source (linux-source-{${KSERIES_SUPPORTED// /,}}) could be fetched"
log "kernel series ready: $(kseries_fetched | tr '\n' ' ')"

touch "$stamp"
log "host setup done"
