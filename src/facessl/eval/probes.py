"""Linear probes shared by the protocols, and hyperparameter choice on a validation split.

Each probe standardises features with statistics of its training data, then fits a linear model.
Standardising is a per-feature affine map, so the probe stays linear; it plays the role of the
BatchNorm1d that LatentFace (latentface.md §6.1) and PCL's successors (pcl.md §5.3-§5.4) put before
their linear heads, which at test time is exactly such a map.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

H = TypeVar("H")

# Inverse L2 strengths for logistic probes, strongest regularisation first so that ties in
# validation score go to the simpler model. Five decades cover the optimum for standardised
# features of a few hundred to a few thousand dimensions.
DEFAULT_C_GRID: tuple[float, ...] = (1e-3, 1e-2, 1e-1, 1.0, 10.0)
# L2 strengths for ridge probes, strongest first (same reason).
DEFAULT_ALPHA_GRID: tuple[float, ...] = (1e4, 1e3, 1e2, 10.0, 1.0, 0.1)
# lbfgs iterations; enough for standardised features, and non-convergence is reported, not hidden.
MAX_ITER = 1000


def logistic_probe(c: float, class_weight: str | None = None) -> Pipeline:
    """Standardise, then (multinomial, for more than two classes) L2 logistic regression.

    Args:
        c: Inverse regularisation strength (scikit-learn's ``C``).
        class_weight: ``None`` or ``"balanced"`` (weights inversely proportional to class counts).
    """
    # lbfgs is deterministic, so no random_state is needed; with >2 classes it fits the
    # multinomial (softmax) model, i.e. a linear layer trained with cross-entropy.
    clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=MAX_ITER)
    return make_pipeline(StandardScaler(), clf)


def ridge_probe(alpha: float) -> Pipeline:
    """Standardise, then ridge regression (multi-output when the target has several columns)."""
    return make_pipeline(StandardScaler(), Ridge(alpha=alpha))


def fit(model: Pipeline, x: np.ndarray, y: np.ndarray) -> bool:
    """Fit `model` in place and return whether the solver converged.

    A ConvergenceWarning is caught and turned into the return value, so it lands in the result's
    details instead of scrolling past in the log.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(x, y)
    return not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def select_on_validation(grid: Sequence[H], score: Callable[[H], float]) -> tuple[H, list[float]]:
    """Pick the grid value with the highest validation score; the first one wins ties.

    Args:
        grid: Candidate hyperparameters, ordered from most to least regularised.
        score: Maps a candidate to its validation score (higher is better). The caller builds it
            from training data only; this function never sees test data.

    Returns:
        The chosen value and the score of every candidate, in grid order.
    """
    if len(grid) == 0:
        raise ValueError("empty hyperparameter grid")
    scores = [float(score(h)) for h in grid]
    return grid[int(np.argmax(scores))], scores
