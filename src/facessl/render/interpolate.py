"""Barycentric interpolation of per-vertex attributes into images (nvdiffrast's ``interpolate``)."""

from __future__ import annotations

from torch import Tensor

from facessl.render.mesh import batch_attributes, face_vertices, gather_faces


def interpolate(attrs: Tensor, faces: Tensor, face_idx: Tensor, bary: Tensor) -> Tensor:
    """Interpolate vertex attributes at every pixel with the rasterized face's barycentrics.

    ``faces`` may differ from the faces that were rasterized as long as face ``f`` is the same triangle, e.g. a
    UV index buffer whose seams duplicate vertices. Gradients flow to ``attrs`` and to ``bary`` (hence to the
    vertex positions).

    Args:
        attrs: (B, V, C) or shared (V, C) per-vertex attributes.
        faces: (F, 3) or (B, F, 3) indices into the V attributes.
        face_idx: (B, H, W) face index per pixel, −1 for background.
        bary: (B, H, W, 3) barycentric weights (zero on background).

    Returns:
        (B, C, H, W) interpolated attributes, zero on background.
    """
    batch = face_idx.shape[0]
    attrs = batch_attributes(attrs, batch)
    channels = attrs.shape[-1]
    # Per-face corner values as planes (corner·channel, B, F), looked up per pixel: (3, C, B, H, W).
    corners = face_vertices(attrs, faces).permute(2, 3, 0, 1).reshape(3 * channels, batch, -1)
    c0, c1, c2 = gather_faces(corners, face_idx).view(3, channels, *face_idx.shape)
    b0, b1, b2 = bary.unbind(-1)  # each (B, H, W)
    # bary is zero on background, so background pixels come out as zero without a mask.
    out = c0 * b0 + c1 * b1 + c2 * b2  # (C, B, H, W)
    return out.transpose(0, 1).contiguous()
