"""Coverage mask and background compositing."""

from __future__ import annotations

import torch
from torch import Tensor


def coverage_mask(face_idx: Tensor, dtype: torch.dtype = torch.float32) -> Tensor:
    """Binary coverage of the rasterized mesh.

    Args:
        face_idx: (B, H, W) face index per pixel, −1 for background.
        dtype: Dtype of the mask.

    Returns:
        (B, 1, H, W) mask, 1 where a triangle covers the pixel centre.
    """
    return (face_idx >= 0).unsqueeze(1).to(dtype)


def composite(image: Tensor, mask: Tensor, background: Tensor | float) -> Tensor:
    """Place a rendered image over a background: ``mask·image + (1 − mask)·background``.

    The mask is hard (0/1), so there is no gradient with respect to the silhouette; gradients reach the
    foreground where ``mask = 1`` and the background elsewhere.

    Args:
        image: (B, C, H, W) rendered foreground.
        mask: (B, 1, H, W) coverage in [0, 1].
        background: A scalar, a (C,) colour, a (B, C) per-sample colour or a (B, C, H, W) image.

    Returns:
        (B, C, H, W) composited image.
    """
    if isinstance(background, Tensor) and background.dim() == 1:
        background = background.view(1, -1, 1, 1)
    elif isinstance(background, Tensor) and background.dim() == 2:
        background = background.view(background.shape[0], -1, 1, 1)
    return image * mask + background * (1.0 - mask)
