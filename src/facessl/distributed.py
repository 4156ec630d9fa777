"""Process-group helpers with single-process fallbacks (after lightly's `utils/dist.py`).

Every function here answers as if there were one process when `torch.distributed` is not
initialised, so losses and methods run unchanged in tests on one CPU.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.distributed as dist
from torch import Tensor


def is_initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    return dist.get_rank() if is_initialized() else 0


def world_size() -> int:
    return dist.get_world_size() if is_initialized() else 1


def is_main() -> bool:
    return rank() == 0


class _GatherWithGrad(torch.autograd.Function):
    """all_gather whose backward sums the incoming gradients over ranks and returns this rank's slice.

    With the engine averaging parameter gradients over ranks, this gives exactly the gradient of the
    loss averaged over the global batch (the sum is what lightly #1920/#1977 got wrong).
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:  # type: ignore[override]
        parts = [torch.empty_like(x) for _ in range(world_size())]
        dist.all_gather(parts, x.contiguous())
        ctx.batch = x.shape[0]
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:  # type: ignore[override]
        grad = grad.contiguous()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        start = rank() * ctx.batch
        return grad[start : start + ctx.batch]


def gather(x: Tensor) -> Tensor:
    """Concatenate `x` (shape (B, ...), equal B on every rank) over ranks, in rank order, with gradients."""
    if world_size() == 1:
        return x
    return _GatherWithGrad.apply(x)


@torch.no_grad()
def gather_no_grad(x: Tensor) -> Tensor:
    if world_size() == 1:
        return x
    parts = [torch.empty_like(x) for _ in range(world_size())]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts, dim=0)


def all_reduce_mean(x: Tensor) -> Tensor:
    """Mean of `x` over ranks (a new tensor; no gradient)."""
    if world_size() == 1:
        return x.detach().clone()
    y = x.detach().clone()
    dist.all_reduce(y, op=dist.ReduceOp.SUM)
    return y / world_size()


def broadcast_(x: Tensor, src: int = 0) -> Tensor:
    if world_size() > 1:
        dist.broadcast(x, src=src)
    return x


@torch.no_grad()
def average_gradients(params: Iterable[Tensor]) -> None:
    """Average `.grad` over ranks in one flat bucket per dtype (what DDP does, without its hooks).

    facessl methods may take several optimizer steps on different parameter subsets per iteration
    (PCL takes three), which DDP's forward/backward hooks do not model, so the engine reduces
    gradients explicitly right before each optimizer step.
    """
    if world_size() == 1:
        return
    grads = [p.grad for p in params if p.grad is not None]
    by_dtype: dict[torch.dtype, list[Tensor]] = {}
    for g in grads:
        by_dtype.setdefault(g.dtype, []).append(g)
    for group in by_dtype.values():
        flat = torch.cat([g.reshape(-1) for g in group])
        dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        flat /= world_size()
        offset = 0
        for g in group:
            n = g.numel()
            g.copy_(flat[offset : offset + n].view_as(g))
            offset += n


@torch.no_grad()
def shuffle_across_ranks(x: Tensor, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """MoCo's shuffled BN: give each rank a random slice of the global batch.

    Returns this rank's shuffled slice and the permutation needed by `unshuffle_across_ranks`.
    The permutation is drawn on rank 0 and broadcast. With one process the batch is permuted in
    place, which leaves BN statistics unchanged: the information leak MoCo guards against only
    exists across BN groups, so one process needs no remedy.
    """
    everything = gather_no_grad(x)
    perm = torch.randperm(everything.shape[0], generator=generator, device=generator.device).to(x.device)
    broadcast_(perm)
    n = x.shape[0]
    start = rank() * n
    return everything[perm[start : start + n]], perm


@torch.no_grad()
def unshuffle_across_ranks(y: Tensor, perm: Tensor) -> Tensor:
    """Inverse of `shuffle_across_ranks` for the outputs `y` computed on the shuffled slice."""
    everything = gather_no_grad(y)
    inverse = torch.argsort(perm)
    n = y.shape[0]
    start = rank() * n
    return everything[inverse[start : start + n]]


def init_from_env(device_type: str) -> bool:
    """Join the process group that `torchrun` describes in the environment (RANK, WORLD_SIZE, ...).

    Returns True when a group was (or already is) set up: gloo on CPU, nccl on CUDA.
    """
    import os

    if "RANK" not in os.environ or int(os.environ.get("WORLD_SIZE", "1")) < 2:
        return False
    if not is_initialized():
        dist.init_process_group(backend="nccl" if device_type == "cuda" else "gloo")
    return True


def local_rank() -> int:
    import os

    return int(os.environ.get("LOCAL_RANK", "0"))
