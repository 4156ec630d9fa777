"""Unsup3D image formation through facessl.render (research/latentface.md §3.3–§3.4)."""

from __future__ import annotations

import math

import torch

from facessl.latentface.image_formation import (
    BORDER_DEPTH,
    LightParams,
    ViewParams,
    canonical_depth,
    camera_intrinsics,
    form_images,
    normals_from_depth,
    reconstruct,
)
from facessl.render import focal_from_fov

SIZE = 32


def _albedo(batch: int = 2) -> torch.Tensor:
    return torch.rand(batch, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_flat_depth_with_frontal_view_reconstructs_the_albedo_image() -> None:
    albedo = _albedo()
    raw = torch.zeros(2, 1, SIZE, SIZE)  # -> flat canonical depth 1 (borders 1.04)
    light = torch.tensor([[1.0, -1.0, 0.0, 0.0]]).repeat(2, 1)  # ambient 1, diffuse 0: J = A
    out = form_images(raw, albedo, light, torch.zeros(2, 6))
    assert out.mask.min() == 1  # every pixel is seen
    assert torch.allclose(out.recon, albedo, atol=1e-4)
    assert torch.allclose(out.recon_flip, albedo.flip(3), atol=1e-4)  # the mirrored albedo, unmoved


def test_flat_frontal_surface_facing_the_light_is_lit_by_ambient_plus_diffuse() -> None:
    albedo = _albedo()
    code = torch.tensor([[0.0, 0.0, 0.0, 0.0]]).repeat(2, 1)  # k_a = k_d = 0.5, ℓ = (0, 0, 1)
    out = form_images(torch.zeros(2, 1, SIZE, SIZE), albedo, code, torch.zeros(2, 6))
    expected = (albedo / 2 + 0.5) * 1.0 * 2 - 1  # S = 0.5 + 0.5·⟨n, ℓ⟩ with n ≈ +z
    inner = (..., slice(3, -3), slice(3, -3))  # columns next to the 1.04 borders see a depth step
    assert torch.allclose(out.recon[inner], expected[inner], atol=2e-3)


def test_canonical_depth_range_and_side_borders() -> None:
    depth = canonical_depth(torch.randn(3, 1, SIZE, SIZE) * 5)
    assert depth.shape == (3, SIZE, SIZE)
    assert depth.min() >= 0.9 - 1e-6 and depth.max() <= 1.1 + 1e-6
    assert torch.all(depth[..., :2] == BORDER_DEPTH) and torch.all(depth[..., -2:] == BORDER_DEPTH)
    assert not torch.all(depth[:, :2, 2:-2] == BORDER_DEPTH)  # top and bottom rows are untouched


def test_normals_of_a_flat_map_point_along_plus_z_and_of_a_slope_tilt() -> None:
    K = camera_intrinsics(1, SIZE, torch.device("cpu"))
    flat = normals_from_depth(torch.ones(1, SIZE, SIZE), K)
    assert torch.allclose(flat[0, :, 5, 5], torch.tensor([0.0, 0.0, 1.0]), atol=5e-3)
    ramp = 1 + 0.002 * torch.arange(SIZE, dtype=torch.float32).view(1, 1, SIZE).expand(1, SIZE, SIZE)
    tilted = normals_from_depth(ramp, K)
    assert tilted[0, 0, 10, 10] < -0.1  # depth grows to the right: the normal leans to −x


def test_light_and_view_parameters_follow_the_digest() -> None:
    light = LightParams.from_code(torch.tensor([[1.0, -1.0, 0.5, -0.5]]))
    assert light.ambient.item() == 1 and light.diffuse.item() == 0
    assert torch.allclose(light.direction, torch.tensor([[0.5, -0.5, 1.0]]) / math.sqrt(1.5))
    view = ViewParams.from_code(torch.tensor([[1.0, 0.0, 0.0, 1.0, -1.0, 1.0]]))
    assert torch.allclose(view.angles, torch.tensor([[math.radians(60), 0.0, 0.0]]))
    assert torch.allclose(view.translation, torch.tensor([[0.1, -0.1, 0.0]]))  # z range 0 (§3.3 item 7)


def test_x_translation_shifts_the_image_by_f_tx_over_depth_pixels() -> None:
    f = focal_from_fov(10.0, SIZE)
    shift_px = 2.0
    tx = shift_px / f  # at depth 1
    ramp = torch.linspace(-1, 1, SIZE).view(1, 1, 1, SIZE).expand(1, 3, SIZE, SIZE).contiguous()
    view = ViewParams(angles=torch.zeros(1, 3), translation=torch.tensor([[tx, 0.0, 0.0]]))
    rec = reconstruct(torch.ones(1, SIZE, SIZE), ramp, view)
    step = 2 / (SIZE - 1)
    inner = rec.image[0, 0, 8:-8, 8:-8]
    expected = ramp[0, 0, 8:-8, 8 - 2 : -8 - 2]  # content moves right by 2 px
    assert torch.allclose(inner, expected, atol=step * 0.05)
    assert rec.mask[0, 0, :, :2].sum() == 0 and rec.mask[0, 0, :, 4:].min() == 1  # uncovered left columns


def test_masks_are_shared_and_detached_and_view_gets_gradient() -> None:
    albedo = _albedo().requires_grad_()
    view = torch.tensor([[0.05, 0.1, 0.0, 0.1, 0.0, 0.0]]).repeat(2, 1).requires_grad_()
    raw = (torch.randn(2, 1, SIZE, SIZE) * 0.1).requires_grad_()
    out = form_images(raw, albedo, torch.zeros(2, 4), view)
    assert not out.mask.requires_grad
    (out.recon.sum() + out.recon_flip.sum()).backward()
    assert view.grad is not None and view.grad.abs().sum() > 0
    assert raw.grad is not None and raw.grad.abs().sum() > 0
