#!/usr/bin/env bash
# Pack the guest image for a board: busybox, the module, the user-space programs and the
# guest scripts. Usage: scripts/mkinitramfs.sh BOARD MODULE.ko USERSPACE-BIN-DIR -> path
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}; ko=${2:?module}; ubin=${3:?userspace bin dir}
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,lib/modules,guest}
cp "$BUSYBOX_DIR/$(board_debarch "$b")/bin/busybox" "$root/bin/busybox"
for app in sh ash mount umount cat echo ls grep sed awk sleep mkfifo rm test '[' tr tail head wc \
           insmod rmmod lsmod dmesg reboot poweroff sync setsid cttyhack mknod mkdir uname date \
           seq dd cmp sort uniq cut printf kill ps xargs find stat env timeout od hexdump md5sum true false; do
  ln -sf busybox "$root/bin/$app"
done
cp "$REPO/guest/init" "$root/init"
cp "$REPO"/guest/*.sh "$root/guest/"
cp "$ko" "$root/lib/modules/axi_dma_mod.ko"
cp "$(dirname "$ko")/test-provider/axi_dma_loopback.ko" "$root/lib/modules/"
dmatest=$(find "$(kernel_out "$b")" -name dmatest.ko | head -1)
[ -n "$dmatest" ] && cp "$dmatest" "$root/lib/modules/"
cp "$ubin"/* "$root/bin/"
# GUEST_PYTHON=1 (test and bench runs): Python 3.11 and numpy from Debian's packages
# (scripts/build-guest-python.sh, cached), the axidma package and its guest suite.
py=
if [ "${GUEST_PYTHON:-0}" = 1 ]; then
  py=-py
  pyroot=$("$REPO/scripts/build-guest-python.sh" "$b")
  cp -a "$pyroot"/. "$root"/
  site="$root/usr/lib/python3/dist-packages"
  cp -r "$REPO/lib/python/src/axidma" "$site/"
  find "$site/axidma" -name __pycache__ -prune -exec rm -rf {} +
  mkdir -p "$root/guest/python"; cp "$REPO/lib/python/guest_tests/"*.py "$root/guest/python/"
  # Bytecode made here (the guest would compile at every boot: the image is new each time).
  pyc=; for p in /usr/bin/python3.11 python3.11; do command -v "$p" >/dev/null && { pyc=$p; break; }; done
  [ -z "$pyc" ] || "$pyc" -m compileall -q --invalidation-mode unchecked-hash -s "$root" -p / "$site/axidma" >/dev/null || true
fi
out="$CACHE/initramfs-$CHECKOUT_KEY-$(kver)-$b$py.cpio.gz"  # per checkout (like the binaries) and kernel series
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$out"
echo "$out"
