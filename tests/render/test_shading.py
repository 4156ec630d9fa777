"""Tests of facessl.render.shading: the Lambertian model, per-sample light, and a lit sphere."""

import torch

from facessl.render import Light, PerspectiveCamera, icosphere, lambertian, render_mesh


def test_lambertian_gives_ambient_plus_diffuse_cosine_per_sample_and_colour() -> None:
    albedo = torch.full((2, 3, 1, 3), 0.5)
    # Pixel normals: towards the light, at 60° to it, and facing away from it.
    normals = torch.tensor([[0.0, 0.0, -1.0], [0.0, 3**0.5 / 2, -0.5], [0.0, 0.0, 1.0]]).T.reshape(1, 3, 1, 3)
    light = Light(
        direction=torch.tensor([[0.0, 0.0, -2.0], [0.0, 0.0, -1.0]]),  # towards the camera; length is ignored
        diffuse=torch.tensor([[1.0, 0.5, 0.0], [0.8, 0.8, 0.8]]),
        ambient=torch.tensor([[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]]),
    )
    out = lambertian(albedo, normals.expand(2, 3, 1, 3), light)
    cos = torch.tensor([1.0, 0.5, 0.0])
    for b in range(2):
        expected = 0.5 * (light.ambient[b][:, None] + light.diffuse[b][:, None] * cos[None])
        assert torch.allclose(out[b, :, 0], expected)


def test_unsup3d_light_maps_to_negated_direction() -> None:
    # Unsup3D: S = k_a + k_d·max(0, ⟨n_u, ℓ⟩) with n_u pointing away from the camera; here n = −n_u, l = −ℓ.
    n_unsup3d = torch.nn.functional.normalize(torch.tensor([0.3, -0.4, 1.0]), dim=0)
    ell = torch.nn.functional.normalize(torch.tensor([0.5, 0.2, 1.0]), dim=0)
    k_a, k_d = 0.3, 0.6
    light = Light.from_intensities(-ell[None], torch.tensor([k_a]), torch.tensor([k_d]))
    out = lambertian(torch.ones(1, 1, 1, 1), -n_unsup3d.view(1, 3, 1, 1), light)
    assert torch.isclose(out.flatten()[0], k_a + k_d * torch.clamp(n_unsup3d @ ell, min=0))


def test_sphere_lit_from_the_camera_is_brightest_in_the_middle() -> None:
    verts, faces = icosphere(2)
    verts = (verts + torch.tensor([0.0, 0.0, 4.0]))[None]
    cam = PerspectiveCamera.from_fov(40.0, (32, 32))
    light = Light.from_intensities(torch.tensor([[0.0, 0.0, -1.0]]), torch.tensor([0.1]), torch.tensor([0.9]))
    out = render_mesh(verts, faces, cam, (32, 32), colors=torch.ones(1, verts.shape[1], 3), light=light)
    gray = out.image[0, 0]
    assert gray[15:17, 15:17].min() > 0.95  # normal ≈ towards the light
    assert 0.1 <= gray[out.mask[0, 0] > 0].min() < 0.6  # grazing normals on the outline
    flat = render_mesh(verts, faces, cam, (32, 32), colors=torch.ones(1, verts.shape[1], 3), light=light,
                       smooth_normals=False).image[0, 0]  # fmt: skip
    assert torch.allclose(flat[15:17, 15:17], gray[15:17, 15:17], atol=0.02)
