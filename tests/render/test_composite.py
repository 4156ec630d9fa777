"""Tests of facessl.render.composite: coverage mask and background compositing."""

import torch

from facessl.render import PerspectiveCamera, composite, coverage_mask, focal_from_fov, render_mesh


def _quad_render(background: torch.Tensor | float) -> torch.Tensor:
    size, depth = 8, 2.0
    f, c = focal_from_fov(30.0, size), (size - 1) / 2
    corners = [(1.5, 2.5), (5.5, 2.5), (1.5, 6.5), (5.5, 6.5)]  # columns 2..5, rows 3..6
    verts = torch.tensor([[[(x - c) * depth / f, (y - c) * depth / f, depth] for x, y in corners]]).expand(2, 4, 3)
    cam = PerspectiveCamera.from_fov(30.0, (8, 8), batch_size=2)
    faces = torch.tensor([[0, 2, 1], [1, 2, 3]])
    out = render_mesh(verts, faces, cam, (8, 8), colors=torch.full((4, 3), 0.25), background=background)
    expected_mask = torch.zeros(8, 8)
    expected_mask[3:7, 2:6] = 1
    assert torch.equal(out.mask, expected_mask.expand(2, 1, 8, 8))
    return out.image


def test_coverage_mask_marks_pixels_with_a_face() -> None:
    face_idx = torch.tensor([[[-1, 0], [3, -1]]])
    assert torch.equal(coverage_mask(face_idx), torch.tensor([[[[0.0, 1.0], [1.0, 0.0]]]]))


def test_background_colour_image_and_scalar_are_composited_outside_the_mask() -> None:
    inside = (slice(None), slice(None), slice(3, 7), slice(2, 6))
    per_sample = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    for background, expected_pixel_0 in (
        (0.5, torch.full((2, 3), 0.5)),
        (torch.tensor([0.1, 0.2, 0.3]), torch.tensor([[0.1, 0.2, 0.3]] * 2)),
        (per_sample, per_sample),
        (torch.arange(2 * 3 * 64.0).view(2, 3, 8, 8), torch.arange(2 * 3 * 64.0).view(2, 3, 8, 8)[:, :, 0, 0]),
    ):
        image = _quad_render(background)
        assert torch.allclose(image[inside], torch.full_like(image[inside], 0.25))
        assert torch.allclose(image[:, :, 0, 0], expected_pixel_0)


def test_composite_with_soft_mask_blends_linearly() -> None:
    out = composite(torch.ones(1, 1, 1, 2), torch.tensor([[[[0.25, 1.0]]]]), 0.0)
    assert torch.allclose(out, torch.tensor([[[[0.25, 1.0]]]]))
