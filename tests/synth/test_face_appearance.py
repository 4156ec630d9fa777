"""Procedural albedo textures: reproducible, in range, and painted where the regions are."""

import torch

from facessl.synth import regions as R
from facessl.synth.appearance import MOUTH_CAVITY, PUPIL, albedo_texture, polygon_mask, sample_appearance
from facessl.synth.face_model import FaceModel
from facessl.synth.mesh import load_canonical_mesh

SIZE = 128
UV = load_canonical_mesh().uvs


def texel(texture: torch.Tensor, uv: torch.Tensor) -> torch.Tensor:
    """Colours (B, 3) of the texel under a UV point."""
    col, row = (uv * SIZE).long().tolist()
    return texture[:, :, row, col]


def test_polygon_mask_covers_the_polygon_area() -> None:
    triangle = torch.tensor([[0.1, 0.1], [0.9, 0.1], [0.1, 0.9]], dtype=torch.float64)
    mask = polygon_mask(triangle, 64)
    assert abs(float(mask.mean()) - 0.32) < 0.01  # area 0.8 * 0.8 / 2
    assert float(mask[10, 10]) == 1.0 and float(mask[60, 60]) == 0.0  # rows are v, columns u


def test_same_seed_same_texture_and_values_in_range() -> None:
    a = albedo_texture(sample_appearance(3, seed=4), size=SIZE)
    b = albedo_texture(sample_appearance(3, seed=4), size=SIZE)
    assert a.shape == (3, 3, SIZE, SIZE) and torch.equal(a, b)
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0
    assert not torch.allclose(a[0], a[1])


def test_regions_get_their_colours() -> None:
    appearance = sample_appearance(8, seed=0)
    texture = albedo_texture(appearance, size=SIZE)
    lips = texel(texture, UV[[14, 17]].mean(0))  # middle of the lower lip
    torch.testing.assert_close(lips, appearance.lips, atol=0.02, rtol=0)
    brow = texel(texture, UV[[52, 105]].mean(0))
    torch.testing.assert_close(brow, 0.85 * appearance.brows + 0.15 * appearance.skin, atol=0.08, rtol=0)
    pupil = texel(texture, UV[list(R.RIGHT_EYE_CONTOUR)].mean(0))
    torch.testing.assert_close(pupil, torch.tensor(PUPIL).expand(8, 3), atol=0.02, rtol=0)


def test_mouth_triangles_read_the_cavity_colour() -> None:
    model = FaceModel()
    texture = albedo_texture(sample_appearance(2, seed=1), size=SIZE)
    centres = model.uvs[model.faces[model.mouth_faces]].mean(1)  # (18, 2)
    for uv in centres:
        torch.testing.assert_close(texel(texture, uv), torch.tensor(MOUTH_CAVITY).expand(2, 3), atol=0.02, rtol=0)
