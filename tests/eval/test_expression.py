import json

import numpy as np
import pytest
import torch

from facessl.eval.expression import PROTOCOL, classification_scores, expression_linear_probe

from .synthetic import informative_features, random_features

K = 4


def _split(
    rng: np.random.Generator, informative: bool, n_train: int = 240, n_test: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y_train = rng.integers(0, K, n_train)
    y_test = rng.integers(0, K, n_test)
    if informative:
        return (
            informative_features(y_train, K, rng),
            y_train,
            informative_features(y_test, K, rng),
            y_test,
        )
    return random_features(n_train, 16, rng), y_train, random_features(n_test, 16, rng), y_test


def test_label_encoding_features_score_near_100_percent() -> None:
    x_tr, y_tr, x_te, y_te = _split(np.random.default_rng(0), informative=True)
    result = expression_linear_probe(x_tr, y_tr, x_te, y_te, seed=0)
    assert result["metrics"]["accuracy"] >= 0.99
    assert result["metrics"]["mean_class_accuracy"] >= 0.99
    cm = np.array(result["details"]["confusion_matrix"])
    assert cm.shape == (K, K) and cm.sum() == len(y_te)


def test_random_features_score_near_chance() -> None:
    x_tr, y_tr, x_te, y_te = _split(np.random.default_rng(1), informative=False, n_test=400)
    result = expression_linear_probe(x_tr, y_tr, x_te, y_te, seed=0)
    assert abs(result["metrics"]["accuracy"] - 1 / K) < 0.1
    assert abs(result["metrics"]["mean_class_accuracy"] - 1 / K) < 0.1


def test_same_seed_gives_identical_results() -> None:
    x_tr, y_tr, x_te, y_te = _split(np.random.default_rng(2), informative=False)
    a = expression_linear_probe(x_tr, y_tr, x_te, y_te, seed=3)
    b = expression_linear_probe(x_tr, y_tr, x_te, y_te, seed=3)
    assert a == b


def test_choice_of_c_ignores_the_test_split() -> None:
    rng = np.random.default_rng(3)
    x_tr, y_tr, x_te, y_te = _split(rng, informative=False)
    other_x_te, other_y_te = random_features(50, 16, rng), rng.integers(0, K, 50)
    a = expression_linear_probe(x_tr, y_tr, x_te, y_te, seed=0)
    b = expression_linear_probe(x_tr, y_tr, other_x_te, other_y_te, seed=0)
    assert a["details"]["val_scores"] == b["details"]["val_scores"]
    assert a["details"]["chosen_C"] == b["details"]["chosen_C"]


def test_confusion_matrix_rows_are_true_classes() -> None:
    acc, mean_class, cm = classification_scores(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert acc == pytest.approx(0.5)
    assert mean_class == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_result_is_stamped_and_json_serialisable() -> None:
    x_tr, y_tr, x_te, y_te = _split(np.random.default_rng(4), informative=True)
    result = expression_linear_probe(
        torch.from_numpy(x_tr), torch.from_numpy(y_tr), x_te, y_te, seed=7, checkpoint_sha256="abc"
    )
    assert result["protocol"] == PROTOCOL
    assert result["seeds"] == [7]
    assert result["checkpoint_sha256"] == "abc"
    assert len(result["split_sha256"]) == 64
    json.dumps(result)


def test_class_with_one_training_sample_is_rejected() -> None:
    rng = np.random.default_rng(5)
    y = np.array([0] * 10 + [1] * 10 + [2])
    with pytest.raises(ValueError, match="at least 2 samples"):
        expression_linear_probe(
            random_features(21, 4, rng), y, random_features(3, 4, rng), [0, 1, 2]
        )
