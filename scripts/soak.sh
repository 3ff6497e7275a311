#!/usr/bin/env bash
# `make soak`: the long version of the abuse suite on both boards. SOAK_SECONDS per board
# (default 600), FUZZ_SEED (default 1; each round adds one). Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export SOAK_SECONDS=${SOAK_SECONDS:-600}
export GUEST_TIMEOUT=$(( SOAK_SECONDS * 2 + 900 ))
np=0; nf=0
for b in ${BOARDS:-zcu102 zc702}; do
  log "soaking $b for ${SOAK_SECONDS}s (seed ${FUZZ_SEED:-1})"
  while IFS= read -r line; do
    echo "$line"
    case $line in PASS\ *) np=$((np + 1)) ;; FAIL\ *) nf=$((nf + 1)) ;; esac
  done < <(run_board_checks "$b" soak)
  grep '^# \(soak\|fuzz\|mmap\|threads\|exhaust\)' "$(board_log "$b" soak)" | tail -8
done
echo "$np passed, $nf failed"
[ "$nf" = 0 ]
