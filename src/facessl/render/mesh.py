"""Triangle-mesh helpers: batched face indexing, face and vertex normals, and an icosphere test mesh.

Winding convention: a triangle's normal is ``(v1 − v0) × (v2 − v0)`` (right-handed). In the camera frame of
:mod:`facessl.render.camera` (x right, y down, z forward) a triangle faces the camera, with its normal pointing
towards it (−z side), when its vertices run counter-clockwise as seen in the image.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def batch_faces(faces: Tensor, batch_size: int) -> Tensor:
    """Return per-batch faces, expanding shared ones without a copy.

    Args:
        faces: (F, 3) shared or (B, F, 3) per-batch vertex indices (int64).
        batch_size: B.

    Returns:
        (B, F, 3) vertex indices.
    """
    if faces.dim() == 2:
        return faces.unsqueeze(0).expand(batch_size, -1, -1)
    if faces.dim() != 3 or faces.shape[0] != batch_size:
        raise ValueError(f"faces must be (F, 3) or ({batch_size}, F, 3), got {tuple(faces.shape)}")
    return faces


def batch_attributes(attrs: Tensor, batch_size: int) -> Tensor:
    """Return per-batch vertex attributes, expanding shared (V, C) ones without a copy.

    Args:
        attrs: (V, C) shared or (B, V, C) per-batch attributes.
        batch_size: B.

    Returns:
        (B, V, C) attributes.
    """
    if attrs.dim() == 2:
        return attrs.unsqueeze(0).expand(batch_size, -1, -1)
    return attrs.expand(batch_size, -1, -1)


def _flat_vertex_index(faces: Tensor, batch: int, num_verts: int) -> Tensor:
    """(B·F·3,) int64 rows ``b·V + faces[b, f, k]`` of the flattened (B·V, D) vertex table."""
    faces = batch_faces(faces, batch)
    offsets = torch.arange(batch, device=faces.device).view(batch, 1, 1) * num_verts
    return (faces + offsets).reshape(-1)


def _planes(rows: Tensor) -> Tensor:
    """(N, D) → (D, N) contiguous: stacking the columns is ~5× faster on CPU than ``.T.contiguous()``."""
    return torch.stack(rows.unbind(1))


def face_corner_rows(faces: Tensor, batch: int, num_verts: int) -> Tensor:
    """Rows of every face's three corners in the flattened (B·V) vertex table, corner-major.

    Args:
        faces: (F, 3) or (B, F, 3) vertex indices.
        batch: B.
        num_verts: V.

    Returns:
        (3, B·F) int32 rows ``b·V + faces[b, f, k]`` (int32: see :func:`gather_faces`).
    """
    offsets = torch.arange(batch, dtype=torch.int32, device=faces.device).view(1, batch, 1) * num_verts
    # Built from contiguous operands: strided ones make the add several times slower.
    if faces.dim() == 2:
        rows = faces.T.int().contiguous().unsqueeze(1) + offsets
    else:
        rows = batch_faces(faces, batch).permute(2, 0, 1).int().contiguous() + offsets
    return rows.reshape(3, -1)


def corner_planes(values: Tensor, faces: Tensor) -> Tensor:
    """Per-vertex values at the corners of every face, as planes (differentiable).

    The layout element-wise maths on CPU wants: each (value, corner) pair is one contiguous plane over all B·F
    faces, so that corner k's x is ``planes[0, k]``, without the strided access of :func:`face_vertices`.

    Args:
        values: (B, V, D) per-vertex values.
        faces: (F, 3) or (B, F, 3) vertex indices.

    Returns:
        (D, 3, B·F) values at corner k of face ``b·F + f``.
    """
    return gather_corners(values, face_corner_rows(faces, values.shape[0], values.shape[1]))


def face_vertices(values: Tensor, faces: Tensor) -> Tensor:
    """Gather per-vertex values onto the corners of every face (differentiable).

    Args:
        values: (B, V, D) per-vertex values.
        faces: (F, 3) or (B, F, 3) vertex indices.

    Returns:
        (B, F, 3, D) values at the three corners of each face.
    """
    batch, num_verts, dim = values.shape
    # index_select with an int32 index: on CPU much faster than gather with an expanded index (see gather_faces).
    flat = _flat_vertex_index(faces, batch, num_verts).int()
    return values.reshape(batch * num_verts, dim).index_select(0, flat).view(batch, -1, 3, dim)


def face_normals(verts: Tensor, faces: Tensor, normalize: bool = True) -> Tensor:
    """Normals ``(v1 − v0) × (v2 − v0)`` of every face.

    Args:
        verts: (B, V, 3) vertex positions.
        faces: (F, 3) or (B, F, 3) vertex indices.
        normalize: Return unit normals; otherwise the length is twice the face area.

    Returns:
        (B, F, 3) face normals.
    """
    corners = face_vertices(verts, faces)
    normals = torch.linalg.cross(corners[:, :, 1] - corners[:, :, 0], corners[:, :, 2] - corners[:, :, 0])
    return torch.nn.functional.normalize(normals, dim=-1) if normalize else normals


def vertex_normals(verts: Tensor, faces: Tensor) -> Tensor:
    """Area-weighted vertex normals: the normalised sum of the unnormalised normals of adjacent faces.

    Args:
        verts: (B, V, 3) vertex positions.
        faces: (F, 3) or (B, F, 3) vertex indices.

    Returns:
        (B, V, 3) unit normals (zero for vertices used by no face).
    """
    batch, num_verts, _ = verts.shape
    # Work on (xyz, corner, B·F) planes: element-wise maths on a trailing dimension of 3 is slow on CPU.
    rows = face_corner_rows(faces, batch, num_verts)  # (3, B·F)
    (x0, x1, x2), (y0, y1, y2), (z0, z1, z2) = gather_corners(verts, rows)
    e1, e2 = (x1 - x0, y1 - y0, z1 - z0), (x2 - x0, y2 - y0, z2 - z0)
    # Cross product e1 × e2, whose length is twice the face area, hence the area weighting.
    normal = (e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0])
    corners = [rows[k].long() for k in range(3)]  # index_add wants an int64 index here
    # Scatter each face's normal onto its three corners, one coordinate at a time: a 1-D index_add is about twice
    # as fast on CPU as one on (B·V, 3) rows and adds in the same order (corner 0 of every face, then 1, then 2).
    # Along dim 1 of (3, B·V) planes it would sum in another order (renders change by a grey level).
    planes = []
    for component in normal:
        summed = verts.new_zeros(batch * num_verts)
        for index in corners:
            summed.index_add_(0, index, component)  # in place into fresh zeros: no copy, still differentiable
        planes.append(summed)
    summed = torch.stack(planes, 1)
    return torch.nn.functional.normalize(summed.view(batch, num_verts, 3), dim=-1)


def pixel_face_index(face_idx: Tensor, num_faces: int) -> Tensor:
    """Flattened (batch, face) row of every pixel, for looking up per-face tables with ``index_select``.

    Args:
        face_idx: (B, H, W) face index per pixel, −1 for background (mapped to face 0; mask it afterwards).
        num_faces: F.

    Returns:
        (B·H·W,) int32 indices ``b·F + f``. int32 because, on CPU (torch 2.14), ``index_select`` of rows of a few
        values is about 10× slower with an int64 index; B·F < 2³¹ for any mesh batch that fits in memory.
    """
    batch = face_idx.shape[0]
    offsets = torch.arange(batch, device=face_idx.device).view(batch, 1, 1) * num_faces
    return (face_idx.clamp(min=0) + offsets).view(-1).int()


def flat_nonzero(mask: Tensor) -> Tensor:
    """(N,) int64 indices of the true elements of a mask, flattened in row-major order.

    ``torch.nonzero``'s result, computed by NumPy on CPU: ``np.flatnonzero`` is about 8× faster there
    (torch 2.14, a 64×64×64 mask: 0.18 ms against 1.4 ms).
    """
    if mask.device.type == "cpu":
        return torch.from_numpy(np.flatnonzero(mask.numpy()))
    return mask.reshape(-1).nonzero().squeeze(1)


def pixel_coordinates(pixels: Tensor, height: int, width: int) -> tuple[Tensor, Tensor, Tensor]:
    """Image, row and column of flat pixel indices into B·H·W, as exact float64 values.

    Integer division is not vectorised on CPU (torch 2.14: ``pixels % W`` costs twice ``(pixels / W).floor()`` in
    float64). For p < 2³¹ the float64 quotient p / d is within p·2⁻⁵³ < 1/d of the true one, closer than any
    other integer's quotient, so its floor is exact.

    Args:
        pixels: (P,) int64 non-negative flat indices, sorted (``Fragments.pixels``).
        height: H.
        width: W.

    Returns:
        ``(image, row, column)``, each (P,) float64 holding integers.
    """
    if pixels.numel() and int(pixels[-1]) >= 2**31:  # beyond the exactness bound: integer division
        return (pixels // (height * width)).double(), (pixels // width % height).double(), (pixels % width).double()
    flat = pixels.double()
    rows = (flat / width).floor()  # b·H + y
    image = (rows / height).floor()
    return image, rows - image * height, flat - rows * width


def pixel_corner_rows(faces: Tensor, face_idx: Tensor, pixels: Tensor, num_verts: int) -> Tensor:
    """Rows of the three corners of the face that covers each of the given pixels, in a flattened vertex table.

    Per-pixel work that skips the background starts here: gathering the corners of the P covered pixels'
    faces directly is cheaper than building a table for all B·F faces (most of which are culled, hidden or
    cover no pixel centre) and looking it up. :func:`facessl.render.rasterize.rasterize` computes these once
    (``Fragments.corner_rows``) for the barycentrics and every interpolation with the same faces.

    Args:
        faces: (F, 3) or (B, F, 3) vertex indices.
        face_idx: (B, H, W) face index per pixel, −1 for background.
        pixels: (P,) int64 flat indices into B·H·W of covered pixels (:func:`flat_nonzero` of ``face_idx ≥ 0``).
        num_verts: V.

    Returns:
        (3, P) int32 rows ``b·V + faces[b, f, k]`` (int32: see :func:`gather_faces`).
    """
    image = pixel_coordinates(pixels, face_idx.shape[1], face_idx.shape[2])[0].long()
    face = face_idx.reshape(-1).index_select(0, pixels)
    if faces.dim() == 2:
        table, face = faces.T.int().contiguous(), face.int()
    else:
        table, face = faces.reshape(-1, 3).T.int().contiguous(), (image * faces.shape[1] + face).int()
    # One 1-D gather per corner: an integer index_select along dim 1 is ~3× slower on CPU (torch 2.14).
    corners = torch.stack([table[k].index_select(0, face) for k in range(3)])
    return corners + (image * num_verts).int()


def covered_pixels(
    faces: Tensor, face_idx: Tensor, num_verts: int, pixels: Tensor | None = None, corner_rows: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """The covered pixels of ``face_idx`` and their faces' corner rows, computing whichever the caller lacks.

    Args:
        faces: (F, 3) or (B, F, 3) vertex indices.
        face_idx: (B, H, W) face index per pixel, −1 for background.
        num_verts: V.
        pixels: (P,) :func:`flat_nonzero` of ``face_idx ≥ 0`` when already known (``Fragments.pixels``).
        corner_rows: (3, P) :func:`pixel_corner_rows` of these faces when already known (``Fragments.corner_rows``).

    Returns:
        ``(pixels, corner_rows)``.
    """
    if pixels is None:
        pixels = flat_nonzero(face_idx >= 0)
    if corner_rows is None:
        corner_rows = pixel_corner_rows(faces, face_idx, pixels, num_verts)
    return pixels, corner_rows


def gather_corners(values: Tensor, corner_rows: Tensor) -> Tensor:
    """Per-vertex values at the corners of :func:`pixel_corner_rows` (differentiable).

    Args:
        values: (B, V, D) per-vertex values.
        corner_rows: (3, P) int32 rows into the flattened (B·V) vertices.

    Returns:
        (D, 3, P) values at corner k of pixel p's face.
    """
    batch, num_verts, dim = values.shape
    return _planes(values.reshape(batch * num_verts, dim)).index_select(1, corner_rows.reshape(-1)).view(dim, 3, -1)


def scatter_pixels(values: Tensor, pixels: Tensor, shape: tuple[int, int, int]) -> Tensor:
    """Place values computed at covered pixels into zero-filled planes (differentiable).

    Args:
        values: (D, P) values at the pixels ``pixels``.
        pixels: (P,) int64 flat indices into B·H·W.
        shape: ``(B, H, W)``.

    Returns:
        (D, B, H, W) planes, zero where no value was given.
    """
    planes = values.new_zeros(values.shape[0], shape[0] * shape[1] * shape[2])
    # In place into the fresh zeros (still differentiable with respect to ``values``): the out-of-place
    # index_copy would first copy the whole (D, B·H·W) buffer.
    return planes.index_copy_(1, pixels, values).view(values.shape[0], *shape)


def gather_faces(per_face: Tensor, face_idx: Tensor) -> Tensor:
    """Look up per-face values at every pixel, channel-first (differentiable with respect to ``per_face``).

    The per-face table is laid out as planes (D, B·F) and indexed along its last dimension, so that the result
    comes out as D contiguous (B, H, W) planes: element-wise maths on planes is several times faster on CPU
    than on a trailing dimension of 3 or 9.

    Args:
        per_face: (D, B, F) values per face.
        face_idx: (B, H, W) face index per pixel, −1 for background (gets face 0's values; mask them).

    Returns:
        (D, B, H, W) values of the face at each pixel.
    """
    dim, batch, num_faces = per_face.shape
    flat = pixel_face_index(face_idx, num_faces)
    return per_face.reshape(dim, batch * num_faces).index_select(1, flat).view(dim, *face_idx.shape)


def icosphere(subdivisions: int = 3, dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor]:
    """Unit icosphere, outward normals: 20·4ⁿ faces (n = 3 gives 1,280 faces and 642 vertices).

    Args:
        subdivisions: Number of 1→4 midpoint subdivisions of the icosahedron.
        dtype: Dtype of the vertices.

    Returns:
        ``(verts, faces)`` of shapes (V, 3) and (F, 3).
    """
    phi = (1.0 + math.sqrt(5.0)) / 2.0
    verts = torch.tensor(
        [[-1, phi, 0], [1, phi, 0], [-1, -phi, 0], [1, -phi, 0], [0, -1, phi], [0, 1, phi],
         [0, -1, -phi], [0, 1, -phi], [phi, 0, -1], [phi, 0, 1], [-phi, 0, -1], [-phi, 0, 1]],
        dtype=torch.float64,
    )  # fmt: skip
    faces = torch.tensor(
        [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
         [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5], [2, 4, 11],
         [6, 2, 10], [8, 6, 7], [9, 8, 1]],
        dtype=torch.int64,
    )  # fmt: skip
    verts = torch.nn.functional.normalize(verts, dim=-1)
    for _ in range(subdivisions):
        # One midpoint per undirected edge, deduplicated with torch.unique so that shared edges share vertices.
        edges = torch.cat([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])  # (3F, 2)
        keys = edges.amin(1) * verts.shape[0] + edges.amax(1)
        unique_keys, inverse = torch.unique(keys, return_inverse=True)
        a, b = unique_keys // verts.shape[0], unique_keys % verts.shape[0]
        mid_idx = (inverse + verts.shape[0]).view(3, -1).T  # (F, 3): midpoints of edges 01, 12, 20
        verts = torch.cat([verts, (verts[a] + verts[b]) / 2.0])
        v0, v1, v2 = faces.unbind(1)
        m01, m12, m20 = mid_idx.unbind(1)
        faces = torch.cat(
            [torch.stack(f, 1) for f in ((v0, m01, m20), (v1, m12, m01), (v2, m20, m12), (m01, m12, m20))]
        )
        verts = torch.nn.functional.normalize(verts, dim=-1)  # push the midpoints out onto the sphere
    return verts.to(dtype), faces
