#!/usr/bin/env bash
# Spindle against the PyTorch peer (../shared/peers/torch_deep.py) on the deep residual network
# of issue 12, side by side in one run:
#
#   dense(128), then 20 × residual(NORM, dense(128), ACT), then the output layer
#   (--model "dense(128),repeat(20,residual(layernorm,dense(128),relu))")
#
# Both train with Adam at batch 128 on the bundled sample (data/fashion-mnist-small.h5, in memory),
# on whole batches only (the peer skips each epoch's partial batch; Spindle with --drop-last), and report training-loop samples/s (evaluation excluded), Spindle with W workers and W shards,
# PyTorch with W threads. Runs alternate between the two so that machine noise hits both alike;
# the script prints the load average before and after, every run, the medians and the ratio.
#
# Usage: Benchmarks/scripts/compare-pytorch-deep.sh PYTHON [REPEATS] [NORMS] [ACT] [WORKERS] [EPOCHS] [DATA]
#   PYTHON   a python with torch, h5py and numpy (see ../shared/peers/README.md)
#   REPEATS  runs of each side (default 5); NORMS "layernorm batchnorm" (default layernorm);
#   ACT relu; WORKERS 2; EPOCHS 2 (of 78 steps each on the sample); DATA the bundled sample.
set -euo pipefail
python=$1; repeats=${2:-5}; norms=${3:-layernorm}; act=${4:-relu}; workers=${5:-2}; epochs=${6:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${7:-$root/data/fashion-mnist-small.h5}
peer=${PEER:-$root/../shared/peers/torch_deep.py}
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %-5s %-8s %-10s %-10s %s\n" norm act workers spindle pytorch ratio
for norm in $norms; do
    model="dense(128),repeat(20,residual($norm,dense(128),$act))"
    s=(); p=()
    for _ in $(seq "$repeats"); do
        s+=("$("$spindle" train "$data" --model "$model" --batch-size 128 --drop-last --epochs "$epochs" \
                --workers "$workers" --shards "$workers" --checkpoint-dir "$scratch/run" --json --quiet \
                | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["samples_per_second"]))')")
        rm -rf "$scratch/run"
        p+=("$("$python" "$peer" "$data" --threads "$workers" --batch 128 --epochs "$epochs" \
                --blocks 20 --width 128 --norm "$norm" --act "$act" | sed -E 's/.*samples\/s=([0-9]+).*/\1/')")
    done
    ms=$(printf "%s\n" "${s[@]}" | median); mp=$(printf "%s\n" "${p[@]}" | median)
    printf "%-10s %-5s %-8s %-10s %-10s %.2f   (spindle: %s; pytorch: %s)\n" "$norm" "$act" "$workers" "$ms" "$mp" \
        "$(echo "$ms / $mp" | bc -l)" "${s[*]}" "${p[*]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
