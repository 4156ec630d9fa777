import numpy as np
import pytest

from facessl.eval.head_pose import PROTOCOL, head_pose_ridge


def _poses(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 3) angles in degrees, yaw widest as in 300W-LP."""
    return rng.uniform(-1, 1, size=(n, 3)) * np.array([80.0, 40.0, 30.0])


def _linear_features(angles: np.ndarray, mixing: np.ndarray) -> np.ndarray:
    """Features that are an invertible linear image of the angles. (n, 3) -> (n, 12)."""
    return (angles @ mixing).astype(np.float64)


def test_linearly_encoded_pose_is_recovered_to_a_fraction_of_a_degree() -> None:
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(3, 12))
    y_tr, y_te = _poses(rng, 300), _poses(rng, 100)
    result = head_pose_ridge(
        _linear_features(y_tr, mixing), y_tr, _linear_features(y_te, mixing), y_te
    )
    assert result["protocol"] == PROTOCOL
    assert set(result["metrics"]) == {"mae_yaw", "mae_pitch", "mae_roll", "mae_mean"}
    assert result["metrics"]["mae_mean"] < 0.5


def test_random_features_do_no_better_than_the_training_mean() -> None:
    rng = np.random.default_rng(1)
    y_tr, y_te = _poses(rng, 300), _poses(rng, 200)
    x_tr, x_te = rng.normal(size=(300, 12)), rng.normal(size=(200, 12))
    result = head_pose_ridge(x_tr, y_tr, x_te, y_te)
    baseline = np.abs(y_te - y_tr.mean(axis=0)).mean()
    assert result["metrics"]["mae_mean"] >= 0.9 * baseline


def test_test_samples_beyond_99_degrees_are_dropped() -> None:
    rng = np.random.default_rng(2)
    mixing = rng.normal(size=(3, 12))
    y_tr, y_te = _poses(rng, 200), _poses(rng, 50)
    y_te[:5, 0] = 120.0  # outside [-99, 99]: removed by the AFLW2000 convention
    x_tr, x_te = _linear_features(y_tr, mixing), _linear_features(y_te, mixing)
    kept = head_pose_ridge(x_tr, y_tr, x_te, y_te)
    assert kept["details"]["n_test_kept"] == 45 and kept["details"]["n_test_dropped"] == 5
    everything = head_pose_ridge(x_tr, y_tr, x_te, y_te, max_abs_test_angle=None)
    assert everything["details"]["n_test_kept"] == 50


def test_choice_of_alpha_ignores_the_test_split() -> None:
    rng = np.random.default_rng(3)
    y_tr = _poses(rng, 200)
    x_tr = rng.normal(size=(200, 12))
    a = head_pose_ridge(x_tr, y_tr, rng.normal(size=(30, 12)), _poses(rng, 30), seed=1)
    b = head_pose_ridge(x_tr, y_tr, rng.normal(size=(70, 12)), _poses(rng, 70), seed=1)
    assert a["details"]["val_mae"] == b["details"]["val_mae"]
    assert a["details"]["chosen_alpha"] == b["details"]["chosen_alpha"]


def test_same_seed_gives_identical_results() -> None:
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(100, 6)), _poses(rng, 100), rng.normal(size=(20, 6)), _poses(rng, 20))
    assert head_pose_ridge(*args, seed=9) == head_pose_ridge(*args, seed=9)


def test_angles_must_be_three_columns() -> None:
    rng = np.random.default_rng(5)
    with pytest.raises(ValueError, match="yaw, pitch, roll"):
        head_pose_ridge(
            rng.normal(size=(10, 4)),
            rng.normal(size=(10, 2)),
            rng.normal(size=(5, 4)),
            rng.normal(size=(5, 2)),
        )
