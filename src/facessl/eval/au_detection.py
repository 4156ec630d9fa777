"""Action-unit detection: a linear classifier per AU, subject-exclusive folds, F1 (DISFA, BP4D).

Protocol (ecosystem.md §7, "DISFA" and "BP4D"; pcl.md §5.3): subject-exclusive 3-fold cross
validation; one linear classifier per AU on frozen features; occurrence predicted when the
probability is >= 0.5; F1 per AU and their mean (the JAA-Net convention). DISFA occurrence is
intensity >= 2 and BP4D marks unknown frames with 9 (NOTES.md, ecosystem.md §7): labels other than
0 and 1 are treated as unknown and left out of training and scoring for that AU only.

Choices made here, with reasons:
- Folds come from `GroupKFold` on subject ids (deterministic, balanced by frame count) unless the
  caller passes the published per-subject split; either way no subject is in two folds.
- Each AU's C is chosen on a subject-exclusive validation split carved from the training folds
  (seeded), never on the test fold; PCL's successor picks the best test epoch and thresholds at
  0.0005 (pcl.md §5.3), which this protocol does not do.
- ``class_weight="balanced"`` by default: AUs are rare (DISFA AU9 occurs in a few % of frames), and
  an unweighted probe thresholded at 0.5 then predicts "absent" almost always; weighting the loss
  by inverse occurrence is what JAA-Net's weighted multi-label loss does (domain knowledge).
- Per-AU F1 is computed on each test fold and averaged over the folds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit

from facessl.eval.arrays import ArrayLike, as_features, to_numpy
from facessl.eval.probes import DEFAULT_C_GRID, fit, logistic_probe, select_on_validation
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "au-detection/v1"
AU_NUM_FOLDS = 3  # subject-exclusive 3-fold CV on DISFA and BP4D (ecosystem.md §7)
DECISION_THRESHOLD = 0.5  # on the predicted probability of occurrence


def subject_folds(subjects: ArrayLike, num_folds: int = AU_NUM_FOLDS) -> np.ndarray:
    """Fold id per sample such that all samples of a subject share one fold.

    Args:
        subjects: Shape (N,), subject ids (ints or strings).
        num_folds: Number of folds; at most the number of subjects.

    Returns:
        Shape (N,), int64 in [0, num_folds).
    """
    groups = to_numpy(subjects).reshape(-1)
    folds = np.empty(len(groups), dtype=np.int64)
    splitter = GroupKFold(n_splits=num_folds)
    for k, (_, test_idx) in enumerate(splitter.split(np.zeros(len(groups)), groups=groups)):
        folds[test_idx] = k
    return folds


def check_subject_exclusive(subjects: np.ndarray, folds: np.ndarray) -> None:
    """Raise ValueError if any subject appears in more than one fold."""
    for subject in np.unique(subjects):
        in_folds = np.unique(folds[subjects == subject])
        if len(in_folds) > 1:
            raise ValueError(f"subject {subject!r} is in folds {in_folds.tolist()}")


def _fit_one_au(
    x: np.ndarray,
    y: np.ndarray,
    subjects: np.ndarray,
    c_grid: Sequence[float],
    class_weight: str | None,
    val_fraction: float,
    seed: int,
) -> tuple[Any, float | None, bool]:
    """Choose C on a subject-exclusive validation carve of (x, y), then refit on all of it.

    Returns:
        A fitted model, or the constant 0/1 prediction as an int when training has one class;
        the chosen C (None for a constant); whether the final fit converged.
    """
    if len(np.unique(y)) < 2:
        return int(y[0]), None, True
    if len(np.unique(subjects)) < 2:
        raise ValueError("choosing C subject-exclusively needs at least 2 training subjects")
    carve = GroupShuffleSplit(n_splits=1, test_size=val_fraction, random_state=seed)
    fit_idx, val_idx = next(carve.split(x, y, groups=subjects))

    def val_f1(c: float) -> float:
        if len(np.unique(y[fit_idx])) < 2:
            return 0.0
        model = logistic_probe(c, class_weight)
        fit(model, x[fit_idx], y[fit_idx])
        return float(f1_score(y[val_idx], _predict(model, x[val_idx]), zero_division=0.0))

    c, _ = select_on_validation(list(c_grid), val_f1)
    model = logistic_probe(c, class_weight)
    return model, c, fit(model, x, y)


def _predict(model: Any, x: np.ndarray) -> np.ndarray:
    """0/1 occurrence: probability >= DECISION_THRESHOLD, or a constant for one-class training."""
    if isinstance(model, int):
        return np.full(len(x), model, dtype=np.int64)
    occurs: np.ndarray = model.predict_proba(x)[:, 1] >= DECISION_THRESHOLD
    return occurs.astype(np.int64)


def au_linear_probe(
    features: ArrayLike,
    au_labels: ArrayLike,
    subjects: ArrayLike,
    *,
    au_ids: Sequence[int] | None = None,
    folds: ArrayLike | None = None,
    num_folds: int = AU_NUM_FOLDS,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    class_weight: str | None = "balanced",
    val_fraction: float = 0.25,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """Subject-exclusive K-fold AU detection with one linear classifier per AU.

    Args:
        features: Shape (N, D) or (N, ...), one row per frame.
        au_labels: Shape (N, A); 1 = present, 0 = absent, anything else = unknown.
        subjects: Shape (N,), subject id of each frame.
        au_ids: FACS numbers of the A columns (e.g. DISFA's 1, 2, 4, 6, 9, 12, 25, 26), used in
            metric names; default 0..A-1.
        folds: Shape (N,), fold id per frame (a published split); must be subject-exclusive.
            Default: `subject_folds(subjects, num_folds)`.
        num_folds: Used only when `folds` is None.
        c_grid: Inverse L2 strengths tried per AU, most regularised first.
        class_weight: ``"balanced"`` or ``None``.
        val_fraction: Fraction of training subjects held out to choose C.
        seed: Seeds the subject-exclusive validation carve.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result with metrics ``f1_au<id>`` (mean over test folds) per AU and ``f1_mean``
        (mean over AUs), and details ``fold_f1`` (folds × AUs), ``chosen_C`` (folds × AUs, None
        where training had a single class), ``converged`` and ``fold_subjects``.
    """
    x = as_features(features)
    labels = to_numpy(au_labels)
    if labels.ndim == 1:
        labels = labels[:, None]
    if labels.shape[0] != len(x):
        raise ValueError(f"au_labels must have {len(x)} rows, got {labels.shape}")
    groups = to_numpy(subjects).reshape(-1)
    if groups.shape != (len(x),):
        raise ValueError(f"subjects must have shape ({len(x)},), got {groups.shape}")
    num_aus = labels.shape[1]
    ids = list(au_ids) if au_ids is not None else list(range(num_aus))
    if len(ids) != num_aus:
        raise ValueError(f"{len(ids)} au_ids for {num_aus} label columns")
    fold_ids = (
        subject_folds(groups, num_folds) if folds is None else to_numpy(folds).astype(np.int64)
    )
    check_subject_exclusive(groups, fold_ids)

    fold_f1: list[list[float]] = []
    chosen: list[list[float | None]] = []
    converged: list[list[bool]] = []
    fold_subjects: list[list[Any]] = []
    for k in np.unique(fold_ids):
        test = fold_ids == k
        fold_subjects.append(np.unique(groups[test]).tolist())
        f1_row, c_row, conv_row = [], [], []
        for a in range(num_aus):
            known = (labels[:, a] == 0) | (labels[:, a] == 1)
            tr, te = ~test & known, test & known
            y = labels[:, a].astype(np.int64)
            model, c, ok = _fit_one_au(
                x[tr], y[tr], groups[tr], c_grid, class_weight, val_fraction, seed
            )
            f1_row.append(float(f1_score(y[te], _predict(model, x[te]), zero_division=0.0)))
            c_row.append(c)
            conv_row.append(ok)
        fold_f1.append(f1_row)
        chosen.append(c_row)
        converged.append(conv_row)

    per_au = np.mean(np.asarray(fold_f1), axis=0)  # (A,), mean over test folds
    metrics = {f"f1_au{au}": f for au, f in zip(ids, per_au, strict=True)}
    metrics["f1_mean"] = float(per_au.mean())
    return stamp_result(
        PROTOCOL,
        metrics=metrics,
        seeds=[seed],
        split_sha256=hash_arrays(labels, groups, fold_ids),
        checkpoint_sha256=checkpoint_sha256,
        details={
            "au_ids": ids,
            "fold_f1": fold_f1,
            "chosen_C": chosen,
            "converged": converged,
            "fold_subjects": fold_subjects,
            "decision_threshold": DECISION_THRESHOLD,
            "class_weight": class_weight,
        },
    )
