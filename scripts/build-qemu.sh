#!/usr/bin/env bash
# Build qemu-system-arm and qemu-system-aarch64 from Debian's QEMU source with the
# project's patches (patches/qemu/*.patch: an AXI DMA in the PL of xilinx-zynq-a9 and of
# xlnx-zcu102, MM2S looped back into S2MM, and the model fixes Linux's xilinx_dma driver
# needs) and print the path of one of them.
# Usage: scripts/build-qemu.sh [qemu-system-arm|qemu-system-aarch64]   (default: arm)
#
# The build lives in $CACHE/qemu/<qemu version>-<hash of the patches and build options>/,
# so a changed patch builds anew and a warm run returns at once. Installs what it needs
# (Debian packages; meson and pycotap from PyPI into a venv in the cache), idempotently.
# No package-mirror host is written here: it is read from this machine's apt sources.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QEMU_UPSTREAM=10.0.2
QEMU_DEB_VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1   # what bookworm-backports installs
QEMU_ORIG=qemu_${QEMU_UPSTREAM}+ds.orig.tar.xz

want=${1:-qemu-system-arm}
case $want in qemu-system-arm|qemu-system-aarch64) ;; *) die "usage: $0 [qemu-system-arm|qemu-system-aarch64]";; esac
# --enable-pixman: xlnx-zcu102 (XLNX_ZYNQMP_ARM) is only built with pixman, which
# --without-default-features turns off.
configure_opts=(--target-list=arm-softmmu,aarch64-softmmu --disable-docs --disable-tools --disable-user --without-default-features
                --enable-pixman --disable-werror --disable-install-blobs)
key=$( (cat "$REPO"/patches/qemu/*.patch; echo "$QEMU_DEB_VERSION ${configure_opts[*]}") | sha256sum | cut -c1-12)
dir="$CACHE/qemu/$QEMU_UPSTREAM-$key"
bin="$dir/build/$want"
if [ -f "$dir/done.stamp" ] && [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$CACHE/qemu"
exec 8>"$CACHE/qemu/.lock"
flock -w 3600 8 || die "another QEMU build holds $CACHE/qemu/.lock"
if [ -f "$dir/done.stamp" ] && [ -x "$bin" ]; then echo "$bin"; exit 0; fi
t0=$(date +%s)

# ---- build dependencies (Debian packages, then meson/pycotap in a venv)
pkgs=(gcc libc6-dev make pkg-config ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev
      bzip2 xz-utils python3 python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} != 0 ]; then
  [ "$(id -u)" = 0 ] || die "run as root to install: ${missing[*]}"
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
venv="$CACHE/qemu/venv"
if ! "$venv/bin/python3" -c 'import mesonbuild, pycotap' 2>/dev/null; then
  log "pip install meson>=1.5 pycotap (venv $venv)"
  rm -rf "$venv"; python3 -m venv "$venv"
  "$venv/bin/python3" -m pip install -q 'meson>=1.5' 'pycotap>=1.1.0'
fi

# ---- source: Debian's source package if the mirror has it, else its +ds orig tarball
srcdl="$CACHE/qemu/download"; mkdir -p "$srcdl"
if [ ! -f "$srcdl/$QEMU_ORIG" ] && ! ls "$srcdl"/qemu_*.dsc >/dev/null 2>&1; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || die "cannot find the Debian mirror in the apt sources"
  st="$CACHE/qemu/apt"; mkdir -p "$st/lists/partial" "$st/etc"
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" > "$st/etc/qemu-src.sources"
  aopts=(-o Dir::State::Lists="$st/lists" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$st/etc"
         -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Languages=none)
  log "downloading the QEMU $QEMU_DEB_VERSION source"
  apt-get "${aopts[@]}" update -qq || log "warning: apt-get update of the source index failed"
  # In Nov 2026 the mirror had the orig tarball but not this version's .dsc/.debian.tar.xz
  # (404): then only the tarball is used (without Debian's patches).
  (cd "$srcdl" && apt-get "${aopts[@]}" source --download-only -qq "qemu=$QEMU_DEB_VERSION") \
    || log "apt-get source failed; using the orig tarball alone"
  if [ ! -f "$srcdl/$QEMU_ORIG" ]; then
    /usr/lib/apt/apt-helper download-file "$mirror/pool/main/q/qemu/${QEMU_ORIG//+/%2b}" "$srcdl/$QEMU_ORIG.part" \
      && mv "$srcdl/$QEMU_ORIG.part" "$srcdl/$QEMU_ORIG"
  fi
  [ -f "$srcdl/$QEMU_ORIG" ] || die "could not download $QEMU_ORIG"
fi

rm -rf "$dir"; mkdir -p "$dir"
log "extracting QEMU $QEMU_UPSTREAM into $dir/src"
dsc=$(ls "$srcdl"/qemu_*.dsc 2>/dev/null | head -1 || true)
if [ -n "$dsc" ] && [ -f "${dsc%.dsc}.debian.tar.xz" ]; then
  dpkg-source -x "$dsc" "$dir/src" >/dev/null
else
  mkdir -p "$dir/src"; tar -xaf "$srcdl/$QEMU_ORIG" -C "$dir/src" --strip-components=1
fi
cd "$dir/src"
for p in "$REPO"/patches/qemu/*.patch; do
  log "patch $(basename "$p")"
  patch -p1 -s --no-backup-if-mismatch < "$p"
done
# The +ds tarball drops the EDK2 firmware images that pc-bios/meson.build lists: empty
# placeholders (never installed, never used by the Zynq machine).
for f in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',/\1/p" pc-bios/meson.build); do
  [ -f "pc-bios/$f.bz2" ] || printf '' | bzip2 > "pc-bios/$f.bz2"
done

mkdir -p "$dir/build"; cd "$dir/build"
log "configuring (arm-softmmu, aarch64-softmmu)"
"$dir/src/configure" --python="$venv/bin/python3" "${configure_opts[@]}" > configure.log 2>&1 \
  || { tail -20 configure.log >&2; die "QEMU configure failed (log: $dir/build/configure.log)"; }
log "building qemu-system-arm and qemu-system-aarch64 (about 6 minutes on 2 cores)"
ninja -j"$(( $(nproc) + 1 ))" qemu-system-arm qemu-system-aarch64 > build.log 2>&1 \
  || { tail -20 build.log >&2; die "QEMU build failed (log: $dir/build/build.log)"; }
machines=$("$dir/build/qemu-system-arm" -M help; "$dir/build/qemu-system-aarch64" -M help)
for m in xilinx-zynq-a9 xlnx-zcu102; do
  echo "$machines" | grep -q "^$m " || die "the built QEMU has no $m machine"
done
echo "$(( $(date +%s) - t0 ))" > "$dir/build-seconds"
touch "$dir/done.stamp"
log "QEMU built in $(cat "$dir/build-seconds") s"
echo "$bin"
