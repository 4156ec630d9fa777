"""The JSON card that travels with exported weights (NOTES: weights for others to use)."""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import facessl


@dataclass(frozen=True)
class WeightCard:
    """Everything needed to rebuild and feed an exported encoder, without the training config.

    Attributes:
        method: pretraining method name.
        backbone: registered backbone name and its constructor arguments (rebuilds the module).
        num_features: size of the pooled features.
        input_size: square side the encoder was trained on.
        normalization: {"mean": [...], "std": [...]} applied to [0, 1] RGB input.
        crop_recipe: how training images were cropped.
        training_data: description of the pretraining data.
        steps: training iterations.
        facessl_version: version that wrote the file.
        git_commit: commit of the code that trained it, or "unknown".
        extra: free-form provenance (source checkpoint, importer, ...).
    """

    method: str
    backbone: dict[str, Any]
    num_features: int
    input_size: int
    normalization: dict[str, list[float]]
    crop_recipe: str = "unspecified"
    training_data: str = "unspecified"
    steps: int = 0
    facessl_version: str = facessl.__version__
    git_commit: str = "unknown"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def git_commit() -> str:
    """The commit of the facessl source tree, when it is a git checkout."""
    root = Path(facessl.__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"
