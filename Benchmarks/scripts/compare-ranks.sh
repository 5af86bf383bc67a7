#!/usr/bin/env bash
# 2 MPI ranks × 1 worker against 1 process × 2 workers: 784-512-256-10, batch 256, one epoch of
# full Fashion-MNIST, alternating, N rounds; prints each run's samples/s and the medians.
# Usage: Benchmarks/scripts/compare-ranks.sh [DATA.h5] [ROUNDS]   (needs the MPI build in .build-mpi)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-/tmp/fmnist.h5}; rounds=${2:-5}
spindle=.build-mpi/release/spindle
[ -f "$data" ] || "$spindle" import fashion-mnist -o "$data"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(train "$data" --layers 512,256 --batch-size 256 --epochs 1 --seed 0 --json --quiet)
rate() { python3 -c 'import json,sys; print(round(json.loads(sys.stdin.readlines()[-1])["samples_per_second"]))'; }
declare -A runs
for ((i = 0; i < rounds; i++)); do
    runs[1x2]+="$("$spindle" "${common[@]}" --workers 2 | rate) "
    runs[2x1-core]+="$(mpirun -np 2 --bind-to core "$spindle" "${common[@]}" --workers 1 | rate) "
    runs[2x1-none]+="$(mpirun -np 2 --bind-to none "$spindle" "${common[@]}" --workers 1 | rate) "
done
for k in 1x2 2x1-core 2x1-none; do
    python3 -c 'import sys,statistics; v=[int(x) for x in sys.argv[2].split()]; print(f"{sys.argv[1]:>9}: median {statistics.median(v):>7,.0f} samples/s  runs {v}")' "$k" "${runs[$k]}"
done
