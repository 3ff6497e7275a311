#!/usr/bin/env bash
# The guest's Python userland: python3.11 and numpy from Debian bookworm's packages for
# the board's architecture (arm64 or armhf), downloaded with a private apt state (the
# system's package set is never touched), extracted without maintainer scripts, trimmed
# (docs, tests, unused stdlib parts) and precompiled to bytecode, into a root directory that
# scripts/mkinitramfs.sh copies into the image. Cached in $CACHE keyed by the package list
# and this script. Usage: scripts/build-guest-python.sh BOARD -> prints the root's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
a=$(board_debarch "$b")
case $a in arm64) triple=aarch64-linux-gnu ;; armhf) triple=arm-linux-gnueabihf ;; esac
# Exactly what `import numpy` needs (python3.11, its stdlib, numpy, reference BLAS/LAPACK
# and their shared libraries); no python3 metapackage, readline, sqlite, ssl or tk.
PKGS="libc6 libgcc-s1 gcc-12-base zlib1g libexpat1 libffi8 libbz2-1.0 liblzma5
python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
python3-numpy libblas3 liblapack3 libgfortran5"
key=$( { echo "$PKGS"; cat "$0"; } | sha256sum | cut -c1-12)
dest="$CACHE/guest-python/$a-$key"
if [ -f "$dest/done" ]; then echo "$dest/root"; exit 0; fi
mkdir -p "$CACHE/guest-python"
exec 8>"$CACHE/guest-python/$a.lock"; flock -w 900 8 || die "guest-python: lock"
if [ -f "$dest/done" ]; then echo "$dest/root"; exit 0; fi
t0=$(date +%s)
log "guest Python userland for $a (Debian bookworm packages)"
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || die "cannot find the Debian mirror in the apt sources"
st="$CACHE/apt-guest-python-$a"
mkdir -p "$st/lists/partial" "$st/archives/partial" "$st/etc"
cat > "$st/etc/private.sources" <<EOF2
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF2
aopts=(-o Dir::State::Lists="$st/lists" -o Dir::Etc::SourceList=/dev/null
       -o Dir::Etc::SourceParts="$st/etc" -o Dir::Cache::Archives="$st/archives"
       -o APT::Architecture="$a" -o APT::Architectures::="$a" -o Acquire::Languages=none
       -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
ok=
for i in 1 2 3; do apt-get "${aopts[@]}" update -qq && { ok=1; break; }; log "apt-get update failed (try $i)"; sleep 10; done
[ -n "$ok" ] || die "apt-get update for $a failed"
rm -rf "$dest"; mkdir -p "$dest/debs" "$dest/root"
# shellcheck disable=SC2086
(cd "$dest/debs" && apt-get "${aopts[@]}" download -qq $PKGS)
r="$dest/root"
for d in "$dest"/debs/*.deb; do dpkg-deb -x "$d" "$r"; done
ls "$dest/debs" > "$dest/packages.txt"
# What maintainer scripts would have done: the BLAS/LAPACK alternatives, python3.
ln -sf blas/libblas.so.3 "$r/usr/lib/$triple/libblas.so.3"
ln -sf lapack/liblapack.so.3 "$r/usr/lib/$triple/liblapack.so.3"
ln -sf python3.11 "$r/usr/bin/python3"
# bookworm's libc6 is not merged-/usr inside the .deb: keep /lib and /usr/lib apart (the
# image's /lib already exists), the loader finds both multiarch directories.
# Trim: documentation, locales, gconv, the stdlib's tests and tools, numpy's tests.
rm -rf "$r/usr/share" "$r/usr/bin/f2py"* "$r/usr/bin/dh_numpy3" "$r/usr/lib/$triple/gconv" "$r/etc" "$r/usr/bin/"*-config "$r/sbin" "$r/usr/sbin" "$r/usr/libexec" "$r/var"
py="$r/usr/lib/python3.11"
rm -rf "$py"/{test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,pydoc_data,distutils,unittest/test,sqlite3,dbm,curses,venv}
# Extension modules nothing here imports (test modules, CJK codecs, curses, readline,
# sqlite, ssl: their libraries are not in the image anyway).
rm -f "$py"/lib-dynload/{_test,_ctypes_test,_xx,xx,_codecs_,_curses,_dbm,_sqlite3,_ssl,_hashlib,readline,nis,ossaudiodev,audioop,_crypt}*.so
for np in "$r/usr/lib/python3/dist-packages/numpy" "$py/dist-packages/numpy"; do
  [ -d "$np" ] && find "$np" -type d -name tests -prune -exec rm -rf {} +
  rm -rf "$np/f2py" "$np/distutils" "$np/doc"
done
find "$r" -name '*.pyi' -delete
find "$r" \( -name '*.a' -o -name '*.h' \) -delete
# numpy's own test extension modules (not _multiarray_tests: numpy imports it) and _simd
# (only its tests import it).
for m in _umath_tests _rational_tests _struct_ufunc_tests _operand_flag_tests _simd; do
  find "$r/usr/lib" -path "*numpy/core/$m.cpython-*.so" -delete
done
rm -f "$r"/lib/*/{libBrokenLocale,libmemusage,libpcprofile,libc_malloc_debug,libnss_hesiod,libthread_db,libanl}*
# Bytecode compiled here (the host's Python is 3.11 too: the same bytecode) and kept in
# place of the sources (sourceless modules: a smaller image, nothing compiled at boot; a
# traceback through the stdlib or numpy shows no source line). Without a 3.11 host, the
# sources stay and the guest compiles them at each import.
pyc=
for p in /usr/bin/python3.11 python3.11 python3; do
  command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' && { pyc=$p; break; }
done
if [ -n "$pyc" ]; then
  for d in "$py" "$r/usr/lib/python3/dist-packages" "$py/dist-packages"; do
    [ -d "$d" ] || continue
    "$pyc" -m compileall -q -b -j 2 -s "$r" -p / "$d" >/dev/null
    find "$d" -name '*.py' -exec sh -c 'for f; do [ -f "${f}c" ] && rm -f "$f"; done' sh {} +
    find "$d" -name __pycache__ -prune -exec rm -rf {} +
  done
else
  log "NOTE: no Python 3.11 on the host: the guest compiles its modules at every import"
fi
du -sk "$r" | cut -f1 > "$dest/size-kb"
echo $(( $(date +%s) - t0 )) > "$dest/build-seconds"
touch "$dest/done"
log "guest Python for $a: $(cat "$dest/size-kb") kB in $(cat "$dest/build-seconds") s"
echo "$r"
