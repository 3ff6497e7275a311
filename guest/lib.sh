# Helpers for the guest scripts (sourced).
result() { # NAME PASS|FAIL [why]
  echo "@@RESULT ${BOARD}:$1 $2 ${3:-}"
}
check() { # NAME command...   (PASS if the command succeeds)
  n=$1; shift
  if out=$("$@" 2>&1); then result "$n" PASS; else result "$n" FAIL "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}
cma_free() { awk '/^CmaFree:/ {print $2}' /proc/meminfo; }
drv=/sys/bus/platform/drivers/axi_dma_mod
client_dev() { for d in $drv/*; do [ -L "$d" ] && basename "$d" && return; done; }
load() { insmod /lib/modules/axi_dma_mod.ko "$@"; }
# Run the C test program; each "ok X" / "not ok X: why" line becomes a result.
# CTEST picks the binary (axi_dma_test32: 32-bit user space), PREFIX prefixes the names.
# A test program that dies (signal, abort) or skips a test it was asked for is a failure
# too, not a silent gap.
run_ctests() { # args for axi_dma_test
  ${CTEST:-axi_dma_test} "$@" > /tmp/ctests.out 2>&1
  rc=$?
  while IFS= read -r line; do
    case $line in
      "ok "*) result "${PREFIX:-}${line#ok }" PASS ;;
      "not ok "*) rest=${line#not ok }; result "${PREFIX:-}${rest%%:*}" FAIL "${rest#*: }" ;;
      *) echo "$line" ;;
    esac
  done < /tmp/ctests.out
  skip=0
  for a in "$@"; do
    [ $skip = 1 ] && { skip=0; continue; }
    case $a in -[cdsnt]) skip=1; continue ;; -*) continue ;; esac
    grep -q -E "^(not )?ok $a(:|\$)" /tmp/ctests.out || result "${PREFIX:-}$a" FAIL "no result (program died?): $(tail -2 /tmp/ctests.out | tr '\n' ' ')"
  done
  [ $rc -le 1 ] || result "${PREFIX:-}${CTEST:-axi_dma_test}_exit" FAIL "exit status $rc: $(tail -2 /tmp/ctests.out | tr '\n' ' ')"
}
# The conformance test (userspace-test/axi_dma_conformance.c) on each client node of the
# QEMU boards, found through its misc device: conf:<node>: results (conf32:<node>: for the
# 32-bit build where there is one). A node that is not bound is one failed result.
run_conformance() {
  for node in dma-user dma-user-loop dma-user-axi; do
    short=${node#dma-user}; short=${short#-}; short=${short:-user}
    cdev=/dev/$(ls /sys/bus/platform/devices/$node/misc/ 2>/dev/null | head -1)
    if [ ! -c "$cdev" ]; then result "conf:$short:node_bound" FAIL "no misc device for $node"; continue; fi
    result "conf:$short:node_bound" PASS
    PREFIX="conf:$short:" CTEST=axi_dma_conformance run_ctests -d "$cdev"
    if [ -x /bin/axi_dma_conformance32 ]; then
      PREFIX="conf32:$short:" CTEST=axi_dma_conformance32 run_ctests -d "$cdev"
    fi
  done
}
# The Python package's guest suite (lib/python/guest_tests/test_board.py, Debian's python3
# and numpy in the image): one python:<test> result per test. Usage: run_python_suite LOOPDEV AXIDEV
PY_TESTS="info alloc_dtypes memcpy memcpy_cached nonblocking_select asyncio submit_batch errors
  loop_loopback ring_loopback loop_axi ring_axi pynq_example"
run_python_suite() {
  if [ ! -x /usr/bin/python3 ]; then result python:in_image FAIL "no /usr/bin/python3 in the image"; return; fi
  export AXIDMA_MEM=/dev/axi-dma0 AXIDMA_LOOP="$1" AXIDMA_AXI="$2"
  PREFIX="python:" CTEST="python3 /guest/python/test_board.py" run_ctests $PY_TESTS
  unset AXIDMA_MEM AXIDMA_LOOP AXIDMA_AXI
}
