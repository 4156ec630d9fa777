"""Losses compute in fp32 (or the input's wider type) even under autocast."""

from __future__ import annotations

import torch
from torch import Tensor


def fp32_or_wider(x: Tensor) -> Tensor:
    """Cast half-precision inputs to fp32; keep fp32 and fp64 as they are (tests use fp64)."""
    return x if x.dtype in (torch.float32, torch.float64) else x.float()
