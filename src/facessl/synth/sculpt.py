"""Tools that build smooth displacement fields on the canonical face mesh.

Identity modes and action units are written as sums of "handles": a set of source vertices, a
falloff radius and a displacement vector. Distances are measured along the mesh surface (shortest
paths on the edge graph) with the triangles that bridge the mouth and the eye openings removed,
so a handle on the lower lip does not leak into the upper lip, nor the lower lid into the upper
lid. Fields are built once, in float64 NumPy, and stored as torch buffers by
:class:`facessl.synth.face_model.FaceModel`.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from functools import cached_property

import numpy as np
import numpy.typing as npt

from facessl.synth import regions as R
from facessl.synth.mesh import CanonicalMesh

FloatArray = npt.NDArray[np.float64]
"""A float64 NumPy array: positions, weights or displacement fields in cm."""

# Width (cm) of the blend between the two halves of the face when an action unit acts on one side;
# about a third of the philtrum's width, so the midline moves half as much as either side.
SIDE_BLEND_CM = 0.4

# Vertex pairs across the openings: (upper margin, lower margin) contours whose connecting edges
# are cut, so geodesic distances go round the mouth corners and eye corners.
_OPENINGS = (
    (R.LIPS_UPPER_INNER[1:-1], R.LIPS_LOWER_INNER[1:-1]),
    (R.RIGHT_EYE_UPPER, R.RIGHT_EYE_LOWER),
    (R.LEFT_EYE_UPPER, R.LEFT_EYE_LOWER),
)


def vec(x: float, y: float, z: float) -> FloatArray:
    """A 3-vector of float64, e.g. a handle's displacement in cm."""
    return np.array([x, y, z], dtype=np.float64)


def smoothstep(t: FloatArray) -> FloatArray:
    """Cubic ramp 3t² - 2t³ of ``t`` clipped to [0, 1] (C1 at both ends)."""
    t = np.clip(t, 0.0, 1.0)
    out: FloatArray = t * t * (3.0 - 2.0 * t)
    return out


class Sculptor:
    """Geometry helpers over one mesh: geodesic falloffs, harmonic weights, mirroring.

    Args:
        mesh: the canonical mesh; its faces and mirror map are used, and its vertices unless
            ``vertices`` is given.
        vertices: (V, 3) positions to sculpt instead of the mesh's own (the neutral face).
    """

    def __init__(self, mesh: CanonicalMesh, vertices: FloatArray | None = None) -> None:
        self.vertices: FloatArray = mesh.vertices.double().numpy() if vertices is None else vertices  # (V, 3)
        self.faces: npt.NDArray[np.int64] = mesh.faces.numpy()  # (F, 3)
        self.mirror: npt.NDArray[np.int64] = mesh.mirror.numpy()  # (V,)
        self.num_vertices = len(self.vertices)

    @cached_property
    def neighbours(self) -> list[list[tuple[int, float]]]:
        """Adjacency lists ``[(neighbour, edge length), ...]`` without the edges across openings."""
        cut: set[tuple[int, int]] = set()
        for upper, lower in _OPENINGS:
            cut |= {(min(a, b), max(a, b)) for a in upper for b in lower}
        edges = {(min(a, b), max(a, b)) for i, j, k in self.faces.tolist() for a, b in ((i, j), (j, k), (k, i))}
        adjacency: list[list[tuple[int, float]]] = [[] for _ in range(self.num_vertices)]
        for a, b in sorted(edges - cut):
            length = float(np.linalg.norm(self.vertices[a] - self.vertices[b]))
            adjacency[a].append((b, length))
            adjacency[b].append((a, length))
        return adjacency

    def geodesic(self, sources: Sequence[int]) -> FloatArray:
        """Shortest-path distance (cm) from the nearest source to every vertex, along the surface.

        Args:
            sources: vertex indices at distance 0.

        Returns:
            (V,) distances (Dijkstra on the edge graph; a slight overestimate of the true geodesic).
        """
        dist = np.full(self.num_vertices, np.inf)
        heap = [(0.0, int(s)) for s in sources]
        for _, s in heap:
            dist[s] = 0.0
        heapq.heapify(heap)
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, length in self.neighbours[u]:
                if d + length < dist[v]:
                    dist[v] = d + length
                    heapq.heappush(heap, (d + length, v))
        return dist

    def bump(self, sources: Sequence[int], radius: float) -> FloatArray:
        """Falloff weight, 1 on the sources and 0 from ``radius`` (cm) of surface distance onwards.

        The profile (1 - (d/r)²)³ is smooth (C2 at d = r) and has compact support, so regions
        outside the radius stay exactly still.

        Returns:
            (V,) weights in [0, 1].
        """
        d = self.geodesic(sources) / radius
        return np.clip(1.0 - d * d, 0.0, None) ** 3

    def handle(self, sources: Sequence[int], radius: float, vector: Sequence[float]) -> FloatArray:
        """Displacement field ``bump(sources, radius) * vector``; (V, 3)."""
        return self.bump(sources, radius)[:, None] * np.asarray(vector, dtype=np.float64)

    def mirrored(self, field: FloatArray) -> FloatArray:
        """Reflect a (V, 3) displacement field across the plane x = 0."""
        return field[self.mirror] * vec(-1.0, 1.0, 1.0)

    def both_sides(self, field: FloatArray) -> FloatArray:
        """Add to a field written for the subject's right side its mirror image on the left side."""
        return field + self.mirrored(field)

    @cached_property
    def laplacian(self) -> FloatArray:
        """Graph Laplacian of the opening-free edge graph with inverse-length weights; (V, V)."""
        n = self.num_vertices
        laplacian = np.zeros((n, n))
        for u, nbrs in enumerate(self.neighbours):
            for v, length in nbrs:
                laplacian[u, v] -= 1.0 / length
                laplacian[u, u] += 1.0 / length
        return laplacian

    def harmonic(self, fixed: dict[int, float]) -> FloatArray:
        """Smoothest scalar field with the given values at some vertices (graph Laplace equation).

        Uses the opening-free edge graph with inverse-length weights, so the field is discontinuous
        across the lips and lids exactly where the face can open.

        Args:
            fixed: vertex index -> value (Dirichlet constraints).

        Returns:
            (V,) values, equal to ``fixed`` where given and harmonic elsewhere.
        """
        n = self.num_vertices
        laplacian = self.laplacian
        known = np.array(sorted(fixed))
        values = np.array([fixed[i] for i in known])
        free = np.setdiff1d(np.arange(n), known)
        out = np.zeros(n)
        out[known] = values
        rhs = -laplacian[np.ix_(free, known)] @ values
        out[free] = np.linalg.solve(laplacian[np.ix_(free, free)], rhs)
        return out

    @cached_property
    def jaw_weight(self) -> FloatArray:
        """How much each vertex follows the mandible.

        1 on the lower lip, chin and jaw line, 0 on the upper lip and everything from the nose up,
        harmonic in between (cheeks, mouth corners).

        Returns:
            (V,) weights in [0, 1].
        """
        y = self.vertices[:, 1]
        fixed: dict[int, float] = {}
        # Nothing from just above the nostrils up follows the jaw (the subnasale is at y = -1.9 cm).
        fixed.update({int(i): 0.0 for i in np.flatnonzero(y > -1.5)})
        fixed.update({i: 0.0 for i in R.UPPER_LIP + R.SUBNASALE})
        # The mandible's outline below the ear (face-oval points lower than 2 cm under the origin).
        fixed.update({i: 1.0 for i in R.FACE_OVAL if y[i] < -2.0})
        fixed.update({i: 1.0 for i in R.LOWER_LIP + R.CHIN})
        return np.clip(self.harmonic(fixed), 0.0, 1.0)

    @cached_property
    def left_weight(self) -> FloatArray:
        """Share of each vertex that belongs to the subject's left side (x > 0); (V,) in [0, 1].

        The right side's share is ``1 - left_weight`` and the midline gets 0.5 of each, so splitting
        a field into sides and adding them back gives the field unchanged.
        """
        return 0.5 * (1.0 + np.tanh(self.vertices[:, 0] / SIDE_BLEND_CM))

    def split_sides(self, field: FloatArray) -> FloatArray:
        """Split a (V, 3) field into its (right, left) halves; returns (2, V, 3)."""
        left = self.left_weight[:, None]
        return np.stack([(1.0 - left) * field, left * field])
