"""Head-pose estimation: ridge regression of (yaw, pitch, roll) in degrees (300W-LP -> AFLW2000).

Protocol (ecosystem.md §7, "300W-LP → AFLW2000"; pcl.md §5.4): a linear map from frozen features to
the three angles, trained on 300W-LP and tested on AFLW2000 with the samples that have any angle
outside [-99°, 99°] removed (the FSA-Net / HopeNet convention, which PCL also applies). Reported:
MAE in degrees for yaw, pitch and roll and their mean. Angles are (yaw, pitch, roll) in that order,
the library-wide convention of NOTES.md (PCL's logs swap the yaw and pitch names, pcl.md §5.4).

Here the linear map is ridge regression on standardised features with the L2 strength chosen on a
seeded validation split of the training data; PCL instead trains BN + Linear with an L1 loss and
reports the best test epoch (pcl.md §5.4), which this protocol does not do. MAE is the mean over
test samples, not the mean of per-batch means.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from facessl.eval.arrays import ArrayLike, as_features, as_targets
from facessl.eval.probes import DEFAULT_ALPHA_GRID, fit, ridge_probe, select_on_validation
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "head-pose-ridge/v1"
ANGLES = ("yaw", "pitch", "roll")
AFLW2000_MAX_ABS_DEG = 99.0  # FSA-Net / HopeNet test filter (ecosystem.md §7)


def angle_mae(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean absolute error per angle. Shapes (N, 3), (N, 3) -> (3,), degrees."""
    mae: np.ndarray = np.abs(y_true - y_pred).mean(axis=0)
    return mae


def head_pose_ridge(
    train_features: ArrayLike,
    train_angles: ArrayLike,
    test_features: ArrayLike,
    test_angles: ArrayLike,
    *,
    alpha_grid: Sequence[float] = DEFAULT_ALPHA_GRID,
    val_fraction: float = 0.2,
    max_abs_test_angle: float | None = AFLW2000_MAX_ABS_DEG,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """Ridge regression of head pose with the L2 strength chosen on a validation split of train.

    Args:
        train_features: Shape (N_train, D) or (N_train, ...).
        train_angles: Shape (N_train, 3), (yaw, pitch, roll) in degrees.
        test_features: Shape (N_test, D) or (N_test, ...).
        test_angles: Shape (N_test, 3), degrees.
        alpha_grid: Ridge strengths tried, most regularised first (first wins ties).
        val_fraction: Fraction of train held out to choose alpha.
        max_abs_test_angle: Test samples with any |angle| above this are dropped before scoring;
            None keeps all. Training samples are never filtered (as in FSA-Net).
        seed: Seeds the validation carve.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result with metrics ``mae_yaw``, ``mae_pitch``, ``mae_roll`` and ``mae_mean``
        (degrees, on kept test samples), and details ``chosen_alpha``, ``val_mae`` (mean-angle
        MAE per alpha), ``n_test_kept`` and ``n_test_dropped``.
    """
    x_train = as_features(train_features, "train_features")
    y_train = as_targets(train_angles, len(x_train), "train_angles")
    x_test = as_features(test_features, "test_features")
    y_test = as_targets(test_angles, len(x_test), "test_angles")
    for name, y in (("train_angles", y_train), ("test_angles", y_test)):
        if y.ndim != 2 or y.shape[1] != len(ANGLES):
            raise ValueError(f"{name} must have shape (N, 3) as (yaw, pitch, roll), got {y.shape}")
    keep = np.ones(len(y_test), dtype=bool)
    if max_abs_test_angle is not None:
        keep = (np.abs(y_test) <= max_abs_test_angle).all(axis=1)
    if not keep.any():
        raise ValueError("no test sample left after the angle filter")

    # ---- choose alpha on a seeded validation split of TRAIN only ----
    fit_idx, val_idx = train_test_split(
        np.arange(len(y_train)), test_size=val_fraction, random_state=seed
    )

    def neg_val_mae(alpha: float) -> float:
        model = ridge_probe(alpha)
        fit(model, x_train[fit_idx], y_train[fit_idx])
        return -float(angle_mae(y_train[val_idx], model.predict(x_train[val_idx])).mean())

    alpha, neg_scores = select_on_validation(list(alpha_grid), neg_val_mae)

    # ---- refit on all of train, score once on the kept test samples ----
    model = ridge_probe(alpha)
    fit(model, x_train, y_train)
    mae = angle_mae(y_test[keep], model.predict(x_test[keep]))

    metrics = {f"mae_{name}": value for name, value in zip(ANGLES, mae, strict=True)}
    metrics["mae_mean"] = float(mae.mean())
    return stamp_result(
        PROTOCOL,
        metrics=metrics,
        seeds=[seed],
        split_sha256=hash_arrays(y_train, y_test),
        checkpoint_sha256=checkpoint_sha256,
        details={
            "chosen_alpha": alpha,
            "alpha_grid": list(alpha_grid),
            "val_mae": [-s for s in neg_scores],
            "val_fraction": val_fraction,
            "max_abs_test_angle": max_abs_test_angle,
            "n_train": len(y_train),
            "n_test_kept": int(keep.sum()),
            "n_test_dropped": int((~keep).sum()),
        },
    )
