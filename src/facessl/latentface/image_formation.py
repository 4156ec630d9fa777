"""Unsup3D's image-formation model (research/latentface.md §3.3–§3.4), rendered with `facessl.render`.

Canonical depth and albedo, their mirror images, Lambertian shading, a viewpoint about the pivot (0, 0, 1) and
the 10° camera. The reconstruction follows Unsup3D's pipeline, as §9.1 recommends for anything trained against
its weights: render the canonical depth grid into the input view (`facessl.render.render_depth_map` replaces
neural_renderer's ``render_depth``), clamp, inverse-warp every pixel into the canonical frame and
``grid_sample`` the shaded canonical image (align_corners=True), masked where the surface is not seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from facessl.render import (
    Light,
    depth_to_points,
    intrinsics_from_fov,
    lambertian,
    render_depth_map,
    rotation_matrix_xyz,
    translation_about_pivot,
)

# research/latentface.md §3.3 and §10 (Unsup3D experiments/train_celeba.yml).
MIN_DEPTH, MAX_DEPTH = 0.9, 1.1
BORDER_DEPTH = 0.7 * MAX_DEPTH + 0.3 * MIN_DEPTH  # 1.04, written into the 2 leftmost and rightmost columns
BORDER_COLUMNS = 2
DEPTH_MARGIN = (MAX_DEPTH - MIN_DEPTH) / 2  # 0.1: rendered depth is clamped to [0.8, 1.2] (§3.4 step 2)
PIVOT_DEPTH = (MIN_DEPTH + MAX_DEPTH) / 2  # 1.0, rot_center_depth (§3.3 item 7)
FOV_DEG = 10.0  # §3.3 item 8
ROTATION_RANGE_DEG = 60.0  # §3.3 item 7: (v0, v1, v2) · 60°
XY_TRANSLATION_RANGE = 0.1  # §3.3 item 7
Z_TRANSLATION_RANGE = 0.0  # §3.3 item 7: 0 for CelebA / VoxCeleb
AMBIENT_RANGE = (0.0, 1.0)  # §3.3 item 4
DIFFUSE_RANGE = (0.0, 1.0)
RENDER_NEAR, RENDER_FAR = 0.1, 10.0  # §3.4 step 1 (neural_renderer near / far)
EPS = 1e-7  # Unsup3D's EPS (§3.5)


def _rescale(x: Tensor, low: float, high: float) -> Tensor:
    """[-1, 1] -> [low, high] linearly (Unsup3D's rescalers)."""
    return (1 + x) / 2 * high + (1 - x) / 2 * low


def canonical_depth(raw: Tensor) -> Tensor:
    """netD's raw map -> canonical depth: ``1 + 0.1·tanh(raw − mean(raw))`` with 1.04 at the side borders.

    Args:
        raw: (B, 1, H, W) or (B, H, W) netD output.

    Returns:
        (B, H, W) depth in [0.9, 1.1] (§3.3 item 1).
    """
    raw = raw.reshape(raw.shape[0], raw.shape[-2], raw.shape[-1])
    depth = _rescale(torch.tanh(raw - raw.mean(dim=(1, 2), keepdim=True)), MIN_DEPTH, MAX_DEPTH)
    border = torch.zeros_like(depth[:1])
    border[..., :BORDER_COLUMNS] = 1.0
    border[..., -BORDER_COLUMNS:] = 1.0
    return depth * (1 - border) + border * BORDER_DEPTH


@dataclass(frozen=True)
class LightParams:
    """Unsup3D light from netL's 4 tanh outputs (§3.3 item 4): ambient, diffuse (B,), unit direction (B, 3)."""

    ambient: Tensor
    diffuse: Tensor
    direction: Tensor

    @classmethod
    def from_code(cls, code: Tensor) -> LightParams:
        direction = torch.cat([code[:, 2:4], torch.ones_like(code[:, :1])], dim=1)
        direction = direction / (direction**2).sum(1, keepdim=True).sqrt()
        return cls(_rescale(code[:, 0], *AMBIENT_RANGE), _rescale(code[:, 1], *DIFFUSE_RANGE), direction)


@dataclass(frozen=True)
class ViewParams:
    """Unsup3D viewpoint from netV's 6 tanh outputs (§3.3 item 7): rotation (B, 3, 3) and translation (B, 3)."""

    angles: Tensor  # (B, 3) radians about x, y, z
    translation: Tensor  # (B, 3)

    @classmethod
    def from_code(cls, code: Tensor) -> ViewParams:
        angles = code[:, :3] * math.radians(ROTATION_RANGE_DEG)
        translation = torch.cat([code[:, 3:5] * XY_TRANSLATION_RANGE, code[:, 5:6] * Z_TRANSLATION_RANGE], dim=1)
        return cls(angles, translation)

    @property
    def rotation(self) -> Tensor:
        return rotation_matrix_xyz(self.angles)  # Rz·Ry·Rx (§3.3 item 7)


def camera_intrinsics(batch: int, size: int, device: torch.device, dtype: torch.dtype = torch.float32) -> Tensor:
    """(B, 3, 3) intrinsics of the 10° camera, f = ((W−1)/2)/tan(5°), principal point ((W−1)/2, (H−1)/2)."""
    return intrinsics_from_fov(FOV_DEG, (size, size), batch, device, dtype)


def normals_from_depth(depth: Tensor, K: Tensor) -> Tensor:
    """Unsup3D normals: cross product of the horizontal and vertical central differences of the back-projected
    points, normalised, with a (0, 0, 1) one-pixel border (§3.3 item 5). A fronto-parallel surface gets +z.

    Args:
        depth: (B, H, W) depth.
        K: (B, 3, 3) intrinsics.

    Returns:
        (B, 3, H, W) unit normals.
    """
    b, h, w = depth.shape
    points = depth_to_points(depth, K).view(b, h, w, 3)
    tu = points[:, 1:-1, 2:] - points[:, 1:-1, :-2]
    tv = points[:, 2:, 1:-1] - points[:, :-2, 1:-1]
    inner = torch.linalg.cross(tu, tv, dim=-1)  # (B, H-2, W-2, 3)
    normal = F.pad(inner.permute(0, 3, 1, 2), (1, 1, 1, 1))  # zero border, then +z on it
    border = torch.ones_like(depth[:1, None])
    border[:, :, 1:-1, 1:-1] = 0
    normal = normal + border * torch.tensor([0.0, 0.0, 1.0], device=depth.device, dtype=depth.dtype).view(1, 3, 1, 1)
    return normal / ((normal**2).sum(1, keepdim=True).sqrt() + EPS)


def shade(albedo: Tensor, normals: Tensor, light: LightParams) -> Tensor:
    """Canonical image ``J = ((A+1)/2 · (k_a + k_d·max(0, ⟨n, ℓ⟩)))·2 − 1`` (§3.3 item 6).

    Unsup3D's normals and ℓ both have +z for a frontal surface lit from the camera side, so ℓ is passed to
    `facessl.render.lambertian` as it is.
    """
    lit = lambertian(albedo / 2 + 0.5, normals, Light.from_intensities(light.direction, light.ambient, light.diffuse))
    return lit * 2 - 1


@dataclass(frozen=True)
class Reconstruction:
    """What `reconstruct` returns: the image in the input view, its rendered depth and the visibility mask."""

    image: Tensor  # (B, C, H, W), not yet masked
    depth: Tensor  # (B, H, W), clamped to [0.8, 1.2]
    mask: Tensor  # (B, 1, H, W), 1 where the rendered depth is < 1.2


def inverse_warp_grid(depth: Tensor, K: Tensor, rotation: Tensor, translation: Tensor) -> Tensor:
    """For every input-view pixel, where it comes from in the canonical image (§3.4 step 3).

    Back-project with the rendered depth, undo the translation, rotate by Rᵀ about the pivot, project with K
    and normalise by (W−1, H−1) to [-1, 1].

    Returns:
        (B, H, W, 2) sampling grid for ``grid_sample(..., align_corners=True)``.
    """
    b, h, w = depth.shape
    points = depth_to_points(depth, K) - translation[:, None, :]
    pivot = torch.tensor([0.0, 0.0, PIVOT_DEPTH], device=depth.device, dtype=depth.dtype)
    points = (points - pivot) @ rotation + pivot  # row vectors: p @ R == (Rᵀ p)ᵀ
    uv = (points / points[..., 2:]) @ K.transpose(1, 2)
    scale = torch.tensor([w - 1, h - 1], device=depth.device, dtype=depth.dtype)
    return (uv[..., :2] / scale * 2 - 1).view(b, h, w, 2)


def reconstruct(canon_depth: Tensor, canon_image: Tensor, view: ViewParams) -> Reconstruction:
    """Render the canonical depth grid into the view and inverse-warp the canonical image (§3.4).

    Args:
        canon_depth: (B, H, W) canonical depth.
        canon_image: (B, C, H, W) shaded canonical image J.
        view: the per-sample viewpoint.

    Returns:
        The reconstruction in the input view.
    """
    b, h, w = canon_depth.shape
    K = camera_intrinsics(b, w, canon_depth.device, canon_depth.dtype)
    R = view.rotation
    pivot = torch.tensor([0.0, 0.0, PIVOT_DEPTH], device=canon_depth.device, dtype=canon_depth.dtype)
    t = translation_about_pivot(R, view.translation, pivot)  # p' = R(p − c) + c + T
    rendered = render_depth_map(canon_depth, K, R, t, near=RENDER_NEAR, far=RENDER_FAR)
    depth = rendered.depth[:, 0].clamp(MIN_DEPTH - DEPTH_MARGIN, MAX_DEPTH + DEPTH_MARGIN)
    grid = inverse_warp_grid(depth, K, R, view.translation)
    image = F.grid_sample(canon_image, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    mask = (depth < MAX_DEPTH + DEPTH_MARGIN).to(canon_image.dtype).unsqueeze(1)
    return Reconstruction(image=image, depth=depth, mask=mask)


@dataclass(frozen=True)
class FormedImages:
    """Both reconstructions of a batch of B images (the 2B batch of §3.3 item 3, split in halves).

    Attributes:
        recon: (B, 3, H, W) reconstruction from (D, A), masked.
        recon_flip: (B, 3, H, W) reconstruction from the mirrored (D', A'), masked.
        mask: (B, 1, H, W) product of both visibility masks, detached (§3.4 step 5).
        canon_depth: (2B, H, W); canon_albedo: (2B, 3, H, W); canon_image: (2B, 3, H, W); normals (2B, 3, H, W).
    """

    recon: Tensor
    recon_flip: Tensor
    mask: Tensor
    canon_depth: Tensor
    canon_albedo: Tensor
    canon_image: Tensor
    normals: Tensor


def form_images(depth_raw: Tensor, albedo: Tensor, light_code: Tensor, view_code: Tensor) -> FormedImages:
    """The full image formation of §3.3–§3.4 from the network outputs.

    Args:
        depth_raw: (B, 1, H, W) netD output.
        albedo: (B, 3, H, W) netA output in [-1, 1].
        light_code: (B, 4) netL output.
        view_code: (B, 6) netV output.

    Returns:
        Both masked reconstructions and the canonical maps.
    """
    b = albedo.shape[0]
    depth = canonical_depth(depth_raw)
    depth = torch.cat([depth, depth.flip(2)])  # (2B, H, W): mirror along the width
    albedo = torch.cat([albedo, albedo.flip(3)])
    light = LightParams.from_code(light_code.repeat(2, 1))  # shared by an image and its mirror
    view = ViewParams.from_code(view_code.repeat(2, 1))
    K = camera_intrinsics(2 * b, depth.shape[-1], depth.device, depth.dtype)
    normals = normals_from_depth(depth, K)
    canon_image = shade(albedo, normals, light)
    rec = reconstruct(depth, canon_image, view)
    mask = (rec.mask[:b] * rec.mask[b:]).detach()
    both = mask.repeat(2, 1, 1, 1)
    image = rec.image * both
    return FormedImages(
        recon=image[:b], recon_flip=image[b:], mask=mask, canon_depth=depth, canon_albedo=albedo,
        canon_image=canon_image, normals=normals,
    )


__all__ = [
    "FormedImages",
    "LightParams",
    "Reconstruction",
    "ViewParams",
    "canonical_depth",
    "camera_intrinsics",
    "form_images",
    "inverse_warp_grid",
    "normals_from_depth",
    "reconstruct",
    "shade",
]
