# SPDX-License-Identifier: MIT
"""The package's layouts against the C header, the way lib/rust/tests/abi.rs checks the Rust
crate's: for every target user space is built for (x86_64 host, arm64, armhf), a C file of
static assertions (every structure's size, every field's offset and size, every ioctl
number and constant, all taken from the Python side) must compile against
include/uapi/axi_dma.h with that target's compiler."""
import os
import shutil
import subprocess
import tempfile

import pytest

from axidma import _abi as abi

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.normpath(os.path.join(HERE, "..", "..", "..", "include", "uapi", "axi_dma.h"))
COMPILERS = {"x86_64": "gcc", "arm64": "aarch64-linux-gnu-gcc", "armhf": "arm-linux-gnueabihf-gcc"}

CONSTANTS = {n: getattr(abi, n) for n in dir(abi) if n.isupper() and not n.startswith("_") and isinstance(getattr(abi, n), int)
             and n not in ("REAP_MAX",)}
C_NAMES = {n: ("AXI_DMA_" + n) for n in CONSTANTS}


def _compile(arch, body):
    cc = COMPILERS[arch]
    if shutil.which(cc) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{cc} missing (scripts/setup-host.sh installs it)")
        pytest.skip(f"{cc} not installed")
    src = '#include <stddef.h>\n#include "%s"\n%s\n' % (HEADER, body)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "abi.c")
        with open(p, "w") as f:
            f.write(src)
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-c", "-o", os.path.join(d, "abi.o"), p],
                           capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]


def test_header_exists():
    assert os.path.isfile(HEADER)


@pytest.mark.parametrize("arch", sorted(COMPILERS))
@pytest.mark.parametrize("layout", abi.LAYOUTS, ids=lambda l: l.cname)
def test_layout_matches_header(arch, layout):
    lines = ['_Static_assert(sizeof(struct %s) == %d, "sizeof %s");' % (layout.cname, layout.size, layout.cname)]
    import struct
    for name, code in layout.fields:
        lines.append('_Static_assert(offsetof(struct %s, %s) == %d, "offsetof %s.%s");'
                     % (layout.cname, name, layout.offsets[name], layout.cname, name))
        lines.append('_Static_assert(sizeof(((struct %s *)0)->%s) == %d, "sizeof %s.%s");'
                     % (layout.cname, name, struct.calcsize("=" + code), layout.cname, name))
    # every field of the C structure is described: the sizes add up with no hole
    assert sum(struct.calcsize("=" + c) for _, c in layout.fields) == layout.size
    _compile(arch, "\n".join(lines))


@pytest.mark.parametrize("arch", sorted(COMPILERS))
def test_constants_and_ioctl_numbers_match_header(arch):
    lines = []
    for n, v in sorted(CONSTANTS.items()):
        lines.append('_Static_assert((unsigned long long)(%s) == %dULL, "%s");' % (C_NAMES[n], v, n))
    assert len(lines) > 40
    _compile(arch, "\n".join(lines))


def test_every_header_struct_and_ioctl_is_covered():
    text = open(HEADER).read()
    import re
    structs = set(re.findall(r"^struct (axi_dma_\w+) \{", text, re.M))
    assert structs == {l.cname for l in abi.LAYOUTS}
    iocs = set(re.findall(r"#define AXI_DMA_(IOC_\w+)\s+_IO", text))
    assert iocs and iocs <= set(CONSTANTS)
    defines = set(re.findall(r"#define AXI_DMA_(\w+)\s+\(?[0-9(]", text)) - {"IOC_MAGIC"}
    assert defines <= set(CONSTANTS) | {"IOC_MAGIC"}, defines - set(CONSTANTS)


def test_ioctl_encoding():
    # _IOWR(0xAD, 4, 80 bytes): dir 3 << 30 | 80 << 16 | 0xAD << 8 | 4
    assert abi.IOC_XFER == 0xC050AD04
    assert abi.IOC_INFO >> 30 == 2 and abi.IOC_FREE >> 30 == 1
