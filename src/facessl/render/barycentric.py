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

from facessl.render.mesh import face_vertices, gather_faces

# Triangles whose doubled screen area is below this (pixels²) have no stable barycentrics: the rasterizer skips
# them, and here they get a unit area so that their (unused) coefficients stay finite.
MIN_DOUBLE_AREA = 1e-10
# Faces closer than this are never rasterized (it is below any sensible near plane).
_MIN_DEPTH = 1e-6
# Bound on |coefficient|: far above those of any face that covers a pixel centre (≲ 1e14 even for slivers at the
# minimum area), and low enough that background values and their gradients stay finite in float32.
_MAX_COEF = 1e20


def pixel_barycentrics(screen_verts: Tensor, faces: Tensor, face_idx: Tensor) -> tuple[Tensor, Tensor]:
    """Perspective-correct barycentrics and camera depth at every pixel centre.

    For screen-space barycentrics ``s_k`` of the pixel centre and vertex depths ``z_k``, the perspective-correct
    weights are ``b_k = (s_k / z_k) / Σ_j (s_j / z_j)`` and the depth is ``1 / Σ_j (s_j / z_j)``.

    Args:
        screen_verts: (B, V, 3) ``(x_pixel, y_pixel, z_camera)`` vertices (the same ones that were rasterized).
        faces: (F, 3) or (B, F, 3) vertex indices.
        face_idx: (B, H, W) face index per pixel, −1 for background.

    Returns:
        ``(bary, depth)``: (B, H, W, 3) barycentric weights and (B, H, W) camera depth, both zero on background.
    """
    batch, height, width = face_idx.shape
    # Work on (corner, B, F) planes: element-wise maths on a trailing dimension of 3 is slow on CPU.
    x, y, z = face_vertices(screen_verts, faces).permute(3, 2, 0, 1)  # each (3, B, F)
    # s_k / z_k is an affine function of the pixel centre, q_k(p) = a_k·px + b_k·py + c_k: the edge function of
    # the edge opposite corner k divided by the doubled signed area and z_k. Setting it up per face (B·F ≪ B·H·W
    # usually) leaves one lookup and three multiply-adds per pixel.
    x1, x2 = x.roll(-1, 0), x.roll(-2, 0)
    y1, y2 = y.roll(-1, 0), y.roll(-2, 0)
    edge_c = x1 * y2 - x2 * y1
    double_area = edge_c.sum(0)
    # Background pixels look up face 0, which may be degenerate, behind the camera or projected far away. Its
    # values are multiplied by zero coverage below, which is only exact if they are finite (inf·0 = NaN, and NaN
    # would also reach the backward pass): hence the safe area and depth and the clamp, none of which changes a
    # face that can be rasterized.
    double_area = torch.where(double_area.abs() > MIN_DOUBLE_AREA, double_area, torch.ones_like(double_area))
    denom = double_area * z.clamp(min=_MIN_DEPTH)
    per_face = torch.cat([(y1 - y2) / denom, (x2 - x1) / denom, edge_c / denom]).clamp(-_MAX_COEF, _MAX_COEF)
    coef = gather_faces(per_face, face_idx)  # (9, B, H, W)

    dtype, device = screen_verts.dtype, screen_verts.device
    px = torch.arange(width, dtype=dtype, device=device).view(1, 1, 1, width)
    py = torch.arange(height, dtype=dtype, device=device).view(1, 1, height, 1)
    q = coef[0:3] * px + coef[3:6] * py + coef[6:9]  # (3, B, H, W)

    # Background pixels (coverage 0) get inverse depth 1 and zero weights and depth. Every value is finite, so
    # multiplying by the 0/1 coverage is exact and keeps NaNs out of the gradients; it is also several times
    # faster on CPU than torch.where.
    covered = (face_idx >= 0).to(dtype)
    inv_depth = (q[0] + q[1] + q[2]) * covered + (1.0 - covered)
    depth = covered / inv_depth
    bary = q * depth
    # A (B, H, W, 3) view of the planes; interpolate() reads it plane by plane.
    return bary.permute(1, 2, 3, 0), depth
