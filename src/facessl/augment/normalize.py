"""Input normalisation: the one place a method converts [0, 1] images to its encoder's range."""

from __future__ import annotations

import torch
from torch import Tensor, nn

# ImageNet statistics (torchvision's), the convention of the SimCLR/MoCo/BYOL reference code.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Normalize(nn.Module):
    """(x - mean) / std per channel; `mean` and `std` are recorded in exported weight cards."""

    def __init__(self, mean: tuple[float, ...] = IMAGENET_MEAN, std: tuple[float, ...] = IMAGENET_STD) -> None:
        super().__init__()
        self.mean, self.std = tuple(mean), tuple(std)
        self.register_buffer("_mean", torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("_std", torch.tensor(std).view(1, -1, 1, 1), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return (x - self._mean.to(x.dtype)) / self._std.to(x.dtype)
