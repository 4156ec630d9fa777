"""Differentiable perspective-correct barycentrics and depth of the rasterized triangle at each pixel.

The second half of nvdiffrast's ``rasterize`` semantics: given the face index per pixel chosen without gradient
by :func:`facessl.render.rasterize.rasterize_face_ids`, the barycentrics at the pixel centre are recomputed from
the screen positions and camera depths of that face's vertices. Gradients therefore reach vertex positions (and,
through the projection, the camera) wherever the visible triangle does not change; gradients from silhouette
changes (which would need nvdiffrast's antialiasing pass) are not modelled.
"""

from __future__ import annotations

import torch
from torch import Tensor

from facessl.render.mesh import covered_pixels, gather_corners, pixel_coordinates, scatter_pixels

# Triangles whose doubled screen area is below this (pixels²) have no stable barycentrics: the rasterizer skips
# them, and here they get a unit area so that their (unused) coefficients stay finite.
MIN_DOUBLE_AREA = 1e-10
# Faces closer than this are never rasterized (it is below any sensible near plane).
_MIN_DEPTH = 1e-6
# Bound on |coefficient|: far above those of any face that covers a pixel centre (≲ 1e14 even for slivers at the
# minimum area), and low enough that background values and their gradients stay finite in float32.
_MAX_COEF = 1e20


def pixel_barycentrics(
    screen_verts: Tensor,
    faces: Tensor,
    face_idx: Tensor,
    pixels: Tensor | None = None,
    corner_rows: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Perspective-correct barycentrics and camera depth at every pixel centre.

    For screen-space barycentrics ``s_k`` of the pixel centre and vertex depths ``z_k``, the perspective-correct
    weights are ``b_k = (s_k / z_k) / Σ_j (s_j / z_j)`` and the depth is ``1 / Σ_j (s_j / z_j)``.

    Args:
        screen_verts: (B, V, 3) ``(x_pixel, y_pixel, z_camera)`` vertices (the same ones that were rasterized).
        faces: (F, 3) or (B, F, 3) vertex indices.
        face_idx: (B, H, W) face index per pixel, −1 for background.
        pixels: (P,) flat indices of the covered pixels when already known; computed from ``face_idx`` if None.
        corner_rows: (3, P) :func:`facessl.render.mesh.pixel_corner_rows` when already known.

    Returns:
        ``(bary, depth)``: (B, H, W, 3) barycentric weights and (B, H, W) camera depth, both zero on background.
    """
    batch, height, width = face_idx.shape
    # Only covered pixels are computed (about a third of a face crop): the background stays exactly zero and
    # contributes nothing, not even NaNs, to the backward pass. Work on (xyz, corner, P) planes: element-wise
    # maths on a trailing dimension of 3 is slow on CPU.
    pixels, corner_rows = covered_pixels(faces, face_idx, screen_verts.shape[1], pixels, corner_rows)
    x, y, z = gather_corners(screen_verts, corner_rows)  # each (3, P)
    # s_k / z_k is an affine function of the pixel centre, q_k(p) = a_k·px + b_k·py + c_k: the edge function of
    # the edge opposite corner k divided by the doubled signed area and z_k.
    x1, x2 = x.roll(-1, 0), x.roll(-2, 0)
    y1, y2 = y.roll(-1, 0), y.roll(-2, 0)
    edge_c = x1 * y2 - x2 * y1
    double_area = edge_c.sum(0)
    # Degenerate faces and faces behind the camera are never rasterized; the safe area and depth and the clamp
    # keep the coefficients of faces given by the caller finite without changing any face that can be.
    double_area = torch.where(double_area.abs() > MIN_DOUBLE_AREA, double_area, torch.ones_like(double_area))
    denom = double_area * z.clamp(min=_MIN_DEPTH)
    coef = torch.cat([(y1 - y2) / denom, (x2 - x1) / denom, edge_c / denom]).clamp(-_MAX_COEF, _MAX_COEF)  # (9, P)

    dtype = screen_verts.dtype
    _, py, px = (c.to(dtype) for c in pixel_coordinates(pixels, height, width))
    q = coef[0:3] * px + coef[3:6] * py + coef[6:9]  # (3, P)
    depth = 1.0 / (q[0] + q[1] + q[2])
    planes = scatter_pixels(torch.cat([q * depth, depth[None]]), pixels, (batch, height, width))  # (4, B, H, W)
    # A (B, H, W, 3) view of the planes; interpolate() reads it plane by plane.
    return planes[:3].permute(1, 2, 3, 0), planes[3]
