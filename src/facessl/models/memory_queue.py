"""A FIFO memory of past keys (MoCo's queue, He et al. 2020 §3.2)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class MemoryQueue(nn.Module):
    """Fixed-size ring buffer of L2-normalised keys, stored as buffers so checkpoints keep it.

    Args:
        size: number of keys K.
        dim: key dimension.
    """

    def __init__(self, size: int, dim: int) -> None:
        super().__init__()
        self.size = size
        self.register_buffer("keys", nn.functional.normalize(torch.randn(size, dim), dim=1))
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: Tensor) -> None:
        """Replace the oldest entries by `keys` (N, dim), in order; wraps around the end."""
        n = keys.shape[0]
        if n > self.size:
            raise ValueError(f"cannot enqueue {n} keys into a queue of size {self.size}")
        idx = (self.ptr + torch.arange(n, device=keys.device)) % self.size
        self.keys[idx] = keys.to(self.keys.dtype)
        self.ptr.copy_((self.ptr + n) % self.size)
