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
run_ctests() { # args for axi_dma_test
  ${CTEST:-axi_dma_test} "$@" 2>&1 | while IFS= read -r line; do
    case $line in
      "ok "*) result "${PREFIX:-}${line#ok }" PASS ;;
      "not ok "*) rest=${line#not ok }; result "${PREFIX:-}${rest%%:*}" FAIL "${rest#*: }" ;;
      *) echo "$line" ;;
    esac
  done
}
