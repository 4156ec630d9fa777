"""Unsup3D's confidence-weighted photometric loss (Wu et al., CVPR 2020; research/latentface.md §3.5).

Per pixel and channel, ``√2·|Î − I| / σ + log σ`` (the negative log-likelihood of a Laplacian with scale σ/√2,
up to a constant), averaged over the masked pixels and channels. σ comes from ConfNet's 64×64 head.
"""

from __future__ import annotations

import math

from torch import Tensor, nn

# Unsup3D's EPS, added to σ in the division and the log (§3.5).
EPS = 1e-7


def confidence_weighted_l1(recon: Tensor, target: Tensor, mask: Tensor | None = None, sigma: Tensor | None = None) -> Tensor:
    """Masked mean of ``√2·|recon − target| / (σ + ε) + log(σ + ε)`` (plain L1 without σ).

    Args:
        recon: reconstruction.
        target: input image, same range as `recon` ([-1, 1] in LatentFace).
        mask: optional weights broadcast over channels; the mean runs over mask × channels, as Unsup3D's
            ``(loss * mask).sum() / mask.sum()`` with the mask expanded to every channel.
        sigma: optional confidence σ > 0, broadcast over channels.

    Shape:
        - recon, target: (B, C, H, W)
        - mask, sigma: (B, 1, H, W)
        - Output: scalar
    """
    loss = (recon - target).abs()
    if sigma is not None:
        loss = loss * math.sqrt(2.0) / (sigma + EPS) + (sigma + EPS).log()
    if mask is None:
        return loss.mean()
    mask = mask.expand_as(loss)
    return (loss * mask).sum() / mask.sum()


class PhotometricLoss(nn.Module):
    """Module form of :func:`confidence_weighted_l1`."""

    def forward(self, recon: Tensor, target: Tensor, mask: Tensor | None = None, sigma: Tensor | None = None) -> Tensor:
        return confidence_weighted_l1(recon, target, mask, sigma)


__all__ = ["EPS", "PhotometricLoss", "confidence_weighted_l1"]
