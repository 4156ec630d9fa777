"""Health signals every method logs."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


@torch.no_grad()
def embedding_std(z: Tensor) -> Tensor:
    """Mean over dimensions of the batch std of L2-normalised embeddings (solo-learn's `z_std`).

    About 1/sqrt(D) for embeddings spread over the sphere; it falls towards 0 when they collapse.
    """
    return F.normalize(z.float(), dim=1).std(dim=0).mean()
