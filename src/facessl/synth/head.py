"""The head around the face mask: skull with a hair cap, ears and neck, as one extra triangle mesh.

MediaPipe's canonical mesh is a mask that ends at the face oval (:mod:`facessl.synth.mesh`). A crop
of a mask over a background does not look like a face crop, so SynthFaces adds, in the canonical
frame (cm, +x subject's left, +y up, +z toward the camera):

* a **skull**: an ellipsoid of 15.8 × 23 × 20 cm (breadth, height, length; adult head sizes, e.g.
  ANSUR II head breadth ≈ 15 cm and length ≈ 19.5 cm, rounded up for hair) whose front is pushed
  0.8 cm behind the mask wherever the mask covers it, so the mask stays visible and the skull
  fills in forehead-top, temples and the back of the head;
* two **ears**: small ellipsoids at the sides, at the height of the eyes and nose;
* a **neck**: an open cylinder of 10.4 × 10 cm below the head, whose top follows the head pose
  and whose bottom stays with the torso (the pose is blended down the neck, a two-bone skinning).

Each head vertex carries its unit-sphere coordinates on the skull, from which
:func:`hairness` places the hair of each person's :class:`facessl.synth.people.HairStyle`; hair
thickens the skull along its radius.
The sizes are our estimates, not fitted to scans.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from scipy.interpolate import LinearNDInterpolator
from torch import Tensor

from facessl.synth import regions as R
from facessl.synth.face_model import FaceModel
from facessl.synth.people import HairStyle

SKULL_CENTRE_CM = (0.0, 2.0, -4.0)
SKULL_RADII_CM = (7.9, 11.5, 10.0)
MASK_CLEARANCE_CM = 1.0
# Skull vertices behind the mask follow the mask's own displacement (identity and expression),
# interpolated from this many nearest mask vertices in (x, y) with inverse-distance weights.
ANCHORS = 6
EAR_CENTRE_CM = (7.45, 0.6, -3.6)  # the subject's left ear; the right one is mirrored
EAR_RADII_CM = (0.9, 2.9, 1.6)
NECK_CENTRE_XZ_CM = (0.0, -4.5)
NECK_RADII_XZ_CM = (5.2, 5.0)
NECK_RING_HEIGHTS_CM = (-1.0, -7.0, -12.0, -18.0, -26.0, -40.0)
# Height band over which the neck goes from following the head (above) to following the torso.
NECK_BLEND_CM = (-6.0, -16.0)
NOT_HAIR = -10.0  # unit-sphere height given to ear and neck vertices: never below a hairline


def lat_long_sphere(n_lon: int, n_lat: int) -> tuple[Tensor, Tensor]:
    """Unit sphere with ``n_lat`` latitude bands and ``n_lon`` meridians, outward-facing triangles.

    Args:
        n_lon: vertices per ring.
        n_lat: bands from pole to pole (``n_lat - 1`` rings plus two poles).

    Returns:
        ``(verts, faces)``: (2 + n_lon·(n_lat − 1), 3) float64 and (2·n_lon·(n_lat − 1), 3) int64,
        wound so that ``(v1 − v0) × (v2 − v0)`` points outward (the convention of
        :mod:`facessl.render.mesh`).
    """
    theta = torch.arange(1, n_lat, dtype=torch.float64) * torch.pi / n_lat  # polar angle from +y
    phi = torch.arange(n_lon, dtype=torch.float64) * 2 * torch.pi / n_lon
    t, p = torch.meshgrid(theta, phi, indexing="ij")
    rings = torch.stack([t.sin() * p.sin(), t.cos(), t.sin() * p.cos()], -1).reshape(-1, 3)
    poles = torch.tensor([[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]], dtype=torch.float64)
    verts = torch.cat([poles[:1], rings, poles[1:]])
    bottom = verts.shape[0] - 1

    def ring(i: int, j: int) -> int:
        return 1 + i * n_lon + j % n_lon

    faces = []
    for j in range(n_lon):
        faces.append((0, ring(0, j + 1), ring(0, j)))
        faces.append((bottom, ring(n_lat - 2, j), ring(n_lat - 2, j + 1)))
        for i in range(n_lat - 2):
            a, b, c, d = ring(i, j), ring(i, j + 1), ring(i + 1, j), ring(i + 1, j + 1)
            faces += [(a, b, d), (a, d, c)]
    faces_t = torch.tensor(faces, dtype=torch.int64)
    # Orient outward (checked numerically so the construction above cannot get it wrong).
    corners = verts[faces_t]
    normal = torch.linalg.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    flip = (normal * corners.mean(1)).sum(-1) < 0
    faces_t[flip] = faces_t[flip][:, [0, 2, 1]]
    return verts, faces_t


def _open_cylinder(n_around: int, heights: tuple[float, ...]) -> tuple[Tensor, Tensor]:
    """Unit-radius open cylinder along y, outward-facing; (len(heights)·n_around, 3) and faces."""
    phi = torch.arange(n_around, dtype=torch.float64) * 2 * torch.pi / n_around
    verts = torch.cat([torch.stack([phi.sin(), torch.full_like(phi, h), phi.cos()], -1) for h in heights])
    faces = []
    for i in range(len(heights) - 1):
        for j in range(n_around):
            a, b = i * n_around + j, i * n_around + (j + 1) % n_around
            c, d = a + n_around, b + n_around
            faces += [(a, c, d), (a, d, b)]
    faces_t = torch.tensor(faces, dtype=torch.int64)
    corners = verts[faces_t]
    normal = torch.linalg.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    radial = corners.mean(1) * torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    flip = (normal * radial).sum(-1) < 0
    faces_t[flip] = faces_t[flip][:, [0, 2, 1]]
    return verts, faces_t


@dataclass(frozen=True)
class HeadMesh:
    """The head parts for the template face.

    Attributes:
        vertices: (N, 3) float32 positions in cm (canonical frame, neutral template face).
        faces: (F, 3) int64 indices into ``vertices``.
        sphere: (N, 3) float32 unit-sphere coordinates on the skull (hairline placement);
            ``y = NOT_HAIR`` on ears and neck.
        follow: (N,) float32 share of the head pose each vertex follows (1 except down the neck).
        skull: (N,) bool, the skull's vertices (the only ones hair can cover).
        behind: (M,) int64 indices of the skull vertices pushed behind the mask.
        anchors: (M, ANCHORS) int64 mask vertices each of them follows.
        anchor_weights: (M, ANCHORS) float32 weights of the anchors (rows sum to 1).
    """

    vertices: Tensor
    faces: Tensor
    sphere: Tensor
    follow: Tensor
    skull: Tensor
    behind: Tensor
    anchors: Tensor
    anchor_weights: Tensor


@lru_cache(maxsize=1)
def head_mesh() -> HeadMesh:
    """Build the head parts once per process (shrink-wrapped behind the template mask)."""
    template = FaceModel().template.double().numpy()
    unit, skull_faces = lat_long_sphere(28, 16)
    f64 = torch.float64
    skull = (unit * torch.tensor(SKULL_RADII_CM, dtype=f64) + torch.tensor(SKULL_CENTRE_CM, dtype=f64)).numpy()
    # Push the skull's front behind the mask: depth of the mask at each skull vertex's (x, y).
    mask_depth = LinearNDInterpolator(template[:, :2], template[:, 2])(skull[:, :2])
    behind = np.isfinite(mask_depth) & (skull[:, 2] > mask_depth - MASK_CLEARANCE_CM) & (unit[:, 2].numpy() > 0)
    skull[behind, 2] = mask_depth[behind] - MASK_CLEARANCE_CM
    dist = torch.cdist(torch.from_numpy(skull[behind, :2]), torch.from_numpy(template[:, :2]))  # (M, 468)
    near, anchors = dist.topk(ANCHORS, dim=1, largest=False)
    weights = 1.0 / near.clamp(min=1e-3)
    weights = weights / weights.sum(1, keepdim=True)

    ear_unit, ear_faces = lat_long_sphere(10, 6)
    ear_radii = torch.tensor(EAR_RADII_CM, dtype=torch.float64)
    left_ear = ear_unit * ear_radii + torch.tensor(EAR_CENTRE_CM, dtype=torch.float64)
    right_ear = left_ear * torch.tensor([-1.0, 1.0, 1.0], dtype=torch.float64)
    right_faces = ear_faces[:, [0, 2, 1]]  # mirroring flips the winding

    cyl, neck_faces = _open_cylinder(20, NECK_RING_HEIGHTS_CM)
    neck = cyl.clone()
    neck[:, 0] = cyl[:, 0] * NECK_RADII_XZ_CM[0] + NECK_CENTRE_XZ_CM[0]
    neck[:, 2] = cyl[:, 2] * NECK_RADII_XZ_CM[1] + NECK_CENTRE_XZ_CM[1]

    parts = [torch.from_numpy(skull), left_ear, right_ear, neck]
    part_faces = [skull_faces, ear_faces, right_faces, neck_faces]
    offsets = np.cumsum([0] + [p.shape[0] for p in parts])
    vertices = torch.cat(parts)
    faces = torch.cat([f + int(o) for f, o in zip(part_faces, offsets[:-1], strict=True)])
    sphere = torch.zeros_like(vertices)
    sphere[:, 1] = NOT_HAIR
    sphere[: len(skull)] = unit
    top, bottom = NECK_BLEND_CM
    follow = ((vertices[:, 1] - bottom) / (top - bottom)).clamp(0.0, 1.0)
    follow[: offsets[3]] = 1.0
    is_skull = torch.zeros(len(vertices), dtype=torch.bool)
    is_skull[: len(skull)] = True
    behind_index = torch.from_numpy(np.flatnonzero(behind))
    return HeadMesh(vertices.float(), faces, sphere.float(), follow.float(), is_skull, behind_index, anchors,
                    weights.float())  # fmt: skip


def fit_head(face_vertices: Tensor, template: Tensor, head: HeadMesh, hair_offset: Tensor) -> Tensor:
    """Place the head parts around each face.

    The head is scaled and shifted to the extent of the face oval, except the skull vertices
    behind the mask, which move with the mask itself (so that a flatter face or a dropped jaw
    never lets the skull poke through it) and get no hair thickness.

    Args:
        face_vertices: (B, 468, 3) unposed face vertices (identity and expression applied).
        template: (468, 3) the template face the head was built for.
        head: the head parts.
        hair_offset: (B, N) thickness of the hair at each head vertex, cm, added along the
            skull's radial direction.

    Returns:
        (B, N, 3) head-part vertices in the canonical frame, unposed.
    """
    oval = list(R.FACE_OVAL)
    ref = template[oval]  # (P, 3)
    cur = face_vertices[:, oval]  # (B, P, 3)
    ref_lo, ref_hi = ref.amin(0), ref.amax(0)
    lo, hi = cur.amin(1), cur.amax(1)
    scale = (hi - lo) / (ref_hi - ref_lo)  # (B, 3)
    scale = torch.cat([scale[:, :2], torch.ones_like(scale[:, 2:])], 1)  # depth: keep the skull's length
    ref_mid, mid = 0.5 * (ref_lo + ref_hi), 0.5 * (lo + hi)
    radial = head.sphere.to(face_vertices) * head.skull.to(face_vertices)[:, None]  # zero off the skull
    grown = head.vertices.to(face_vertices) + hair_offset[:, :, None] * radial
    fitted = (grown - ref_mid) * scale[:, None, :] + mid[:, None, :]
    # (B, M, 3): each behind-vertex's share of its anchors' displacement from the template.
    moved = torch.einsum("mk,bmkc->bmc", head.anchor_weights.to(face_vertices),
                         (face_vertices - template)[:, head.anchors])  # fmt: skip
    fitted[:, head.behind] = head.vertices.to(face_vertices)[head.behind] + moved
    return fitted


def hairness(head: HeadMesh, hair: HairStyle) -> Tensor:
    """How much each head vertex is covered by hair, in [0, 1] (0.5 on the hairline).

    Hair grows where ``line < n_y < crown``, with the lower hairline
    ``line = side + (front − side)·max(n_z, 0) + (back − side)·max(−n_z, 0)`` (``n`` the vertex's
    unit-sphere coordinates) and ``crown`` the edge of a bald patch (above 1: none).

    Args:
        head: the head parts.
        hair: B hair styles.

    Returns:
        (B, N) coverage.
    """
    n = head.sphere.to(hair.front)
    nz, ny = n[:, 2][None], n[:, 1][None]
    side, front, back = hair.side[:, None], hair.front[:, None], hair.back[:, None]
    line = side + (front - side) * nz.clamp(min=0) + (back - side) * (-nz).clamp(min=0)
    below_crown = (0.5 + 3.0 * (hair.crown[:, None] - ny)).clamp(0.0, 1.0)
    return (0.5 + 3.0 * (ny - line)).clamp(0.0, 1.0) * below_crown


def hair_uv(coverage: Tensor) -> Tensor:
    """Texture v of each head vertex from its hair coverage: 0.25 in hair, 0.75 on skin.

    The atlas (:mod:`facessl.synth.atlas`) has a hard edge at v = 0.5, so interpolating v over a
    triangle draws a sharp hairline where the coverage crosses 0.5.

    Args:
        coverage: (B, N) from :func:`hairness`.

    Returns:
        (B, N) v coordinates.
    """
    return 0.75 - 0.5 * coverage
