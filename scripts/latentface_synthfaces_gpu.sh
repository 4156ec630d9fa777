#!/usr/bin/env bash
# LatentFace stage 1 + stage 2 on SynthFaces for as long as a GPU lease allows, then measured with
# scripts/latentface_synthfaces.py — prepared for a session that is lent a GPU (not yet run there: no GPU had been
# lent when it was written; its path was checked on the CPU with short limits, DEVICE=cpu).
# Stage 1 keeps a constant learning rate and stage 2 the official 100-iteration cosine restarts (latentface.md §3.6,
# §4.8), so a run cut at a time limit is a run of that many iterations: each stage gets a large step count, is
# stopped by `timeout` after its share of the lease, and what follows reads its last checkpoint (saved every 200
# iterations). Usage:
#   OUT=<folder for results> bash scripts/latentface_synthfaces_gpu.sh [stage-1 seconds, default 240] [stage-2 seconds, default 90]
set -uo pipefail
OUT=${OUT:?set OUT to the folder the results go to}
S1=${1:-240}
S2=${2:-90}
DEVICE=${DEVICE:-cuda}
RUNS=${RUNS:-runs/latentface_gpu}
WORKERS=${WORKERS:-12}
# Training people whose tracks fit the linear reference of the measurement (how much room the codes leave the RDM).
LINEAR_PEOPLE=${LINEAR_PEOPLE:-300}
# More --set overrides for both stages, e.g. smaller batches for a check on the CPU (stage 2 takes whole tracks: a
# batch size that is a multiple of 16, e.g. EXTRA="--set train.batch_size=16 --set train.checkpoint_every=4").
EXTRA=${EXTRA:-}
mkdir -p "$RUNS" "$OUT"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
FACESSL="python3 -m facessl"
python3 -c "import torch, kornia; print('torch', torch.__version__, 'kornia', kornia.__version__, 'cuda', torch.cuda.is_available())"

# The evaluation export is rendered on the CPU while stage 1 trains.
python3 -m facessl synth export --out "$RUNS/synthfaces_small" --preset small > "$OUT/export.log" 2>&1 &

# Stage 1: Unsup3D's recipe at batch 64 (SSIM instead of the VGG16 perceptual term: no weights file on the machine).
timeout "$S1" $FACESSL pretrain --config configs/latentface_ae.yaml --out "$RUNS/ae" --no-progress \
  --set method.perceptual=ssim --set train.device="$DEVICE" --set train.steps=1000000 --set train.checkpoint_every=200 \
  --set train.log_every=50 --set data.length=500000 --set data.num_identities=5000 --set data.num_workers="$WORKERS" \
  $EXTRA > "$OUT/stage1.log" 2>&1
echo "stage 1 stopped ($?) after ${SECONDS} s: $(tail -1 "$RUNS/ae/metrics.jsonl" | cut -c1-200)"
$FACESSL export "$RUNS/ae" --out "$RUNS/ae.safetensors" > "$OUT/export_ae.log" 2>&1 || { cat "$OUT/export_ae.log"; exit 3; }

# Stage 2: both denoisers on the frozen stage-1 codes, tracks of 16 frames.
timeout "$S2" $FACESSL pretrain --config configs/latentface_rdm.yaml --out "$RUNS/rdm" --no-progress \
  --set method.autoencoder="$RUNS/ae.safetensors" --set train.device="$DEVICE" --set train.steps=1000000 \
  --set train.checkpoint_every=200 --set train.log_every=50 --set data.length=500000 --set data.num_identities=5000 \
  --set data.num_workers="$WORKERS" $EXTRA > "$OUT/stage2.log" 2>&1
echo "stage 2 stopped ($?) after ${SECONDS} s: $(tail -1 "$RUNS/rdm/metrics.jsonl" | cut -c1-200)"
wait

python3 scripts/latentface_synthfaces.py --ae "$RUNS/ae" --rdm "$RUNS/rdm" --data "$RUNS/synthfaces_small" \
  --linear-people "$LINEAR_PEOPLE" --json "$OUT/latentface_synthfaces_gpu.json" --doc "$OUT/latentface_gpu.md" > "$OUT/measure.log" 2>&1
echo "measured ($?) after ${SECONDS} s"
tail -30 "$OUT/measure.log"
cp "$RUNS/ae/metrics.jsonl" "$OUT/stage1_metrics.jsonl"; cp "$RUNS/rdm/metrics.jsonl" "$OUT/stage2_metrics.jsonl"
