"""SynthFaces scenes: determinism, left-right symmetry, pose direction, head parts, atlas, backgrounds."""

import pytest
import torch

from facessl.synth.appearance import albedo_texture, sample_appearance
from facessl.synth.atlas import AtlasPainter
from facessl.synth.background import render_background, render_backgrounds
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.factors import BACKGROUND_KINDS, FaceFactors
from facessl.synth.head import head_mesh
from facessl.synth.sampling import sample_factors
from facessl.synth.scene import SceneRanges, sample_light, tinted
from facessl.render.mesh import face_normals

RENDERER = FaceRenderer()


def frontal(identity: int, n: int = 1, **changes: torch.Tensor) -> FaceFactors:
    """Neutral, frontal, frontally lit faces on a flat background."""
    fields = dict(
        identity=torch.full((n,), identity), emotion=torch.zeros(n, dtype=torch.int64),
        action_units=torch.zeros(n, 19, 2), pose=torch.zeros(n, 3),
        light_direction=torch.tensor([[0.0, 0.0, -1.0]]).expand(n, 3), ambient=torch.full((n, 3), 0.4),
        diffuse=torch.full((n, 3), 0.6), translation=torch.zeros(n, 2), distance=torch.full((n,), 146.0),
        background_kind=torch.zeros(n, dtype=torch.int64), background_seed=torch.full((n,), 5),
    )  # fmt: skip
    fields.update(changes)
    return FaceFactors(**fields)


def test_same_seed_gives_identical_images() -> None:
    factors = sample_factors(seed=3, indices=range(4), identities=[10, 11, 12, 10])
    again = sample_factors(seed=3, indices=range(4), identities=[10, 11, 12, 10])
    first = RENDERER.render(factors, 48).images
    second = FaceRenderer().render(again, 48).images
    assert torch.equal(first, second)
    other = FaceRenderer().render(sample_factors(seed=4, indices=range(4), identities=[10, 11, 12, 10]), 48).images
    assert not torch.equal(first, other)


def test_rows_do_not_depend_on_their_batch() -> None:
    both = sample_factors(seed=0, indices=[7, 8], identities=[1, 2])
    alone = sample_factors(seed=0, indices=[8], identities=[2])
    assert torch.equal(both.pose[1:], alone.pose) and torch.equal(both.action_units[1:], alone.action_units)


def test_symmetric_neutral_face_renders_left_right_symmetric_at_yaw_0() -> None:
    symmetric = FaceRenderer(symmetric=True)
    image = symmetric.render(frontal(identity=4), 64).images[0].float()
    diff = (image - image.flip(-1)).abs()
    # The head parts' triangulation is not mirror-exact; a few edge pixels may differ slightly.
    assert float(diff.mean()) < 1.0 and float((diff > 24).float().mean()) < 0.01
    yawed = symmetric.render(frontal(identity=4, pose=torch.tensor([[20.0, 0.0, 0.0]])), 64).images[0].float()
    assert float((yawed - yawed.flip(-1)).abs().mean()) > 5 * float(diff.mean()) + 1.0


def test_positive_yaw_moves_the_nose_tip_to_the_viewers_right() -> None:
    poses = torch.tensor([[-30.0, 0.0, 0.0], [0.0, 0.0, 0.0], [30.0, 0.0, 0.0]])
    marks = RENDERER.render(frontal(identity=1, n=3, pose=poses), 64).landmarks
    nose_x = marks[:, 4, 0]  # landmark 4: the nose tip
    assert float(nose_x[0]) < float(nose_x[1]) < float(nose_x[2])


def test_positive_pitch_moves_the_nose_tip_down_and_roll_tilts_to_the_subjects_right() -> None:
    poses = torch.tensor([[0.0, 0.0, 0.0], [0.0, 20.0, 0.0], [0.0, 0.0, 15.0]])
    marks = RENDERER.render(frontal(identity=1, n=3, pose=poses), 64).landmarks
    assert float(marks[1, 4, 1]) > float(marks[0, 4, 1])  # image y grows downward
    top, chin = marks[2, 10], marks[2, 152]  # forehead top and chin: the top moves to the viewer's left
    assert float(top[0]) < float(chin[0])


def test_head_parts_cover_more_than_the_mask_and_face_outward() -> None:
    out = RENDERER.render(frontal(identity=2), 64)
    assert 0.25 < float(out.mask.mean()) < 0.75  # a head with neck, not a floating mask nor the whole frame
    head = head_mesh()
    normals = face_normals(head.vertices[None], head.faces)[0]
    centres = head.vertices[head.faces].mean(1)
    skull = head.skull[head.faces].all(1)
    outward = (normals[skull] * (centres[skull] - torch.tensor([0.0, 2.0, -4.0]))).sum(-1)
    assert float((outward > 0).float().mean()) > 0.95


def test_atlas_face_half_equals_albedo_texture() -> None:
    appearance = sample_appearance(3, seed=1)
    painter = AtlasPainter(64)
    atlas = painter.atlas(appearance, appearance.brows)
    assert atlas.shape == (3, 3, 64, 128)
    torch.testing.assert_close(atlas[..., :64], albedo_texture(appearance, 64), atol=1e-5, rtol=0)
    torch.testing.assert_close(atlas[:, :, 0, 100], appearance.brows)  # the hair band


def test_backgrounds_are_flat_gradient_or_textured() -> None:
    flat, gradient, noise = (render_background(k, seed=9, size=(32, 32)) for k in range(len(BACKGROUND_KINDS)))
    assert float(flat.std(dim=(1, 2)).max()) == 0.0
    assert float(gradient.std()) > 0.0 and float(noise.std()) > 0.0
    # A gradient is smooth (small pixel-to-pixel steps); noise is not constant along any axis.
    assert float(gradient.diff(dim=-1).abs().max()) < 0.1
    assert float(noise.std(dim=-1).mean()) > 0.0 and float(noise.std(dim=-2).mean()) > 0.0
    assert torch.equal(render_background(2, seed=9, size=(32, 32)), noise)


def test_batched_backgrounds_equal_one_by_one() -> None:
    kinds = torch.tensor([0, 1, 2, 2, 1, 0, 2])
    seeds = torch.arange(7) * 1_000_003 + 5
    batch = render_backgrounds(kinds, seeds, (24, 32))
    one_by_one = torch.stack([render_background(int(k), int(s), (24, 32)) for k, s in zip(kinds, seeds, strict=True)])
    assert torch.equal(batch, one_by_one)


@pytest.mark.parametrize("batch", [1, 3])
def test_light_draws_equal_one_call_per_quantity(batch: int) -> None:
    # sample_light draws its six uniforms in one call; SynthFaces' pixels depend on that matching the
    # per-quantity draws it replaced (one 32-bit generator output per float32 uniform).
    ranges = SceneRanges()
    direction, ambient, diffuse = sample_light(torch.Generator().manual_seed(11), ranges, batch)
    gen = torch.Generator().manual_seed(11)
    xy = (2 * torch.rand(batch, 2, generator=gen) - 1) * ranges.light_spread
    lo, hi = ranges.ambient
    a = lo + (hi - lo) * torch.rand(batch, generator=gen)
    a_warm = ranges.tint * (2 * torch.rand(batch, generator=gen) - 1)
    lo, hi = ranges.diffuse
    d = lo + (hi - lo) * torch.rand(batch, generator=gen)
    d_warm = ranges.tint * (2 * torch.rand(batch, generator=gen) - 1)
    assert torch.equal(direction, torch.nn.functional.normalize(torch.cat([xy, -torch.ones(batch, 1)], 1), dim=1))
    assert torch.equal(ambient, tinted(a, a_warm)) and torch.equal(diffuse, tinted(d, d_warm))
