"""Tests of facessl.render.texture and textured rendering through UVs."""

import torch

from facessl.render import PerspectiveCamera, focal_from_fov, render_mesh, sample_texture


def test_texel_centres_return_exact_texel_values() -> None:
    texture = torch.arange(12.0).view(1, 1, 3, 4)
    # Texel (row 1, column 2) has its centre at u = 2.5/4, v = 1.5/3.
    uv = torch.tensor([2.5 / 4, 1.5 / 3]).view(1, 2, 1, 1)
    assert sample_texture(texture, uv).item() == 6.0


def test_textured_quad_shows_the_texture_halves_in_place() -> None:
    size, depth = 16, 2.0
    f, c = focal_from_fov(30.0, size), (size - 1) / 2
    corners = [(-0.5, -0.5), (15.5, -0.5), (-0.5, 15.5), (15.5, 15.5)]  # covers the whole image
    verts = torch.tensor([[[(x - c) * depth / f, (y - c) * depth / f, depth] for x, y in corners]])
    faces = torch.tensor([[0, 2, 1], [1, 2, 3]])
    uv = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    texture = torch.zeros(1, 3, 8, 8)
    texture[:, 0, :, :4] = 1.0  # left half red
    texture[:, 2, :, 4:] = 1.0  # right half blue
    out = render_mesh(verts, faces, PerspectiveCamera.from_fov(30.0, (size, size)), (size, size),
                      texture=texture, uv=uv)  # fmt: skip
    assert out.mask.all()
    assert torch.allclose(out.image[0, 0, :, :7], torch.ones(16, 7), atol=1e-5)
    assert torch.allclose(out.image[0, 2, :, 9:], torch.ones(16, 7), atol=1e-5)
    assert (out.image[0, 1] == 0).all()
