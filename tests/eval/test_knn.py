import numpy as np
import pytest
import torch

from facessl.eval.knn import PROTOCOL, knn_classify, knn_predict_scores

from .synthetic import informative_features, random_features


def _reference_votes(
    train: np.ndarray, labels: np.ndarray, test: np.ndarray, k: int, t: float, c: int
) -> np.ndarray:
    """DINO's weighted vote, written one test sample at a time."""
    train = train / np.linalg.norm(train, axis=1, keepdims=True)
    test = test / np.linalg.norm(test, axis=1, keepdims=True)
    votes = np.zeros((len(test), c))
    for i, q in enumerate(test):
        sims = train @ q
        for j in np.argsort(-sims, kind="stable")[:k]:
            votes[i, labels[j]] += np.exp(sims[j] / t)
    return votes


def test_split_smaller_than_the_chunk_size() -> None:
    rng = np.random.default_rng(0)
    y_tr, y_te = rng.integers(0, 3, 40), rng.integers(0, 3, 5)
    result = knn_classify(
        informative_features(y_tr, 3, rng),
        y_tr,
        informative_features(y_te, 3, rng),
        y_te,
        chunk_size=1024,
    )
    assert result["metrics"]["top1"] == 1.0
    assert "top5" not in result["metrics"]  # fewer than 5 classes


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 1024])
def test_votes_do_not_depend_on_chunk_size_and_match_reference(chunk_size: int) -> None:
    rng = np.random.default_rng(1)
    x_tr, y_tr, x_te = rng.normal(size=(30, 6)), rng.integers(0, 4, 30), rng.normal(size=(7, 6))
    votes = knn_predict_scores(
        x_tr, y_tr, x_te, k=5, temperature=0.1, num_classes=4, chunk_size=chunk_size
    )
    np.testing.assert_allclose(
        votes.numpy(), _reference_votes(x_tr, y_tr, x_te, 5, 0.1, 4), rtol=1e-9
    )


def test_k_larger_than_training_set_is_clamped() -> None:
    rng = np.random.default_rng(2)
    y_tr = np.array([0, 1, 1])
    result = knn_classify(rng.normal(size=(3, 4)), y_tr, rng.normal(size=(2, 4)), [1, 1], k=20)
    assert result["details"]["k"] == 3


def test_random_features_score_near_chance() -> None:
    rng = np.random.default_rng(3)
    y_tr, y_te = rng.integers(0, 5, 400), rng.integers(0, 5, 400)
    result = knn_classify(random_features(400, 16, rng), y_tr, random_features(400, 16, rng), y_te)
    assert result["protocol"] == PROTOCOL
    assert abs(result["metrics"]["top1"] - 0.2) < 0.08
    assert result["metrics"]["top5"] == 1.0  # 5 classes: the top 5 always hold the answer


def test_torch_inputs_and_determinism() -> None:
    rng = np.random.default_rng(4)
    y_tr, y_te = rng.integers(0, 6, 50), rng.integers(0, 6, 10)
    x_tr, x_te = random_features(50, 8, rng), random_features(10, 8, rng)
    a = knn_classify(
        torch.from_numpy(x_tr), torch.from_numpy(y_tr), torch.from_numpy(x_te), y_te, seed=1
    )
    b = knn_classify(x_tr, y_tr, x_te, y_te, seed=1)
    assert a == b
