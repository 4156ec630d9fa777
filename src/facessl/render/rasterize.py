"""Visibility: which triangle is nearest at each pixel centre (a z-buffer, no gradient).

This is the first half of nvdiffrast's ``rasterize`` (Laine et al., "Modular Primitives for High-Performance
Differentiable Rendering", SIGGRAPH Asia 2020): the discrete choice of a triangle per pixel carries no gradient.
:func:`facessl.render.barycentric.pixel_barycentrics` then recomputes the barycentrics and depth from that
triangle's vertex positions, differentiably.

Algorithm (vectorised scanline conversion, no loop per triangle or pixel):

1. every triangle lists the pixel rows its bounding box crosses (a ``repeat_interleave`` over the row counts);
2. every (triangle, row) pair intersects the row with the triangle's three edge half-planes, which gives the
   exact span of pixel centres inside the triangle on that row;
3. every pixel of every span becomes a fragment whose inverse depth is affine in x along the row, and the
   fragments are reduced into a z-buffer with one ``scatter_reduce(amin)`` on a packed int64 key
   ``(float32 depth bits << 32) | face index``. Positive float32 values order like their bit patterns, so the
   smallest key is the nearest fragment, and equal depths go to the lower face index whatever the draw order.

Work is proportional to the number of rows plus the number of covered fragments, with no rejected candidates.
Triangles are processed in chunks whose bounding boxes hold at most about ``max_fragments`` pixels, which
bounds memory for large triangles or batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from facessl.render.barycentric import MIN_DOUBLE_AREA, pixel_barycentrics
from facessl.render.mesh import corner_planes, covered_pixels, flat_nonzero

# Half-planes are widened by this many pixels: a pixel centre on a shared edge belongs to both neighbours (no
# cracks; the z-buffer tie-break picks one), and a vertex projected to 62.9999 instead of 63 still covers pixel
# 63 (as the grid mesh of a depth map needs). Pixel centres this close outside a triangle get barycentrics of
# about −1e-3 / (edge-to-vertex distance), which the differentiable recomputation handles.
_EDGE_TOLERANCE_PX = 1e-3
_EMPTY_KEY = torch.iinfo(torch.int64).max
# Finite stand-in for an infinite span bound (keeps 0·bound free of NaNs); spans are clamped to the image anyway.
_NEUTRAL_BOUND_PX = 1e30


@torch.no_grad()
def rasterize_face_ids(
    screen_verts: Tensor,
    faces: Tensor,
    image_size: tuple[int, int],
    near: float = 1e-2,
    far: float = 1e3,
    cull_backfaces: bool = False,
    max_fragments: int = 1 << 22,
) -> Tensor:
    """Index of the nearest triangle at every pixel centre, or −1 where no triangle covers it.

    Args:
        screen_verts: (B, V, 3) vertices as ``(x_pixel, y_pixel, z_camera)``, e.g. from
            :meth:`facessl.render.camera.PerspectiveCamera.world_to_screen`. Pixel (row i, column j) has its
            centre at x = j, y = i.
        faces: (F, 3) shared or (B, F, 3) per-batch vertex indices (int64).
        image_size: ``(H, W)``.
        near: Triangles with any vertex closer than this camera depth are dropped (there is no clipping).
        far: Fragments farther than this camera depth are dropped.
        cull_backfaces: Drop triangles facing away from the camera (clockwise in the image, see
            :mod:`facessl.render.mesh`). Off by default, like Unsup3D's ``fill_back``; turning it on halves the
            work for closed meshes.
        max_fragments: Bound on the bounding-box pixels processed at once (a few hundred bytes each at most).

    Returns:
        (B, H, W) int64 face indices in ``[0, F)``, −1 for background.
    """
    if not near > 0:
        raise ValueError(f"rasterize: near must be positive, got {near}")
    height, width = image_size
    batch = screen_verts.shape[0]
    # (xyz, corner, B·F) planes: element-wise maths on a trailing dimension of 3 is slow on CPU.
    planes = corner_planes(screen_verts, faces).view(9, -1)
    num_faces = planes.shape[1] // batch
    x, y, z = planes.view(3, 3, -1)

    # Edge function of the edge opposite corner k, E_k(p) = A·px + B·py + C; E_k / (doubled signed area) is the
    # screen-space barycentric coordinate k. Only C is needed for every triangle (its sum is the doubled area).
    # Σ_k x_{k+1}·y_{k+2} − x_{k+2}·y_{k+1}, summed in the order k = 0, 1, 2: what .sum(0) of rolled planes gives,
    # without copying them.
    (x0, x1, x2), (y0, y1, y2) = x, y
    double_area = (x1 * y2 - x2 * y1) + (x2 * y0 - x0 * y2) + (x0 * y1 - x1 * y0)  # (BF,) > 0: clockwise
    x_lo = (x.amin(0) - _EDGE_TOLERANCE_PX).ceil()
    x_hi = (x.amax(0) + _EDGE_TOLERANCE_PX).floor()
    y_lo = (y.amin(0) - _EDGE_TOLERANCE_PX).ceil().clamp(0, height)
    y_hi = (y.amax(0) + _EDGE_TOLERANCE_PX).floor().clamp(-1, height - 1)
    valid = (double_area.abs() > MIN_DOUBLE_AREA) & (z.amin(0) >= near)
    valid &= (x_hi >= 0) & (x_lo <= width - 1) & (y_hi >= y_lo)
    if cull_backfaces:
        valid &= double_area < 0
    # Only triangles that can cover a pixel go on; back faces and off-screen ones are often half of all.
    kept = flat_nonzero(valid)  # host sync
    kept32 = kept.int()
    double_area, x_lo, x_hi, y_lo, y_hi = (t.index_select(0, kept32) for t in (double_area, x_lo, x_hi, y_lo, y_hi))
    x, y, z = planes.index_select(1, kept32).view(3, 3, -1)
    x1, x2 = x.roll(-1, 0), x.roll(-2, 0)
    y1, y2 = y.roll(-1, 0), y.roll(-2, 0)
    edge_a, edge_b, edge_c = y1 - y2, x2 - x1, x1 * y2 - x2 * y1  # each (3, T)

    # Oriented, length-normalised half-planes: inside ⇔ A'·px + B'·py + C' + tolerance ≥ 0, in pixels, for all k.
    scale = torch.sign(double_area) / torch.hypot(edge_a, edge_b).clamp(min=1e-12)
    a_n, b_n, c_n = edge_a * scale, edge_b * scale, edge_c * scale + _EDGE_TOLERANCE_PX
    # On row y, edge k bounds x by (−B'·y − C') / A': from below if A' > 0 (a left edge), from above if A' < 0 (a
    # right edge). Horizontal edges (A' = 0) only limit y, which the bounding box (widened by the same tolerance)
    # already does. The bound is evaluated as (−B'·y − C')·(1/A') rather than with a precomputed slope, which
    # would lose all precision for nearly horizontal edges. A triangle has one or two left edges and one or two
    # right ones, so a row's span is the max of two left bounds and the min of two right bounds: the first and
    # the last edge of each kind (the same edge twice when there is one). A sliver whose edges are all horizontal
    # gets the neutral bounds ∓_NEUTRAL_BOUND_PX. Selections are written with float masks: torch.where is ~10×
    # slower than a multiply on CPU (torch 2.14).
    is_left, is_right = (a_n > 0).to(a_n.dtype), (a_n < 0).to(a_n.dtype)
    inv_a = 1.0 / (a_n + (1.0 - is_left - is_right))  # 1/A', or 1 for horizontal edges
    terms = torch.stack([-b_n, -c_n, inv_a]).view(3, -1)  # (3 terms, 3 edges · T)
    num_kept = kept.numel()
    columns, present = [], []
    for k0, k1, k2 in (is_left, is_right):
        # Index of the first and of the last edge of the kind (argmax along dim 0 is ~30× slower on CPU).
        first, last = (1.0 - k0) * (2.0 - k1), 2.0 - (1.0 - k2) * (2.0 - k1)
        columns += [first, last]
        present += [torch.maximum(torch.maximum(k0, k1), k2)] * 2
    arange = torch.arange(num_kept, dtype=torch.int32, device=kept.device)
    picks = (torch.stack(columns).int() * num_kept + arange).view(-1)  # columns of `terms`, edge-major
    picked = terms.index_select(1, picks).view(3, 4, num_kept)  # (3 terms, 4 edges, T)
    has = torch.stack(present)  # (4, T): 1 where the triangle has an edge of that kind
    neutral = torch.tensor([-_NEUTRAL_BOUND_PX, -_NEUTRAL_BOUND_PX, _NEUTRAL_BOUND_PX, _NEUTRAL_BOUND_PX],
                           dtype=has.dtype, device=has.device)[:, None]  # fmt: skip
    # (12, T): −B', −C', 1/A' of the edges (left, left, right, right); a missing edge gets −B' = 0, −C' = the
    # neutral bound and 1/A' = 1. Written in place into one buffer: the sums of picked·has + (1 − has)·neutral.
    span_bounds = torch.mul(picked, has)
    missing = 1.0 - has
    span_bounds[1].add_(missing * neutral)
    span_bounds[2].add_(missing)
    span_bounds = span_bounds.view(12, num_kept)
    # Inverse camera depth is affine in screen space: 1/z(p) = Σ_k E_k(p) / (doubled area · z_k).
    weight = 1.0 / (double_area * z)  # (3, T)
    inv_z_coef = torch.stack([(edge_a * weight).sum(0), (edge_b * weight).sum(0), (edge_c * weight).sum(0)])
    rows = (y_hi - y_lo + 1).long()
    box_pixels = rows * (x_hi.clamp(max=width - 1) - x_lo.clamp(min=0) + 1).long()

    # Image of each kept triangle (``kept`` is sorted); cheaper than an integer division on CPU.
    per_image = valid.view(batch, num_faces).sum(1)
    image = _expand_counts(per_image.cumsum(0) - per_image, num_kept)
    zbuf = torch.full((batch * height * width,), _EMPTY_KEY, dtype=torch.int64, device=screen_verts.device)
    ends = box_pixels.cumsum(0)
    total = int(ends[-1]) if ends.numel() else 0  # host sync
    # Chunk boundaries fall between triangles: a chunk starts where the running box area passes k·max_fragments.
    starts = torch.searchsorted(ends, torch.arange(0, total, max_fragments, device=ends.device), right=True)
    bounds = [*starts.tolist(), ends.numel()]
    tables = _TriangleTables(
        span_bounds=span_bounds,
        inv_z_coef=inv_z_coef,
        rows=rows,
        y_lo=y_lo.long(),
        pixel_base=image.long() * (height * width),
        face=kept - image * num_faces,
        width=width,
        far=far,
    )
    for first, last in zip(bounds[:-1], bounds[1:], strict=True):
        _scanline_chunk(zbuf, tables, first, last)

    # Low 32 bits hold the face index; pixels left at the empty key get −1.
    face_idx = (zbuf & 0xFFFFFFFF).masked_fill_(zbuf == _EMPTY_KEY, -1)
    return face_idx.view(batch, height, width)


@dataclass(frozen=True)
class _TriangleTables:
    """Per-triangle set-up of :func:`rasterize_face_ids` for the T triangles that can cover a pixel."""

    span_bounds: Tensor  # (12, T): −B', −C', 1/A' of two left and two right edges (see rasterize_face_ids)
    inv_z_coef: Tensor  # (3, T): 1/z = a·px + b·py + c
    rows: Tensor  # (T,) number of pixel rows crossed (≥ 1)
    y_lo: Tensor  # (T,) first row
    pixel_base: Tensor  # (T,) flat z-buffer index of the triangle's image, b·H·W
    face: Tensor  # (T,) face index f
    width: int
    far: float


def _expand_counts(starts: Tensor, total: int) -> Tensor:
    """``repeat_interleave(arange(K), counts)``: the owner index of each of ``total`` slots, from the owners' starts.

    Written as a scatter of ones at each owner's first slot followed by a cumulative sum; owners with a zero
    count share their successor's first slot and are overtaken by it. (``torch.repeat_interleave`` gives the
    same result but was slower for small inputs on the shared CPU runners.) The callers need the starts
    themselves too, so they pass them rather than the counts.

    Args:
        starts: (K,) int64 first slot of each owner, ``counts.cumsum(0) − counts`` for non-negative counts.
        total: the number of slots (the counts' sum), already known on the host.

    Returns:
        (total,) int32 owner indices (the callers index with them: int32 indices are faster on CPU, see
        :func:`facessl.render.mesh.pixel_face_index`).
    """
    starts = starts.clamp(max=total)  # trailing empty owners land in the extra slot
    marks = torch.zeros(total + 1, dtype=torch.int32, device=starts.device)
    marks.scatter_add_(0, starts, torch.ones(starts.shape, dtype=torch.int32, device=starts.device))
    return marks[:total].cumsum(0, dtype=torch.int32) - 1


def _scanline_chunk(zbuf: Tensor, tab: _TriangleTables, first: int, last: int) -> None:
    """Rasterize kept triangles ``first:last`` into the packed-key z-buffer, in place."""
    device = zbuf.device
    rows = tab.rows[first:last]
    num_rows = int(rows.sum())  # host sync
    if num_rows == 0:
        return
    # (triangle, row) pairs: row r of the chunk belongs to triangle tri[r] and is image row py[r].
    # int32 indices: index_select along the last dimension of the (k, T) tables is about twice as fast.
    row_start = rows.cumsum(0) - rows
    tri = first + _expand_counts(row_start, num_rows)
    row_shift = tab.y_lo[first:last] - row_start  # py = (index among the chunk's rows) + shift
    py = torch.arange(num_rows, device=device) + row_shift.index_select(0, tri - first)
    pyf = py.to(tab.span_bounds.dtype)

    # Span of pixel centres of the row inside the triangle: the largest left bound to the smallest right bound.
    sb = tab.span_bounds.index_select(1, tri)  # (12, R)
    # Clamping to the image also bounds the neutral ±1e30 and the huge bounds of nearly horizontal edges.
    bound = (sb[0:4] * pyf + sb[4:8]) * sb[8:12]  # (4, R): x bounds of the two left and the two right edges
    x_left = torch.maximum(bound[0], bound[1]).ceil().clamp(0, tab.width)
    x_right = torch.minimum(bound[2], bound[3]).floor().clamp(-1, tab.width - 1)
    spans = (x_right - x_left + 1).clamp(min=0).long()
    span_end = spans.cumsum(0)
    num_frags = int(span_end[-1])  # host sync
    if num_frags == 0:
        return
    span_start = span_end - spans
    # Per-row values the fragments need. Fragment i of the chunk lies on row frag_row[i] at column
    # x = i + x_shift[row]; its z-buffer slot is row_base[row] + x; 1/z = iz0[row] + slope[row]·x.
    x_shift = x_left.long() - span_start
    row_base = tab.pixel_base.index_select(0, tri) + py * tab.width
    coef = tab.inv_z_coef.index_select(1, tri)  # (3, R)
    row_inv_z = torch.stack([coef[1] * pyf + coef[2], coef[0]])  # (2, R)
    row_face = tab.face.index_select(0, tri)

    frag_row = _expand_counts(span_start, num_frags)
    x = torch.arange(num_frags, device=device) + x_shift.index_select(0, frag_row)
    iz = row_inv_z.index_select(1, frag_row)
    inv_z = iz[0] + iz[1] * x.to(iz.dtype)
    depth_bits = (1.0 / inv_z).float().view(torch.int32).long()  # 1/z ≤ 0 only fails the far test below
    key = depth_bits.bitwise_left_shift_(32).bitwise_or_(row_face.index_select(0, frag_row))
    # Beyond the far plane (or 1/z ≤ 0): replace by the empty key, which amin ignores (masked_fill_: about 4× faster
    # on CPU than selecting with arithmetic, let alone torch.where).
    key.masked_fill_(inv_z * tab.far <= 1.0, _EMPTY_KEY)
    zbuf.scatter_reduce_(0, row_base.index_select(0, frag_row) + x, key, reduce="amin")


@dataclass(frozen=True)
class Fragments:
    """Per-pixel output of :func:`rasterize` (buffers are channel-last, as in nvdiffrast).

    Attributes:
        face_idx: (B, H, W) int64 index of the visible face, −1 for background (no gradient).
        bary: (B, H, W, 3) perspective-correct barycentric weights, zero on background (differentiable).
        depth: (B, H, W) camera-space depth z, zero on background (differentiable).
        pixels: (P,) int64 flat indices into B·H·W of the covered pixels, for per-pixel work that skips the
            background (see :func:`facessl.render.interpolate.interpolate`).
        corner_rows: (3, P) int32 rows ``b·V + v`` of the corners of each covered pixel's face
            (:func:`facessl.render.mesh.pixel_corner_rows`), for interpolating with the rasterized faces.
    """

    face_idx: Tensor
    bary: Tensor
    depth: Tensor
    pixels: Tensor
    corner_rows: Tensor


def rasterize(
    screen_verts: Tensor,
    faces: Tensor,
    image_size: tuple[int, int],
    near: float = 1e-2,
    far: float = 1e3,
    cull_backfaces: bool = False,
) -> Fragments:
    """Rasterize triangles: z-buffered face ids, then differentiable barycentrics and depth.

    Args:
        screen_verts: (B, V, 3) ``(x_pixel, y_pixel, z_camera)`` vertices.
        faces: (F, 3) shared or (B, F, 3) per-batch vertex indices.
        image_size: ``(H, W)``.
        near: Triangles with a vertex closer than this are dropped.
        far: Fragments farther than this are dropped.
        cull_backfaces: Drop triangles facing away from the camera.

    Returns:
        The fragments.

    Example:
        >>> import torch
        >>> from facessl.render import PerspectiveCamera, rasterize
        >>> cam = PerspectiveCamera.from_fov(10.0, (16, 16))
        >>> verts = torch.tensor([[[-1.0, -1.0, 20.0], [-1.0, 1.0, 20.0], [1.0, -1.0, 20.0]]])
        >>> frags = rasterize(cam.world_to_screen(verts), torch.tensor([[0, 1, 2]]), (16, 16))
        >>> frags.face_idx.shape, bool((frags.face_idx == 0).any())
        (torch.Size([1, 16, 16]), True)
    """
    face_idx = rasterize_face_ids(screen_verts, faces, image_size, near, far, cull_backfaces)
    pixels, corner_rows = covered_pixels(faces, face_idx, screen_verts.shape[1])
    bary, depth = pixel_barycentrics(screen_verts, faces, face_idx, pixels, corner_rows)
    return Fragments(face_idx=face_idx, bary=bary, depth=depth, pixels=pixels, corner_rows=corner_rows)
