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


def tinted(intensity: Tensor, warmth: Tensor) -> Tensor:
    """RGB light from (B,) intensities and (B,) warmth in [−1, 1] (red up and blue down when warm)."""
    return intensity[:, None] * torch.stack([1 + warmth, torch.ones_like(warmth), 1 - warmth], 1)


# Each sampler below is a draw (the uniforms, from the generator) followed by arithmetic on them. The streaming
# corpus draws every new track from its own generator, then does the arithmetic once for all of a batch's new
# tracks: the same values, element for element, at a fraction of the cost of many tiny tensor operations.


def pose_uniforms(gen: torch.Generator, batch: int = 1) -> Tensor:
    """(B, 3) uniforms of :func:`sample_pose`."""
    return torch.rand(batch, 3, generator=gen)


def pose_from_uniforms(u: Tensor, ranges: SceneRanges) -> Tensor:
    """(B, 3) ``(yaw, pitch, roll)`` degrees from :func:`pose_uniforms`."""
    limits = torch.tensor([ranges.yaw, ranges.pitch, ranges.roll])
    return (2 * u - 1) * limits


def sample_pose(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> Tensor:
    """(B, 3) ``(yaw, pitch, roll)`` degrees, uniform in ±ranges."""
    return pose_from_uniforms(pose_uniforms(gen, batch), ranges)


def light_uniforms(gen: torch.Generator, batch: int = 1) -> Tensor:
    """(B, 6) uniforms of :func:`sample_light`: light x and y, ambient and its warmth, diffuse and its warmth."""
    # One call for all of them: a float32 uniform takes one 32-bit output of the generator, so this equals
    # per-quantity calls in the same order (xy of every row, then each scalar quantity of every row).
    u = torch.rand(6 * batch, generator=gen)
    if batch == 1:  # the rearrangement below is the identity (a corpus track draws one row at a time)
        return u.view(1, 6)
    return torch.cat([u[: 2 * batch].view(batch, 2), u[2 * batch :].view(4, batch).T], 1)


def light_from_uniforms(u: Tensor, ranges: SceneRanges) -> tuple[Tensor, Tensor, Tensor]:
    """Light direction (B, 3), ambient and diffuse RGB (B, 3) from :func:`light_uniforms`."""
    xy = (2 * u[:, 0:2] - 1) * ranges.light_spread
    direction = torch.nn.functional.normalize(torch.cat([xy, -torch.ones(u.shape[0], 1)], 1), dim=1)
    (ambient_lo, ambient_hi), (diffuse_lo, diffuse_hi) = ranges.ambient, ranges.diffuse
    ambient = tinted(ambient_lo + (ambient_hi - ambient_lo) * u[:, 2], ranges.tint * (2 * u[:, 3] - 1))
    diffuse = tinted(diffuse_lo + (diffuse_hi - diffuse_lo) * u[:, 4], ranges.tint * (2 * u[:, 5] - 1))
    return direction, ambient, diffuse


def sample_light(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> tuple[Tensor, Tensor, Tensor]:
    """Light direction (B, 3) towards the light in camera coordinates, ambient and diffuse RGB (B, 3)."""
    return light_from_uniforms(light_uniforms(gen, batch), ranges)


def camera_uniforms(gen: torch.Generator, batch: int = 1) -> Tensor:
    """(B, 3) uniforms of :func:`sample_camera`: x and y translation, then distance (one call, see above)."""
    u = torch.rand(3 * batch, generator=gen)
    if batch == 1:  # the rearrangement below is the identity
        return u.view(1, 3)
    return torch.cat([u[: 2 * batch].view(batch, 2), u[2 * batch :, None]], 1)


def camera_from_uniforms(u: Tensor, ranges: SceneRanges) -> tuple[Tensor, Tensor]:
    """Translation (B, 2) cm and camera distance (B,) cm from :func:`camera_uniforms`."""
    lo, hi = ranges.distance_cm
    return (2 * u[:, 0:2] - 1) * ranges.translation_cm, lo + (hi - lo) * u[:, 2]


def sample_camera(gen: torch.Generator, ranges: SceneRanges, batch: int = 1) -> tuple[Tensor, Tensor]:
    """Translation (B, 2) cm and camera distance (B,) cm."""
    return camera_from_uniforms(camera_uniforms(gen, batch), ranges)


def sample_background(gen: torch.Generator, batch: int = 1) -> tuple[Tensor, Tensor]:
    """Background kind (B,) int64 and seed (B,) int64, kinds equally likely."""
    kind = torch.randint(0, len(BACKGROUND_KINDS), (batch,), generator=gen)
    seed = torch.randint(0, 2**62, (batch,), generator=gen)
    return kind, seed
