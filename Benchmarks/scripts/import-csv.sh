#!/usr/bin/env bash
# `spindle import csv` against pandas: a 1,000,000-row CSV of 50 numeric and 5 categorical columns
# and a binary label (about 500 MB), imported to HDF5 by Spindle, and by pandas read_csv (C engine)
# + get_dummies + h5py writing the same arrays (/train/x float32 (N, F) in the same row chunks,
# /train/y int64). Both uncompressed (--gzip 0), runs alternating; prints each run's wall time and
# peak resident memory (/usr/bin/time -v) and the medians.
#
# Usage: Benchmarks/scripts/import-csv.sh [DIR] [REPEATS] [ROWS]
#   DIR (default /tmp/spindle-import) holds the generated CSV (made once and kept) and the outputs.
#   Needs python3 with numpy, pandas and h5py (pip install pandas h5py), and GNU time.
set -euo pipefail
dir=${1:-/tmp/spindle-import}; repeats=${2:-3}; rows=${3:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
spindle=${SPINDLE:-$root/.build/release/spindle}
[ -x "$spindle" ] || swift build -c release --package-path "$root" --product spindle >/dev/null
mkdir -p "$dir"
csv="$dir/table-$rows.csv"
if [ ! -f "$csv" ]; then
    echo "writing $csv ..."
    python3 - "$csv" "$rows" <<'PY'
import sys
import numpy as np
import pandas as pd
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(14)
frame = pd.DataFrame({f"n{j}": rng.normal(0, 10 ** (j % 4), size=n).round(4) for j in range(50)})
for j, k in enumerate([4, 8, 16, 40, 100]):  # vocabulary sizes, skewed frequencies
    words = np.array([f"cat{j}_{i}" for i in range(k)])
    p = 1.0 / np.arange(1, k + 1); p /= p.sum()
    frame[f"c{j}"] = words[rng.choice(k, size=n, p=p)]
frame["label"] = (frame["n0"] + frame["n1"] / 10 > 0).astype(np.int64)
frame.to_csv(path, index=False)
PY
fi
ls -l "$csv"

cat >"$dir/pandas_import.py" <<'PY'
import sys
import h5py
import numpy as np
import pandas as pd
csv, out = sys.argv[1], sys.argv[2]
frame = pd.read_csv(csv, engine="c")
y = frame.pop("label").to_numpy(np.int64)
categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
x = pd.get_dummies(frame, columns=categorical, dtype=np.float32).to_numpy(np.float32)
chunk = max(1, min(1024, len(x), (1 << 20) // (4 * x.shape[1])))  # Spindle's chunking
with h5py.File(out, "w") as f:
    f.create_dataset("train/x", data=x, chunks=(chunk, x.shape[1]))
    f.create_dataset("train/y", data=y, chunks=(min(len(y), 1 << 16),))
PY

# Prints "seconds peak_MB cpu_seconds" for one command (cpu: user + system, all threads).
measure() {
    local timing="$dir/run.time"
    /usr/bin/time -v "$@" >/dev/null 2>"$timing"
    python3 - "$timing" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", t).group(1)) for k in ("User", "System"))
print(f"{seconds:.2f} {rss_kb // 1024} {cpu:.2f}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s_t=(); s_m=(); s_c=(); p_t=(); p_m=(); p_c=()
for i in $(seq "$repeats"); do
    s=$(measure "$spindle" import csv "$csv" --label-column label --gzip 0 -o "$dir/spindle.h5")
    read -r t m c <<<"$s"
    echo "spindle import csv:          $t s, $m MB peak, $c s CPU"
    s_t+=("$t"); s_m+=("$m"); s_c+=("$c")
    p=$(measure python3 "$dir/pandas_import.py" "$csv" "$dir/pandas.h5")
    read -r t m c <<<"$p"
    echo "pandas read_csv + h5py:      $t s, $m MB peak, $c s CPU"
    p_t+=("$t"); p_m+=("$m"); p_c+=("$c")
done
python3 - "$dir/spindle.h5" "$dir/pandas.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
print("same shapes:", a["train/x"].shape, b["train/x"].shape, "same y:", np.array_equal(a["train/y"][:], b["train/y"][:]))
PY
med() { printf '%s\n' "$@" | median; }
echo "median spindle: $(med "${s_t[@]}") s, $(med "${s_m[@]}") MB peak, $(med "${s_c[@]}") s CPU"
echo "median pandas:  $(med "${p_t[@]}") s, $(med "${p_m[@]}") MB peak, $(med "${p_c[@]}") s CPU"
