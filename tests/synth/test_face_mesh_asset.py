"""The extracted MediaPipe canonical mesh: counts, validity, axes and symmetry."""

import torch

from facessl.synth.mesh import load_canonical_mesh, mirror_indices


def test_mesh_has_468_vertices_and_898_valid_triangles() -> None:
    mesh = load_canonical_mesh()
    assert mesh.vertices.shape == (468, 3)
    assert mesh.uvs.shape == (468, 2)
    assert mesh.faces.shape == (898, 3)
    assert mesh.faces.dtype == torch.int64
    assert int(mesh.faces.min()) >= 0 and int(mesh.faces.max()) < 468
    # Every vertex is used, and no triangle repeats a vertex.
    assert torch.unique(mesh.faces).numel() == 468
    f = mesh.faces
    assert bool(((f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])).all())


def test_coordinate_ranges_match_the_published_extraction() -> None:
    # research/environment.md §4: x ±7.74, y -9.40..8.26, z -2.44..7.59 cm.
    v = load_canonical_mesh().vertices
    lo, hi = v.min(0).values, v.max(0).values
    torch.testing.assert_close(lo, torch.tensor([-7.74, -9.40, -2.44]), atol=0.006, rtol=0)
    torch.testing.assert_close(hi, torch.tensor([7.74, 8.26, 7.59]), atol=0.006, rtol=0)
    uv = load_canonical_mesh().uvs
    assert bool((uv >= 0).all() and (uv <= 1).all())


def test_axes_point_left_up_and_toward_the_camera() -> None:
    v = load_canonical_mesh().vertices
    assert int(v[:, 2].argmax()) == 4  # nose tip (pronasale) is frontmost: +z toward the camera
    assert int(v[:, 1].argmax()) == 10  # top of the forehead: +y up
    assert int(v[:, 1].argmin()) == 152  # chin
    assert v[33, 0] < 0 < v[263, 0]  # the subject's right eye corner at -x, left at +x


def test_mesh_is_mirror_symmetric() -> None:
    mesh = load_canonical_mesh()
    m = mesh.mirror
    assert bool((m[m] == torch.arange(468)).all())  # an involution: pairs, plus midline points
    torch.testing.assert_close(mesh.vertices[m], mesh.vertices * torch.tensor([-1.0, 1.0, 1.0]), atol=1e-5, rtol=0)
    assert int((m == torch.arange(468)).sum()) == 28  # the midline vertices
    # Triangles map onto triangles under the mirror.
    faces = {tuple(sorted(f)) for f in mesh.faces.tolist()}
    assert {tuple(sorted(f)) for f in m[mesh.faces].tolist()} == faces
    torch.testing.assert_close(mirror_indices(mesh.vertices), m)


def test_triangles_face_the_camera() -> None:
    mesh = load_canonical_mesh()
    tri = mesh.vertices[mesh.faces]
    normals = torch.linalg.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    assert float((normals[:, 2] > 0).float().mean()) > 0.95  # counter-clockwise seen from +z


def test_uvs_use_the_image_convention() -> None:
    mesh = load_canonical_mesh()
    uv = mesh.uvs
    assert uv[10, 1] < uv[4, 1] < uv[152, 1]  # v grows downward: forehead, nose tip, chin
    assert uv[33, 0] < uv[4, 0] < uv[263, 0]  # u grows with x
