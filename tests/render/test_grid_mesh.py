"""Tests of facessl.render.grid_mesh: Unsup3D's depth-map mesh and its re-rendering."""

import math

import torch

from facessl.render import (
    face_normals,
    grid_faces,
    intrinsics_from_fov,
    render_depth_map,
    rotation_matrix_xyz,
    translation_about_pivot,
)
from facessl.render.grid_mesh import depth_to_points


def _smooth_depth(size: int) -> torch.Tensor:
    """A face-like bump in Unsup3D's depth range [0.9, 1.1]."""
    v, u = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    return (1.0 - 0.1 * torch.exp(-(u**2 + v**2) * 2.0) + 0.02 * u)[None]


def test_grid_faces_count_and_orientation_towards_the_camera() -> None:
    faces = grid_faces(5, 7)
    assert faces.shape == (2 * 4 * 6, 3)
    K = intrinsics_from_fov(10.0, (5, 7))
    points = depth_to_points(torch.ones(1, 5, 7), K)
    assert (face_normals(points, faces)[0, :, 2] < -0.99).all()  # frontal plane: normals point at the camera


def test_back_projection_reprojects_onto_pixel_centres() -> None:
    K = intrinsics_from_fov(10.0, (6, 6), dtype=torch.float64)
    depth = _smooth_depth(6).double()
    points = depth_to_points(depth, K)
    proj = points @ K[0].T
    v, u = torch.meshgrid(torch.arange(6.0), torch.arange(6.0), indexing="ij")
    assert torch.allclose(proj[0, :, :2] / proj[0, :, 2:], torch.stack([u, v], -1).view(-1, 2).double())
    assert torch.allclose(points[0, :, 2], depth.flatten())


def test_frontal_render_reproduces_the_depth_map() -> None:
    depth = _smooth_depth(32)
    out = render_depth_map(depth, intrinsics_from_fov(10.0, (32, 32)))
    assert out.mask.all()
    assert torch.allclose(out.depth[:, 0], depth, atol=1e-5)


def test_frontal_render_carries_per_pixel_attributes_unchanged_and_shifted_ones_move() -> None:
    depth = torch.ones(1, 12, 12)
    image = torch.rand(1, 3, 12, 12)
    K = intrinsics_from_fov(10.0, (12, 12))
    same = render_depth_map(depth, K, attrs=image)
    assert same.attrs is not None and torch.allclose(same.attrs, image, atol=1e-5)
    # Shift the plane right by exactly two pixels (x = 2·z/f); the image content moves with it.
    shift = 2.0 / K[0, 0, 0].item()
    moved = render_depth_map(depth, K, t=torch.tensor([[shift, 0.0, 0.0]]), attrs=image)
    assert moved.attrs is not None
    assert torch.allclose(moved.attrs[..., 2:], image[..., :-2], atol=1e-4)
    assert (moved.mask[..., :2] == 0).all() and (moved.attrs[..., :2] == 0).all()


def test_moved_depth_map_renders_farther_and_smaller_with_far_background() -> None:
    depth = torch.ones(1, 16, 16)
    K = intrinsics_from_fov(10.0, (16, 16))
    out = render_depth_map(depth, K, t=torch.tensor([[0.0, 0.0, 0.5]]), far=10.0)
    rendered, mask = out.depth, out.mask
    # The plane moves from z = 1 to 1.5: its image shrinks by 1/1.5 about the principal point (7.5, 7.5), so
    # it spans 7.5 ± 7.5/1.5 = [2.5, 12.5] and covers pixels 3..12 (2.5 and 12.5 lie between pixel centres).
    expected = torch.zeros(16, 16, dtype=torch.bool)
    expected[3:13, 3:13] = True
    assert torch.equal(mask[0, 0] > 0, expected)
    assert torch.allclose(rendered[0, 0][expected], torch.full((100,), 1.5))
    assert (rendered[0, 0][~expected] == 10.0).all()


def test_rotation_about_unsup3d_pivot_keeps_the_pivot_pixel_depth() -> None:
    # A flat map at the pivot depth 1: yawing about (0, 0, 1) leaves the centre at depth 1 and tilts the plane.
    depth = torch.ones(1, 17, 17, dtype=torch.float64)
    K = intrinsics_from_fov(10.0, (17, 17), dtype=torch.float64)
    R = rotation_matrix_xyz(torch.tensor([[0.0, math.radians(30.0), 0.0]], dtype=torch.float64))
    t = translation_about_pivot(R, torch.zeros(1, 3, dtype=torch.float64), torch.tensor([0.0, 0.0, 1.0]).double())
    out = render_depth_map(depth, K, R=R, t=t)
    rendered, mask = out.depth, out.mask
    assert torch.isclose(rendered[0, 0, 8, 8], torch.tensor(1.0, dtype=torch.float64))
    row = rendered[0, 0, 8][mask[0, 0, 8] > 0]
    assert (row.diff() != 0).all() and row.shape[0] < 17  # tilted, and foreshortened
