"""Facial expression recognition: a linear probe on frozen features (RAF-DB, AffectNet, FER2013).

Protocol (ecosystem.md §7, "RAF-DB" and "Linear-probe conventions"): multinomial logistic
regression on standardised features; the inverse regularisation C is chosen on a validation split
carved, stratified and seeded, from the TRAINING data (RAF-DB has no official validation split);
the probe is then refit on all training data with the chosen C and scored once on test. Reported:
accuracy, mean per-class accuracy (RAF-DB and AffectNet are imbalanced) and the confusion matrix.

This departs on purpose from PCL (best test accuracy over 300 epochs, pcl.md §5.1) and LatentFace
(top epochs by accuracy on the test set, latentface.md §6.1): here test data never choose anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split

from facessl.eval.arrays import ArrayLike, as_class_labels, as_features
from facessl.eval.probes import DEFAULT_C_GRID, fit, logistic_probe, select_on_validation
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "expression-linear/v1"
SELECTION_METRICS = ("accuracy", "mean_class_accuracy")


def classification_scores(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int
) -> tuple[float, float, np.ndarray]:
    """Accuracy, mean per-class accuracy and confusion matrix.

    Args:
        y_true: Shape (N,), ints in [0, num_classes).
        y_pred: Shape (N,), ints in [0, num_classes).
        num_classes: Number of classes K.

    Returns:
        accuracy; the mean over classes present in `y_true` of that class's recall; the confusion
        matrix of shape (K, K), rows = true class, columns = predicted class, counts.
    """
    cm = confusion_matrix(y_true, y_pred, labels=np.arange(num_classes))
    support = cm.sum(axis=1)
    present = support > 0
    per_class = np.diag(cm)[present] / support[present]
    accuracy = float(np.trace(cm) / max(cm.sum(), 1))
    return accuracy, float(per_class.mean()) if present.any() else 0.0, cm


def expression_linear_probe(
    train_features: ArrayLike,
    train_labels: ArrayLike,
    test_features: ArrayLike,
    test_labels: ArrayLike,
    *,
    num_classes: int | None = None,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    val_fraction: float = 0.2,
    select_by: str = "accuracy",
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """Linear-probe expression recognition with C chosen on a validation split of train.

    Args:
        train_features: Shape (N_train, D) or (N_train, ...), flattened.
        train_labels: Shape (N_train,), class ids in the canonical order of NOTES.md
            (neutral, happiness, sadness, surprise, fear, disgust, anger[, contempt]).
        test_features: Shape (N_test, D) or (N_test, ...).
        test_labels: Shape (N_test,).
        num_classes: K; inferred as 1 + the largest label seen when ``None``.
        c_grid: Inverse L2 strengths tried, most regularised first (first wins ties).
        val_fraction: Fraction of the training set held out for choosing C.
        select_by: ``"accuracy"`` or ``"mean_class_accuracy"`` on the validation split.
        seed: Seeds the stratified validation carve (the solver itself is deterministic).
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result (see `stamp_result`) with metrics ``accuracy`` and
        ``mean_class_accuracy`` on test, and details ``confusion_matrix`` (K×K counts, rows true),
        ``chosen_C``, ``val_scores`` (one per C), ``converged`` (of the final fit), split sizes.
    """
    if select_by not in SELECTION_METRICS:
        raise ValueError(f"select_by must be one of {SELECTION_METRICS}, got {select_by!r}")
    x_train = as_features(train_features, "train_features")
    y_train = as_class_labels(train_labels, len(x_train), "train_labels")
    x_test = as_features(test_features, "test_features")
    y_test = as_class_labels(test_labels, len(x_test), "test_labels")
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"feature sizes differ: train {x_train.shape[1]}, test {x_test.shape[1]}")
    k = num_classes if num_classes is not None else int(max(y_train.max(), y_test.max())) + 1
    if max(y_train.max(), y_test.max()) >= k:
        raise ValueError(f"labels must lie in [0, {k}) for num_classes={k}")
    counts = np.bincount(y_train, minlength=k)
    if (counts[counts > 0] < 2).any():
        raise ValueError("every training class needs at least 2 samples for a stratified val split")

    # ---- choose C on a stratified, seeded validation split of TRAIN only ----
    fit_idx, val_idx = train_test_split(
        np.arange(len(y_train)), test_size=val_fraction, stratify=y_train, random_state=seed
    )

    def val_score(c: float) -> float:
        model = logistic_probe(c)
        fit(model, x_train[fit_idx], y_train[fit_idx])
        pred = model.predict(x_train[val_idx])
        accuracy, mean_class_accuracy, _ = classification_scores(y_train[val_idx], pred, k)
        return accuracy if select_by == "accuracy" else mean_class_accuracy

    chosen_c, val_scores = select_on_validation(list(c_grid), val_score)

    # ---- refit on all of train, score once on test ----
    model = logistic_probe(chosen_c)
    converged = fit(model, x_train, y_train)
    accuracy, mean_class_acc, cm = classification_scores(y_test, model.predict(x_test), k)

    return stamp_result(
        PROTOCOL,
        metrics={"accuracy": accuracy, "mean_class_accuracy": mean_class_acc},
        seeds=[seed],
        split_sha256=hash_arrays(y_train, y_test),
        checkpoint_sha256=checkpoint_sha256,
        details={
            "confusion_matrix": cm,
            "num_classes": k,
            "chosen_C": chosen_c,
            "C_grid": list(c_grid),
            "val_scores": val_scores,
            "select_by": select_by,
            "val_fraction": val_fraction,
            "converged": converged,
            "n_train": len(y_train),  # the refit uses all of it
            "n_val": len(val_idx),  # held out of train while choosing C
            "n_test": len(y_test),
        },
    )
