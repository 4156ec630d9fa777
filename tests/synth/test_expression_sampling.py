"""Expression sampling: emotions map to their EMFACS AU prototypes (with jitter, one-sided contempt); random AU sets."""

import pytest
import torch

from facessl.synth.action_units import ACTION_UNITS
from facessl.synth.expressions import (
    EMOTION_PROTOTYPES,
    EMOTIONS,
    emotion_action_units,
    prototype_intensities,
    random_action_units,
)

EMFACS = {
    "neutral": set(),
    "happiness": {6, 12},
    "sadness": {1, 4, 15},
    "surprise": {1, 2, 5, 26},
    "fear": {1, 2, 4, 5, 7, 20, 26},
    "anger": {4, 5, 7, 23},
    "disgust": {9, 15, 16},
    "contempt": {12, 14},
}


def test_class_order_is_the_project_order() -> None:
    assert EMOTIONS == ("neutral", "happiness", "sadness", "surprise", "fear", "disgust", "anger", "contempt")


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_sampled_aus_are_exactly_the_prototype(emotion: str) -> None:
    assert set(EMOTION_PROTOTYPES[emotion]) == EMFACS[emotion]
    label = torch.full((16,), EMOTIONS.index(emotion))
    intensity = emotion_action_units(label, seed=0)  # (B, A, 2)
    active = {au for a, au in enumerate(ACTION_UNITS) if bool((intensity[:, a] > 0).any())}
    assert active == EMFACS[emotion]
    assert bool((intensity >= 0).all() and (intensity <= 1).all())


def test_neutral_has_no_action() -> None:
    assert float(emotion_action_units(torch.zeros(4, dtype=torch.long), seed=0).abs().max()) == 0.0


def test_contempt_acts_on_one_side_and_both_sides_occur() -> None:
    intensity = emotion_action_units(torch.full((64,), EMOTIONS.index("contempt")), seed=1)
    per_side = intensity.sum(dim=1)  # (B, 2)
    assert bool(((per_side[:, 0] == 0) ^ (per_side[:, 1] == 0)).all())
    assert bool((per_side[:, 0] > 0).any() and (per_side[:, 1] > 0).any())


def test_bilateral_emotions_act_equally_on_both_sides() -> None:
    intensity = emotion_action_units(torch.arange(7), seed=2)
    torch.testing.assert_close(intensity[..., 0], intensity[..., 1])


def test_jitter_is_reproducible_and_varies_between_samples() -> None:
    labels = torch.full((8,), EMOTIONS.index("happiness"))
    a, b = emotion_action_units(labels, seed=3), emotion_action_units(labels, seed=3)
    assert torch.equal(a, b)
    assert float(a[:, ACTION_UNITS.index(12), 0].std()) > 0.01
    fixed = emotion_action_units(labels, seed=3, jitter=0.0, strength=(1.0, 1.0))
    assert torch.allclose(fixed[:, ACTION_UNITS.index(12), 0], torch.tensor(0.8))


def test_random_action_units_are_reproducible_in_range_and_varied() -> None:
    a, b = random_action_units(512, seed=0), random_action_units(512, seed=0)
    assert torch.equal(a, b) and a.shape == (512, len(ACTION_UNITS), 2)
    present = a.amax(dim=-1) > 0
    assert 0.15 < float(present.float().mean()) < 0.35
    assert float(a[a > 0].min()) >= 0.2 and float(a.max()) <= 1.0
    one_sided = present & ((a[..., 0] == 0) | (a[..., 1] == 0))
    assert 0.03 < float(one_sided.sum() / present.sum()) < 0.2


def test_every_emotion_is_visible_at_64_px_and_the_classes_differ_from_each_other() -> None:
    """At the prototype intensities, each emotion changes a frontal 64 px face clearly (the expression task must be
    learnable; with anatomical AU sizes only the open-mouth emotions did), and no two emotions render alike."""
    from facessl.synth.face_renderer import FaceRenderer
    from tests.synth.test_scene_render import frontal

    n = len(EMOTIONS)
    aus = prototype_intensities(torch.float32)[:, :, None].repeat(1, 1, 2)
    images = FaceRenderer().render(frontal(identity=3, n=n, action_units=aus), 64).images.float()
    changed = ((images[1:] - images[:1]).abs().amax(1) > 24).sum((1, 2))  # pixels moved by > ~10 %, per emotion
    assert bool((changed >= 15).all()), dict(zip(EMOTIONS[1:], changed.tolist(), strict=True))
    pairwise = (images[:, None] - images[None]).abs().amax(2).gt(24).sum((2, 3))
    off_diagonal = pairwise[~torch.eye(n, dtype=torch.bool)]
    assert int(off_diagonal.min()) >= 10, pairwise
