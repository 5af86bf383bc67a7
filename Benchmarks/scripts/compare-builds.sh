#!/usr/bin/env bash
# Two builds of spindle side by side: the same training steps, counted in instructions
# (callgrind: repeatable whatever else the machine does) and timed (spindle-bench, the builds
# alternating so that noise hits both alike; medians).
#
# Usage: [INSTRUCTIONS=1] Benchmarks/scripts/compare-builds.sh OLD_ROOT NEW_ROOT [REPEATS]
#   each ROOT a checkout with `swift build -c release` and
#   `swift build -c release --package-path Benchmarks` done.
# Instructions: the difference between runs of 40 and 10 steps (so start-up cancels), 1 worker,
# 784-512-256-10 on the bundled sample, batch 64 / 256 / 1024.
set -euo pipefail
old=$1; new=$2; repeats=${3:-3}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
data=$new/data/fashion-mnist-small.h5
# valgrind 3.19 cannot read Swift 6's debug info: count stripped copies.
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
strip -o "$scratch/old" "$old/.build/release/spindle"
strip -o "$scratch/new" "$new/.build/release/spindle"
instructions() {  # BINARY BATCH STEPS
    local out; out=$(mktemp)
    # No re-exec with OpenBLAS's settings: valgrind would not follow it.
    OPENBLAS_NUM_THREADS=1 SPINDLE_RELAUNCHED=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" \
        train "$data" --batch-size "$2" --max-steps "$3" --epochs 100 --workers 1 --shards 1 --quiet 2> "$out" >/dev/null
    sed -nE 's/.*Collected : ([0-9]+).*/\1/p' "$out"; rm -f "$out"
}
if [ "${INSTRUCTIONS:-0}" = 1 ]; then  # slow: valgrind runs the steps ~50× slower
echo "instructions per step (callgrind, 1 worker)"
printf "%-6s %-14s %-14s %s\n" batch old new new/old
for batch in 64 256 1024; do
    o=$(( ($(instructions "$scratch/old" "$batch" 40) - $(instructions "$scratch/old" "$batch" 10)) / 30 ))
    n=$(( ($(instructions "$scratch/new" "$batch" 40) - $(instructions "$scratch/new" "$batch" 10)) / 30 ))
    printf "%-6s %-14s %-14s %.4f\n" "$batch" "$o" "$n" "$(echo "$n / $o" | bc -l)"
done
fi
echo "samples/s and samples/s over the W-thread sgemm ceiling measured in the same run"
echo "(spindle-bench, builds alternating, medians of $repeats)"
printf "%-6s %-7s %-10s %-10s %-8s %-9s %-9s %s\n" batch workers old new new/old "old/ceil" "new/ceil" new/old
for batch in 64 256 1024; do
    for w in 1 2; do
        o=(); n=(); oc=(); nc=()
        for _ in $(seq "$repeats"); do
            for side in old new; do
                root=$old; [ "$side" = new ] && root=$new
                line=$("$root/Benchmarks/.build/release/spindle-bench" --batch "$batch" --workers "$w" --repeats 3 \
                    | awk '$1 ~ /^784-/ {print $4, $9}')
                if [ "$side" = old ]; then o+=("${line% *}"); oc+=("${line#* }"); else n+=("${line% *}"); nc+=("${line#* }"); fi
            done
        done
        mo=$(printf "%s\n" "${o[@]}" | median); mn=$(printf "%s\n" "${n[@]}" | median)
        co=$(printf "%s\n" "${oc[@]}" | median); cn=$(printf "%s\n" "${nc[@]}" | median)
        printf "%-6s %-7s %-10s %-10s %-8.3f %-9s %-9s %.3f   (old: %s; new: %s)\n" "$batch" "$w" "$mo" "$mn" \
            "$(echo "$mn / $mo" | bc -l)" "$co" "$cn" "$(echo "$cn / $co" | bc -l)" "${o[*]}" "${n[*]}"
    done
done
