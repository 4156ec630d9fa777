"""LatentFace's RDM loss: SNR-weighted x₀ regression (research/latentface.md §4.7).

Per element ``SNR(t)·(x̂₀ − x₀)²`` with ``SNR(t) = ᾱ_t / (1 − ᾱ_t)``, averaged over all elements. Since
``x_t = √ᾱ x₀ + √(1−ᾱ) ε`` and ``ε̂ = (x_t − √ᾱ x̂₀)/√(1−ᾱ)``, this equals the usual ε-prediction MSE.
"""

from __future__ import annotations

from torch import Tensor


def snr_weighted_x0_loss(pred_x0: Tensor, x0: Tensor, snr: Tensor) -> Tensor:
    """Mean of ``snr[:, None] · (pred_x0 − x0)²``.

    Args:
        pred_x0: the denoiser's estimate of the clean code.
        x0: the clean code (the track-mean code in LatentFace, §4.2).
        snr: SNR of each sample's timestep.

    Shape:
        - pred_x0, x0: (B, D)
        - snr: (B,)
        - Output: scalar
    """
    weight = snr.reshape(-1, *([1] * (pred_x0.dim() - 1)))
    return (weight * (pred_x0 - x0) ** 2).mean()


__all__ = ["snr_weighted_x0_loss"]
