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
out="$CACHE/initramfs-$CHECKOUT_KEY-$(kver)-$b.cpio.gz"  # per checkout (like the binaries) and kernel series
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$out"
echo "$out"
