"""Tests of the O(B^2) interpolated-negative InfoNCE (pcl.md §2.1, §8.5)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F

from facessl.losses.interpolated_infonce import (
    InterpolatedInfoNCELoss,
    interpolated_infonce_logits,
    sample_beta,
    sample_negative_mixing,
)


def _materialised_logits(z0: torch.Tensor, z1: torch.Tensor, lam: torch.Tensor, perm: torch.Tensor, tau: float) -> torch.Tensor:
    """Reference in the official style: build every mixed negative vector, then normalise."""
    z = torch.cat([z0, z1])
    n2, b = z.shape[0], z0.shape[0]
    rows = []
    for a in range(n2):
        positive = (a + b) % n2
        negs = torch.stack([z[j] for j in range(n2) if j not in (a, positive)])  # (2B-2, D)
        mixed = lam[a, :, None] * negs + (1 - lam[a, :, None]) * negs[perm]
        q = z[a] / z[a].norm()
        pos = q @ (z[positive] / z[positive].norm())
        neg = (mixed / mixed.norm(dim=1, keepdim=True)) @ q
        rows.append(torch.cat([pos[None], neg]))
    return torch.stack(rows) / tau


def test_mixed_negative_logits_equal_materialised_reference() -> None:
    g = torch.Generator().manual_seed(0)
    b, d = 5, 7
    z0 = torch.randn(b, d, generator=g, dtype=torch.float64)
    z1 = torch.randn(b, d, generator=g, dtype=torch.float64)
    lam = torch.rand(2 * b, 2 * b - 2, generator=g, dtype=torch.float64)
    perm = torch.randperm(2 * b - 2, generator=g)
    fast = interpolated_infonce_logits(z0, z1, lam, perm, temperature=0.07)
    slow = _materialised_logits(z0, z1, lam, perm, 0.07)
    assert fast.dtype == torch.float32  # fp32 by design
    assert torch.allclose(fast.double(), slow, atol=1e-4, rtol=1e-5)


def test_unmixed_negatives_give_plain_ntxent() -> None:
    # lambda = 1 leaves every negative unchanged, so the loss is SimCLR's NT-Xent.
    g = torch.Generator().manual_seed(1)
    b, d, tau = 4, 6, 0.5
    z0, z1 = torch.randn(b, d, generator=g), torch.randn(b, d, generator=g)
    logits = interpolated_infonce_logits(z0, z1, torch.ones(2 * b, 2 * b - 2), torch.randperm(2 * b - 2, generator=g), tau)
    loss = F.cross_entropy(logits, torch.zeros(2 * b, dtype=torch.long))
    z = F.normalize(torch.cat([z0, z1]), dim=1)
    sim = z @ z.t() / tau
    expected = 0.0
    for a in range(2 * b):
        positive = (a + b) % (2 * b)
        denominator = sum(math.exp(sim[a, j].item()) for j in range(2 * b) if j != a)
        expected += -(sim[a, positive].item() - math.log(denominator))
    assert abs(loss.item() - expected / (2 * b)) < 1e-5


def test_beta_sampler_moments_and_replay() -> None:
    g = torch.Generator().manual_seed(2)
    x = sample_beta((200_000,), 1.6, 1.6, g)
    # Beta(1.6, 1.6): mean 1/2, variance a*b / ((a+b)^2 (a+b+1)) = 0.0595
    assert 0.0 < x.min() and x.max() < 1.0
    assert abs(x.mean().item() - 0.5) < 3e-3
    assert abs(x.var().item() - 2.56 / (10.24 * 4.2)) < 2e-3
    small = sample_beta((1000,), 0.5, 2.0, torch.Generator().manual_seed(3))
    assert abs(small.mean().item() - 0.2) < 0.02  # shape < 1 goes through the boost branch
    lam_a, perm_a = sample_negative_mixing(4, 6, generator=torch.Generator().manual_seed(4))
    lam_b, perm_b = sample_negative_mixing(4, 6, generator=torch.Generator().manual_seed(4))
    assert torch.equal(lam_a, lam_b) and torch.equal(perm_a, perm_b)


def test_loss_is_fp32_under_autocast() -> None:
    z0, z1 = torch.randn(4, 8).bfloat16(), torch.randn(4, 8).bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = InterpolatedInfoNCELoss()(z0, z1, generator=torch.Generator().manual_seed(0))
    assert loss.dtype == torch.float32 and torch.isfinite(loss)


def test_gather_distributed_single_process_equals_local() -> None:
    z0, z1 = torch.randn(4, 8), torch.randn(4, 8)
    local = InterpolatedInfoNCELoss()(z0, z1, generator=torch.Generator().manual_seed(5))
    gathered = InterpolatedInfoNCELoss(gather_distributed=True)(z0, z1, generator=torch.Generator().manual_seed(5))
    assert torch.allclose(local, gathered)


def test_gradient_steps_lower_interpolated_infonce() -> None:
    g = torch.Generator().manual_seed(6)
    z0 = torch.randn(8, 16, generator=g, requires_grad=True)
    z1 = torch.randn(8, 16, generator=g, requires_grad=True)
    loss_fn = InterpolatedInfoNCELoss()
    opt = torch.optim.Adam([z0, z1], lr=0.05)
    start = loss_fn(z0, z1, generator=g).item()
    for _ in range(30):
        opt.zero_grad()
        loss_fn(z0, z1, generator=g).backward()
        opt.step()
    assert loss_fn(z0, z1, generator=g).item() < 0.5 * start


def _gather_worker(rank: int, world: int, init_file: str) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        g = torch.Generator().manual_seed(0)
        n, b, d = 6, 3, 5  # global batch, per-rank batch, dim
        z0_full, z1_full = torch.randn(n, d, generator=g), torch.randn(n, d, generator=g)
        lam = torch.rand(2 * n, 2 * n - 2, generator=g)
        perm = torch.randperm(2 * n - 2, generator=g)
        # Single-process reference on the global batch.
        ref0, ref1 = z0_full.clone().requires_grad_(), z1_full.clone().requires_grad_()
        targets = torch.zeros(2 * n, dtype=torch.long)
        ref = F.cross_entropy(interpolated_infonce_logits(ref0, ref1, lam, perm, 0.1), targets)
        ref.backward()
        # This rank: its slice, and the rows of lam that belong to its anchors.
        part = slice(rank * b, (rank + 1) * b)
        rows = torch.cat([torch.arange(b) + rank * b, torch.arange(b) + n + rank * b])
        z0, z1 = z0_full[part].clone().requires_grad_(), z1_full[part].clone().requires_grad_()
        logits = interpolated_infonce_logits(z0, z1, lam[rows], perm, 0.1, gather_distributed=True)
        local = F.cross_entropy(logits, torch.zeros(2 * b, dtype=torch.long))
        local.backward()
        mean = local.detach().clone()
        dist.all_reduce(mean)
        assert abs(mean.item() / world - ref.item()) < 1e-5
        # gather's backward sums over ranks, so the local gradient is world x d(global mean)/dz.
        assert torch.allclose(z0.grad / world, ref0.grad[part], atol=1e-6)
        assert torch.allclose(z1.grad / world, ref1.grad[part], atol=1e-6)
    finally:
        dist.destroy_process_group()


def test_gathered_loss_equals_single_process_on_full_batch(tmp_path: Path) -> None:
    torch.multiprocessing.spawn(_gather_worker, args=(2, str(tmp_path / "store")), nprocs=2, join=True)
