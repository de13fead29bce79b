#!/usr/bin/env bash
# The fast-path measurements to run when a GPU is lent (BENCHMARKS.md, "The fast path"):
# speed of each option against the plain fp32 loops, the roofline, then quality at equal steps
# (DCGAN on MNIST, seeds 0-2, fp32 against bf16 + channels_last). train.fast switches an option
# on for CUDA (src/gankit/training/fast.py, fast_choices) only after its row here is recorded.
#   bash benchmarks/gpu_fast_path.sh [DATA_DIR] [OUT]
set -euo pipefail
cd "$(dirname "$0")"
DATA=${1:-../../shared/data}
OUT=${2:-/tmp/gankit-gpu-fast}
PY=${PYTHON:-python}
mkdir -p "$OUT"
for options in "" "--amp bf16" "--channels-last" "--amp bf16 --channels-last" "--compile" "--amp bf16 --channels-last --compile"; do
  echo "== train_speed $options"
  $PY train_speed.py --device cuda --steps 200 --warmup 20 --repeats 3 $options
done
$PY sngan_speed.py --device cuda --steps 100 --warmup 10 --repeats 3 --amp bf16 --channels-last
$PY pix2pix_speed.py --device cuda --batch 1 --steps 100 --warmup 10 --repeats 3 --amp bf16 --channels-last
$PY pix2pix_speed.py --device cuda --batch 4 --steps 100 --warmup 10 --repeats 3 --amp bf16 --channels-last
$PY cyclegan_speed.py --device cuda --nets digits --size 28 --batch 64 --steps 200 --warmup 20 --repeats 3 --amp bf16 --channels-last
$PY roofline.py --device cuda --steps 20 --warmup 5
cd ..
for seed in 0 1 2; do
  for mode in fp32 bf16; do
    extra=""
    [ "$mode" = bf16 ] && extra="train.amp=bf16 train.channels_last=true"
    name="$mode-s$seed"
    gankit train --config configs/dcgan-mnist.yaml --data-dir "$DATA" --out "$OUT/runs" \
      --name "$name" --device cuda seed=$seed train.epochs=null train.steps=1500 \
      train.fast=false train.progress=false $extra
    gankit evaluate "$OUT/runs/dcgan/$name" --features classifier --ref test --n 10000 \
      --device cuda | tail -1
  done
done
