#!/usr/bin/env bash
# The condensation evaluation on Fashion-MNIST: IDC, IDC-I and the baselines
# (first-k, random, herding, k-center, mf-init) under one evaluation protocol,
# test accuracy mean +- std over repeats, with the compute each used.
#
#   bash bench/eval_condense.sh baselines      # IPC in $IPCS: first-k random herding kcenter mf-init
#   bash bench/eval_condense.sh idc            # IDC (factor 2) at each iteration count in $ITERS
#   bash bench/eval_condense.sh idc-i          # IDC-I (factor 1) likewise
#   bash bench/eval_condense.sh table          # print the table of everything measured
#
# IDC runs resume their checkpoint, so ITERS="90 180" condenses 90 inner
# iterations, evaluates, continues to 180 and evaluates again (snapshots are
# kept as idc_f2_ipc10_it90, ...). Environment: DATAOPT, OUT, THREADS (1),
# IPCS ("1 10"), ITERS ("90"), EVAL_EPOCHS (300: a shortened protocol; 1000
# is the paper's), REPEATS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
DATAOPT=${DATAOPT:-build/bin/dataopt}
OUT=${OUT:-bench/results/condense}
THREADS=${THREADS:-1}
IPCS=${IPCS:-"1 10"}
ITERS=${ITERS:-"90"}
EVAL_EPOCHS=${EVAL_EPOCHS:-300}
REPEATS=${REPEATS:-3}
mkdir -p "$OUT"

evaluated() {  # dir -> true if summary.json has an evaluation with EVAL_EPOCHS epochs
  [ -f "$1/summary.json" ] && python3 - "$1/summary.json" "$EVAL_EPOCHS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if any(e.get("epochs") == int(sys.argv[2]) for e in s.get("evaluations", [])) else 1)
PY
}

evaluate() {
  evaluated "$1" && { echo "== $1: evaluated before"; return; }
  echo "== evaluate $1"
  "$DATAOPT" evaluate-synthetic "$1" --repeats "$REPEATS" --eval-epochs "$EVAL_EPOCHS" \
    --threads "$THREADS" --quiet
}

baselines() {
  local features="$OUT/feature_model/feature_model.safetensors"
  for ipc in $IPCS; do
    for method in first-k random herding kcenter mf-init; do
      dir="$OUT/${method}_ipc$ipc"
      if [ ! -f "$dir/synthetic.safetensors" ]; then
        echo "== $method ipc $ipc"
        extra=()
        if [ "$method" = herding ] || [ "$method" = kcenter ]; then
          if [ -f "$features" ]; then extra=(--feature-model "$features"); fi
        fi
        "$DATAOPT" condense --data fashion-mnist --method "$method" --ipc "$ipc" --factor 2 \
          --threads "$THREADS" --quiet "${extra[@]}" --out "$dir"
        # Keep the feature ConvNet of the first herding run for the others.
        if [ -f "$dir/feature_model.safetensors" ] && [ ! -f "$features" ]; then
          mkdir -p "$(dirname "$features")" && cp "$dir/feature_model.safetensors" "$features"
        fi
      fi
      evaluate "$dir"
    done
  done
}

idc() {  # factor
  local f=$1
  for ipc in $IPCS; do
    run="$OUT/idc_f${f}_ipc${ipc}_run"
    for it in $ITERS; do
      snap="$OUT/idc_f${f}_ipc${ipc}_it$it"
      if [ ! -f "$snap/synthetic.safetensors" ]; then
        echo "== IDC factor $f ipc $ipc to $it inner iterations"
        resume=(); [ -d "$run/checkpoint" ] && resume=(--resume)
        "$DATAOPT" condense --data fashion-mnist --method idc --factor "$f" --ipc "$ipc" \
          --stop-after "$it" --threads "$THREADS" --quiet "${resume[@]}" --out "$run"
        mkdir -p "$snap"
        cp "$run/synthetic.safetensors" "$run/synthetic.png" "$run/summary.json" "$snap/"
      fi
      evaluate "$snap"
    done
  done
}

table() {
  python3 - "$OUT" "$EVAL_EPOCHS" <<'PY'
import json, os, sys
out, epochs = sys.argv[1], int(sys.argv[2])
rows = []
for name in sorted(os.listdir(out)):
    f = os.path.join(out, name, "summary.json")
    if not os.path.isfile(f) or name.endswith("_run"):
        continue
    s = json.load(open(f))
    ev = [e for e in s.get("evaluations", []) if e.get("epochs") == epochs]
    if not ev:
        continue
    e = ev[-1]
    rows.append((s["ipc"], name, s.get("method"), s.get("factor"), s.get("iterations", 0),
                 s.get("seconds", 0), s.get("decoded_images"), 100 * e["accuracy_mean"],
                 100 * e["accuracy_std"], e["repeats"], e["seconds"] / e["repeats"]))
print(f"evaluation: {epochs} epochs" + (" (the paper's protocol)" if epochs == 1000 else " (shortened protocol)"))
print(f"{'ipc':>3} {'run':<24} {'method':<8} {'f':>2} {'iters':>6} {'cond. s':>8} {'images':>6} {'accuracy %':>14} {'n':>2} {'eval s':>7}")
for r in sorted(rows):
    print(f"{r[0]:>3} {r[1]:<24} {r[2]:<8} {r[3]:>2} {r[4]:>6} {r[5]:>8.0f} {r[6]:>6} {r[7]:>7.2f} +- {r[8]:4.2f} {r[9]:>2} {r[10]:>7.0f}")
PY
}

case "${1:-table}" in
  baselines) baselines ;;
  idc) idc 2 ;;
  idc-i) idc 1 ;;
  table) table ;;
  *) echo "usage: $0 baselines|idc|idc-i|table" >&2; exit 2 ;;
esac
