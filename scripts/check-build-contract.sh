#!/usr/bin/env bash
# The build contract board builders use, against the project's kernel for BOARD (and the
# series KVER selects): on a copy of the sources, exactly what Yocto's `module` class runs,
#   make KERNEL_SRC=<kernel source> O=<kernel build dir>
#   make KERNEL_SRC=<kernel source> O=<kernel build dir> modules_install INSTALL_MOD_PATH=<root>
# then `depmod -b <root> <release>` and modinfo on the installed module: it must be indexed
# (modules.dep, modules.alias) and show version, description, author, license and the
# alias of its OF compatible. Usage: [KVER=7.2|7.3] scripts/check-build-contract.sh BOARD
set -euo pipefail
. "$(dirname "$0")/lib.sh"
b=${1:?board}
kout=$(kernel_out "$b"); ksrc=$(kernel_src)
[ -f "$kout/.axi-dma-built" ] || die "no kernel built for $b (Linux $(kver)): run scripts/build-kernel.sh $b"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# The sources as a recipe fetches them: the checkout without build output or git data.
rsync -a --exclude=/out --exclude=.git --exclude=target "$REPO/" "$t/src/"
cd "$t/src"
# The environment a recipe provides: the kernel's ARCH, and on PATH the toolchain the
# kernel was built with (LLVM, and as `rustc` the rustc it was configured with: the
# kernel's Makefile sets RUSTC=rustc itself, so only the command line or PATH can change it).
mkdir -p "$t/bin"; ln -s /usr/bin/rustc "$t/bin/rustc"
export PATH="$t/bin:$LLVM_BIN:$PATH" ARCH=$(board_arch "$b") LLVM=1
make -s KERNEL_SRC="$ksrc" O="$kout"
# The install root a recipe passes as INSTALL_MOD_PATH (its ${D}), and the module tree in it.
dest="$t/install"
make -s KERNEL_SRC="$ksrc" O="$kout" modules_install INSTALL_MOD_PATH="$dest"
rel=$(cat "$kout/include/config/kernel.release")
mods="$dest/lib/modules/$rel"
ko=$(find "$mods" -name axi_dma_mod.ko)
[ -n "$ko" ] || die "modules_install put no axi_dma_mod.ko under $mods"
depmod -b "$dest" "$rel" 2>&1 | { grep -v "could not open modules\.\(order\|builtin\)" || true; } >&2
grep -q 'axi_dma_mod\.ko:' "$mods/modules.dep" || die "depmod did not index the module"
grep -q '^alias of:N\*T\*Clinux,axi-dma-user axi_dma_mod$' "$mods/modules.alias" \
  || die "modules.alias has no alias for the OF compatible linux,axi-dma-user"
# By name, through the depmod'ed tree, as modprobe would find it.
info=$(modinfo -b "$dest" -k "$rel" axi_dma_mod)
for f in version description author license alias; do
  echo "$info" | grep -q "^$f: *[^ ]" || die "modinfo shows no $f"
done
echo "$info" | grep -q '^alias: *of:N\*T\*Clinux,axi-dma-user' || die "modinfo shows no alias for the OF compatible"
echo "$info" | grep -E '^(filename|version|alias|vermagic):'
