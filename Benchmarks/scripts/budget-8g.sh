#!/usr/bin/env bash
# Peak resident memory of a streamed run under --memory-budget, test evaluation included: one
# epoch of 2,000 steps (batch 1,350) of 784-512-256-10 on the synthetic 8 GiB file (2.7 M rows ×
# 784 float32, and the 100,000-row test split synth writes by default, 314 MB), then the test
# evaluation. The budget covers every split (DataPlacement): the shuffle windows take most of it,
# so the test split is read a window at a time instead of loaded whole beside them.
#
# Usage: Benchmarks/scripts/budget-8g.sh [DIR] [BUDGET] [EXTRA TRAIN FLAGS...]
#   DIR (default /tmp/spindle-stream) holds the generated file (made once, ~8.5 GB, kept).
# Prints the placement lines, the test line and "peak RSS N MB" (GNU time's maximum resident set).
set -euo pipefail
dir=${1:-/tmp/spindle-stream}; budget=${2:-400M}; shift $(($# < 2 ? $# : 2))
root=$(cd "$(dirname "$0")/../.." && pwd)
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
mkdir -p "$dir"
data="$dir/synth-2700000.h5"
[ -f "$data" ] || "$spindle" synth --rows 2700000 --features 784 --classes 10 -o "$data"
/usr/bin/time -v "$spindle" train "$data" --epochs 1 --batch-size 1350 --layers 512,256 \
    --memory-budget "$budget" "$@" >"$dir/budget.out" 2>"$dir/budget.err"
grep -E "streaming|test accuracy|trained" "$dir/budget.err" "$dir/budget.out" | sed 's/^[^:]*://'
kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/budget.err")
echo "peak RSS $((kb / 1000)) MB ($((kb / 1024)) MiB) with --memory-budget $budget"
