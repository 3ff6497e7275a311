#!/bin/sh
# The guest half of scripts/profile.sh: the kernel's text symbols (the host maps the
# plugin's program counters to functions with them), then each workload of axiprof= on
# the kernel command line (MODE:SIZE:DEPTH:ITERS,...) run by prof_load (or, for modes
# starting with r, by `axidma prof-load`) between two profiling markers.
. /guest/lib.sh
dmesg -n 1
load || exit 1
# Text symbols of the kernel and of the loaded modules, as the kernel placed them.
awk '$2 ~ /^[tT]$/ {print "@@KSYM", $1, $3, $4}' /proc/kallsyms
for w in $(sed -n 's/.*axiprof=\([a-z0-9:,]*\).*/\1/p' /proc/cmdline | tr ',' ' '); do
  # shellcheck disable=SC2046
  set -- $(echo "$w" | tr ':' ' ')
  echo "@@PROF-WINDOW $1 $2 $3 $4"
  case $1 in
    # rblocking, rpipelined, rbatch: the same loops through the Rust crate (`axidma
    # prof-load`, tools/axidma/src/cmd/prof.rs), to see what the library adds.
    r*) axidma prof-load "${1#r}" "$2" "$3" "$4" || echo "@@PROF-FAILED $w" ;;
    *) prof_load "$1" "$2" "$3" "$4" || echo "@@PROF-FAILED $w" ;;
  esac
done
rmmod axi_dma_mod
