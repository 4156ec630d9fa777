"""Barycentric interpolation of per-vertex attributes into images (nvdiffrast's ``interpolate``)."""

from __future__ import annotations

from torch import Tensor

from facessl.render.mesh import batch_attributes, covered_pixels, gather_corners, scatter_pixels


def interpolate(
    attrs: Tensor,
    faces: Tensor,
    face_idx: Tensor,
    bary: Tensor,
    pixels: Tensor | None = None,
    corner_rows: Tensor | None = None,
) -> Tensor:
    """Interpolate vertex attributes at every pixel with the rasterized face's barycentrics.

    ``faces`` may differ from the faces that were rasterized as long as face ``f`` is the same triangle, e.g. a
    UV index buffer whose seams duplicate vertices. Gradients flow to ``attrs`` and to ``bary`` (hence to the
    vertex positions).

    Args:
        attrs: (B, V, C) or shared (V, C) per-vertex attributes.
        faces: (F, 3) or (B, F, 3) indices into the V attributes.
        face_idx: (B, H, W) face index per pixel, −1 for background.
        bary: (B, H, W, 3) barycentric weights (zero on background).
        pixels: (P,) flat indices of the covered pixels (:attr:`facessl.render.rasterize.Fragments.pixels`);
            computed from ``face_idx`` if None.
        corner_rows: (3, P) rows of the covered pixels' face corners (``Fragments.corner_rows``), valid when
            ``faces`` are the rasterized faces; computed from ``faces`` if None.

    Returns:
        (B, C, H, W) interpolated attributes, zero on background.
    """
    batch, height, width = face_idx.shape
    # Only covered pixels are computed; the background stays exactly zero.
    attrs = batch_attributes(attrs, batch)
    pixels, corner_rows = covered_pixels(faces, face_idx, attrs.shape[1], pixels, corner_rows)
    c = gather_corners(attrs, corner_rows)  # (C, 3, P)
    b = bary.permute(3, 0, 1, 2).reshape(3, -1).index_select(1, pixels)  # (3, P); no copy for pixel_barycentrics'
    out = c[:, 0] * b[0] + c[:, 1] * b[1] + c[:, 2] * b[2]  # (C, P)
    return scatter_pixels(out, pixels, (batch, height, width)).transpose(0, 1).contiguous()
