"""InfoNCE with Beta-interpolated in-batch negatives: PCL's face-aware loss (pcl.md §2.1, §8.5).

Each anchor's negatives are all other rows of the two-view batch (raw projections), each replaced
by lambda * n_j + (1 - lambda) * n_pi(j) with lambda ~ Beta(1.6, 1.6) per (anchor, slot) and one
slot permutation pi shared by all anchors, then L2-normalised. The official code materialises a
(2B, 2B-2, D) tensor; here the cosine of a mixed negative is expanded algebraically
(pcl.md §8.5), so memory is O(B^2):

    <q, m> / |m| = (l S_j + (1-l) S_pj) / sqrt(l^2 G_jj + (1-l)^2 G_pp + 2 l (1-l) G_jp)

with S = Q N^T (normalised anchors against raw negatives) and G = N N^T.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl import distributed

# pcl.md §1.6: temperature tau = 0.07; Beta(alpha, alpha) with alpha = 1.6 for negative mixing.
TEMPERATURE = 0.07
MIX_ALPHA = 1.6
# F.normalize's default: a vector is divided by max(|v|, 1e-12).
_NORM_EPS = 1e-12
# Marsaglia-Tsang accepts > 95% of proposals for shape >= 1, so 8 vectorised rounds fail with
# probability < 1e-10 per sample; avoids a data-dependent loop (STYLE.md §3.10).
_GAMMA_ROUNDS = 8


def _sample_gamma(
    shape: tuple[int, ...], concentration: float, generator: torch.Generator | None, device: torch.device
) -> Tensor:
    """Gamma(concentration, 1) samples by Marsaglia-Tsang, drawn from `generator` (fixed rounds)."""
    boost = concentration < 1.0
    a = concentration + 1.0 if boost else concentration
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    draw_device = generator.device if generator is not None else device
    x = torch.randn((_GAMMA_ROUNDS, *shape), generator=generator, device=draw_device)
    u = torch.rand((_GAMMA_ROUNDS, *shape), generator=generator, device=draw_device)
    v = (1.0 + c * x) ** 3
    safe_v = v.clamp_min(1e-30)
    accept = (v > 0) & (torch.log(u) < 0.5 * x * x + d - d * safe_v + d * torch.log(safe_v))
    first = accept.to(torch.uint8).argmax(dim=0, keepdim=True)  # first accepted round (0 if none)
    sample = (d * safe_v).gather(0, first).squeeze(0)
    # All rounds rejected (probability < 1e-10): fall back to d, the proposal's centre.
    sample = torch.where(accept.any(dim=0), sample, torch.full_like(sample, d))
    if boost:  # Gamma(a) = Gamma(a + 1) * U^(1/a)
        w = torch.rand(shape, generator=generator, device=draw_device)
        sample = sample * w.pow(1.0 / concentration)
    return sample.to(device)


def sample_beta(
    shape: tuple[int, ...],
    alpha: float,
    beta: float,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> Tensor:
    """Beta(alpha, beta) samples as X / (X + Y) of Gamma draws, reproducible from `generator`.

    `torch.distributions.Beta` cannot take a generator, which the engine needs to replay views
    after resuming. Samples are drawn on `generator.device` and moved to `device`.
    """
    device = torch.device(device)
    x = _sample_gamma(shape, alpha, generator, device)
    y = _sample_gamma(shape, beta, generator, device)
    return x / (x + y)


def sample_negative_mixing(
    num_anchors: int,
    num_slots: int,
    alpha: float = MIX_ALPHA,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> tuple[Tensor, Tensor]:
    """Mixing weights lambda ~ Beta(alpha, alpha) per (anchor, slot) and one slot permutation.

    Returns:
        (lam, perm) with lam of shape (num_anchors, num_slots), float32, and perm of shape
        (num_slots,), a permutation shared by every anchor (pcl.md §2.1 step 2).
    """
    lam = sample_beta((num_anchors, num_slots), alpha, alpha, generator, device)
    draw_device = generator.device if generator is not None else torch.device(device)
    perm = torch.randperm(num_slots, generator=generator, device=draw_device).to(device)
    return lam, perm


def mixed_negative_logits(anchors: Tensor, negatives: Tensor, slot_index: Tensor, lam: Tensor, perm: Tensor) -> Tensor:
    """Cosine similarities between anchors and Beta-mixed, then normalised, negatives; O(A*S + M^2).

    Anchor a's slot j holds negative n = negatives[slot_index[a, j]] and its partner
    p = negatives[slot_index[a, perm[j]]]; the mixed negative m = lam*n + (1-lam)*p is never
    built: <q, m / |m|> is expanded into dot products (module docstring). Inputs are used as
    given; call inside fp32.

    Args:
        anchors: L2-normalised anchors.
        negatives: raw (unnormalised) negative vectors.
        slot_index: row of `negatives` in each (anchor, slot).
        lam: mixing weight of the slot's own negative.
        perm: slot permutation choosing each slot's partner.

    Shape:
        - anchors: (A, D)
        - negatives: (M, D)
        - slot_index, lam: (A, S)
        - perm: (S,)
        - Output: (A, S)
    """
    partner = slot_index[:, perm]  # (A, S)
    sim = anchors @ negatives.t()  # (A, M): <q_a, n_m>
    gram = negatives @ negatives.t()  # (M, M)
    sq_norm = gram.diagonal()
    num = lam * sim.gather(1, slot_index) + (1.0 - lam) * sim.gather(1, partner)
    den2 = (
        lam.square() * sq_norm[slot_index]
        + (1.0 - lam).square() * sq_norm[partner]
        + 2.0 * lam * (1.0 - lam) * gram[slot_index, partner]
    )
    # |m| = sqrt(den2), floored like F.normalize; the clamp also absorbs round-off below zero.
    return num / den2.clamp_min(_NORM_EPS**2).sqrt()


def _other_rows(anchor_rows: Tensor, positive_rows: Tensor, num_rows: int) -> Tensor:
    """(A, num_rows - 2): every row index except the anchor's and its positive's, ascending.

    Ascending order is the official slot order (the masked expand in pcl.md §2.1 step 1), so the
    shared permutation pairs slots exactly as the official code does.
    """
    rows = torch.arange(num_rows, device=anchor_rows.device).expand(anchor_rows.shape[0], num_rows)
    keep = (rows != anchor_rows[:, None]) & (rows != positive_rows[:, None])
    return rows[keep].view(anchor_rows.shape[0], num_rows - 2)


def interpolated_infonce_logits(
    z0: Tensor,
    z1: Tensor,
    lam: Tensor,
    perm: Tensor,
    temperature: float = TEMPERATURE,
    gather_distributed: bool = False,
) -> Tensor:
    """Logits of the interpolated-negative InfoNCE; column 0 is the positive.

    Anchors are the 2B local rows cat(z0, z1); the negatives of an anchor are all 2N - 2 other
    rows of the (gathered, N = B * world size) two-view batch except its positive, in ascending
    row order of cat(z0_all, z1_all). Computed in fp32 under autocast (pcl.md §8.15).

    Args:
        z0: raw projections of view 1 (row i: sample i).
        z1: raw projections of view 2, same sample order.
        lam: Beta weights per (anchor, slot), from `sample_negative_mixing(2B, 2N - 2)`.
        perm: shared slot permutation of length 2N - 2.
        temperature: softmax temperature (pcl.md §1.6: 0.07).
        gather_distributed: take negatives from every rank (`facessl.distributed.gather`).

    Shape:
        - z0, z1: (B, D)
        - lam: (2B, 2N - 2); perm: (2N - 2,)
        - Output: (2B, 2N - 1)
    """
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same shape, got {tuple(z0.shape)} and {tuple(z1.shape)}")
    with torch.autocast(device_type=z0.device.type, enabled=False):
        z0, z1 = z0.float(), z1.float()
        b = z0.shape[0]
        if gather_distributed:
            z0_all, z1_all = distributed.gather(z0), distributed.gather(z1)
            offset = distributed.rank() * b
        else:
            z0_all, z1_all, offset = z0, z1, 0
        n = z0_all.shape[0]
        everything = torch.cat([z0_all, z1_all])  # (2N, D), row v*N + i is view v of sample i
        local = torch.arange(b, device=z0.device) + offset
        anchor_rows = torch.cat([local, local + n])
        positive_rows = torch.cat([local + n, local])
        q = F.normalize(torch.cat([z0, z1]), dim=1)  # (2B, D)
        pos = (q * F.normalize(torch.cat([z1, z0]), dim=1)).sum(dim=1, keepdim=True)  # (2B, 1)
        slots = _other_rows(anchor_rows, positive_rows, 2 * n)
        if lam.shape != slots.shape or perm.shape != (slots.shape[1],):
            raise ValueError(
                f"lam must be {tuple(slots.shape)} and perm ({slots.shape[1]},), "
                f"got {tuple(lam.shape)} and {tuple(perm.shape)}"
            )
        neg = mixed_negative_logits(q, everything, slots, lam.float(), perm)
        return torch.cat([pos, neg], dim=1) / temperature


class InterpolatedInfoNCELoss(nn.Module):
    """PCL's face-aware InfoNCE with Beta-interpolated negatives (pcl.md §2.1).

    Args:
        temperature: softmax temperature (pcl.md §1.6: 0.07).
        alpha: Beta(alpha, alpha) parameter of the negative mixing (pcl.md §1.6: 1.6).
        gather_distributed: take negatives from every rank. The official code is single-process.

    Shape:
        - z0, z1: (B, D), raw projections of the two views (not normalised)
        - Output: ()

    Example:
        >>> loss_fn = InterpolatedInfoNCELoss()
        >>> g = torch.Generator().manual_seed(0)
        >>> loss_fn(torch.randn(4, 8), torch.randn(4, 8), generator=g).shape
        torch.Size([])
    """

    def __init__(
        self, temperature: float = TEMPERATURE, alpha: float = MIX_ALPHA, gather_distributed: bool = False
    ) -> None:
        super().__init__()
        if gather_distributed and not torch.distributed.is_available():
            raise ValueError("gather_distributed=True but torch.distributed is not available")
        self.temperature = temperature
        self.alpha = alpha
        self.gather_distributed = gather_distributed

    def logits(self, z0: Tensor, z1: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """(2B, 2N - 1) logits with freshly sampled mixing; column 0 is the positive."""
        n = z0.shape[0] * (distributed.world_size() if self.gather_distributed else 1)
        lam, perm = sample_negative_mixing(2 * z0.shape[0], 2 * n - 2, self.alpha, generator, z0.device)
        return interpolated_infonce_logits(z0, z1, lam, perm, self.temperature, self.gather_distributed)

    def forward(self, z0: Tensor, z1: Tensor, generator: torch.Generator | None = None) -> Tensor:
        logits = self.logits(z0, z1, generator)
        return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long, device=logits.device))


__all__ = [
    "MIX_ALPHA",
    "TEMPERATURE",
    "InterpolatedInfoNCELoss",
    "interpolated_infonce_logits",
    "mixed_negative_logits",
    "sample_beta",
    "sample_negative_mixing",
]
