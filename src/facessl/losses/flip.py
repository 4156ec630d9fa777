"""The symmetry ("flip") term of Unsup3D (Wu et al., CVPR 2020; research/latentface.md §3.5).

The mirrored canonical depth and albedo give a second reconstruction Î'; each reconstruction term is applied to
both and combined as ``L(Î) + λ_flip·L(Î')``, with σ channel 0 for Î and channel 1 for Î'. Unsup3D's total is
``L1 + λ_flip·L1' + λ_perc·(P + λ_flip·P')``; LatentFace hard-codes λ_flip = 0.5 (§3.5).
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

# research/latentface.md §3.5 and §10: λ_flip = 0.5 (Unsup3D's warm-up to 1 is unused: start epoch 0).
LAMBDA_FLIP = 0.5

Term = Callable[[Tensor, Tensor, Tensor | None, Tensor | None], Tensor]


def flip_weighted(
    term: Term,
    recon: Tensor,
    recon_flip: Tensor,
    target: Tensor,
    mask: Tensor | None,
    sigma: Tensor | None,
    lam_flip: float = LAMBDA_FLIP,
) -> tuple[Tensor, Tensor, Tensor]:
    """``term(Î) + λ_flip·term(Î')`` with the two σ channels.

    Args:
        term: a reconstruction loss ``(recon, target, mask, sigma) -> scalar``.
        recon: reconstruction from the predicted canonical maps.
        recon_flip: reconstruction from the mirrored canonical maps.
        target: the input image.
        mask: visibility mask shared by both (the product of both masks, §3.4 step 5).
        sigma: (B, 2, h, w) confidence: channel 0 for `recon`, channel 1 for `recon_flip`; or None.
        lam_flip: λ_flip.

    Returns:
        (total, term on recon, term on recon_flip).
    """
    s, s_flip = (sigma[:, :1], sigma[:, 1:2]) if sigma is not None else (None, None)
    direct = term(recon, target, mask, s)
    flipped = term(recon_flip, target, mask, s_flip)
    return direct + lam_flip * flipped, direct, flipped


__all__ = ["LAMBDA_FLIP", "flip_weighted"]
