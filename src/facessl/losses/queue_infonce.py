"""InfoNCE against a memory queue of negatives (MoCo, He et al. 2020, Algorithm 1)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.losses.precision import fp32_or_wider


class QueueInfoNCELoss(nn.Module):
    """-log softmax of the positive key among [k⁺, queue] for every query.

    The loss is local to each query, so it needs no gather: under data parallelism each rank
    scores its own queries against the shared queue, and the gradient average of the ranks equals
    the single-process gradient on the global batch.

    Args:
        temperature: τ (MoCo v2 uses 0.2; Chen et al. 2020b, §2).

    Shape:
        q: (N, D) queries; k: (N, D) positive keys (no gradient); queue: (K, D) negatives.
        Output: scalar mean over the N queries, in fp32.
    """

    def __init__(self, temperature: float = 0.2) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.temperature = temperature

    def forward(self, q: Tensor, k: Tensor, queue: Tensor) -> Tensor:
        q = F.normalize(fp32_or_wider(q), dim=1)
        k = F.normalize(fp32_or_wider(k), dim=1).detach()
        positive = (q * k).sum(dim=1, keepdim=True)  # (N, 1)
        negative = q @ fp32_or_wider(queue).T.detach()  # (N, K)
        logits = torch.cat([positive, negative], dim=1) / self.temperature
        return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long, device=q.device))
