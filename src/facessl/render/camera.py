"""Pinhole perspective camera: intrinsics from a field of view, world→camera extrinsics, projection.

Conventions follow Unsup3D (Wu et al., CVPR 2020), which LatentFace stage 1 was trained with
(research/latentface.md §3.3 item 8): the camera looks along +z, x points right and y points down, and pixel
(row i, column j) has its centre at pixel coordinates (x=j, y=i). The principal point of a W×H image is
((W−1)/2, (H−1)/2) and the focal length for a horizontal field of view θ is f = ((W−1)/2) / tan(θ/2), i.e. the
``align_corners=True`` convention (f ≈ 360.05 px for W=64 and θ=10°). PyTorch3D and OpenGL use W/2 instead;
the difference is half a pixel over the image width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

# Division guard for points at or behind the camera centre. Triangles with such vertices are culled by the
# rasterizer's near plane anyway; the clamp only keeps their projections (and gradients) finite.
_MIN_PROJECTION_DEPTH = 1e-8


def focal_from_fov(fov_deg: float, size: int) -> float:
    """Focal length in pixels for a field of view spanning ``size`` pixel centres.

    Args:
        fov_deg: Full field of view in degrees.
        size: Image width (or height) in pixels.

    Returns:
        ``((size − 1) / 2) / tan(fov / 2)``, Unsup3D's definition.
    """
    return ((size - 1) / 2.0) / math.tan(math.radians(fov_deg) / 2.0)


def intrinsics_from_fov(
    fov_deg: float,
    image_size: tuple[int, int],
    batch_size: int = 1,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Intrinsic matrices of a square-pixel pinhole camera with a horizontal field of view.

    Args:
        fov_deg: Horizontal field of view in degrees.
        image_size: ``(H, W)`` in pixels.
        batch_size: Number of copies B.
        device: Device of the result.
        dtype: Dtype of the result.

    Returns:
        ``K`` of shape (B, 3, 3) with fx = fy = focal_from_fov(fov, W) and principal point ((W−1)/2, (H−1)/2).
    """
    height, width = image_size
    f = focal_from_fov(fov_deg, width)
    k = torch.tensor(
        [[f, 0.0, (width - 1) / 2.0], [0.0, f, (height - 1) / 2.0], [0.0, 0.0, 1.0]], device=device, dtype=dtype
    )
    return k.expand(batch_size, 3, 3).clone()


def rotation_matrix_xyz(angles: Tensor) -> Tensor:
    """Rotation matrices R = Rz(γ)·Ry(β)·Rx(α) from angles about the x, y and z axes.

    This is Unsup3D's view parametrisation (research/latentface.md §3.3 item 7): right-handed elementary
    rotations, x applied first.

    Args:
        angles: (B, 3) angles ``(α, β, γ)`` in radians about x, y and z.

    Returns:
        (B, 3, 3) rotation matrices.
    """
    cos, sin = angles.cos(), angles.sin()
    one, zero = torch.ones_like(angles[:, 0]), torch.zeros_like(angles[:, 0])
    ca, cb, cg = cos.unbind(1)
    sa, sb, sg = sin.unbind(1)
    rx = torch.stack([one, zero, zero, zero, ca, -sa, zero, sa, ca], 1).view(-1, 3, 3)
    ry = torch.stack([cb, zero, sb, zero, one, zero, -sb, zero, cb], 1).view(-1, 3, 3)
    rz = torch.stack([cg, -sg, zero, sg, cg, zero, zero, zero, one], 1).view(-1, 3, 3)
    return rz @ ry @ rx


def translation_about_pivot(rotation: Tensor, translation: Tensor, pivot: Tensor) -> Tensor:
    """Translation t such that ``R·p + t == R·(p − c) + c + T`` (rotation about a pivot c, then shift T).

    Unsup3D rotates the canonical face about the point (0, 0, 1) in front of the camera
    (research/latentface.md §3.3 item 7); this turns that into plain extrinsics for :class:`PerspectiveCamera`.

    Args:
        rotation: (B, 3, 3) rotation R.
        translation: (B, 3) translation T applied after the rotation.
        pivot: (3,) or (B, 3) pivot point c.

    Returns:
        (B, 3) translation t = c − R·c + T.
    """
    pivot = pivot.expand_as(translation)
    return pivot - (rotation @ pivot.unsqueeze(-1)).squeeze(-1) + translation


@dataclass(frozen=True)
class PerspectiveCamera:
    """A batch of pinhole cameras: ``p_cam = R·p_world + t``, then ``(x, y) = K·p_cam / z_cam``.

    Attributes:
        K: (B, 3, 3) intrinsics in pixel units (see the module docstring for the pixel convention).
        R: (B, 3, 3) world→camera rotation.
        t: (B, 3) world→camera translation.
    """

    K: Tensor
    R: Tensor
    t: Tensor

    @classmethod
    def from_fov(
        cls,
        fov_deg: float,
        image_size: tuple[int, int],
        R: Tensor | None = None,
        t: Tensor | None = None,
        batch_size: int = 1,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> PerspectiveCamera:
        """Camera with a horizontal field of view; identity extrinsics unless ``R``/``t`` are given.

        Args:
            fov_deg: Horizontal field of view in degrees (Unsup3D uses 10).
            image_size: ``(H, W)`` in pixels.
            R: Optional (B, 3, 3) world→camera rotation; its batch size, device and dtype take precedence.
            t: Optional (B, 3) world→camera translation.
            batch_size: B when neither ``R`` nor ``t`` is given.
            device: Device when neither ``R`` nor ``t`` is given.
            dtype: Dtype when neither ``R`` nor ``t`` is given.

        Returns:
            The camera.
        """
        ref = R if R is not None else t
        if ref is not None:
            batch_size, device, dtype = ref.shape[0], ref.device, ref.dtype
        if R is None:
            R = torch.eye(3, device=device, dtype=dtype).expand(batch_size, 3, 3)
        if t is None:
            t = torch.zeros(batch_size, 3, device=device, dtype=dtype)
        K = intrinsics_from_fov(fov_deg, image_size, batch_size, device, dtype)
        return cls(K=K, R=R, t=t)

    def world_to_camera(self, points: Tensor) -> Tensor:
        """Apply the extrinsics.

        Args:
            points: (B, V, 3) world-space points.

        Returns:
            (B, V, 3) camera-space points.
        """
        # A contiguous transposed rotation: bmm is ~1.5× faster on CPU than with the strided view (same values).
        return points @ self.R.transpose(1, 2).contiguous() + self.t.unsqueeze(1)

    def project(self, points_cam: Tensor) -> Tensor:
        """Project camera-space points to pixel coordinates, keeping their camera depth.

        Args:
            points_cam: (B, V, 3) camera-space points.

        Returns:
            (B, V, 3) ``(x_pixel, y_pixel, z_camera)``, the screen-space vertices the rasterizer takes.
        """
        z = points_cam[..., 2:3]
        uvw = points_cam @ self.K.transpose(1, 2).contiguous()
        xy = uvw[..., :2] / z.clamp(min=_MIN_PROJECTION_DEPTH)
        return torch.cat([xy, z], dim=-1)

    def world_to_screen(self, points: Tensor) -> Tensor:
        """:meth:`world_to_camera` followed by :meth:`project`; (B, V, 3) in, (B, V, 3) out."""
        return self.project(self.world_to_camera(points))
