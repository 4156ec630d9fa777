"""LatentFace throughput at 64×64 on this machine, written as JSON: stage-1 and stage-2 training images/s and
feature extraction images/s.

- stage 1 (`latentface-ae`): one full iteration (five Unsup3D networks, image formation with the pure-PyTorch
  rasterizer on the 2B batch, photometric + flip losses, the chosen perceptual term, backward, Adam step), in
  fp32 (`stage1_training`, the config's default) and under bf16 autocast (`stage1_training_bf16`; geometry,
  rasterization and the losses stay fp32 there);
- stage 2 (`latentface-rdm`): frozen code encoders, two denoisers (width C), SNR-weighted x₀ losses, two
  optimizer steps; a batch is one or more 16-frame tracks;
- features: the §5 expression feature (codes + two 5-step legacy DDIM runs) under ``torch.no_grad()``.

Each measurement runs warm-up iterations and then iterates for ``--seconds``. Usage::

    OMP_NUM_THREADS=1 python benchmarks/latentface_throughput.py --threads 1 \
        --out benchmarks/results/latentface_throughput.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch

from facessl.engine.config import load_run_config
from facessl.engine.precision import autocast
from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.engine.train import build_method


def measure(fn: Callable[[], None], images_per_call: int, seconds: float, warmup: int = 1) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or calls == 0:
        fn()
        calls += 1
    elapsed = time.perf_counter() - start
    return {"images_per_s": round(calls * images_per_call / elapsed, 2), "images": calls * images_per_call, "seconds": round(elapsed, 2)}


def training(
    overrides: list[str], batch: int, device: torch.device, seconds: float, precision: str = "fp32"
) -> dict[str, float]:
    method = build_method(load_run_config(None, overrides)).to(device).train()
    stepper = OptimizerStepper(
        build_optimizer(method.param_groups(), "adam", 1e-4, 5e-4), torch.Generator(device).manual_seed(0), 1.0
    )
    images = torch.randint(0, 256, (batch, 3, 64, 64), dtype=torch.uint8, device=device)

    def step() -> None:
        with autocast(precision, device):
            method.training_step(images, stepper)

    return measure(step, batch, seconds)


def features(width: int, batch: int, device: torch.device, seconds: float, site: str) -> dict[str, float]:
    method = build_method(
        load_run_config(None, ["method.name=latentface-rdm", "backbone.name=latentface", f"backbone.width={width}", f"backbone.site={site}"])
    ).to(device).eval()
    extract = method.feature_sites()[site]
    images = torch.rand(batch, 3, 64, 64, device=device)

    def run() -> None:
        with torch.no_grad():
            extract(images)

    return measure(run, batch, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--ae-batch", type=int, default=16)
    parser.add_argument("--rdm-batch", type=int, default=16, help="frames per batch (multiple of 16)")
    parser.add_argument("--feature-batch", type=int, default=64)
    parser.add_argument("--perceptual", default="ssim", choices=["ssim", "none", "vgg16"])
    parser.add_argument("--vgg16-weights", default="", help="local VGG16 file for --perceptual vgg16")
    parser.add_argument("--widths", type=int, nargs="+", default=[128, 1024])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latentface_throughput.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    load_before = list(os.getloadavg())

    ae = ["method.name=latentface-ae", "backbone.name=unsup3d", f"method.perceptual={args.perceptual}"]
    if args.perceptual == "vgg16":
        ae.append(f"method.vgg16_weights={args.vgg16_weights}")
    results: dict[str, object] = {
        "stage1_training": {"perceptual": args.perceptual, "batch_size": args.ae_batch,
                            **training(ae, args.ae_batch, device, args.seconds)},  # fmt: skip
        "stage1_training_bf16": {"perceptual": args.perceptual, "batch_size": args.ae_batch,
                                 **training(ae, args.ae_batch, device, args.seconds, "bf16")},  # fmt: skip
        "stage2_training": {},
        "feature_extraction": {},
    }
    for width in args.widths:
        rdm = ["method.name=latentface-rdm", "backbone.name=latentface", f"backbone.width={width}"]
        results["stage2_training"][f"width_{width}"] = {  # type: ignore[index]
            "batch_size": args.rdm_batch, **training(rdm, args.rdm_batch, device, args.seconds)
        }
        results["feature_extraction"][f"width_{width}"] = {  # type: ignore[index]
            "site": "expression", "sampler": "legacy", "ddim_steps": 5, "batch_size": args.feature_batch,
            **features(width, args.feature_batch, device, args.seconds, "expression"),
        }
        print(json.dumps({k: v for k, v in results.items()}, indent=1))
    report = {
        "benchmark": "latentface_throughput", "torch_version": torch.__version__, "device": str(device),
        "processor": platform.machine(), "cpu_count": os.cpu_count(), "threads": args.threads, "image_size": 64,
        "load_average_1_5_15_min_before": load_before, "load_average_1_5_15_min_after": list(os.getloadavg()),
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
