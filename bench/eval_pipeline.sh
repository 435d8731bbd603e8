#!/usr/bin/env bash
# Does cleaning with the relation graph raise test accuracy? The pipeline's
# stages 1-4 on Fashion-MNIST with 10% symmetric label noise in two regimes,
# then the paired gain (stage 4 - stage 1) per seed, mean and std.
#
#   bash bench/eval_pipeline.sh [early|memorized|table]...   (default: both, then the table)
#
# early:     the `make run` setting: 20,000 images, width-32 ConvNet, 5 epochs,
#            weight decay 5e-4 (the model has not fitted the wrong labels yet).
# memorized: 5,000 images, 60 epochs, lr 0.03, no weight decay (the model
#            fits the wrong labels, as in docs/methods/relgraph.md).
# Environment: DATAOPT, OUT (bench/results/pipeline), THREADS (1), SEEDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
DATAOPT=${DATAOPT:-build/bin/dataopt}
OUT=${OUT:-bench/results/pipeline}
THREADS=${THREADS:-1}
SEEDS=${SEEDS:-3}
mkdir -p "$OUT"

run() {  # name, flags...
  local name=$1; shift
  echo "== $name"
  "$DATAOPT" pipeline --data fashion-mnist --noise-rate 0.1 --width 32 --seeds "$SEEDS" \
    --stop-after 4 --threads "$THREADS" --quiet "$@" --out "$OUT/$name"
}

table() {
  python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
print(f"{'regime':<10} {'seeds':>5} {'noisy acc %':>14} {'cleaned acc %':>14} {'gain (paired) pts':>18} {'NLL':>13} {'ECE':>13} {'flag precision':>14}")
for name in sorted(os.listdir(out)):
    f = os.path.join(out, name, "report.json")
    if not os.path.isfile(f):
        continue
    r = json.load(open(f))
    st = r["stages"]
    if "retrain" not in st:
        continue
    g = r["cleaning_gain"]
    a, b, c = st["train"], st["retrain"], st["clean"]
    print(f"{name:<10} {g['seeds']:>5} {100*a['test_accuracy']:>8.2f}+-{100*a['test_accuracy_std']:.2f}"
          f" {100*b['test_accuracy']:>8.2f}+-{100*b['test_accuracy_std']:.2f}"
          f" {100*g['mean']:>+11.2f}+-{100*g['std']:.2f}"
          f" {a['test_nll']:>6.3f}->{b['test_nll']:.3f} {a['test_ece']:>6.3f}->{b['test_ece']:.3f}"
          f" {100*c.get('precision', 0):>13.1f}%")
PY
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(early memorized table)
for t in "${targets[@]}"; do
  case "$t" in
    early) run early --train-size 20000 --epochs 5 ;;
    memorized) run memorized --train-size 5000 --epochs 60 --lr 0.03 --weight-decay 0 ;;
    table) table ;;
    *) echo "usage: $0 [early|memorized|table]..." >&2; exit 2 ;;
  esac
done
