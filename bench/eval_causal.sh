#!/usr/bin/env bash
# The causal evaluation: the released TCD model against the baselines on
# simulated knockout data over real and random regulatory networks.
# Each setting simulates one data set, scores N targets with the released
# model (reading the target's logit row, as the official code, and its column)
# and evaluates against correlation, knockout effect and chance;
# results go to bench/results/causal/<setting>/ and a table to stdout.
#
#   bash bench/eval_causal.sh [settings...]   (default: ecoli300 ecoli300_clean sf300)
#
# Environment: DATAOPT (binary), MODEL (released checkpoint), OUT, THREADS,
# TARGETS (targets per setting, default 16), TRAINED (a model trained with
# `dataopt cause train`, scored as an extra setting "<setting>_trained").
set -euo pipefail
cd "$(dirname "$0")/.."
DATAOPT=${DATAOPT:-build/bin/dataopt}
MODEL=${MODEL:-tests/causal/data/tcd_discrete.safetensors}
OUT=${OUT:-bench/results/causal}
THREADS=${THREADS:-0}
TARGETS=${TARGETS:-16}

run() {  # name, simulate flags...
  local name=$1; shift
  local dir="$OUT/$name"
  echo "== $name"
  [ -f "$dir/data/summary.json" ] ||
    "$DATAOPT" cause simulate "$@" --seed 0 --threads "$THREADS" --out "$dir/data"
  # The official reading (the target's logit row) and the column.
  for read in row column; do
    local scores="$dir/tcd_$read" flag=()
    [ $read = column ] && flag=(--read-column)
    if [ -f "$scores/summary.json" ]; then echo "-- $read: done before"; continue; fi
    echo "-- $read"
    "$DATAOPT" cause infer --data "$dir/data" --targets "$TARGETS" --model "$MODEL" \
      "${flag[@]}" --threads "$THREADS" --quiet --out "$scores"
    "$DATAOPT" cause eval --data "$dir/data" --scores "$scores" --threads "$THREADS"
  done
  if [ -n "${TRAINED:-}" ]; then
    "$DATAOPT" cause infer --data "$dir/data" --targets "$TARGETS" --model "$TRAINED" \
      --threads "$THREADS" --quiet --out "$dir/trained"
    "$DATAOPT" cause eval --data "$dir/data" --scores "$dir/trained" --threads "$THREADS"
  fi
}

mkdir -p "$OUT"
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(ecoli300 ecoli300_clean sf300)
for s in "${settings[@]}"; do
  case $s in
    ecoli300)       run "$s" --graph ecoli --genes 300 --level counts ;;
    ecoli300_clean) run "$s" --graph ecoli --genes 300 --level clean ;;
    ecoli_full)     run "$s" --graph ecoli --level counts ;;
    sf300)          run "$s" --graph sf --n-vars 300 --level counts ;;
    *) echo "eval_causal: unknown setting '$s'" >&2; exit 2 ;;
  esac
done
