#!/usr/bin/env bash
# What checkpointing every N steps costs: training throughput with and without
# --checkpoint-every N on the same data, runs alternating, medians and their ratio.
#
# Usage: [WORKERS=W] Benchmarks/scripts/checkpoint-overhead.sh DATA.h5 [REPEATS] [EVERY] [BATCH] [EPOCHS]
set -euo pipefail
data=$1; repeats=${2:-9}; every=${3:-100}; batch=${4:-128}; epochs=${5:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
rate() { "$spindle" train "$data" --batch-size "$batch" --epochs "$epochs" --json --quiet ${WORKERS:+--workers $WORKERS} "$@" |
         python3 -c 'import json,sys; print(round(json.load(sys.stdin)["samples_per_second"]))'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
plain=(); checkpointed=()
for i in $(seq "$repeats"); do
    plain+=("$(rate)")
    rm -rf "$work/ck"
    checkpointed+=("$(rate --checkpoint-dir "$work/ck" --checkpoint-every "$every")")
done
p=$(printf "%s\n" "${plain[@]}" | median); c=$(printf "%s\n" "${checkpointed[@]}" | median)
echo "without checkpoints: ${plain[*]} (median $p samples/s)"
echo "checkpoint every $every steps: ${checkpointed[*]} (median $c samples/s)"
echo "overhead: $(echo "(1 - $c / $p) * 100" | bc -l | cut -c1-5) %  (batch $batch, $epochs epochs, $(ls "$work/ck" | wc -l) files kept)"
