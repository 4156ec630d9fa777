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


def composite_at(values: Tensor, pixels: Tensor, mask: Tensor, background: Tensor | float) -> Tensor:
    """:func:`composite` of an image known only at its covered pixels, with the same values.

    ``composite`` gives ``image·1 + background·0`` at a covered pixel and ``image·0 + background·1`` elsewhere,
    which for a finite image is ``background·(1 − mask)`` plus the image where the mask is 1.

    Args:
        values: (C, P) colours at the covered pixels.
        pixels: (P,) int64 flat indices into B·H·W (``Fragments.pixels``).
        mask: (B, 1, H, W) 0/1 coverage, 1 exactly at ``pixels``.
        background: As for :func:`composite`.

    Returns:
        (B, C, H, W) composited image.
    """
    batch, _, height, width = mask.shape
    channels = values.shape[0]
    if isinstance(background, Tensor) and background.dim() == 1:
        background = background.view(1, -1, 1, 1)
    elif isinstance(background, Tensor) and background.dim() == 2:
        background = background.view(background.shape[0], -1, 1, 1)
    base = (background * (1.0 - mask)).expand(batch, channels, height, width).contiguous()
    plane = height * width
    # Flat index of channel c of pixel p in (B, C, H, W): p + b·(C − 1)·H·W + c·H·W.
    first = pixels + (pixels // plane) * ((channels - 1) * plane)
    index = (first[None] + torch.arange(channels, device=pixels.device)[:, None] * plane).reshape(-1)
    return base.view(-1).index_add(0, index, values.reshape(-1)).view(batch, channels, height, width)
