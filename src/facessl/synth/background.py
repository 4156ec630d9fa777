"""Backgrounds behind the head: flat colour, linear gradient, or textured value noise.

Each background is drawn from its own generator (``background_seed``), so it does not depend on
the batch it is rendered in. Textured noise is a sum of three octaves of bilinearly upsampled
uniform noise (value noise; Perlin, "An image synthesizer", SIGGRAPH 1985, describes the family)
mixing two colours, so that the face must be found against clutter.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from facessl.synth.factors import BACKGROUND_KINDS

# Value-noise octaves: (cells per side, weight).
_OCTAVES = ((4, 0.5), (8, 0.3), (16, 0.2))


def render_background(kind: int, seed: int, size: tuple[int, int]) -> Tensor:
    """One background image.

    Args:
        kind: index into :data:`facessl.synth.factors.BACKGROUND_KINDS`.
        seed: seed of its colours and noise.
        size: ``(H, W)``.

    Returns:
        (3, H, W) float32 in [0, 1].
    """
    return render_backgrounds(torch.tensor([kind]), torch.tensor([seed]), size)[0]


def render_backgrounds(kinds: Tensor, seeds: Tensor, size: tuple[int, int]) -> Tensor:
    """Backgrounds of a batch; (B, 3, H, W) float32 from (B,) kinds and seeds.

    Each row draws from its own generator, so a row does not depend on the batch it is rendered in;
    the arithmetic on the draws runs once for the whole batch (a flat background is the blend with
    t = 0, which returns its first colour exactly).
    """
    height, width = size
    t = torch.zeros(len(kinds), height, width)
    draws = []
    angles, noise_rows, grids = {}, [], {cells: [] for cells, _ in _OCTAVES}
    for b, (kind, seed) in enumerate(zip(kinds.tolist(), seeds.tolist(), strict=True)):
        gen = torch.Generator().manual_seed(int(seed))
        draws.append(torch.rand(2, 3, generator=gen))
        name = BACKGROUND_KINDS[kind]
        if name == "gradient":
            angles[b] = torch.rand((), generator=gen) * 2 * torch.pi
        elif name == "noise":
            noise_rows.append(b)
            for cells, _ in _OCTAVES:
                grids[cells].append(torch.rand(1, 1, cells, cells, generator=gen))
    if angles:
        rows = torch.tensor(list(angles))
        angle = torch.stack(list(angles.values()))[:, None, None]
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, height), torch.linspace(-1, 1, width), indexing="ij")
        t[rows] = ((xs * angle.cos() + ys * angle.sin()) * 0.5 + 0.5).clamp(0, 1)
    if noise_rows:
        noise = torch.zeros(len(noise_rows), height, width)
        for cells, weight in _OCTAVES:
            up = F.interpolate(torch.cat(grids[cells]), size=size, mode="bilinear", align_corners=False)
            noise = noise + weight * up[:, 0]
        t[torch.tensor(noise_rows)] = noise
    colours = torch.stack(draws) * 0.9 + 0.05
    t = t[:, None]
    return colours[:, 0, :, None, None] * (1 - t) + colours[:, 1, :, None, None] * t


__all__ = ["render_background", "render_backgrounds"]
