"""Appearance: procedural albedo textures in the canonical mesh's UV space.

A texture is painted per face from a few sampled colours: skin with smooth low-frequency
variation and warmer cheeks, lips, brows, the eyes (sclera, iris, pupil) and the mouth cavity.
Regions are the UV polygons of the landmark contours in :mod:`facessl.synth.regions`, so they move
with the mesh: closing the eyes (AU43) or the lips collapses their triangles and hides the eye or
mouth colours. UVs follow the image convention of :func:`facessl.render.texture.sample_texture`.

The colour ranges are our own choice (display RGB in [0, 1]), spanning light to dark skin and
common hair and iris colours; they are meant to make faces recognisable as faces, not to model
the statistics of real populations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import Tensor

from facessl.synth import regions as R
from facessl.synth.mesh import load_canonical_mesh

# Display RGB anchors; a face draws a point between neighbouring anchors.
SKIN_TONES = ((0.96, 0.80, 0.69), (0.87, 0.67, 0.53), (0.72, 0.52, 0.38), (0.52, 0.35, 0.24), (0.33, 0.21, 0.15))
HAIR_COLOURS = ((0.07, 0.05, 0.04), (0.22, 0.14, 0.08), (0.45, 0.30, 0.17), (0.70, 0.56, 0.36))
IRIS_COLOURS = ((0.24, 0.14, 0.07), (0.42, 0.30, 0.15), (0.30, 0.45, 0.60), (0.35, 0.48, 0.32))
SCLERA = (0.90, 0.88, 0.85)
PUPIL = (0.03, 0.03, 0.03)
MOUTH_CAVITY = (0.22, 0.07, 0.07)


@dataclass(frozen=True)
class Appearance:
    """Colours of a batch of faces, display RGB in [0, 1].

    Attributes:
        skin: (B, 3) base skin colour.
        lips: (B, 3) lip colour.
        brows: (B, 3) eyebrow hair colour.
        iris: (B, 3) iris colour.
        variation: (B, 1, 8, 8) low-frequency skin brightness variation, about ±5 %.
    """

    skin: Tensor
    lips: Tensor
    brows: Tensor
    iris: Tensor
    variation: Tensor


def _between(anchors: tuple[tuple[float, float, float], ...], t: Tensor) -> Tensor:
    """Colours at positions ``t`` in [0, 1] (B,) along a piecewise-linear palette; (B, 3)."""
    palette = torch.tensor(anchors, dtype=torch.float64)
    pos = t * (len(anchors) - 1)
    lo = pos.floor().long().clamp(max=len(anchors) - 2)
    frac = (pos - lo)[:, None]
    return palette[lo] * (1 - frac) + palette[lo + 1] * frac


def sample_appearance(batch_size: int, seed: int | torch.Generator) -> Appearance:
    """Draw ``batch_size`` face colourings on the CPU (device-independent for a seed).

    Args:
        batch_size: number of faces B.
        seed: an integer seed, or a CPU generator to draw from.

    Returns:
        The colours, float32; shapes as in :class:`Appearance`.
    """
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)

    def uniform(*shape: int) -> Tensor:
        return torch.rand(*shape, generator=gen, dtype=torch.float64)

    skin = _between(SKIN_TONES, uniform(batch_size)) * (0.95 + 0.1 * uniform(batch_size, 3))
    # Lips are redder and darker than the skin around them.
    lips = skin * torch.tensor([0.85, 0.58, 0.58], dtype=torch.float64) * (0.85 + 0.2 * uniform(batch_size, 1))
    brows = _between(HAIR_COLOURS, uniform(batch_size))
    iris = _between(IRIS_COLOURS, uniform(batch_size))
    variation = 0.05 * (2 * uniform(batch_size, 1, 8, 8) - 1)
    skin, lips, brows, iris = (c.clamp(0, 1).float() for c in (skin, lips, brows, iris))
    return Appearance(skin=skin, lips=lips, brows=brows, iris=iris, variation=variation.float())


def polygon_mask(polygon: Tensor, size: int, supersample: int = 3) -> Tensor:
    """Soft coverage of a closed polygon rasterised on a ``size`` x ``size`` UV grid.

    Args:
        polygon: (P, 2) UV vertices in order.
        size: texture side in texels.
        supersample: samples per texel side, averaged for anti-aliased edges.

    Returns:
        (size, size) coverage in [0, 1], rows along v.
    """
    n = size * supersample
    centres = (torch.arange(n, dtype=polygon.dtype) + 0.5) / n
    v, u = torch.meshgrid(centres, centres, indexing="ij")  # (n, n)
    a, b = polygon, polygon.roll(-1, dims=0)  # edges a -> b, (P, 2)
    # Even-odd rule: count edges that straddle each sample's row and cross it to the sample's right.
    straddle = (a[:, 1, None, None] > v) != (b[:, 1, None, None] > v)  # (P, n, n)
    t = (v - a[:, 1, None, None]) / (b[:, 1, None, None] - a[:, 1, None, None]).where(straddle, torch.ones(()))
    crossing_u = a[:, 0, None, None] + t * (b[:, 0, None, None] - a[:, 0, None, None])
    inside = ((straddle & (u < crossing_u)).sum(0) % 2).to(polygon.dtype)
    return F.avg_pool2d(inside[None, None], supersample)[0, 0]


@lru_cache(maxsize=4)
def region_masks(size: int) -> dict[str, Tensor]:
    """Coverage masks (size, size) of the painted regions (lips, mouth, brows, eyes) in texture space, from the
    mesh's UVs (cached per size; also used by `facessl.synth.atlas`)."""
    uv = load_canonical_mesh().uvs.double()

    def poly(*contours: tuple[int, ...]) -> Tensor:
        return polygon_mask(uv[[i for c in contours for i in c]], size)

    def mirrored(*contours: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
        mirror = load_canonical_mesh().mirror.tolist()
        return tuple(tuple(mirror[i] for i in c) for c in contours)

    brow = (R.RIGHT_BROW_UPPER, R.RIGHT_BROW_LOWER[::-1])
    masks = {
        "lips": poly(R.LIPS_UPPER_OUTER, R.LIPS_LOWER_OUTER[::-1]),
        "mouth": poly(R.LIPS_UPPER_INNER, R.LIPS_LOWER_INNER[::-1]),
        "brows": poly(*brow) + poly(*mirrored(*brow)),
        "eyes": poly(R.RIGHT_EYE_CONTOUR) + poly(R.LEFT_EYE_CONTOUR),
    }
    # The cavity's UV polygon is under a texel tall at 256 texels (v = 0.692..0.695: the canonical
    # lips are barely parted); widen it so that the stretched mouth triangles read dark.
    reach = max(1, size // 128)
    cavity = (masks["mouth"] > 0).double()[None, None]
    masks["mouth"] = F.max_pool2d(cavity, 2 * reach + 1, stride=1, padding=reach)[0, 0]
    # Iris and pupil: discs at each eye's centre, sized to the eye opening's height.
    n = torch.arange(size, dtype=torch.float64)
    v, u = torch.meshgrid((n + 0.5) / size, (n + 0.5) / size, indexing="ij")
    iris = torch.zeros(size, size, dtype=torch.float64)
    pupil = torch.zeros_like(iris)
    for contour, upper, lower in ((R.RIGHT_EYE_CONTOUR, 159, 145), (R.LEFT_EYE_CONTOUR, 386, 374)):
        centre = uv[list(contour)].mean(0)
        radius = 0.6 * float(uv[lower, 1] - uv[upper, 1])
        dist = ((u - centre[0]) ** 2 + (v - centre[1]) ** 2).sqrt()
        iris = iris + (radius - dist).mul(size).clamp(0, 1)
        pupil = pupil + (0.4 * radius - dist).mul(size).clamp(0, 1)
    masks["iris"] = iris * masks["eyes"]
    masks["pupil"] = pupil * masks["eyes"]
    # Cheeks: soft blobs below the eyes, slightly redder skin.
    cheeks = torch.zeros_like(iris)
    for i in (R.RIGHT_CHEEK[0], R.LEFT_CHEEK[0]):
        cheeks = cheeks + torch.exp(-((u - uv[i, 0]) ** 2 + (v - uv[i, 1]) ** 2) / (2 * 0.06**2))
    masks["cheeks"] = cheeks
    return {k: m.float() for k, m in masks.items()}


def albedo_texture(appearance: Appearance, size: int = 256) -> Tensor:
    """Paint albedo textures for the canonical mesh's UVs.

    Args:
        appearance: colours of B faces.
        size: texture side in texels.

    Returns:
        (B, 3, size, size) display RGB in [0, 1], on the device of ``appearance.skin``.

    Example:
        >>> texture = albedo_texture(sample_appearance(2, seed=0), size=64)
        >>> texture.shape
        torch.Size([2, 3, 64, 64])
    """
    device = appearance.skin.device
    masks = {k: m.to(device)[None, None] for k, m in region_masks(size).items()}  # (1, 1, S, S)

    def paint(base: Tensor, colour: Tensor, alpha: Tensor) -> Tensor:
        return base * (1 - alpha) + colour[:, :, None, None] * alpha

    def const(rgb: tuple[float, float, float]) -> Tensor:
        return torch.tensor(rgb, device=device).expand(appearance.skin.shape[0], 3)

    shade = 1 + F.interpolate(appearance.variation, size=(size, size), mode="bicubic", align_corners=False)
    skin = appearance.skin[:, :, None, None] * shade
    blush = appearance.skin * torch.tensor([1.0, 0.85, 0.85], device=device)
    texture = paint(skin, blush, 0.5 * masks["cheeks"])
    texture = paint(texture, appearance.lips, masks["lips"])
    texture = paint(texture, const(MOUTH_CAVITY), masks["mouth"])
    texture = paint(texture, appearance.brows, 0.85 * masks["brows"])
    texture = paint(texture, const(SCLERA), masks["eyes"])
    texture = paint(texture, appearance.iris, masks["iris"])
    texture = paint(texture, const(PUPIL), masks["pupil"])
    return texture.clamp(0, 1)
