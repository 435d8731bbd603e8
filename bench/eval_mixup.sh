#!/usr/bin/env bash
# The mixup evaluation on Fashion-MNIST: the same ConvNet trained with every
# mixer and several seeds, then test error, NLL, ECE, FGSM accuracy (8/255)
# and seconds per epoch, mean and standard deviation over the seeds.
#
#   bash bench/eval_mixup.sh [mixers...]   (default: none mixup manifold cutmix puzzle comix)
#
# Protocol (chosen to run on a CPU): the first 10,000 training images padded
# to 32 x 32, ConvNet width 64, 15 epochs, batch 100, SGD lr 0.05 with a
# cosine schedule, momentum 0.9, weight decay 5e-4; the official mixer
# defaults otherwise. Environment: DATAOPT, OUT, THREADS, SEEDS ("0 1 2"),
# EPOCHS, TRAIN_SIZE.
set -euo pipefail
cd "$(dirname "$0")/.."
DATAOPT=${DATAOPT:-build/bin/dataopt}
OUT=${OUT:-bench/results/mixup}
THREADS=${THREADS:-0}
SEEDS=${SEEDS:-"0 1 2"}
EPOCHS=${EPOCHS:-15}
TRAIN_SIZE=${TRAIN_SIZE:-10000}
mixers=("$@")
[ ${#mixers[@]} -gt 0 ] || mixers=(none mixup manifold cutmix puzzle comix)

mkdir -p "$OUT"
for mix in "${mixers[@]}"; do
  for seed in $SEEDS; do
    dir="$OUT/${mix}_s$seed"
    if [ -f "$dir/metrics.json" ]; then echo "== $mix seed $seed: done before"; continue; fi
    echo "== $mix seed $seed"
    "$DATAOPT" train --data fashion-mnist --train-size "$TRAIN_SIZE" --model convnet --width 64 \
      --pad-to 32 --epochs "$EPOCHS" --batch-size 100 --lr 0.05 --schedule cosine \
      --weight-decay 5e-4 --mix "$mix" --seed "$seed" --fgsm-eps 8 --final-eval-only \
      --threads "$THREADS" --quiet --out "$dir"
  done
done

# Table: mean and std over the seeds of each mixer.
# The top-level key (the per-epoch history holds keys of the same name and
# sorts first, so take the last match).
value() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | tail -1 | sed 's/.*: *//'; }
printf '%-9s %16s %16s %16s %16s %12s\n' mix "test error %" NLL ECE "FGSM acc %" "s/epoch"
for mix in "${mixers[@]}"; do
  rows=""
  for seed in $SEEDS; do
    f="$OUT/${mix}_s$seed/metrics.json"
    [ -f "$f" ] || continue
    rows+="$(value "$f" test_accuracy) $(value "$f" test_nll) $(value "$f" test_ece) $(value "$f" fgsm_accuracy) $(value "$f" seconds_per_epoch)"$'\n'
  done
  printf '%s' "$rows" | awk -v mix="$mix" '
    NF == 5 { n++; for (i = 1; i <= 5; i++) { v = $i; if (i == 1) v = 100 * (1 - v); if (i == 4) v = 100 * v;
              s[i] += v; q[i] += v * v } }
    END { if (n == 0) exit; printf "%-9s", mix;
          for (i = 1; i <= 5; i++) { m = s[i] / n; sd = n > 1 ? sqrt((q[i] - n * m * m) / (n - 1)) : 0;
            if (sd < 0 || sd != sd) sd = 0; printf (i == 5 ? " %6.1f +- %4.1f" : " %8.3f +- %5.3f"), m, sd }
          printf "   (%d seeds)\n", n }'
done
