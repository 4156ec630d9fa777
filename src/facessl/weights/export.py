"""Turn a training run (its last checkpoint) into encoder weights with a card."""

from __future__ import annotations

from pathlib import Path

from facessl.augment.normalize import Normalize
from facessl.engine.checkpoint import CheckpointError
from facessl.engine.train import load_trained_method
from facessl.weights.card import WeightCard, git_commit
from facessl.weights.encoder_file import save_encoder


def export_run(run: str | Path, out: str | Path) -> Path:
    """Export the encoder of `run` (a run folder or a `last.pt` checkpoint) to `out` (.safetensors)."""
    method, cfg, ckpt_path, state = load_trained_method(run)
    normalize = getattr(method, "normalize", None)
    if normalize is not None and not isinstance(normalize, Normalize):
        raise CheckpointError(f"method {cfg.method['name']} has a normalisation the card cannot describe")
    mean, std = (normalize.mean, normalize.std) if normalize is not None else ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    data = cfg.data
    card = WeightCard(
        method=cfg.method["name"],
        backbone=dict(cfg.backbone),
        num_features=int(method.encoder.num_features),
        input_size=int(cfg.method.get("image_size", data.image_size)),
        normalization={"mean": list(mean), "std": list(std)},
        crop_recipe=f"{data.source}: whole image resized to {data.image_size}px",
        training_data=f"{data.source}{'' if not data.path else ' ' + data.path}",
        steps=int(state["step"]),
        git_commit=git_commit(),
        extra={"checkpoint": str(ckpt_path)},
    )
    return save_encoder(method.encoder, card, out)
