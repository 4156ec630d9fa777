"""Face verification with LatentFace's learned pair classifier, a labelled variant of the 10 folds.

Protocol (latentface.md §6.2, "Current protocol (main HEAD)"): the pair feature is
[|f1 - f2|, |f1 + f2|, |f1 ⊙ f2|] and a linear two-class classifier is trained on the 9 training
folds, then tested on the held-out fold; mean ± std over folds. ecosystem.md §7 and §10.3 ask that
it be reported under its own name, beside the cosine protocol, never in place of it.

Deviations from the official script, each so that the variant is well defined:
- the classifier is L2 logistic regression solved to convergence (lbfgs) on standardised pair
  features, not Adam for 300 single-minibatch steps (the official loop trains on one random batch
  of 128 per "epoch", a bug noted in latentface.md §6.2);
- its regularisation C is chosen on a stratified, seeded validation split of the 9 training folds,
  so the held-out fold never influences the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from facessl.eval.arrays import ArrayLike, to_numpy
from facessl.eval.probes import DEFAULT_C_GRID, fit, logistic_probe, select_on_validation
from facessl.eval.stamp import hash_arrays, stamp_result
from facessl.eval.verification import contiguous_folds, pair_embeddings

PROTOCOL = "verification-pair-classifier/v1"


def pair_features(emb1: np.ndarray, emb2: np.ndarray) -> np.ndarray:
    """LatentFace's pair feature. Shapes (P, D), (P, D) -> (P, 3D): [|a-b|, |a+b|, |a*b|]."""
    return np.concatenate([np.abs(emb1 - emb2), np.abs(emb1 + emb2), np.abs(emb1 * emb2)], axis=1)


def _val_accuracy(
    c: float, *, x: np.ndarray, y: np.ndarray, fit_idx: np.ndarray, val_idx: np.ndarray
) -> float:
    """Validation accuracy of a probe with inverse strength `c` fitted on `fit_idx`."""
    model = logistic_probe(c)
    fit(model, x[fit_idx], y[fit_idx])
    return float(np.mean(model.predict(x[val_idx]) == y[val_idx]))


def verification_pair_classifier(
    emb1: ArrayLike,
    emb2: ArrayLike,
    issame: ArrayLike,
    *,
    folds: ArrayLike | None = None,
    emb1_flip: ArrayLike | None = None,
    emb2_flip: ArrayLike | None = None,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    val_fraction: float = 0.2,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """K-fold verification accuracy of a linear classifier on pair features.

    Args:
        emb1: Shape (P, D), first image of each pair, in pairs-file order.
        emb2: Shape (P, D), second image of each pair.
        issame: Shape (P,), bool or 0/1.
        folds: Shape (P,), fold id per pair; default `contiguous_folds(P, 10)`.
        emb1_flip: Shape (P, D) or None; with `emb2_flip`, features become [f, f_flip]
            (LatentFace uses this: 2 × 1024-d per image, latentface.md §5).
        emb2_flip: Shape (P, D) or None.
        c_grid: Inverse L2 strengths tried, most regularised first.
        val_fraction: Fraction of the training folds held out to choose C.
        seed: Seeds the validation carve inside each training set.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result with metrics ``accuracy_mean`` and ``accuracy_std`` (population std over
        folds) and details ``fold_accuracies``, ``chosen_C`` (per fold), ``converged`` (per fold).
    """
    a, b = pair_embeddings(emb1, emb2, emb1_flip, emb2_flip)
    same = to_numpy(issame).astype(bool).reshape(-1)
    if same.shape != (len(a),):
        raise ValueError(f"issame must have shape ({len(a)},), got {same.shape}")
    fold_ids = contiguous_folds(len(a)) if folds is None else to_numpy(folds).astype(np.int64)
    if fold_ids.shape != (len(a),):
        raise ValueError(f"folds must have shape ({len(a)},), got {fold_ids.shape}")
    if len(np.unique(fold_ids)) < 2:
        raise ValueError("verification needs at least 2 folds")
    x = pair_features(a, b)
    y = same.astype(np.int64)

    accuracies: list[float] = []
    chosen: list[float] = []
    converged: list[bool] = []
    for k in np.unique(fold_ids):
        train_idx = np.flatnonzero(fold_ids != k)
        test_idx = np.flatnonzero(fold_ids == k)
        fit_idx, val_idx = train_test_split(
            train_idx, test_size=val_fraction, stratify=y[train_idx], random_state=seed
        )
        c, _ = select_on_validation(
            list(c_grid), partial(_val_accuracy, x=x, y=y, fit_idx=fit_idx, val_idx=val_idx)
        )
        model = logistic_probe(c)
        converged.append(fit(model, x[train_idx], y[train_idx]))
        accuracies.append(float(np.mean(model.predict(x[test_idx]) == y[test_idx])))
        chosen.append(c)

    return stamp_result(
        PROTOCOL,
        metrics={
            "accuracy_mean": float(np.mean(accuracies)),
            "accuracy_std": float(np.std(accuracies)),
        },
        seeds=[seed],
        split_sha256=hash_arrays(same, fold_ids),
        checkpoint_sha256=checkpoint_sha256,
        details={
            "fold_accuracies": accuracies,
            "chosen_C": chosen,
            "converged": converged,
            "flip": emb1_flip is not None,
            "num_folds": len(accuracies),
            "num_pairs": len(a),
        },
    )
