"""Training throughput of SimCLR / ResNet-18 at 64 px on this machine; writes JSON.

Measures, in one run:
  - the bf16 (and fp32) matrix-multiply peak of this CPU (square matmuls),
  - the model FLOPs of one SimCLR iteration (torch.utils.flop_counter, forward + backward),
  - images/s with pre-loaded, pre-augmented view tensors (the model alone),
  - images/s through the real path: PNG files → DataLoader workers → uint8 batch → batched views → model,
and reports FLOP utilisation (model FLOP/s over the bf16 peak) and the data-path overhead.

    python benchmarks/train_throughput.py --out benchmarks/results/train_throughput.json
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode

import facessl
from facessl.data.images import ImageFiles, collate
from facessl.data.sampler import ResumableBatchSampler
from facessl.data.toyfaces import ToyFaces
from facessl.engine.config import load_run_config
from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.engine.train import build_method


def matmul_peak(dtype: torch.dtype, n: int = 2048, seconds: float = 3.0) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(2):
        a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    return 2 * n**3 * count / (time.perf_counter() - start)


def timed(fn, steps: int, warmup: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--stem", default="face64")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/train_throughput.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    b, s = args.batch_size, args.image_size
    cfg = load_run_config(None, [f"train.batch_size={b}", f"method.image_size={s}", f"data.image_size={s}", f"backbone.stem={args.stem}"])
    method = build_method(cfg).train()
    stepper = OptimizerStepper(build_optimizer(method.param_groups(), "adamw", 1e-3, 1e-6), torch.Generator().manual_seed(0))
    autocast = torch.autocast("cpu", dtype=torch.bfloat16)

    # Model alone: fixed views, forward + loss + backward + step.
    views = [torch.rand(b, 3, s, s), torch.rand(b, 3, s, s)]

    def model_step() -> None:
        with autocast:
            z0 = method.projector(method.encoder(method.preprocess(views[0])))
            z1 = method.projector(method.encoder(method.preprocess(views[1])))
            stepper.step(method.criterion(z0, z1))

    with FlopCounterMode(display=False) as counter:
        model_step()
    flops_per_iteration = counter.get_total_flops()
    model_seconds = timed(model_step, args.steps, args.warmup)
    autocast = torch.autocast("cpu", enabled=False)  # the same model step in fp32, for comparison
    fp32_seconds = timed(model_step, max(2, args.steps // 2), 1)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16)

    # Real path: PNG files decoded by workers, uint8 batch, batched per-sample views, model.
    with tempfile.TemporaryDirectory() as tmp:
        toy = ToyFaces(b * (args.steps + args.warmup + 1), size=s)
        for i in range(len(toy)):
            Image.fromarray(toy[i].image.permute(1, 2, 0).numpy()).save(Path(tmp) / f"{i:05d}.png")
        dataset = ImageFiles.from_folder(tmp, s)
        loader = DataLoader(dataset, batch_sampler=ResumableBatchSampler(len(dataset), b, seed=0),
                            num_workers=args.workers, collate_fn=collate, persistent_workers=args.workers > 0)
        batches = iter(loader)

        def full_step() -> None:
            images, _, _ = next(batches)
            with autocast:
                method.training_step(images, stepper)

        full_seconds = timed(full_step, args.steps, args.warmup)
        aug_seconds = timed(lambda: [method.augment(dataset[0].image[None].expand(b, -1, -1, -1).float() / 255, stepper.generator) for _ in range(2)], 3, 1)

    bf16_peak, fp32_peak = matmul_peak(torch.bfloat16), matmul_peak(torch.float32)
    model_flops_per_s = flops_per_iteration / model_seconds
    result = {
        "benchmark": "train_throughput/v1",
        "method": "simclr", "backbone": f"resnet18 ({args.stem} stem)", "image_size": s, "batch_size": b,
        "precision": "bf16 autocast", "threads": torch.get_num_threads(), "loader_workers": args.workers,
        "images_per_second_model_only": b / model_seconds,
        "images_per_second_full_path": b / full_seconds,
        "images_per_second_model_only_fp32": b / fp32_seconds,
        "data_path_overhead": full_seconds / model_seconds - 1,
        "augmentation_seconds_per_iteration": aug_seconds,
        "model_gflop_per_iteration": flops_per_iteration / 1e9,
        "model_gflop_per_second": model_flops_per_s / 1e9,
        "bf16_matmul_peak_gflop_per_second": bf16_peak / 1e9,
        "fp32_matmul_peak_gflop_per_second": fp32_peak / 1e9,
        "flop_utilisation_vs_bf16_peak": model_flops_per_s / bf16_peak,
        # On CPUs without AMX, torch's bf16 GEMM can be slower than fp32 while bf16 convolutions
        # (oneDNN, AVX512-BF16) are faster; the fp32 peak is the stricter reference there.
        "flop_utilisation_vs_fp32_peak": model_flops_per_s / fp32_peak,
        "torch": torch.__version__, "facessl": facessl.__version__, "cpu": platform.processor() or platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
