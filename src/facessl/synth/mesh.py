"""MediaPipe's canonical face mesh, loaded from the package's assets.

The mesh is MediaPipe's ``canonical_mesh`` (468 vertices with per-vertex UVs, 898 triangles,
Apache-2.0; see ``NOTICE`` and ``assets/LICENSE-mediapipe``), extracted by
``scripts/extract_mediapipe_mesh.py``. Its vertex order is MediaPipe's face-landmark order, so
:mod:`facessl.synth.regions` can name regions by landmark index.

Axes of the canonical frame (checked against the landmarks; centimetres, right-handed):

* ``+x`` points to the subject's **left** (the viewer's right when the face looks at the camera);
  the subject's right eye (landmark 33) has ``x < 0``.
* ``+y`` points **up** (forehead top, landmark 10, at y = 8.26; chin, landmark 152, at y = -9.40).
* ``+z`` points **out of the face, toward the camera** (nose tip, landmark 4, has the largest z, 7.59).

UVs follow the image convention that :func:`facessl.render.texture.sample_texture` expects: (0, 0)
is the top-left of the texture, u grows with x (to the subject's left) and v grows downward (the
forehead top has v = 0.11, the chin v = 0.95).

The mesh is exactly mirror-symmetric in x (every vertex has a mirror partner, 28 lie on the
midline), has one open boundary (the face oval), and covers the mouth and the eyes with triangles
(:func:`facessl.synth.regions.faces_within` finds them), which the renderer can shade as mouth
cavity and eyeball. Triangles are wound counter-clockwise seen from +z.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import torch
from torch import Tensor

NUM_VERTICES = 468
NUM_FACES = 898


@dataclass(frozen=True)
class CanonicalMesh:
    """The canonical face mesh as CPU tensors.

    Attributes:
        vertices: (468, 3) float32 positions in cm, axes as in the module docstring.
        uvs: (468, 2) float32 texture coordinates in [0, 1].
        faces: (898, 3) int64 vertex indices, counter-clockwise seen from +z.
        mirror: (468,) int64; ``mirror[i]`` is the vertex at ``vertices[i]`` reflected in x.
    """

    vertices: Tensor
    uvs: Tensor
    faces: Tensor
    mirror: Tensor


def mirror_indices(vertices: Tensor, tol: float = 1e-4) -> Tensor:
    """Pair each vertex with its reflection across the plane x = 0.

    Args:
        vertices: (V, 3) positions.
        tol: largest distance, in the units of ``vertices``, accepted between a reflected vertex
            and its partner.

    Returns:
        (V,) int64 permutation ``m`` with ``vertices[m] ~= vertices * (-1, 1, 1)``.

    Raises:
        ValueError: if some vertex has no partner within ``tol``.
    """
    reflected = vertices * vertices.new_tensor([-1.0, 1.0, 1.0])
    dist = torch.cdist(reflected.double(), vertices.double())  # (V, V)
    best, index = dist.min(dim=1)
    if best.max() > tol:
        raise ValueError(f"mesh is not mirror-symmetric: worst partner is {best.max():.3g} away")
    return index


@lru_cache(maxsize=1)
def load_canonical_mesh() -> CanonicalMesh:
    """Load the embedded canonical mesh (cached; the tensors are shared, so do not modify them)."""
    path = resources.files("facessl.synth") / "assets" / "canonical_face_mesh.npz"
    with resources.as_file(path) as file, np.load(file) as data:
        vertices = torch.from_numpy(data["vertices"].astype(np.float32))
        uvs = torch.from_numpy(data["uvs"].astype(np.float32))
        faces = torch.from_numpy(data["faces"].astype(np.int64))
    if vertices.shape != (NUM_VERTICES, 3) or faces.shape != (NUM_FACES, 3):
        raise ValueError(f"unexpected canonical mesh shapes {tuple(vertices.shape)}, {tuple(faces.shape)}")
    return CanonicalMesh(vertices=vertices, uvs=uvs, faces=faces, mirror=mirror_indices(vertices))
