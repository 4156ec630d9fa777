"""Identity sampling: reproducible from a seed, symmetric on request, plausible in size."""

import torch

from facessl.synth.face_model import FaceModel
from facessl.synth.identity import IDENTITY_MODES, mean_identity, sample_identity

MODEL = FaceModel()
FLIP_X = torch.tensor([-1.0, 1.0, 1.0])


def test_same_seed_gives_identical_identities() -> None:
    a, b = sample_identity(4, seed=7), sample_identity(4, seed=7)
    assert torch.equal(a.shape, b.shape) and torch.equal(a.field, b.field) and torch.equal(a.asymmetry, b.asymmetry)
    assert torch.equal(MODEL(a), MODEL(b))


def test_generator_gives_the_same_draws_as_its_seed() -> None:
    a = sample_identity(3, seed=5)
    b = sample_identity(3, seed=torch.Generator().manual_seed(5))
    assert torch.equal(MODEL(a), MODEL(b))


def test_different_seeds_and_batch_items_differ() -> None:
    a, b = MODEL(sample_identity(2, seed=0)), MODEL(sample_identity(2, seed=1))
    assert not torch.allclose(a, b)
    assert not torch.allclose(a[0], a[1])


def test_mean_identity_is_the_neutral_face() -> None:
    torch.testing.assert_close(MODEL(mean_identity(2)), MODEL.template.expand(2, -1, -1))


def test_symmetric_identity_with_neutral_expression_is_left_right_symmetric() -> None:
    verts = MODEL(sample_identity(8, seed=3, symmetric=True))  # (B, V, 3)
    torch.testing.assert_close(verts[:, MODEL.mirror] * FLIP_X, verts, atol=1e-5, rtol=0)


def test_default_identities_are_asymmetric() -> None:
    verts = MODEL(sample_identity(8, seed=3, max_asymmetry=1.0))
    assert float((verts[:, MODEL.mirror] * FLIP_X - verts).abs().max()) > 0.05


def test_every_named_mode_is_symmetric_and_moves_the_face() -> None:
    basis = MODEL.identity_basis  # (K, V, 3)
    assert basis.shape[0] == len(IDENTITY_MODES)
    torch.testing.assert_close(basis[:, MODEL.mirror] * FLIP_X, basis, atol=1e-5, rtol=0)
    assert bool((basis.norm(dim=-1).amax(dim=1) > 0.1).all())


def test_identity_offsets_stay_plausible() -> None:
    offsets = MODEL.identity_offsets(sample_identity(64, seed=11))
    # One face differs from the template by centimetres at most, not by a whole face.
    assert float(offsets.norm(dim=-1).amax()) < 4.0
    assert float(offsets.norm(dim=-1).mean()) > 0.1


def test_identities_keep_lips_closed_and_eyes_open() -> None:
    verts = MODEL(sample_identity(256, seed=2))
    gap = verts[:, MODEL.upper_margin, 1] - verts[:, MODEL.lower_margin, 1]  # (B, 9 lip + 14 lid pairs)
    assert float(gap[:, :9].abs().max()) < 0.01  # lips meet at rest
    assert float(gap[:, 9:].min()) > 0.05  # every lid pair stays apart
