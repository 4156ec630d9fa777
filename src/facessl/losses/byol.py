"""BYOL's regression loss (Grill et al. 2020, eq. 2): 2 - 2·cos(prediction, target)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from facessl.losses.precision import fp32_or_wider


class BYOLLoss(nn.Module):
    """Mean over samples of the squared distance of the L2-normalised prediction and target.

    The target gets no gradient. Per-sample, so data parallelism needs no gather.

    Shape:
        prediction, target: (N, D). Output: scalar in [0, 4], fp32.
    """

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        p = F.normalize(fp32_or_wider(prediction), dim=1)
        t = F.normalize(fp32_or_wider(target), dim=1).detach()
        return (2 - 2 * (p * t).sum(dim=1)).mean()
