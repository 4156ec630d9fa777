"""Per-dimension standardisation of the stage-1 codes before the RDM (research/latentface.md §9 decision 4).

A documented deviation, off by default. Officially the denoisers see the raw codes: unclipped ReLU outputs whose
mean common to every face is larger than what distinguishes people, and which the legacy sampler clips to [-1, 1]
(§4.9). `CodeStandardizer` measures each dimension's mean and standard deviation over training codes once, then maps
codes to z = (c − mean) / std for the denoiser and its output back.

The statistics are sums over the observed codes (float64), summed over DDP ranks at each observation so every rank
holds the same numbers; they are buffers, so checkpoints and exported weights carry them.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from facessl import distributed

# Dimensions that never vary (dead ReLU units: about 60 % of both codes after a CPU-scale stage 1) would divide by
# zero; their std is floored at this fraction of the mean std over dimensions.
STD_FLOOR_RATIO = 1e-2


class CodeStandardizer(nn.Module):
    """z = (c − mean) / std per dimension, with mean and std measured by `observe` over training codes.

    Args:
        dim: code dimension.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.register_buffer("count", torch.zeros((), dtype=torch.float64))
        self.register_buffer("sum", torch.zeros(dim, dtype=torch.float64))
        self.register_buffer("sum_sq", torch.zeros(dim, dtype=torch.float64))

    @property
    def ready(self) -> bool:
        return bool(self.count > 1)

    @torch.no_grad()
    def observe(self, codes: Tensor) -> None:
        """Add (N, dim) codes to the statistics; in DDP every rank must call it with its own batch."""
        c = codes.detach().to(torch.float64)
        local = torch.cat([c.new_tensor([c.shape[0]]), c.sum(0), c.pow(2).sum(0)])
        stats = distributed.all_reduce_mean(local) * distributed.world_size()  # sums over every rank's frames
        self.count += stats[0]
        self.sum += stats[1 : 1 + c.shape[1]]
        self.sum_sq += stats[1 + c.shape[1] :]

    def mean_std(self) -> tuple[Tensor, Tensor]:
        """(mean, std) per dimension, float32; raises if nothing was observed."""
        if not self.ready:
            raise RuntimeError(
                "the RDM's code statistics have not been measured: backbone.code_norm=standardize needs a "
                "latentface-rdm run past its method.code_stats_steps iterations (or weights that carry them)"
            )
        mean = self.sum / self.count
        std = (self.sum_sq / self.count - mean.pow(2)).clamp_min(0).sqrt()
        std = std.clamp_min(max(STD_FLOOR_RATIO * float(std.mean()), 1e-8))  # 1e-8: every dimension dead
        return mean.float(), std.float()

    def forward(self, codes: Tensor) -> Tensor:
        mean, std = self.mean_std()
        return (codes - mean.to(codes.dtype)) / std.to(codes.dtype)

    def inverse(self, z: Tensor) -> Tensor:
        mean, std = self.mean_std()
        return z * std.to(z.dtype) + mean.to(z.dtype)


__all__ = ["CodeStandardizer", "STD_FLOOR_RATIO"]
