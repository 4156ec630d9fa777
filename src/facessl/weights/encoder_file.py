"""Encoder weights for others to use: a safetensors file with its card, and the ready module.

    facessl export runs/simclr --out encoder.safetensors
    encoder = facessl.load_encoder("encoder.safetensors")      # FaceEncoder, eval mode
    features = encoder(images)                                 # images: [0, 1] floats or uint8

safetensors cannot carry code, so loading never executes anything from the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from facessl.augment.normalize import Normalize
from facessl.config import ConfigError
from facessl.engine.checkpoint import CheckpointError, load_module_state
from facessl.methods.base import to_float01
from facessl.models.backbones import build_backbone
from facessl.weights.card import WeightCard

CARD_KEY = "facessl_card"


class FaceEncoder(nn.Module):
    """A backbone with its input normalisation: [0, 1] RGB (N, 3, H, W) -> features (N, num_features)."""

    def __init__(self, backbone: nn.Module, card: WeightCard) -> None:
        super().__init__()
        self.backbone = backbone
        self.normalize = Normalize(tuple(card.normalization["mean"]), tuple(card.normalization["std"]))
        self.card = card
        self.num_features = card.num_features

    def forward(self, images: Tensor) -> Tensor:
        return self.backbone(self.normalize(to_float01(images)))


def save_encoder(backbone: nn.Module, card: WeightCard, path: str | Path) -> Path:
    """Write `path` (.safetensors, card in its metadata) and the same card as `path` with .json."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in backbone.state_dict().items()}
    card_json = json.dumps(card.to_dict(), sort_keys=True)
    save_file(tensors, str(path), metadata={CARD_KEY: card_json})
    path.with_suffix(".json").write_text(json.dumps(card.to_dict(), indent=2, sort_keys=True) + "\n")
    return path


def read_card(path: str | Path) -> WeightCard:
    """The card stored inside a facessl safetensors file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"weights file not found: {path}")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(f"{path} is not a safetensors file: {err}") from None
    if CARD_KEY not in metadata:
        raise CheckpointError(f"{path} has no facessl card (metadata key {CARD_KEY!r}); was it written by `facessl export`?")
    try:
        return WeightCard(**json.loads(metadata[CARD_KEY]))
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: malformed facessl card: {err}") from None


def load_encoder(path: str | Path, device: str | torch.device = "cpu") -> FaceEncoder:
    """Rebuild the encoder described by the card and load its weights strictly; eval mode."""
    card = read_card(path)
    args = {k: v for k, v in card.backbone.items() if k != "name"}
    try:
        backbone = build_backbone(card.backbone["name"], **args)
    except (KeyError, ConfigError) as err:
        raise CheckpointError(f"{path}: cannot rebuild backbone {card.backbone}: {err}") from None
    load_module_state(backbone, load_file(str(path)), str(path))
    return FaceEncoder(backbone, card).to(device).eval()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe(path: str | Path) -> dict[str, Any]:
    """What `facessl info` prints about a weights file or a training checkpoint."""
    path = Path(path)
    if path.suffix == ".safetensors":
        return {"file": str(path), "sha256": file_sha256(path), **read_card(path).to_dict()}
    from facessl.engine.checkpoint import load_train_state

    state = load_train_state(path)
    cfg = state["config"]
    return {
        "file": str(path), "kind": "training checkpoint", "step": state["step"], "epoch": state["epoch"],
        "method": cfg["method"], "backbone": cfg["backbone"], "skipped_images": state["skipped_images"],
    }
