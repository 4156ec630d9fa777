"""Scene sampling: head pose, light, camera jitter and background of one image.

Defaults make pose a real nuisance (yaw ±60°, pitch ±25°, roll ±15°, within the range of
300W-LP/AFLW2000 faces that pose benchmarks keep, ±99°) and vary light the way indoor and
outdoor face videos do: a directional light from the camera's hemisphere plus ambient light,
each with a slightly warm or cool tint. All ranges are our choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from facessl.synth.factors import BACKGROUND_KINDS


@dataclass(frozen=True)
class SceneRanges:
    """Ranges of the scene factors (uniform draws).

    Args:
        yaw: largest |yaw| in degrees.
        pitch: largest |pitch| in degrees.
        roll: largest |roll| in degrees.
        ambient: range of the ambient intensity.
        diffuse: range of the directional intensity.
        light_spread: the light direction is ``normalize(x, y, −1)`` with |x|, |y| up to this
            (0.9 puts the light up to 42° off the camera axis).
        tint: largest relative warm/cool shift of each light's colour.
        translation_cm: largest shift of the head in x and y, cm.
        distance_cm: range of the camera distance, cm (about ±7 % scale jitter).
    """

    yaw: float = 60.0
    pitch: float = 25.0
    roll: float = 15.0
    ambient: tuple[float, float] = (0.3, 0.55)
    diffuse: tuple[float, float] = (0.35, 0.75)
    light_spread: float = 0.9
    tint: float = 0.1
    translation_cm: float = 1.5
    distance_cm: tuple[float, float] = (138.0, 160.0)


def _uniform(gen: torch.Generator, lo: float, hi: float, *shape: int) -> Tensor:
    return lo + (hi - lo) * torch.rand(*shape, generator=gen)


def tinted(intensity: Tensor, warmth: Tensor) -> Tensor:
    """RGB light from (B,) intensities and (B,) warmth in [−1, 1] (red up and blue down when warm)."""
    return intensity[:, None] * torch.stack([1 + warmth, torch.ones_like(warmth), 1 - warmth], 1)


def sample_pose(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> Tensor:
    """(B, 3) ``(yaw, pitch, roll)`` degrees, uniform in ±ranges."""
    limits = torch.tensor([ranges.yaw, ranges.pitch, ranges.roll])
    return (2 * torch.rand(batch, 3, generator=gen) - 1) * limits


def sample_light(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    """Light direction (B, 3) towards the light in camera coordinates, ambient and diffuse RGB (B, 3)."""
    # One call draws all six uniforms of a row block: a float32 uniform takes one 32-bit output of the
    # generator, so this equals the per-quantity calls in the same order (xy, ambient and its warmth, diffuse
    # and its warmth) at a third of the cost; the streaming corpus samples a light at every track.
    u = torch.rand(6 * batch, generator=gen)
    xy = (2 * u[: 2 * batch].view(batch, 2) - 1) * ranges.light_spread
    direction = torch.nn.functional.normalize(torch.cat([xy, -torch.ones(batch, 1)], 1), dim=1)
    ambient_lo, ambient_hi = ranges.ambient
    diffuse_lo, diffuse_hi = ranges.diffuse
    a, a_warm, d, d_warm = u[2 * batch :].view(4, batch)
    ambient = tinted(ambient_lo + (ambient_hi - ambient_lo) * a, ranges.tint * (2 * a_warm - 1))
    diffuse = tinted(diffuse_lo + (diffuse_hi - diffuse_lo) * d, ranges.tint * (2 * d_warm - 1))
    return direction, ambient, diffuse


def sample_camera(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> tuple[Tensor, Tensor]:
    """Translation (B, 2) cm and camera distance (B,) cm."""
    translation = (2 * torch.rand(batch, 2, generator=gen) - 1) * ranges.translation_cm
    return translation, _uniform(gen, *ranges.distance_cm, batch)


def sample_background(gen: torch.Generator, batch: int = 1) -> tuple[Tensor, Tensor]:
    """Background kind (B,) int64 and seed (B,) int64, kinds equally likely."""
    kind = torch.randint(0, len(BACKGROUND_KINDS), (batch,), generator=gen)
    seed = torch.randint(0, 2**62, (batch,), generator=gen)
    return kind, seed
