"""A resumable, distributed batch sampler: the data position is (epoch, batch within the epoch)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class ResumableBatchSampler(Sampler[list[int]]):
    """Seeded per-epoch shuffles, split across ranks, that can start at any batch of an epoch.

    Every rank computes the same permutation of epoch e from `seed + e`, keeps the first
    `num_batches · world_size · batch_size` indices (dropping the remainder, so that every rank
    sees equal batches), and takes every `world_size`-th batch-sized slice starting at its rank.

    Args:
        length: dataset size.
        batch_size: per-rank batch size.
        seed: base seed of the shuffles.
        rank: this process's rank.
        world_size: number of processes.
    """

    def __init__(self, length: int, batch_size: int, seed: int, rank: int = 0, world_size: int = 1) -> None:
        self.length, self.batch_size, self.seed = length, batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.epoch, self.start_batch = 0, 0
        if self.batches_per_epoch == 0:
            raise ValueError(
                f"the dataset has {length} images, fewer than one global batch "
                f"({batch_size} × {world_size} processes); lower train.batch_size"
            )

    @property
    def batches_per_epoch(self) -> int:
        return self.length // (self.batch_size * self.world_size)

    def set_position(self, epoch: int, start_batch: int) -> None:
        self.epoch, self.start_batch = epoch, start_batch

    def __len__(self) -> int:
        return self.batches_per_epoch - self.start_batch

    def __iter__(self) -> Iterator[list[int]]:
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        perm = torch.randperm(self.length, generator=g).tolist()
        step = self.batch_size * self.world_size
        for b in range(self.start_batch, self.batches_per_epoch):
            start = b * step + self.rank * self.batch_size
            yield perm[start : start + self.batch_size]
