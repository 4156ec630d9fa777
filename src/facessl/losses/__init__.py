"""Losses: one per file, each a plain `nn.Module` that runs in one process on a CPU."""

from facessl.losses.byol import BYOLLoss
from facessl.losses.ntxent import NTXentLoss
from facessl.losses.queue_infonce import QueueInfoNCELoss

__all__ = ["BYOLLoss", "NTXentLoss", "QueueInfoNCELoss"]
