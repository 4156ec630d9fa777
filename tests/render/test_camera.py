"""Tests of facessl.render.camera: focal length, projection and extrinsics conventions."""

import math

import torch

from facessl.render import PerspectiveCamera, focal_from_fov, rotation_matrix_xyz, translation_about_pivot


def test_focal_matches_unsup3d_value_for_fov_10_at_64px() -> None:
    # research/latentface.md §3.3 item 8: f = (W−1)/2 / tan(5°) ≈ 360.05 px for W = 64.
    assert math.isclose(focal_from_fov(10.0, 64), 360.05, abs_tol=0.01)


def test_optical_axis_projects_to_principal_point_and_keeps_depth() -> None:
    cam = PerspectiveCamera.from_fov(10.0, (16, 32), dtype=torch.float64)
    screen = cam.world_to_screen(torch.tensor([[[0.0, 0.0, 3.0], [1.0, 2.0, 4.0]]], dtype=torch.float64))
    f = focal_from_fov(10.0, 32)
    assert torch.allclose(screen[0, 0], torch.tensor([15.5, 7.5, 3.0], dtype=torch.float64))
    # x right, y down: a point right of and below the axis lands right of and below the principal point.
    assert torch.allclose(screen[0, 1], torch.tensor([15.5 + f / 4, 7.5 + 2 * f / 4, 4.0], dtype=torch.float64))


def test_world_to_camera_applies_rotation_then_translation() -> None:
    angles = torch.tensor([[0.3, -0.2, 0.5]], dtype=torch.float64)
    R, t = rotation_matrix_xyz(angles), torch.tensor([[0.1, 0.2, 3.0]], dtype=torch.float64)
    p = torch.tensor([[[0.5, -0.5, 1.0]]], dtype=torch.float64)
    cam = PerspectiveCamera.from_fov(10.0, (8, 8), R=R, t=t)
    assert torch.allclose(cam.world_to_camera(p)[0, 0], R[0] @ p[0, 0] + t[0])


def test_rotation_matrix_xyz_is_rz_ry_rx_and_orthonormal() -> None:
    a, b, g = 0.3, -0.7, 1.1
    R = rotation_matrix_xyz(torch.tensor([[a, b, g]], dtype=torch.float64))[0]
    rx = torch.tensor([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]], dtype=torch.float64)
    ry = torch.tensor([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]], dtype=torch.float64)
    rz = torch.tensor([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]], dtype=torch.float64)
    assert torch.allclose(R, rz @ ry @ rx)
    assert torch.allclose(R @ R.T, torch.eye(3, dtype=torch.float64))


def test_translation_about_pivot_keeps_pivot_fixed() -> None:
    R = rotation_matrix_xyz(torch.tensor([[0.4, 0.9, -0.2]], dtype=torch.float64))
    pivot = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    t = translation_about_pivot(R, torch.zeros(1, 3, dtype=torch.float64), pivot)
    assert torch.allclose(R[0] @ pivot + t[0], pivot)
