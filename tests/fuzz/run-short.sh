#!/bin/sh
# Runs a fuzz target briefly: run-short.sh FUZZER SEEDS SCRATCH [OPTIONS...]
# libFuzzer writes the inputs it finds to the first corpus folder. That is
# SCRATCH, emptied first, so the seed folder SEEDS is only read.
set -eu
fuzzer=$1
seeds=$2
scratch=$3
shift 3
rm -rf "$scratch"
mkdir -p "$scratch"
exec "$fuzzer" "$@" "$scratch" "$seeds"
