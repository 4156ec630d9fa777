"""Disentanglement diagnostics: how well a linear map recovers each ground-truth factor.

ecosystem.md §10.6 asks for a pose-leakage score (R² of a linear map from features to yaw, pitch and
roll) and an identity-leakage score, to quantify the disentanglement PCL (pose vs. face branch,
pcl.md §1) and LatentFace (identity vs. expression codes, latentface.md §5) claim. This is the same
measurement for any feature (sub)vector and any factor: fit on a seeded training part, report on the
held-out part. A high score means the factor is linearly present in the features; a disentangled
"pose-free" vector should score near the baseline on pose.

- Continuous factors (pose angles, AU intensities, lighting): ridge regression, held-out R².
- Categorical factors (identity, expression, AU occurrence): logistic regression, held-out accuracy.
Each probe's L2 strength is chosen on a validation carve of the training part. The baseline is the
score of the best constant learned from the training part (its mean, or its most frequent class).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from facessl.eval.arrays import ArrayLike, as_features, to_numpy
from facessl.eval.probes import (
    DEFAULT_ALPHA_GRID,
    DEFAULT_C_GRID,
    fit,
    logistic_probe,
    ridge_probe,
    select_on_validation,
)
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "disentanglement-linear/v1"
KINDS = ("continuous", "categorical")


def infer_kind(values: np.ndarray) -> str:
    """``"categorical"`` for integer, bool or string arrays, ``"continuous"`` for floats."""
    return "continuous" if np.issubdtype(values.dtype, np.floating) else "categorical"


def _recover_continuous(
    x: np.ndarray, y: np.ndarray, tr: np.ndarray, te: np.ndarray, grid: Sequence[float], seed: int
) -> tuple[float, float, float]:
    """Held-out R², the constant baseline's R², and the chosen ridge alpha."""
    fit_idx, val_idx = train_test_split(tr, test_size=0.2, random_state=seed)

    def val_r2(alpha: float) -> float:
        model = ridge_probe(alpha)
        fit(model, x[fit_idx], y[fit_idx])
        return float(r2_score(y[val_idx], model.predict(x[val_idx])))

    alpha, _ = select_on_validation(list(grid), val_r2)
    model = ridge_probe(alpha)
    fit(model, x[tr], y[tr])
    score = float(r2_score(y[te], model.predict(x[te])))
    baseline = float(r2_score(y[te], np.full(len(te), y[tr].mean())))
    return score, baseline, alpha


def _recover_categorical(
    x: np.ndarray, y: np.ndarray, tr: np.ndarray, te: np.ndarray, grid: Sequence[float], seed: int
) -> tuple[float, float, float | None]:
    """Held-out accuracy, the majority-class baseline's accuracy, and the chosen C."""
    classes, counts = np.unique(y[tr], return_counts=True)
    baseline = float(np.mean(y[te] == classes[np.argmax(counts)]))
    if len(classes) < 2:
        return baseline, baseline, None
    # Not stratified: with many identities, some have a single training sample.
    fit_idx, val_idx = train_test_split(tr, test_size=0.2, random_state=seed)

    def val_accuracy(c: float) -> float:
        if len(np.unique(y[fit_idx])) < 2:
            return 0.0
        model = logistic_probe(c)
        fit(model, x[fit_idx], y[fit_idx])
        return float(np.mean(model.predict(x[val_idx]) == y[val_idx]))

    c, _ = select_on_validation(list(grid), val_accuracy)
    model = logistic_probe(c)
    fit(model, x[tr], y[tr])
    return float(np.mean(model.predict(x[te]) == y[te])), baseline, c


def linear_factor_recovery(
    features: ArrayLike,
    factors: Mapping[str, ArrayLike],
    *,
    kinds: Mapping[str, str] | None = None,
    test_fraction: float = 0.25,
    alpha_grid: Sequence[float] = DEFAULT_ALPHA_GRID,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """Held-out linear recoverability of each factor from the features.

    Args:
        features: Shape (N, D) or (N, ...): the full feature or any sub-vector of it (slice before
            calling, e.g. ``feats[:, :256]`` for LatentFace's n_a).
        factors: Name -> shape (N,) ground truth, e.g. ``{"yaw": ..., "identity": ...}``.
        kinds: Name -> ``"continuous"`` or ``"categorical"``, overriding `infer_kind` (floats are
            continuous; ints, bools and strings categorical).
        test_fraction: Fraction of samples held out for scoring (one seeded split for all factors).
        alpha_grid: Ridge strengths for continuous factors, most regularised first.
        c_grid: Inverse L2 strengths for categorical factors, most regularised first.
        seed: Seeds the held-out split and the validation carves.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result. Metrics: ``r2_<name>`` per continuous factor and ``accuracy_<name>`` per
        categorical one (held-out). Details: ``table``, name -> {"kind", "metric", "score",
        "baseline", "chosen"} (the chosen alpha or C), one row per factor, in the given order.
    """
    x = as_features(features)
    if not factors:
        raise ValueError("no factors given")
    kinds = dict(kinds or {})
    unknown = set(kinds) - set(factors)
    if unknown:
        raise ValueError(f"kinds given for unknown factors: {sorted(unknown)}")
    values = {name: to_numpy(v) for name, v in factors.items()}
    for name, v in values.items():
        if v.shape != (len(x),):
            raise ValueError(f"factor {name!r} must have shape ({len(x)},), got {v.shape}")
        kind = kinds.setdefault(name, infer_kind(v))
        if kind not in KINDS:
            raise ValueError(f"kind of {name!r} must be one of {KINDS}, got {kind!r}")

    tr, te = train_test_split(np.arange(len(x)), test_size=test_fraction, random_state=seed)
    metrics: dict[str, float] = {}
    table: dict[str, dict[str, Any]] = {}
    for name, y in values.items():
        chosen: float | None
        if kinds[name] == "continuous":
            score, baseline, chosen = _recover_continuous(
                x, y.astype(np.float64), tr, te, alpha_grid, seed
            )
            metric = "r2"
        else:
            score, baseline, chosen = _recover_categorical(x, y, tr, te, c_grid, seed)
            metric = "accuracy"
        metrics[f"{metric}_{name}"] = score
        table[name] = {
            "kind": kinds[name],
            "metric": metric,
            "score": score,
            "baseline": baseline,
            "chosen": chosen,
        }

    names = list(values)
    return stamp_result(
        PROTOCOL,
        metrics=metrics,
        seeds=[seed],
        split_sha256=hash_arrays(np.array(names), *(values[n] for n in names)),
        checkpoint_sha256=checkpoint_sha256,
        details={"table": table, "test_fraction": test_fraction, "n_test": len(te)},
    )
