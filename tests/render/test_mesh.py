"""Tests of facessl.render.mesh: icosphere, normals and face gathering."""

import torch

from facessl.render import face_normals, icosphere, vertex_normals
from facessl.render.mesh import gather_faces, pixel_coordinates


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


def test_pixel_coordinates_equal_integer_division() -> None:
    gen = torch.Generator().manual_seed(0)
    for height, width in ((64, 64), (37, 113), (1, 4099), (46341, 46341)):
        size = height * width
        # Random indices, the ends of rows and images (where a rounded quotient would first go wrong) and the
        # largest index the float64 path takes.
        edges = torch.tensor([0, width - 1, width, size - 1, size, 2**31 - 1])
        pixels = torch.cat([torch.randint(0, 2**31, (20_000,), generator=gen), edges]).sort().values
        image, row, column = pixel_coordinates(pixels, height, width)
        assert torch.equal(image, (pixels // size).double())
        assert torch.equal(row, (pixels // width % height).double())
        assert torch.equal(column, (pixels % width).double())
    beyond = torch.tensor([2**31, 2**40 + 12345])  # integer division past the bound
    assert torch.equal(pixel_coordinates(beyond, 3, 7)[2], (beyond % 7).double())
