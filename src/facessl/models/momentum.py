"""Momentum (EMA) copies of networks, as used by MoCo's key encoder and BYOL's target."""

from __future__ import annotations

import copy

import torch
from torch import nn


def momentum_copy(module: nn.Module) -> nn.Module:
    """A deep copy whose parameters never receive gradients (updated only by `update_momentum`)."""
    target = copy.deepcopy(module)
    for p in target.parameters():
        p.requires_grad_(False)
    return target


@torch.no_grad()
def update_momentum(online: nn.Module, target: nn.Module, m: float) -> None:
    """target ← m·target + (1 − m)·online, for parameters; buffers (BN statistics) are copied.

    Buffers are copied rather than averaged, as BYOL's and MoCo's reference code do for BN stats.
    """
    for po, pt in zip(online.parameters(), target.parameters(), strict=True):
        pt.lerp_(po.detach(), 1.0 - m)
    for bo, bt in zip(online.buffers(), target.buffers(), strict=True):
        bt.copy_(bo)
