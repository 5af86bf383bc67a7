#!/usr/bin/env bash
# kill -9 soak test of checkpointing (DESIGN.md contracts 2 and 3).
#
# Repeats N times (default 20): start a training run that checkpoints every few steps, SIGKILL it at a
# random instant, check that every checkpoint left verifies (`spindle inspect` reads every dataset
# through its Fletcher-32 checksum), resume with --resume to the end, and compare the final model's
# bits (weights, biases, Adam moments; python3 + h5py) with an uninterrupted reference run.
#
# Usage: Benchmarks/scripts/kill-soak.sh [N]
#   SPINDLE=path/to/spindle   use this binary instead of building one (swift build -c release)
#   KEEP_WORK=1               keep the scratch directory (printed at the end)
# Prints one line per trial and "N passed, M failed"; exits 1 if any trial failed.
set -u

trials=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${SPINDLE:-}" ]]; then
    echo "building spindle (swift build -c release) …" >&2
    (cd "$root" && swift build -c release >&2) || { echo "build failed" >&2; exit 2; }
    SPINDLE="$(cd "$root" && swift build -c release --show-bin-path)/spindle"
fi
[[ -x "$SPINDLE" ]] || { echo "no spindle executable at $SPINDLE" >&2; exit 2; }
python3 -c 'import h5py, numpy' 2>/dev/null || { echo "python3 with h5py and numpy is needed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kill-soak.XXXXXX")
children=()
cleanup() {
    for pid in "${children[@]}"; do kill -9 "$pid" 2>/dev/null; done
    [[ -n "${KEEP_WORK:-}" ]] && echo "scratch kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# The bundled dataset, 2 hidden layers, dropout and Adam: 790 steps, a checkpoint every 5.
args=(train "$root/data/fashion-mnist-small.h5" --layers 128,64 --dropout 0.2 --optimizer adam
      --epochs 10 --seed 7 --shards 2 --checkpoint-every 5 --keep 3 --quiet)

cat > "$work/same_bits.py" <<'EOF'
import sys, h5py, numpy as np
def floats(path):
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("model", "optimizer"):
            f[group].visititems(lambda name, obj: out.__setitem__(f"/{group}/{name}", obj[()].view(np.uint32))
                                if isinstance(obj, h5py.Dataset) else None)
    return out
a, b = floats(sys.argv[1]), floats(sys.argv[2])
if a.keys() != b.keys():
    print(f"datasets differ: {sorted(a)} vs {sorted(b)}"); sys.exit(1)
bad = [f"{k}: {int((a[k] != b[k]).sum())} of {a[k].size} differ" for k in sorted(a)
       if a[k].shape != b[k].shape or not np.array_equal(a[k], b[k])]
print("; ".join(bad) if bad else f"{len(a)} datasets bit-identical")
sys.exit(1 if bad else 0)
EOF

now() { date +%s.%N; }
start=$(now)
if ! "$SPINDLE" "${args[@]}" --checkpoint-dir "$work/reference" > "$work/reference.log" 2>&1; then
    echo "the reference run failed:"; cat "$work/reference.log"; exit 2
fi
reference_seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
# Kill within the first 70 % of a run's length after its first checkpoint appears.
window_ms=$(awk -v s="$reference_seconds" 'BEGIN { printf "%d", s * 700 }')
printf 'reference run: %.2f s; killing up to %d ms after the first checkpoint; %d trials\n' \
    "$reference_seconds" "$window_ms" "$trials"

passed=0 failed=0
for ((trial = 1; trial <= trials; trial++)); do
    dir="$work/t$trial"
    "$SPINDLE" "${args[@]}" --checkpoint-dir "$dir" > "$work/t$trial.killed.log" 2>&1 &
    pid=$!
    children=("$pid")
    for ((i = 0; i < 6000; i++)); do  # up to 60 s for the first checkpoint
        compgen -G "$dir/ckpt-*.h5" > /dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (window_ms + 1) ))
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -0 "$pid" 2>/dev/null; then state="killed"; else state="had finished"; fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    children=()

    problems=()
    checkpoints=$(cd "$dir" 2>/dev/null && ls ckpt-*.h5 2>/dev/null | tr '\n' ' ')
    temporaries=$(cd "$dir" 2>/dev/null && ls -A | grep -c '^\..*\.tmp' )
    [[ -z "$checkpoints" ]] && problems+=("no checkpoint survived")
    for name in $checkpoints; do
        if ! "$SPINDLE" inspect "$dir/$name" > "$work/inspect.log" 2>&1; then
            problems+=("$name does not verify: $(tail -1 "$work/inspect.log")")
        fi
    done

    resumed_at="-"
    if "$SPINDLE" "${args[@]}" --checkpoint-dir "$dir" --resume > "$work/t$trial.resume.log" 2>&1; then
        resumed_at=$(sed -n 's/.*resuming from .* at step \([0-9]*\).*/\1/p' "$work/t$trial.resume.log")
        grep -q "skipping" "$work/t$trial.resume.log" &&
            problems+=("resume skipped a checkpoint: $(grep skipping "$work/t$trial.resume.log" | head -1)")
        left=$(cd "$dir" && ls -A | grep -c '^\..*\.tmp')
        [[ "$left" != 0 ]] && problems+=("$left temporary file(s) still there after the resume")
        if ! verdict=$(python3 "$work/same_bits.py" "$dir/model.h5" "$work/reference/model.h5" 2>&1); then
            problems+=("final model differs from the reference: $verdict")
        fi
    else
        problems+=("resume failed: $(tail -1 "$work/t$trial.resume.log")")
    fi

    summary=$(printf 'trial %2d: %s at +%4d ms, %d checkpoint(s) verified [%s], %s temp file(s) left, resumed at step %s' \
        "$trial" "$state" "$delay_ms" "$(wc -w <<< "$checkpoints")" "${checkpoints% }" "$temporaries" "${resumed_at:-?}")
    if ((${#problems[@]} == 0)); then
        passed=$((passed + 1)); echo "$summary → same bits: PASS"
    else
        failed=$((failed + 1)); echo "$summary → FAIL: $(IFS='|'; echo "${problems[*]}")"
    fi
done

echo "$passed passed, $failed failed"
((failed == 0))
