"""NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, Algorithm 1)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl import distributed
from facessl.losses.precision import fp32_or_wider


class NTXentLoss(nn.Module):
    """Each of the 2N views must pick its partner among the other 2N-1 views of the (global) batch.

    Args:
        temperature: τ dividing the cosine similarities.
        gather_distributed: use the views of every rank as negatives (with gradients flowing back
            to the rank that made them). With one process this changes nothing.

    Shape:
        z0, z1: (N, D) embeddings of the two views of the same N images. Output: scalar, the mean
        over the 2N local views. Computed in fp32 even under autocast.
    """

    def __init__(self, temperature: float = 0.5, gather_distributed: bool = True) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.temperature = temperature
        self.gather_distributed = gather_distributed

    def forward(self, z0: Tensor, z1: Tensor) -> Tensor:
        n = z0.shape[0]
        z0 = F.normalize(fp32_or_wider(z0), dim=1)
        z1 = F.normalize(fp32_or_wider(z1), dim=1)
        local = torch.cat([z0, z1])  # (2n, D): rows this rank is responsible for
        if self.gather_distributed and distributed.world_size() > 1:
            all0, all1 = distributed.gather(z0), distributed.gather(z1)
            offset = distributed.rank() * n
        else:
            all0, all1, offset = z0, z1, 0
        big_n = all0.shape[0]
        candidates = torch.cat([all0, all1])  # (2N_global, D)
        logits = local @ candidates.T / self.temperature  # (2n, 2N_global)
        idx = torch.arange(n, device=z0.device) + offset
        self_idx = torch.cat([idx, idx + big_n])
        partner = torch.cat([idx + big_n, idx])
        rows = torch.arange(2 * n, device=z0.device)
        logits[rows, self_idx] = float("-inf")  # a view is not its own negative
        return F.cross_entropy(logits, partner)
