"""Texture lookup from interpolated UV coordinates (bilinear, via ``grid_sample``)."""

from __future__ import annotations

import torch
from torch import Tensor


def sample_texture(
    texture: Tensor,
    uv: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "border",
) -> Tensor:
    """Sample a texture image at per-pixel UV coordinates.

    UV convention: (0, 0) is the top-left corner of the texture image and (1, 1) its bottom-right corner, u along
    columns and v along rows (image convention). For OpenGL-style UVs with v pointing up, pass ``1 − v``. Texel
    centres sit at ``(j + 0.5) / W_tex``, i.e. ``grid_sample(..., align_corners=False)``. Gradients flow to the
    texture and to the UVs.

    Args:
        texture: (B, C, H_tex, W_tex) texture images (B may be 1 to share one texture).
        uv: (B, 2, H, W) UV coordinates per pixel, e.g. from :func:`facessl.render.interpolate.interpolate`.
        mode: ``grid_sample`` interpolation mode (``"bilinear"`` or ``"nearest"``).
        padding_mode: ``grid_sample`` padding for UVs outside [0, 1].

    Returns:
        (B, C, H, W) sampled colours (background pixels sample UV (0, 0); mask them when compositing).
    """
    batch = uv.shape[0]
    texture = texture.expand(batch, -1, -1, -1)
    grid = uv.permute(0, 2, 3, 1) * 2.0 - 1.0  # (B, H, W, 2) in grid_sample's [-1, 1], x before y
    return torch.nn.functional.grid_sample(texture, grid, mode=mode, padding_mode=padding_mode, align_corners=False)
