#!/usr/bin/env bash
# Spindle against the PyTorch peer (../shared/peers/torch_mlp.py), side by side in one run.
#
# Both train 784-512-256-10 with Adam on Fashion-MNIST held in memory and report training-loop
# samples/s (evaluation excluded). Runs alternate between the two so that machine noise hits
# both alike; the script prints each run and the medians and ratios per (batch, threads).
#
# Usage: Benchmarks/scripts/compare-pytorch.sh FMNIST.h5 PYTHON [REPEATS] [BATCHES] [THREADS]
#   FMNIST.h5  made by `spindle import fashion-mnist -o FMNIST.h5`
#   PYTHON     a python with torch, h5py and numpy (see ../shared/peers/README.md)
set -euo pipefail
data=$1; python=$2; repeats=${3:-3}; batches=${4:-"64 256 1024"}; threads=${5:-"1 2"}
root=$(cd "$(dirname "$0")/../.." && pwd)
peer=${PEER:-$root/../shared/peers/torch_mlp.py}
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf "%-6s %-7s %-12s %-12s %s\n" batch threads spindle pytorch ratio
for batch in $batches; do
    for t in $threads; do
        s=(); p=()
        for _ in $(seq "$repeats"); do
            s+=("$("$spindle" train "$data" --batch-size "$batch" --epochs 1 --workers "$t" --shards "$t" \
                    --json --quiet | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["samples_per_second"]))')")
            p+=("$("$python" "$peer" "$data" --threads "$t" --batch "$batch" --epochs 1 \
                    | sed -E 's/.*samples\/s=([0-9]+).*/\1/')")
        done
        ms=$(printf "%s\n" "${s[@]}" | median); mp=$(printf "%s\n" "${p[@]}" | median)
        printf "%-6s %-7s %-12s %-12s %.2f   (spindle: %s; pytorch: %s)\n" "$batch" "$t" "$ms" "$mp" \
            "$(echo "$ms / $mp" | bc -l)" "${s[*]}" "${p[*]}"
    done
done
