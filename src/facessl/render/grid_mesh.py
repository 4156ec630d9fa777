"""The regular grid mesh of a depth map and its re-rendering from another viewpoint (Unsup3D stage 1).

Unsup3D (Wu et al., CVPR 2020) turns a canonical H×W depth map into a mesh whose vertices are the
back-projected pixel centres, two triangles per 2×2 quad of pixels ((H−1)(W−1)·2 faces, 7,938 at 64×64), moves it
by the predicted view and rasterizes its depth in the input view (research/latentface.md §3.4 step 1). The quad
is split along the diagonal from its top-right to its bottom-left pixel, as in Unsup3D's renderer utilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from facessl.render.camera import PerspectiveCamera
from facessl.render.interpolate import interpolate
from facessl.render.rasterize import Fragments, rasterize


def grid_faces(height: int, width: int, device: torch.device | str | None = None) -> Tensor:
    """Faces of the pixel grid, two per quad, counter-clockwise in the image (normals face the camera).

    Vertex ``i·W + j`` is pixel (row i, column j). Each quad (a = top-left, b = top-right, c = bottom-left,
    d = bottom-right) gives the faces (a, c, b) and (b, c, d).

    Args:
        height: H.
        width: W.
        device: Device of the result.

    Returns:
        (2·(H−1)·(W−1), 3) int64 faces; all first-triangles of the quads come before all second ones.
    """
    idx = torch.arange(height * width, device=device).view(height, width)
    a, b = idx[:-1, :-1].reshape(-1), idx[:-1, 1:].reshape(-1)
    c, d = idx[1:, :-1].reshape(-1), idx[1:, 1:].reshape(-1)
    return torch.cat([torch.stack([a, c, b], 1), torch.stack([b, c, d], 1)])


def depth_to_points(depth: Tensor, K: Tensor) -> Tensor:
    """Back-project every pixel centre with its depth: ``P = d · K⁻¹ · [u, v, 1]ᵀ``.

    Args:
        depth: (B, H, W) camera-space depth z per pixel.
        K: (B, 3, 3) intrinsics (pixel convention of :mod:`facessl.render.camera`).

    Returns:
        (B, H·W, 3) camera-space points in row-major pixel order (the vertices of :func:`grid_faces`).
    """
    batch, height, width = depth.shape
    v, u = torch.meshgrid(
        torch.arange(height, dtype=depth.dtype, device=depth.device),
        torch.arange(width, dtype=depth.dtype, device=depth.device),
        indexing="ij",
    )
    pix = torch.stack([u, v, torch.ones_like(u)], -1).view(1, -1, 3)  # (1, H·W, 3)
    rays = pix @ torch.linalg.inv(K).transpose(1, 2)  # (B, H·W, 3), z = 1
    return rays * depth.reshape(batch, -1, 1)


@dataclass(frozen=True)
class GridRender:
    """What :func:`render_depth_map` returns.

    Attributes:
        depth: (B, 1, H, W) rendered camera depth, ``background`` where nothing is visible.
        mask: (B, 1, H, W) coverage, 1 where the moved surface is visible.
        attrs: (B, C, H, W) per-pixel canonical attributes carried to the new view, or None if none were given.
        fragments: The rasterizer output, for interpolating further per-pixel attributes of the canonical map.
    """

    depth: Tensor
    mask: Tensor
    attrs: Tensor | None
    fragments: Fragments


def render_depth_map(
    depth: Tensor,
    K: Tensor,
    R: Tensor | None = None,
    t: Tensor | None = None,
    *,
    attrs: Tensor | None = None,
    near: float = 0.1,
    far: float = 10.0,
    background: float | None = None,
) -> GridRender:
    """Render the grid mesh of a depth map moved by ``p' = R·p + t`` and seen by the same camera.

    With ``R = I`` and ``t = 0`` this returns the input depth (every pixel centre is a vertex). Unsup3D's
    rotation about the pivot (0, 0, 1) is ``t = translation_about_pivot(R, T, pivot)``. Both faces of every
    triangle are drawn (Unsup3D's ``fill_back``). Per-pixel attributes of the canonical map (e.g. LatentFace's
    shaded canonical image, which its PyTorch3D renderer uses as vertex colours, research/latentface.md §3.4)
    are interpolated into the new view. Gradients flow to ``depth``, ``attrs``, ``K``, ``R`` and ``t`` wherever
    the visible triangle does not change.

    Args:
        depth: (B, H, W) canonical depth map.
        K: (B, 3, 3) intrinsics, used to back-project and to render.
        R: (B, 3, 3) rotation of the mesh (identity if None).
        t: (B, 3) translation of the mesh (zero if None).
        attrs: Optional (B, C, H, W) per-pixel attributes of the canonical map (vertex i·W + j gets pixel (i, j)).
        near: Near plane (Unsup3D: 0.1).
        far: Far plane (Unsup3D: 10).
        background: Depth written where nothing is visible; ``far`` if None, as neural_renderer does (Unsup3D
            then clamps the map to [0.8, 1.2]).

    Returns:
        The rendered depth, coverage mask, carried attributes and fragments.

    Example:
        >>> import torch
        >>> from facessl.render import intrinsics_from_fov, render_depth_map
        >>> depth = torch.ones(1, 64, 64)  # a flat canonical depth map at 1, as in Unsup3D
        >>> out = render_depth_map(depth, intrinsics_from_fov(10.0, (64, 64)), t=torch.tensor([[0.0, 0.0, 0.1]]))
        >>> round(float(out.depth[0, 0, 32, 32]), 4), int(out.mask.sum()) < 64 * 64
        (1.1, True)
    """
    batch, height, width = depth.shape
    if R is None:
        R = torch.eye(3, dtype=K.dtype, device=K.device).expand(batch, 3, 3)
    if t is None:
        t = torch.zeros(batch, 3, dtype=K.dtype, device=K.device)
    points = depth_to_points(depth, K)
    faces = grid_faces(height, width, depth.device)
    screen = PerspectiveCamera(K=K, R=R, t=t).world_to_screen(points)
    frags = rasterize(screen, faces, (height, width), near=near, far=far)

    covered = (frags.face_idx >= 0).unsqueeze(1)
    fill = far if background is None else background
    rendered = torch.where(covered, frags.depth.unsqueeze(1), torch.full_like(frags.depth.unsqueeze(1), fill))
    carried = None
    if attrs is not None:
        carried = interpolate(
            attrs.flatten(2).transpose(1, 2), faces, frags.face_idx, frags.bary, frags.pixels, frags.corner_rows
        )
    return GridRender(depth=rendered, mask=covered.to(depth.dtype), attrs=carried, fragments=frags)
