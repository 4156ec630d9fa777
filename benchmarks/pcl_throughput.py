"""Throughput of a full PCL iteration (all three optimizer steps, real data path); writes JSON.

The official shapes are batch 256 and 10 pose images × 100 flipped negatives (pcl.md §2.2, §4);
on a 2-core CPU the face batch is scaled down (default 64) and the pose step keeps its official
10 × 100. "Outside the model" is the time waiting for the loader plus the time making PCL's views
(DistanceCrop, jitter, blur, Sobel, 1,000 flipped negatives), measured by replaying the view
functions on the same batches.

    python benchmarks/pcl_throughput.py --out benchmarks/results/pcl_throughput.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import DataLoader

import facessl
from facessl.augment.pcl_views import pcl_face_views, pcl_pose_views, resize
from facessl.data.images import ImageFiles, collate
from facessl.data.sampler import ResumableBatchSampler
from facessl.data.toyfaces import ToyFaces
from facessl.engine.config import load_run_config
from facessl.engine.precision import autocast
from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.engine.train import build_method
from facessl.methods.base import to_float01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--pose-batch-size", type=int, default=10)
    parser.add_argument("--pose-negatives", type=int, default=100)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--precision", default="bf16", choices=["bf16", "fp32"])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/pcl_throughput.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    b = args.batch_size
    cfg = load_run_config(None, [
        "method.name=pcl", "backbone.name=pcl", f"train.batch_size={b}",
        f"method.pose_batch_size={args.pose_batch_size}", f"method.pose_negatives={args.pose_negatives}",
    ])
    method = build_method(cfg).train()
    optimizer = build_optimizer(method.param_groups(), "adam", 1e-4, 1e-3)
    stepper = OptimizerStepper(optimizer, torch.Generator().manual_seed(0), zero_grad_to_none=method.zero_grad_to_none)
    device = torch.device("cpu")

    with tempfile.TemporaryDirectory() as tmp:
        toy = ToyFaces(b * (args.steps + args.warmup + 1), size=64)
        for i in range(len(toy)):
            Image.fromarray(toy[i].image.permute(1, 2, 0).numpy()).save(Path(tmp) / f"{i:05d}.png")
        dataset = ImageFiles.from_folder(tmp, 64)
        loader = DataLoader(dataset, batch_sampler=ResumableBatchSampler(len(dataset), b, seed=0),
                            num_workers=args.workers, collate_fn=collate, persistent_workers=args.workers > 0)
        batches = iter(loader)
        waits, totals, view_times = [], [], []
        for i in range(args.warmup + args.steps):
            start = time.perf_counter()
            images, _, _ = next(batches)
            waited = time.perf_counter() - start
            with autocast(args.precision, device):
                method.training_step(images, stepper)
            total = time.perf_counter() - start
            # Replay the view work of this iteration on its own generator to time it alone.
            g = torch.Generator().manual_seed(i)
            t0 = time.perf_counter()
            pcl_face_views(images, g)
            pcl_pose_views(resize(to_float01(images))[: args.pose_batch_size], g, args.pose_negatives)
            views = time.perf_counter() - t0
            if i >= args.warmup:
                waits.append(waited)
                totals.append(total)
                view_times.append(views)

    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    result = {
        "benchmark": "pcl_throughput/v1",
        "batch_size": b, "pose_batch_size": args.pose_batch_size, "pose_negatives": args.pose_negatives,
        "precision": args.precision, "threads": torch.get_num_threads(), "loader_workers": args.workers,
        "seconds_per_iteration": mean(totals),
        "images_per_second": b / mean(totals),
        "encoder_images_per_iteration": 2 * b + 2 * b + args.pose_batch_size * (2 + args.pose_negatives),
        "loader_wait_seconds": mean(waits), "view_seconds": mean(view_times),
        "share_outside_model": (mean(waits) + mean(view_times)) / mean(totals),
        "torch": torch.__version__, "facessl": facessl.__version__,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
