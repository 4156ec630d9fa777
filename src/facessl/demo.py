"""`facessl demo`: pretrain on the embedded data, export, embed and evaluate, in a few minutes on a CPU.

The demo pretrains SimCLR on the streaming SynthFaces corpus, then compares its encoder with a randomly
initialised one and with raw pixels on expression (8 classes, linear probe) and head pose (ridge), on
SynthFaces people never seen in pretraining, and writes `report.md`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from facessl.synth.expressions import EMOTIONS
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.sampling import sample_factors
from facessl.synth.tasks import EXPRESSION_RANGES
from facessl.engine.config import load_run_config
from facessl.engine.train import RunSummary, build_method, pretrain
from facessl.eval import expression_linear_probe, head_pose_ridge
from facessl.weights.encoder_file import FaceEncoder, file_sha256, load_encoder
from facessl.weights.export import export_run

# The ImageNet stem (÷4) makes ResNet-18 about 4× cheaper at 64 px than the face64 default, which
# keeps the demo within minutes on two cores.
DEMO_OVERRIDES = [
    "method.name=simclr", "method.crop_min_scale=0.2", "method.color_strength=0.5", "method.temperature=0.2",
    "backbone.stem=imagenet", "data.source=synthfaces", "data.length=4096", "data.num_identities=64",
    "train.batch_size=64",
    "train.warmup_steps=20", "train.lr=0.002", "train.checkpoint_every=100", "train.log_every=10",
]


# People of the labelled set: far from the pretraining corpus' people (0 .. data.num_identities - 1).
UNSEEN_PEOPLE = 900_000


def labelled_synthfaces(n: int, seed: int, size: int = 64, per_person: int = 20) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """`n` SynthFaces of unseen people, person-major (so a prefix split is identity-disjoint), emotions cycling
    through the 8 classes, near-frontal poses as in expression datasets; uint8 images, emotions, (yaw, pitch, roll)."""
    identities = [UNSEEN_PEOPLE + i // per_person for i in range(n)]
    emotions = [i % len(EMOTIONS) for i in range(n)]
    factors = sample_factors(seed, range(n), identities, emotions, EXPRESSION_RANGES)
    renderer = FaceRenderer()
    images = torch.cat([renderer.render(factors.select(torch.arange(i, min(i + 128, n))), size).images
                        for i in range(0, n, 128)])  # fmt: skip
    return images, factors.emotion.numpy(), factors.pose.double().numpy()


@torch.no_grad()
def features_of(encoder: FaceEncoder | None, images: torch.Tensor, batch: int = 256) -> np.ndarray:
    """Encoder features, or flattened 32×32 pixels when `encoder` is None (3,072 values: a probe on
    every 64×64 pixel takes minutes and is no stronger)."""
    if encoder is None:
        small = torch.nn.functional.interpolate(images.float().div(255), size=(32, 32), mode="area")
        return small.flatten(1).numpy()
    return torch.cat([encoder(images[i : i + batch]) for i in range(0, len(images), batch)]).float().numpy()


def run_demo(out: str | Path, steps: int = 150, eval_images: int = 1200, show_progress: bool = True) -> dict[str, Any]:
    out = Path(out)
    cfg = load_run_config(None, [*DEMO_OVERRIDES, f"train.steps={steps}"])
    summary: RunSummary = pretrain(cfg, out / "simclr", resume=True, show_progress=show_progress)
    weights = export_run(out / "simclr", out / "simclr.safetensors")
    trained = load_encoder(weights)
    card = trained.card
    random_method = build_method(cfg)  # same architecture, never trained
    random_encoder = FaceEncoder(random_method.encoder, card).eval()

    images, expressions, poses = labelled_synthfaces(eval_images, seed=12345)
    half = (eval_images // 20) * 2 // 3 * 20  # whole people: identity-disjoint train / test
    rows = {}
    for name, encoder in (("simclr", trained), ("random resnet18", random_encoder), ("raw pixels (32 px)", None)):
        x = features_of(encoder, images)
        expr = expression_linear_probe(x[:half], expressions[:half], x[half:], expressions[half:], seed=0)
        pose = head_pose_ridge(x[:half], poses[:half], x[half:], poses[half:], seed=0)
        rows[name] = {"expression accuracy": expr["metrics"]["accuracy"], "pose MAE (deg)": pose["metrics"]["mae_mean"]}
    report = {
        "pretraining": {"steps": summary.steps, "images_per_second": summary.images_per_second, "seconds": summary.seconds},
        "weights_sha256": file_sha256(weights), "results": rows,
    }
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# facessl demo", "",
        f"SimCLR, ResNet-18, {summary.steps} iterations of batch {cfg.train.batch_size} on SynthFaces "
        f"({summary.images_per_second:.0f} images/s, {summary.seconds:.0f} s).", "",
        "Linear probes on identities unseen in pretraining "
        f"({half} train / {eval_images - half} test images):", "",
        "| features | expression accuracy | pose MAE (deg) |", "|---|---|---|",
        *(f"| {n} | {r['expression accuracy']:.3f} | {r['pose MAE (deg)']:.2f} |" for n, r in rows.items()), "",
        f"Weights: `{weights.name}` (sha256 `{report['weights_sha256'][:16]}…`).", "",
    ]
    (out / "report.md").write_text("\n".join(lines))
    return report
