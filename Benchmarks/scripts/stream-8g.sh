#!/usr/bin/env bash
# Streaming a dataset larger than the memory budget against holding it in memory: one epoch of
# 784-512-256-10 on a synthetic 8 GiB file (2.7 M rows × 784 float32), each way, runs alternating.
# Prints training throughput (samples/s, loading excluded), the share of step time spent waiting
# for data, and peak resident memory from /usr/bin/time -v.
#
# Usage: Benchmarks/scripts/stream-8g.sh [DIR] [REPEATS] [ROWS] [EXTRA TRAIN FLAGS...]
#   DIR (default /tmp/spindle-stream) holds the generated file (made once, ~8.5 GB, kept);
#   the in-memory runs need about 9 GB of free RAM.
set -euo pipefail
dir=${1:-/tmp/spindle-stream}; repeats=${2:-2}; rows=${3:-2700000}; shift $(($# < 3 ? $# : 3))
root=$(cd "$(dirname "$0")/../.." && pwd)
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
mkdir -p "$dir"
data="$dir/synth-$rows.h5"
if [ ! -f "$data" ]; then
    echo "writing $data ..."
    "$spindle" synth --rows "$rows" --features 784 --classes 10 --test-rows 10000 -o "$data"
fi
ls -l "$data"

# One epoch; prints "samples/s data_wait_fraction peak_rss_MB".
run() {
    local out="$dir/run.json" timing="$dir/run.time"
    /usr/bin/time -v "$spindle" train "$data" --epochs 1 --layers 512,256 --batch-size 256 --json "$@" \
        >"$out" 2>"$timing"
    python3 - "$out" "$timing" <<'PY'
import json, re, sys
summary = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read()).group(1))
print(round(summary["samples_per_second"]), round(summary["data_wait_fraction"], 4), rss_kb // 1024)
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
streamed=(); loaded=()
for i in $(seq "$repeats"); do
    s=$(run "$@"); echo "streamed (default budget):   $s samples/s, data-wait fraction, peak RSS MB"
    streamed+=("${s%% *}")
    m=$(run --memory-budget 12G "$@"); echo "in memory (--memory-budget 12G): $m"
    loaded+=("${m%% *}")
done
a=$(printf "%s\n" "${streamed[@]}" | median); b=$(printf "%s\n" "${loaded[@]}" | median)
echo "median streamed $a, in memory $b samples/s: streamed/in-memory = $(echo "$a / $b" | bc -l | cut -c1-5)"
