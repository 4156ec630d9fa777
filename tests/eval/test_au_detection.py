import numpy as np
import pytest

from facessl.eval.au_detection import (
    PROTOCOL,
    au_linear_probe,
    check_subject_exclusive,
    subject_folds,
)

AU_IDS = [1, 2, 4]
GRID = (0.01, 1.0)  # two values keep folds x AUs x grid fits fast


def _frames(
    rng: np.random.Generator, informative: bool, occurrence: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """12 subjects × 30 frames; returns features (360, 8), labels (360, 3), subjects (360,)."""
    subjects = np.repeat([f"S{i:02d}" for i in range(12)], 30)
    labels = (rng.random((len(subjects), len(AU_IDS))) < occurrence).astype(np.int64)
    x = rng.normal(size=(len(subjects), 8))
    if informative:
        x[:, : len(AU_IDS)] += 8.0 * labels  # 8 sigma apart: near-perfect separation
    return x.astype(np.float32), labels, subjects


def test_default_folds_are_subject_exclusive() -> None:
    subjects = np.repeat(np.arange(10), np.arange(1, 11))  # unequal frame counts
    folds = subject_folds(subjects, 3)
    assert sorted(np.unique(folds).tolist()) == [0, 1, 2]
    for s in np.unique(subjects):
        assert len(np.unique(folds[subjects == s])) == 1


def test_result_folds_partition_the_subjects() -> None:
    x, y, subjects = _frames(np.random.default_rng(0), informative=True)
    result = au_linear_probe(x, y, subjects, au_ids=AU_IDS, c_grid=GRID)
    per_fold = [set(f) for f in result["details"]["fold_subjects"]]
    assert len(per_fold) == 3
    assert set.union(*per_fold) == set(subjects)
    assert sum(len(f) for f in per_fold) == len(set(subjects))  # pairwise disjoint


def test_folds_that_split_a_subject_are_rejected() -> None:
    x, y, subjects = _frames(np.random.default_rng(1), informative=True)
    folds = np.arange(len(subjects)) % 3  # frames of one subject land in every fold
    with pytest.raises(ValueError, match="is in folds"):
        au_linear_probe(x, y, subjects, folds=folds, c_grid=GRID)
    with pytest.raises(ValueError):
        check_subject_exclusive(subjects, folds)


def test_label_encoding_features_score_near_perfect_f1() -> None:
    x, y, subjects = _frames(np.random.default_rng(2), informative=True)
    result = au_linear_probe(x, y, subjects, au_ids=AU_IDS, c_grid=GRID)
    assert result["protocol"] == PROTOCOL
    assert set(result["metrics"]) == {"f1_au1", "f1_au2", "f1_au4", "f1_mean"}
    assert min(result["metrics"].values()) >= 0.95


def test_random_features_do_no_better_than_a_blind_rule() -> None:
    # A rule blind to the features that fires with rate q has F1 = 2pq / (p + q) <= 2p / (1 + p)
    # for occurrence p; random features cannot beat that beyond sampling noise.
    p = 0.3
    x, y, subjects = _frames(np.random.default_rng(3), informative=False, occurrence=p)
    result = au_linear_probe(x, y, subjects, au_ids=AU_IDS, c_grid=GRID)
    assert result["metrics"]["f1_mean"] <= 2 * p / (1 + p) + 0.05


def test_unknown_labels_are_ignored() -> None:
    # Frames whose AUs are all unknown (BP4D's 9) must not change anything: the metrics equal
    # those computed with the frames removed.
    rng = np.random.default_rng(4)
    x, y, subjects = _frames(rng, informative=True)
    folds = subject_folds(subjects, 3)
    extra = rng.normal(size=(40, x.shape[1])).astype(np.float32)
    extra_subjects = rng.choice(subjects, 40)
    extra_folds = np.array([folds[subjects == s][0] for s in extra_subjects])
    with_unknown = au_linear_probe(
        np.concatenate([x, extra]),
        np.concatenate([y, np.full((40, len(AU_IDS)), 9)]),
        np.concatenate([subjects, extra_subjects]),
        folds=np.concatenate([folds, extra_folds]),
        au_ids=AU_IDS,
        c_grid=GRID,
    )
    without = au_linear_probe(x, y, subjects, folds=folds, au_ids=AU_IDS, c_grid=GRID)
    assert with_unknown["metrics"] == pytest.approx(without["metrics"])


def test_same_seed_gives_identical_results() -> None:
    x, y, subjects = _frames(np.random.default_rng(5), informative=False)
    a = au_linear_probe(x, y, subjects, seed=2, c_grid=GRID)
    assert a == au_linear_probe(x, y, subjects, seed=2, c_grid=GRID)
