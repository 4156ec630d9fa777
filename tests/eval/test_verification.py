import numpy as np
import pytest

from facessl.eval import verification
from facessl.eval.verification import (
    PROTOCOL,
    choose_threshold,
    contiguous_folds,
    cosine_scores,
    verification_cosine,
)

from .synthetic import verification_pairs


def _pairs_with_scores(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2-d unit vectors whose cosine similarity is exactly `scores`. (P,) -> (P, 2), (P, 2)."""
    emb1 = np.tile([1.0, 0.0], (len(scores), 1))
    emb2 = np.stack([scores, np.sqrt(1 - scores**2)], axis=1)
    return emb1, emb2


def test_threshold_is_never_chosen_on_the_held_out_fold() -> None:
    # Fold 0: matched pairs score 0.4, mismatched 0.1. Other folds: 0.8 and 0.2.
    # Thresholds from the other 9 folds put fold 0's cut at 0.5, so its matched pairs fail (50%);
    # a threshold that had seen fold 0 would get it 100% right.
    folds = np.repeat(np.arange(10), 20)
    issame = np.tile([True, False], 100)
    scores = np.where(folds == 0, np.where(issame, 0.4, 0.1), np.where(issame, 0.8, 0.2))
    result = verification_cosine(*_pairs_with_scores(scores), issame, folds=folds)
    assert result["details"]["thresholds"][0] == pytest.approx(0.5)
    assert result["details"]["fold_accuracies"][0] == pytest.approx(0.5)
    assert result["details"]["fold_accuracies"][1:] == pytest.approx([1.0] * 9)
    assert result["metrics"]["accuracy_mean"] == pytest.approx(0.95)


def test_choose_threshold_only_receives_training_fold_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emb1, emb2, issame = verification_pairs(200, informative=False, rng=np.random.default_rng(0))
    folds = contiguous_folds(200)
    scores = cosine_scores(emb1, emb2)  # all distinct, so a score identifies its pair
    seen: list[np.ndarray] = []

    def spy(s: np.ndarray, same: np.ndarray) -> float:
        seen.append(s.copy())
        return choose_threshold(s, same)

    monkeypatch.setattr(verification, "choose_threshold", spy)
    verification_cosine(emb1, emb2, issame, folds=folds)
    assert len(seen) == 10
    for k, passed in enumerate(seen):
        np.testing.assert_allclose(np.sort(passed), np.sort(scores[folds != k]))
        assert not np.isin(scores[folds == k], passed).any()


def test_flipping_held_out_labels_leaves_its_threshold_unchanged() -> None:
    emb1, emb2, issame = verification_pairs(200, informative=True, rng=np.random.default_rng(1))
    flipped = issame.copy()
    flipped[contiguous_folds(200) == 0] ^= True
    a = verification_cosine(emb1, emb2, issame)
    b = verification_cosine(emb1, emb2, flipped)
    assert a["details"]["thresholds"][0] == b["details"]["thresholds"][0]
    assert b["details"]["fold_accuracies"][0] == pytest.approx(
        1 - a["details"]["fold_accuracies"][0]
    )


def test_identity_encoding_features_score_near_100_percent() -> None:
    emb1, emb2, issame = verification_pairs(600, informative=True, rng=np.random.default_rng(2))
    result = verification_cosine(emb1, emb2, issame)
    assert result["metrics"]["accuracy_mean"] >= 0.99
    assert result["details"]["num_folds"] == 10


def test_random_features_score_near_chance() -> None:
    emb1, emb2, issame = verification_pairs(600, informative=False, rng=np.random.default_rng(3))
    result = verification_cosine(emb1, emb2, issame)
    assert abs(result["metrics"]["accuracy_mean"] - 0.5) < 0.08
    assert result["metrics"]["accuracy_std"] > 0


def test_flip_concatenation_of_identical_views_changes_nothing() -> None:
    # cos([f, f], [g, g]) == cos(f, g), so passing the same arrays as "flips" is a no-op.
    emb1, emb2, issame = verification_pairs(200, informative=False, rng=np.random.default_rng(4))
    plain = verification_cosine(emb1, emb2, issame)
    flipped = verification_cosine(emb1, emb2, issame, emb1_flip=emb1, emb2_flip=emb2)
    assert flipped["details"]["flip"] is True
    assert flipped["metrics"]["accuracy_mean"] == pytest.approx(plain["metrics"]["accuracy_mean"])


def test_flip_features_must_come_in_pairs() -> None:
    emb1, emb2, issame = verification_pairs(20, informative=False, rng=np.random.default_rng(5))
    with pytest.raises(ValueError, match="both"):
        verification_cosine(emb1, emb2, issame, emb1_flip=emb1)


def test_choose_threshold_is_exact_on_a_small_case() -> None:
    scores = np.array([0.1, 0.3, 0.35, 0.9])
    same = np.array([False, False, True, True])
    assert choose_threshold(scores, same) == pytest.approx(0.325)
    # All matched: the best rule says "same" for everything.
    assert choose_threshold(scores, np.ones(4, bool)) < scores.min()
    # All mismatched: "different" for everything.
    assert choose_threshold(scores, np.zeros(4, bool)) > scores.max()


def test_choose_threshold_does_not_cut_between_equal_scores() -> None:
    scores = np.array([0.5, 0.5, 0.5, 0.5])
    same = np.array([False, True, True, True])
    t = choose_threshold(scores, same)
    assert t < 0.5  # the best realisable rule is "all same" (75%)


def test_contiguous_folds_match_lfw_layout() -> None:
    folds = contiguous_folds(6000)
    assert np.bincount(folds).tolist() == [600] * 10
    assert (np.diff(folds) >= 0).all()


def test_deterministic_and_stamped() -> None:
    emb1, emb2, issame = verification_pairs(100, informative=False, rng=np.random.default_rng(6))
    a = verification_cosine(emb1, emb2, issame, seed=1, checkpoint_sha256="ck")
    assert a == verification_cosine(emb1, emb2, issame, seed=1, checkpoint_sha256="ck")
    assert a["protocol"] == PROTOCOL and a["checkpoint_sha256"] == "ck"
