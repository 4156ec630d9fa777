"""Tests of facessl.render.barycentric and facessl.render.interpolate."""

import torch

from facessl.render import PerspectiveCamera, interpolate, rasterize, rotation_matrix_xyz


def test_attribute_at_triangle_centroid_equals_vertex_mean() -> None:
    # Constant depth, so screen and perspective barycentrics agree; the centroid (5, 5) is a pixel centre.
    screen = torch.tensor([[[2.0, 2.0, 3.0], [2.0, 11.0, 3.0], [11.0, 2.0, 3.0]]], dtype=torch.float64)
    attrs = torch.tensor([[[1.0, -2.0], [4.0, 0.5], [-3.0, 7.0]]], dtype=torch.float64)
    frags = rasterize(screen, torch.tensor([[0, 1, 2]]), (16, 16))
    out = interpolate(attrs, torch.tensor([[0, 1, 2]]), frags.face_idx, frags.bary)
    assert out.shape == (1, 2, 16, 16)
    assert torch.allclose(out[0, :, 5, 5], attrs[0].mean(0))
    assert torch.allclose(frags.bary[0, 5, 5], torch.full((3,), 1 / 3, dtype=torch.float64))


def test_barycentrics_are_perspective_correct() -> None:
    # A tilted quad: interpolating camera-space positions must give, at every covered pixel, the 3D point that
    # projects back onto that pixel centre with the rasterized depth (screen-space weights would not).
    R = rotation_matrix_xyz(torch.tensor([[0.0, 0.9, 0.0]], dtype=torch.float64))
    cam = PerspectiveCamera.from_fov(40.0, (16, 16), R=R, t=torch.tensor([[0.0, 0.0, 3.0]], dtype=torch.float64))
    verts = torch.tensor([[[-1.0, -1.0, 0.0], [1.0, -1.0, 0.0], [-1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]]).double()
    faces = torch.tensor([[0, 2, 1], [1, 2, 3]])
    frags = rasterize(cam.world_to_screen(verts), faces, (16, 16))
    pos = interpolate(cam.world_to_camera(verts), faces, frags.face_idx, frags.bary)  # (1, 3, 16, 16)
    covered = frags.face_idx[0] >= 0
    assert covered.sum() > 30
    reproj = cam.project(pos.flatten(2).transpose(1, 2))[0].view(16, 16, 3)
    rows, cols = torch.meshgrid(torch.arange(16.0), torch.arange(16.0), indexing="ij")
    assert torch.allclose(reproj[covered][:, 0], cols[covered].double(), atol=1e-6)
    assert torch.allclose(reproj[covered][:, 1], rows[covered].double(), atol=1e-6)
    assert torch.allclose(pos[0, 2][covered], frags.depth[0][covered])
    assert torch.allclose(frags.bary[0].sum(-1)[covered], torch.ones(int(covered.sum()), dtype=torch.float64))
    assert (frags.bary[0][~covered] == 0).all()


def test_shared_attributes_and_per_batch_attributes_agree() -> None:
    screen = torch.tensor([[[1.5, 1.5, 2.0], [1.5, 9.0, 2.5], [9.0, 1.5, 3.0]]]).expand(2, 3, 3)
    faces = torch.tensor([[0, 1, 2]])
    attrs = torch.randn(3, 4)
    frags = rasterize(screen, faces, (10, 10))
    shared = interpolate(attrs, faces, frags.face_idx, frags.bary)
    batched = interpolate(attrs.expand(2, 3, 4), faces, frags.face_idx, frags.bary)
    assert torch.equal(shared, batched) and (shared[:, :, 9, 9] == 0).all()
