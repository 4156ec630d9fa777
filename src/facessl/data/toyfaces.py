"""ToyFaces: a tiny procedural 2D face generator with known factors, for tests and quick demos.

Not a face model: flat ellipses for the face, eyes, brows and mouth, moved by identity,
expression and head pose, so that every part of facessl runs with no download. SynthFaces (the
3D generator) supersedes it for benchmarks; ToyFaces stays because it renders in about a
millisecond with nothing but torch. Item i is a pure function of (seed, i).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.utils.data import Dataset

from facessl.data.images import Sample

# Expression index -> (mouth curvature, mouth opening, brow raise, brow tilt); canonical order of
# NOTES.md, 7-class (no contempt). Curvature > 0 smiles.
EXPRESSIONS = ("neutral", "happiness", "sadness", "surprise", "fear", "disgust", "anger")
_EXPRESSION_SHAPES = torch.tensor(
    [
        [0.0, 0.0, 0.0, 0.0],
        [0.9, 0.15, 0.02, 0.0],
        [-0.7, 0.0, 0.02, -0.5],
        [0.0, 0.8, 0.12, 0.0],
        [-0.3, 0.5, 0.09, -0.4],
        [-0.5, 0.1, -0.04, 0.3],
        [-0.4, 0.05, -0.07, 0.8],
    ]
)


@dataclass(frozen=True)
class ToyFactors:
    identity: int
    expression: int
    yaw: float
    pitch: float
    roll: float
    scene: int  # seeds the background


class ToyFaces(Dataset[Sample]):
    """`length` images of `num_identities` toy identities under random expression and pose.

    Args:
        length: number of items.
        size: image side in pixels.
        num_identities: identities drawn from.
        seed: base seed; item i depends only on (seed, i).
        max_yaw: yaw range ± in degrees (pitch uses half of it, roll a quarter).
    """

    def __init__(self, length: int = 4096, size: int = 64, num_identities: int = 64, seed: int = 0, max_yaw: float = 45.0) -> None:
        self.length, self.size, self.num_identities, self.seed, self.max_yaw = length, size, num_identities, seed, max_yaw
        lin = torch.linspace(-1, 1, size)
        self._v, self._u = torch.meshgrid(lin, lin, indexing="ij")

    def __len__(self) -> int:
        return self.length

    def factors(self, index: int) -> ToyFactors:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + index)
        r = torch.rand(5, generator=g)
        return ToyFactors(
            identity=int(r[0] * self.num_identities),
            expression=int(r[1] * len(EXPRESSIONS)),
            yaw=float((2 * r[2] - 1) * self.max_yaw),
            pitch=float((2 * r[3] - 1) * self.max_yaw / 2),
            roll=float((2 * r[4] - 1) * self.max_yaw / 4),
            scene=self.seed * 1_000_003 + index,
        )

    def __getitem__(self, index: int) -> Sample:
        return Sample(self.render(self.factors(index)), index)

    def render(self, f: ToyFactors) -> Tensor:
        """Draw one face; returns uint8 (3, size, size)."""
        gi = torch.Generator().manual_seed(10_007 * f.identity + 1)
        idp = torch.rand(12, generator=gi)
        skin = torch.tensor([0.35, 0.22, 0.15]) + idp[0] * torch.tensor([0.6, 0.55, 0.5])
        hair = torch.rand(3, generator=gi) * 0.5
        background = torch.rand(2, 3, generator=torch.Generator().manual_seed(f.scene + 7))
        width, height = 0.55 + 0.15 * idp[1], 0.72 + 0.12 * idp[2]
        eye_gap, eye_y, mouth_y = 0.17 + 0.08 * idp[3], -0.12 + 0.06 * idp[4], 0.38 + 0.08 * idp[5]
        curve, opening, brow_raise, brow_tilt = _EXPRESSION_SHAPES[f.expression].tolist()

        yaw, pitch, roll = (math.radians(a) for a in (f.yaw, f.pitch, f.roll))
        c, s = math.cos(roll), math.sin(roll)
        u = c * self._u + s * self._v
        v = -s * self._u + c * self._v
        shift_x, shift_y = 0.45 * math.sin(yaw), 0.45 * math.sin(pitch)
        squash = math.cos(yaw) ** 0.5  # the turned face narrows

        def soft(d: Tensor, sharp: float = 24.0) -> Tensor:  # anti-aliased inside test: d < 1
            return torch.sigmoid((1 - d) * sharp)

        def ellipse(cx: float, cy: float, a: float, b: float) -> Tensor:
            return soft(((u - cx) / a) ** 2 + ((v - cy) / b) ** 2)

        t = self._v[:, :1].expand(-1, self.size) * 0.5 + 0.5
        image = background[0].view(3, 1, 1) * (1 - t) + background[1].view(3, 1, 1) * t
        fx = shift_x * 0.35
        head = ellipse(fx, 0.02, width * squash, height)
        hair_mask = ellipse(fx, -0.22, width * squash * 1.08, height * 0.78) * soft((v + 0.25) / 0.3 + 1, 8) * (idp[6] > 0.2)
        shade = 0.75 + 0.25 * (-(u - fx) * math.sin(yaw + 0.6 * (idp[7] - 0.5)) + 0.9).clamp(0, 1.2) / 1.2
        image = torch.lerp(image, skin.view(3, 1, 1) * shade, head)
        image = torch.lerp(image, hair.view(3, 1, 1), hair_mask)
        for side in (-1.0, 1.0):
            ex = shift_x + side * eye_gap * squash
            eye = ellipse(ex, eye_y + shift_y, 0.07 * squash * (1.2 - 0.4 * side * math.sin(yaw)), 0.045 + 0.03 * opening)
            image = torch.lerp(image, torch.tensor([0.95, 0.95, 0.95]).view(3, 1, 1), eye)
            pupil = ellipse(ex + 0.03 * math.sin(yaw), eye_y + shift_y, 0.03, 0.035)
            image = torch.lerp(image, torch.tensor([0.1, 0.07, 0.05]).view(3, 1, 1), pupil)
            brow_y = eye_y + shift_y - 0.13 - brow_raise + brow_tilt * 0.05 * (u - ex) * side * 8
            brow = soft(((u - ex) / (0.1 * squash)) ** 2 + ((v - brow_y) / 0.022) ** 2)
            image = torch.lerp(image, hair.view(3, 1, 1) * 0.6, brow)
        nose = ellipse(shift_x * 1.15, 0.12 + shift_y, 0.05 * squash, 0.1)
        image = torch.lerp(image, skin.view(3, 1, 1) * 0.8, nose * 0.5)
        mx, my = shift_x, mouth_y + shift_y
        lips_center = my - curve * 0.18 * (1 - ((u - mx) / (0.22 * squash)) ** 2)
        mouth = soft(((u - mx) / (0.22 * squash)) ** 2 + ((v - lips_center) / (0.025 + 0.09 * opening)) ** 2)
        image = torch.lerp(image, torch.tensor([0.55, 0.12, 0.15]).view(3, 1, 1), mouth)
        return (image.clamp(0, 1) * 255).round().to(torch.uint8)
