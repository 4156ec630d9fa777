"""A masked SSIM dissimilarity, the explicit stand-in for the perceptual term when no VGG16 file is given.

Not part of Unsup3D or LatentFace (research/latentface.md §3.5 uses VGG16 relu3_3): a facessl deviation that a
config must name (`perceptual: ssim`). SSIM follows Wang et al. (IEEE TIP 2004): 11×11 Gaussian window, σ = 1.5,
C1 = (0.01·L)², C2 = (0.03·L)² with dynamic range L = 2 for images in [-1, 1]. The loss is the masked mean of
``(1 − SSIM)/2`` over pixels and channels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.losses.precision import fp32_or_wider

WINDOW, WINDOW_SIGMA = 11, 1.5  # Wang et al. 2004, §III-C
K1, K2 = 0.01, 0.03


def ssim_map(x: Tensor, y: Tensor, data_range: float = 2.0) -> Tensor:
    """Per-pixel SSIM of two (B, C, H, W) images (reflect padding keeps the size), always in fp32.

    Autocast is switched off: the variances are differences of blurred squares, which bf16 convolutions
    cancel into negative values, and the ratio then turns inf or NaN (a bf16 stage-1 run failed at step 2).
    """
    with torch.autocast(x.device.type, enabled=False):
        return _ssim_map_fp32(fp32_or_wider(x), fp32_or_wider(y), data_range)


def _ssim_map_fp32(x: Tensor, y: Tensor, data_range: float) -> Tensor:
    coords = torch.arange(WINDOW, dtype=x.dtype, device=x.device) - WINDOW // 2
    g = torch.exp(-(coords**2) / (2 * WINDOW_SIGMA**2))
    g = g / g.sum()
    c = x.shape[1]
    kernel = (g[:, None] * g[None, :]).expand(c, 1, WINDOW, WINDOW)

    def blur(t: Tensor) -> Tensor:
        return F.conv2d(F.pad(t, [WINDOW // 2] * 4, mode="reflect"), kernel, groups=c)

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))


class SSIMLoss(nn.Module):
    """Masked mean of ``(1 − SSIM)/2``; the σ argument is accepted and ignored (SSIM has no confidence map)."""

    def forward(self, recon: Tensor, target: Tensor, mask: Tensor | None = None, sigma: Tensor | None = None) -> Tensor:
        loss = (1 - ssim_map(recon, target)) / 2
        if mask is None:
            return loss.mean()
        mask = mask.expand_as(loss)
        return (loss * mask).sum() / mask.sum()


__all__ = ["SSIMLoss", "ssim_map"]
