"""Gradient checks (double precision) for the differentiable parts of facessl.render.

The face index per pixel is computed once outside the checked function, which is exactly nvdiffrast's semantics:
the visibility decision has no gradient, and everything downstream of it is differentiated.
"""

import torch
from torch.autograd import gradcheck

from facessl.render import (
    Light,
    PerspectiveCamera,
    interpolate,
    lambertian,
    pixel_barycentrics,
    rasterize_face_ids,
    render_depth_map,
    render_mesh,
    sample_texture,
)

SIZE = (8, 8)
FACES = torch.tensor([[0, 2, 1], [1, 2, 3]])


def _verts() -> torch.Tensor:
    # A slightly tilted quad in front of the camera, corners off the pixel lattice.
    return torch.tensor(
        [[[-0.23, -0.21, 2.0], [0.22, -0.24, 2.3], [-0.2, 0.26, 1.8], [0.27, 0.2, 2.1]]], dtype=torch.float64
    )


def _camera() -> PerspectiveCamera:
    return PerspectiveCamera.from_fov(20.0, SIZE, t=torch.tensor([[0.01, -0.02, 0.1]], dtype=torch.float64))


def test_gradcheck_vertex_positions_through_barycentrics_and_depth() -> None:
    cam = _camera()
    face_idx = rasterize_face_ids(cam.world_to_screen(_verts()), FACES, SIZE)
    assert (face_idx >= 0).sum() > 10 and (face_idx < 0).any()
    colors = torch.rand(1, 4, 3, dtype=torch.float64)

    def fn(verts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        bary, depth = pixel_barycentrics(cam.world_to_screen(verts), FACES, face_idx)
        return interpolate(colors, FACES, face_idx, bary), depth

    assert gradcheck(fn, (_verts().requires_grad_(),))


def test_gradcheck_camera_translation_and_intrinsics() -> None:
    cam = _camera()
    face_idx = rasterize_face_ids(cam.world_to_screen(_verts()), FACES, SIZE)
    colors = torch.rand(1, 4, 2, dtype=torch.float64)

    def fn(t: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        screen = PerspectiveCamera(K=k, R=cam.R, t=t).world_to_screen(_verts())
        bary, _ = pixel_barycentrics(screen, FACES, face_idx)
        return interpolate(colors, FACES, face_idx, bary)

    assert gradcheck(fn, (cam.t.clone().requires_grad_(), cam.K.clone().requires_grad_()))


def test_gradcheck_texture_light_background_and_colors_through_render_mesh() -> None:
    cam = _camera()
    uv = torch.tensor([[0.1, 0.15], [0.85, 0.1], [0.12, 0.9], [0.88, 0.83]], dtype=torch.float64)
    texture = torch.rand(1, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    direction = torch.tensor([[0.3, -0.2, -1.0]], dtype=torch.float64, requires_grad=True)
    ambient = torch.tensor([[0.2, 0.3, 0.25]], dtype=torch.float64, requires_grad=True)
    diffuse = torch.tensor([[0.7]], dtype=torch.float64, requires_grad=True)
    background = torch.tensor([[0.1, 0.5, 0.9]], dtype=torch.float64, requires_grad=True)

    def fn(tex: torch.Tensor, d: torch.Tensor, amb: torch.Tensor, dif: torch.Tensor, bg: torch.Tensor) -> torch.Tensor:
        light = Light(direction=d, diffuse=dif, ambient=amb)
        return render_mesh(_verts(), FACES, cam, SIZE, texture=tex, uv=uv, light=light, background=bg).image

    assert gradcheck(fn, (texture, direction, ambient, diffuse, background))

    colors = torch.rand(1, 4, 2, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda c: render_mesh(_verts(), FACES, cam, SIZE, colors=c).image, (colors,))


def test_gradcheck_texture_and_uv_sampling() -> None:
    texture = torch.rand(2, 3, 6, 5, dtype=torch.float64, requires_grad=True)
    uv = (torch.rand(2, 2, 4, 4, dtype=torch.float64) * 0.8 + 0.1).requires_grad_()
    assert gradcheck(sample_texture, (texture, uv))


def test_gradcheck_lambertian_light_and_normals() -> None:
    albedo = torch.rand(2, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    normals = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    normals[:, 2] = -normals[:, 2].abs() - 0.5  # keep ⟨n, l⟩ away from the max(0, ·) kink
    normals.requires_grad_()
    direction = torch.tensor([[0.0, 0.0, -1.0], [0.2, 0.1, -1.0]], dtype=torch.float64, requires_grad=True)
    amb = torch.tensor([[0.1], [0.3]], dtype=torch.float64, requires_grad=True)
    dif = torch.tensor([[0.9, 0.5, 0.7], [0.6, 0.6, 0.6]], dtype=torch.float64, requires_grad=True)

    def fn(a: torch.Tensor, n: torch.Tensor, d: torch.Tensor, am: torch.Tensor, di: torch.Tensor) -> torch.Tensor:
        return lambertian(a, n, Light(direction=d, diffuse=di, ambient=am))

    assert gradcheck(fn, (albedo, normals, direction, amb, dif))


def test_gradcheck_grid_mesh_depth_render_with_respect_to_depth() -> None:
    gen = torch.Generator().manual_seed(1)
    depth = (1.0 + 0.05 * torch.rand(1, 4, 4, generator=gen, dtype=torch.float64)).requires_grad_()
    K = torch.tensor([[[40.0, 0.0, 1.5], [0.0, 40.0, 1.5], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    t = torch.tensor([[0.003, -0.002, 0.05]], dtype=torch.float64)  # moves every vertex off the pixel centres
    assert gradcheck(lambda d: render_depth_map(d, K, t=t).depth, (depth,))


def test_face_zero_behind_the_camera_gives_finite_gradients_on_background() -> None:
    # Background pixels look up face 0; here it crosses the camera plane and projects to huge coordinates.
    behind = torch.tensor([[[0.5, 0.5, -1.0], [-0.3, 0.2, 1e-9], [0.1, -0.4, 3.0]]], dtype=torch.float64)
    verts = torch.cat([behind, _verts()], 1).float().requires_grad_()
    faces = torch.cat([torch.tensor([[0, 1, 2]]), FACES + 3]).long()
    out = render_mesh(verts, faces, PerspectiveCamera.from_fov(20.0, SIZE), SIZE, colors=torch.rand(7, 3) * 1e3)
    assert (out.mask == 0).any() and torch.isfinite(out.image).all() and torch.isfinite(out.depth).all()
    (out.image.sum() + out.depth.sum()).backward()
    assert verts.grad is not None and torch.isfinite(verts.grad).all()
    assert (verts.grad[0, :3] == 0).all()


def test_background_pixels_and_degenerate_faces_give_finite_zero_gradients() -> None:
    # Face 0 is degenerate; background pixels gather it, which must not leak inf/NaN into the gradient.
    verts = torch.cat([torch.zeros(1, 3, 3, dtype=torch.float64) + torch.tensor([0.0, 0.0, 2.0]), _verts()], 1)
    faces = torch.cat([torch.tensor([[0, 1, 2]]), FACES + 3]).long()
    verts.requires_grad_()
    cam = _camera()
    out = render_mesh(verts, faces, cam, SIZE, colors=torch.ones(1, 7, 1, dtype=torch.float64))
    (out.image.sum() + out.depth.sum()).backward()
    assert verts.grad is not None and torch.isfinite(verts.grad).all()
    assert (verts.grad[0, :3] == 0).all() and (verts.grad[0, 3:] != 0).any()
