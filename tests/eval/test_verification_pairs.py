import numpy as np
import pytest

from facessl.eval.verification import contiguous_folds
from facessl.eval.verification_pairs import PROTOCOL, pair_features, verification_pair_classifier

from .synthetic import verification_pairs

GRID = (0.01, 1.0)  # two values keep the 10 folds x grid fits fast; selection is still exercised


def test_pair_feature_is_latentface_layout() -> None:
    a = np.array([[1.0, -2.0]])
    b = np.array([[3.0, 1.0]])
    assert pair_features(a, b).tolist() == [[2.0, 3.0, 4.0, 1.0, 3.0, 2.0]]


def test_identity_encoding_features_score_near_100_percent() -> None:
    emb1, emb2, issame = verification_pairs(
        400, informative=True, rng=np.random.default_rng(0), dim=8
    )
    result = verification_pair_classifier(emb1, emb2, issame, c_grid=GRID)
    assert result["protocol"] == PROTOCOL
    assert result["metrics"]["accuracy_mean"] >= 0.95


def test_random_features_score_near_chance() -> None:
    emb1, emb2, issame = verification_pairs(
        400, informative=False, rng=np.random.default_rng(1), dim=8
    )
    result = verification_pair_classifier(emb1, emb2, issame, c_grid=GRID)
    assert abs(result["metrics"]["accuracy_mean"] - 0.5) < 0.1


def test_held_out_fold_never_trains_its_classifier() -> None:
    # Flipping fold 0's labels leaves fold 0's classifier (trained on folds 1-9) unchanged,
    # so its accuracy must become exactly 1 - accuracy.
    emb1, emb2, issame = verification_pairs(
        200, informative=True, rng=np.random.default_rng(2), dim=8
    )
    flipped = issame.copy()
    flipped[contiguous_folds(200) == 0] ^= True
    a = verification_pair_classifier(emb1, emb2, issame, c_grid=GRID, seed=0)
    b = verification_pair_classifier(emb1, emb2, flipped, c_grid=GRID, seed=0)
    assert a["details"]["chosen_C"][0] == b["details"]["chosen_C"][0]
    assert b["details"]["fold_accuracies"][0] == pytest.approx(
        1 - a["details"]["fold_accuracies"][0]
    )


def test_same_seed_gives_identical_results() -> None:
    emb1, emb2, issame = verification_pairs(
        200, informative=False, rng=np.random.default_rng(3), dim=8
    )
    a = verification_pair_classifier(
        emb1, emb2, issame, emb1_flip=emb2, emb2_flip=emb1, c_grid=GRID, seed=5
    )
    b = verification_pair_classifier(
        emb1, emb2, issame, emb1_flip=emb2, emb2_flip=emb1, c_grid=GRID, seed=5
    )
    assert a == b
