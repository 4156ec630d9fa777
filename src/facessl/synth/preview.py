"""A preview grid of SynthFaces: rows are identities, columns run through expressions, then poses.

The first eight columns show the canonical expressions (NOTES.md order) at their prototype
strength, frontal; the remaining columns show a neutral face at the extreme head poses of the
default ranges (yaw ±60° and ±30°, pitch ±25°, roll ±15°). Light and background are fixed so
that only the labelled factor changes along a row.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw
from torch import Tensor

from facessl.synth.expressions import EMOTIONS, prototype_intensities
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.factors import BACKGROUND_KINDS, FaceFactors
from facessl.synth.tasks import task_identity

# (label, (yaw, pitch, roll)); positive yaw turns the face to its own left, i.e. to the viewer's right.
PREVIEW_POSES: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("yaw -60", (-60.0, 0.0, 0.0)),
    ("yaw -30", (-30.0, 0.0, 0.0)),
    ("yaw +30", (30.0, 0.0, 0.0)),
    ("yaw +60", (60.0, 0.0, 0.0)),
    ("pitch -25", (0.0, -25.0, 0.0)),
    ("pitch +25", (0.0, 25.0, 0.0)),
    ("roll -15", (0.0, 0.0, -15.0)),
    ("roll +15", (0.0, 0.0, 15.0)),
)
_LABEL_HEIGHT = 14


def preview_factors(identities: list[int]) -> tuple[FaceFactors, list[str]]:
    """Factors of the grid, row by row, and the column labels."""
    num_cols = len(EMOTIONS) + len(PREVIEW_POSES)
    prototypes = prototype_intensities(torch.float32)
    aus, poses = [], []
    for e in range(len(EMOTIONS)):
        au = prototypes[e][:, None].repeat(1, 2)
        if EMOTIONS[e] == "contempt":
            au[:, 0] = 0.0  # unilateral: the subject's left side only
        aus.append(au)
        poses.append((0.0, 0.0, 0.0))
    for _, pose in PREVIEW_POSES:
        aus.append(torch.zeros_like(aus[0]))
        poses.append(pose)
    n = len(identities) * num_cols
    white = torch.ones(n, 3)
    factors = FaceFactors(
        identity=torch.tensor(identities).repeat_interleave(num_cols),
        emotion=torch.tensor([*range(len(EMOTIONS)), *([0] * len(PREVIEW_POSES))]).repeat(len(identities)),
        action_units=torch.stack(aus).repeat(len(identities), 1, 1),
        pose=torch.tensor(poses).repeat(len(identities), 1),
        light_direction=torch.nn.functional.normalize(torch.tensor([[-0.4, -0.5, -1.0]]), dim=1).expand(n, 3),
        ambient=0.45 * white,
        diffuse=0.6 * white,
        translation=torch.zeros(n, 2),
        distance=torch.full((n,), 146.0),
        background_kind=torch.full((n,), BACKGROUND_KINDS.index("gradient")),
        background_seed=torch.arange(n) % num_cols + 11,
    )
    labels = [*EMOTIONS, *(label for label, _ in PREVIEW_POSES)]
    return factors, labels


def preview_grid(num_identities: int = 6, size: int = 96, seed: int = 0) -> Image.Image:
    """Render the preview grid as an RGB image with column labels.

    Args:
        num_identities: rows.
        size: side of each tile in pixels.
        seed: picks the people (those of the expression task set under this seed).

    Returns:
        The grid image.
    """
    identities = [task_identity("expression", seed, j) for j in range(num_identities)]
    factors, labels = preview_factors(identities)
    images: Tensor = FaceRenderer().render(factors, size).images
    cols = len(labels)
    grid = images.view(num_identities, cols, 3, size, size).permute(0, 3, 1, 4, 2).reshape(num_identities * size, cols * size, 3)
    canvas = Image.new("RGB", (cols * size, num_identities * size + _LABEL_HEIGHT), "white")
    canvas.paste(Image.fromarray(grid.numpy()), (0, _LABEL_HEIGHT))
    draw = ImageDraw.Draw(canvas)
    for c, label in enumerate(labels):
        draw.text((c * size + 3, 1), label, fill="black")
    return canvas


def write_preview(out: Path | str, num_identities: int = 6, size: int = 96, seed: int = 0) -> Path:
    """Render :func:`preview_grid` and save it as PNG (or any format PIL infers from ``out``)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    preview_grid(num_identities, size, seed).save(path)
    return path
