#!/usr/bin/env bash
# The GPU run of the PCL-vs-SimCLR comparison, prepared for a session that is lent a GPU (not yet run: the device
# was refused in the session that wrote it; the same path was checked on the CPU at small sizes): one call on a lent
# machine with one GPU and 16 cores, under a fixed time limit. It checks the whole path on the GPU first with a
# tiny comparison (so a failure costs seconds, not the budget), then runs the comparison at the official batch
# shapes with as many iterations as --time-budget allows (the same for both methods), features extracted on the GPU.
# Usage: OUT=<folder for results> bash scripts/compare_pcl_simclr_gpu.sh [training budget in seconds, default 200]
set -uo pipefail
OUT=${OUT:?set OUT to the folder the results go to}
BUDGET=${1:-200}
RUNS=${RUNS:-runs/pcl_vs_simclr_gpu}
mkdir -p "$RUNS" "$OUT"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, torchvision, kornia; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'kornia', kornia.__version__, 'cuda', torch.cuda.is_available())"

# The evaluation export is rendered on the CPU while the smoke test runs.
python3 -m facessl synth export --out "$RUNS/synthfaces_small" --preset small > "$OUT/export.log" 2>&1 &
EXPORT=$!

timeout 150 python3 scripts/compare_pcl_simclr.py --out /tmp/smoke --seeds 0 --methods pcl simclr --steps 4 \
  --batch-size 16 --pose-batch-size 2 --pose-negatives 4 --num-workers 2 --log-every 1 --precision bf16 \
  --device cuda --eval-device cuda --export-preset tiny --diagnostics-preset tiny \
  --tasks expression pose verification --eval-workers 2 --json /tmp/smoke.json --no-doc > "$OUT/smoke.log" 2>&1
status=$?
tail -5 "$OUT/smoke.log"
if [ $status -ne 0 ]; then echo "smoke test failed ($status)"; kill $EXPORT; exit 3; fi
wait $EXPORT || { echo "export failed"; cat "$OUT/export.log"; exit 4; }

# Official batch shapes (pcl.md §2.2, §4): 256 images per step, pose step 10 images x 100 flipped copies, DWA
# over one official epoch (~87 iterations, §3.1); a corpus large enough that no frame repeats.
timeout $((BUDGET + 200)) python3 scripts/compare_pcl_simclr.py --out "$RUNS" --seeds 0 1 2 --methods pcl simclr \
  --time-budget "$BUDGET" --calibration-steps 16 --log-every 4 --batch-size 256 --pose-batch-size 10 \
  --pose-negatives 100 --dwa-window 87 --precision bf16 --corpus-length 524288 --corpus-people 8192 \
  --num-workers 14 --device cuda --eval-device cuda --eval-workers 6 --tasks expression pose verification \
  --json "$OUT/pcl_vs_simclr_gpu.json" --no-doc 2>&1 | tee "$OUT/comparison.log" | grep -v Warning
echo "comparison exit ${PIPESTATUS[0]} after ${SECONDS} s"
# The no-pretraining reference (PCL's encoder at its random initialisation, same seeds), when time is left.
if [ -f "$OUT/pcl_vs_simclr_gpu.json" ] && [ $SECONDS -lt $((BUDGET + 200)) ]; then
  timeout 110 python3 scripts/compare_pcl_simclr.py --out "$RUNS" --seeds 0 1 2 --add-random-init --eval-device cuda \
    --eval-workers 3 --tasks expression pose verification --json "$OUT/pcl_vs_simclr_gpu.json" --no-doc \
    > "$OUT/random_init.log" 2>&1
  echo "random init exit $? after ${SECONDS} s"
fi
tar czf "$OUT/runs.tgz" --exclude='*.pt' --exclude='synthfaces_small' "$RUNS" 2>/dev/null
ls -la "$OUT"
