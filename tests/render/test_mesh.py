"""Tests of facessl.render.mesh: icosphere, normals and face gathering."""

import torch

from facessl.render import face_normals, icosphere, vertex_normals
from facessl.render.mesh import gather_faces


def test_icosphere_sizes_and_outward_normals() -> None:
    verts, faces = icosphere(3)
    assert verts.shape == (642, 3) and faces.shape == (1280, 3)
    assert torch.allclose(verts.norm(dim=1), torch.ones(642))
    centroids = verts[faces].mean(1)
    assert ((face_normals(verts[None], faces)[0] * centroids).sum(1) > 0).all()
    # Every edge is shared by exactly two faces (a closed, consistently wound surface).
    edges = torch.cat([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    assert torch.unique(edges, dim=0).shape[0] == edges.shape[0]  # directed edges never repeat
    assert torch.unique(edges.sort(1).values, dim=0).shape[0] == edges.shape[0] // 2


def test_vertex_normals_of_a_sphere_point_outwards() -> None:
    verts, faces = icosphere(2)
    n = vertex_normals(verts[None] * 3.0, faces)[0]
    assert (n * verts).sum(1).min() > 0.99


def test_gather_faces_uses_each_samples_own_rows() -> None:
    per_face = torch.arange(2 * 3 * 2.0).view(2, 3, 2).permute(2, 0, 1)  # (D=2, B=2, F=3); face f of b = 6b + 2f
    face_idx = torch.tensor([[[2, -1]], [[0, 1]]])
    out = gather_faces(per_face, face_idx)  # (D, B, 1, 2)
    assert torch.equal(out[0], torch.tensor([[[4.0, 0.0]], [[6.0, 8.0]]]))
    assert torch.equal(out[1], out[0] + 1)
