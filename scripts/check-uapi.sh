#!/usr/bin/env bash
# The kernel's view of the ABI (ioctl.rs: structure sizes pinned with static_assert!, ioctl
# numbers built from those structures) must equal the C header's on every target user
# space is built for: generate C static assertions from ioctl.rs and compile them for
# x86_64, arm64 and armhf (32-bit, as compat tasks on the arm64 kernel use it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
python3 - "$REPO/ioctl.rs" > "$t/check.c" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
cname = {"Info": "axi_dma_info", "ChanInfo": "axi_dma_chan_info", "Alloc": "axi_dma_alloc",
         "Free": "axi_dma_free", "XferArg": "axi_dma_xfer", "Completion": "axi_dma_completion",
         "Reap": "axi_dma_reap", "Status": "axi_dma_status", "Wait": "axi_dma_wait",
         "Cancel": "axi_dma_cancel", "SlaveConfig": "axi_dma_slave_config",
         "KBench": "axi_dma_kbench", "Sync": "axi_dma_sync",
         "StreamStart": "axi_dma_stream_start", "StreamPush": "axi_dma_stream_push",
         "StreamDone": "axi_dma_stream_done", "StreamReap": "axi_dma_stream_reap",
         "StreamStop": "axi_dma_stream_stop"}
body = src[src.index("uapi_struct! {"):]
body = body[:body.index("}")]
sizes = re.findall(r"(\w+) = (\d+),", body)
iocs = re.findall(r"const (IOC_\w+): u32 = (_IO\w*)::<(\w+)>\(MAGIC, (0x[0-9a-f]+)\);", src)
assert len(sizes) == len(cname) and len(iocs) >= 10, (sizes, iocs)
print('#include "axi_dma.h"')
for r, n in sizes:
    print(f"_Static_assert(sizeof(struct {cname[r]}) == {n}, \"{cname[r]} size differs from ioctl.rs\");")
    print(f"_Static_assert(_Alignof(struct {cname[r]}) <= 8, \"{cname[r]}\");")
for name, mac, ty, nr in iocs:
    print(f"_Static_assert(AXI_DMA_{name} == {mac}(0xAD, {nr}, struct {cname[ty]}), \"AXI_DMA_{name} differs from ioctl.rs\");")
abi = re.search(r"ABI_VERSION: u32 = ([0-9]+)", src).group(1)
print(f"_Static_assert(AXI_DMA_ABI_VERSION == {abi}, \"ABI version\");")
PY
for cc in gcc aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc; do
  $cc -std=c11 -Wall -Werror -I"$REPO/include/uapi" -fsyntax-only "$t/check.c"
done
echo "UAPI layout and ioctl numbers agree on x86_64, arm64 and armhf ($(grep -c _Static_assert "$t/check.c") assertions)"
