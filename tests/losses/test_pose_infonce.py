"""Tests of PCL's pose InfoNCE with flipped negatives (pcl.md §2.2 C, §7.3 item 1, §8.4)."""

from __future__ import annotations

import pytest
import torch

from facessl.losses.pose_infonce import PoseInfoNCELoss, pose_infonce_logits, pose_negative_index


def _materialised_logits(
    z0: torch.Tensor, z1: torch.Tensor, negatives: torch.Tensor, lam: torch.Tensor, perm: torch.Tensor, mode: str, tau: float
) -> torch.Tensor:
    """Reference: build each image's block of mixed flipped negatives as vectors, then normalise."""
    b, k = z0.shape[0], negatives.shape[0] // z0.shape[0]
    if mode == "batch_blocks":  # official: consecutive chunks of the (K*B, D) tensor
        blocks = negatives.reshape(b, k, -1)
    else:  # own flips: row k*B + i is view k of image i
        blocks = negatives.reshape(k, b, -1).transpose(0, 1)
    mixed = lam[..., None] * blocks + (1 - lam[..., None]) * blocks[:, perm]
    mixed = mixed / mixed.norm(dim=2, keepdim=True)
    rows = []
    for view, other in ((z0, z1), (z1, z0)):
        for i in range(b):
            q = view[i] / view[i].norm()
            pos = q @ (other[i] / other[i].norm())
            rows.append(torch.cat([pos[None], mixed[i] @ q]))
    return torch.stack(rows) / tau


@pytest.mark.parametrize("mode", ["batch_blocks", "own_flips"])
def test_pose_logits_equal_materialised_reference(mode: str) -> None:
    g = torch.Generator().manual_seed(0)
    b, k, d = 3, 6, 5
    z0, z1 = torch.randn(b, d, generator=g, dtype=torch.float64), torch.randn(b, d, generator=g, dtype=torch.float64)
    negatives = torch.randn(k * b, d, generator=g, dtype=torch.float64)
    lam = torch.rand(b, k, generator=g, dtype=torch.float64)
    perm = torch.randperm(k, generator=g)
    fast = pose_infonce_logits(z0, z1, negatives, lam, perm, mode, 0.07)  # type: ignore[arg-type]
    slow = _materialised_logits(z0, z1, negatives, lam, perm, mode, 0.07)
    assert torch.allclose(fast.double(), slow, atol=1e-4, rtol=1e-5)


def test_official_blocks_hold_flips_of_every_image_and_own_flips_only_its_own() -> None:
    b, k = 10, 100  # pcl.md §2.2 C: batch 10, 100 flipped views per image
    image_of_row = torch.arange(k * b) % b  # row k*B + i belongs to image i
    official = image_of_row[pose_negative_index(b, k, "batch_blocks")]
    intended = image_of_row[pose_negative_index(b, k, "own_flips")]
    for i in range(b):
        assert torch.equal(torch.bincount(official[i], minlength=b), torch.full((b,), k // b))
        assert torch.all(intended[i] == i)


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="batch_blocks"):
        PoseInfoNCELoss(mode="flips")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["batch_blocks", "own_flips"])
def test_gradient_steps_lower_pose_infonce(mode: str) -> None:
    g = torch.Generator().manual_seed(1)
    b, k, d = 4, 8, 16
    z0 = torch.randn(b, d, generator=g, requires_grad=True)
    z1 = torch.randn(b, d, generator=g, requires_grad=True)
    negatives = torch.randn(k * b, d, generator=g, requires_grad=True)
    loss_fn = PoseInfoNCELoss(mode=mode)  # type: ignore[arg-type]
    opt = torch.optim.Adam([z0, z1, negatives], lr=0.05)
    start = loss_fn(z0, z1, negatives, generator=g).item()
    for _ in range(30):
        opt.zero_grad()
        loss_fn(z0, z1, negatives, generator=g).backward()
        opt.step()
    assert loss_fn(z0, z1, negatives, generator=g).item() < 0.5 * start
