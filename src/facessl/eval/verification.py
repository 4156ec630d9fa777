"""Face verification, standard 10-fold protocol with cosine similarity (LFW, CPLFW, CALFW, SLLFW).

Protocol (ecosystem.md §7, "LFW" and "CPLFW"; latentface.md §6.2, "Earlier protocol"): the pairs
file lists 10 folds of 600 pairs in order. For each fold, the threshold on cosine similarity is the
one with the best accuracy on the OTHER 9 folds; accuracy is then measured on the held-out fold.
Reported: mean ± std of the 10 fold accuracies. Features may be [f, f_flip] (the image and its
horizontal mirror, concatenated before the cosine), as LatentFace and many others do.

The threshold is found by exact search over the midpoints between consecutive distinct training
scores instead of LatentFace v0's grid over [-1, 1) in steps of 0.005: the exact search reaches at
least the grid's training accuracy and needs no step size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from facessl.eval.arrays import ArrayLike, as_features, to_numpy
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "verification-cosine/v1"
LFW_NUM_FOLDS = 10  # pairs.txt header "10\t300": 10 folds × (300 matched + 300 mismatched)


def contiguous_folds(num_pairs: int, num_folds: int = LFW_NUM_FOLDS) -> np.ndarray:
    """Fold id of each pair when folds are consecutive equal blocks, as in LFW's pairs.txt.

    Returns:
        Shape (num_pairs,), int64 in [0, num_folds); sizes differ by at most one.
    """
    if num_pairs < num_folds:
        raise ValueError(f"{num_pairs} pairs cannot fill {num_folds} folds")
    return (np.arange(num_pairs) * num_folds // num_pairs).astype(np.int64)


def pair_embeddings(
    emb1: ArrayLike,
    emb2: ArrayLike,
    emb1_flip: ArrayLike | None = None,
    emb2_flip: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Check the two sides of each pair and optionally append the mirrored image's features.

    Args:
        emb1: Shape (P, D), features of the first image of each pair.
        emb2: Shape (P, D), features of the second image.
        emb1_flip: Shape (P, D) or None, features of the mirrored first images.
        emb2_flip: Shape (P, D) or None; give both flips or neither.

    Returns:
        Two arrays of shape (P, D) or (P, 2D) ([f, f_flip]).
    """
    a, b = as_features(emb1, "emb1"), as_features(emb2, "emb2")
    if a.shape != b.shape:
        raise ValueError(f"emb1 {a.shape} and emb2 {b.shape} differ in shape")
    if (emb1_flip is None) != (emb2_flip is None):
        raise ValueError("give both emb1_flip and emb2_flip, or neither")
    if emb1_flip is not None and emb2_flip is not None:
        a_f, b_f = as_features(emb1_flip, "emb1_flip"), as_features(emb2_flip, "emb2_flip")
        if a_f.shape != a.shape or b_f.shape != b.shape:
            raise ValueError("flipped features must have the same shape as the originals")
        a, b = np.concatenate([a, a_f], axis=1), np.concatenate([b, b_f], axis=1)
    return a, b


def cosine_scores(emb1: np.ndarray, emb2: np.ndarray) -> np.ndarray:
    """Cosine similarity of each pair. Shapes (P, D), (P, D) -> (P,), float64 in [-1, 1]."""
    a = emb1.astype(np.float64)
    b = emb2.astype(np.float64)
    # The epsilon keeps an all-zero feature (a dead encoder) at similarity 0 instead of NaN.
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    scores: np.ndarray = np.einsum("pd,pd->p", a, b)
    return scores


def choose_threshold(scores: np.ndarray, issame: np.ndarray) -> float:
    """The threshold t maximising accuracy of "same iff score >= t" on the given pairs.

    Only ever called with training-fold pairs (see `verification_cosine`).

    Args:
        scores: Shape (P,), similarities.
        issame: Shape (P,), bool.

    Returns:
        A midpoint between two consecutive distinct scores, or a value below the minimum (all
        "same") or above the maximum (all "different"); the lowest such value wins ties.
    """
    order = np.argsort(scores, kind="stable")
    s = scores[order]
    same = issame[order].astype(np.int64)
    n = len(s)
    # Cutting after the i lowest scores (i = 0..n) predicts "different" for them and "same" for
    # the rest; correct = mismatched pairs below the cut + matched pairs above it.
    diff_below = np.concatenate([[0], np.cumsum(1 - same)])
    same_above = same.sum() - np.concatenate([[0], np.cumsum(same)])
    correct = diff_below + same_above
    # A cut inside a run of equal scores cannot be realised by a threshold.
    valid = np.ones(n + 1, dtype=bool)
    valid[1:n] = s[1:] > s[:-1]
    i = int(np.argmax(np.where(valid, correct, -1)))
    if i == 0:
        return float(s[0] - 1.0)
    if i == n:
        return float(s[-1] + 1.0)
    return float((s[i - 1] + s[i]) / 2.0)


def accuracy_at(scores: np.ndarray, issame: np.ndarray, threshold: float) -> float:
    """Fraction of pairs where (score >= threshold) equals issame."""
    return float(np.mean((scores >= threshold) == issame))


def verification_cosine(
    emb1: ArrayLike,
    emb2: ArrayLike,
    issame: ArrayLike,
    *,
    folds: ArrayLike | None = None,
    emb1_flip: ArrayLike | None = None,
    emb2_flip: ArrayLike | None = None,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """K-fold verification accuracy with a cosine threshold chosen on the other folds.

    Args:
        emb1: Shape (P, D), first image of each pair, in pairs-file order.
        emb2: Shape (P, D), second image of each pair.
        issame: Shape (P,), bool or 0/1, True for matched pairs.
        folds: Shape (P,), fold id per pair; default `contiguous_folds(P, 10)` (LFW's layout).
        emb1_flip: Shape (P, D) or None; with `emb2_flip`, features become [f, f_flip].
        emb2_flip: Shape (P, D) or None.
        seed: Recorded only: the protocol has no randomness.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result with metrics ``accuracy_mean`` and ``accuracy_std`` (population std over
        folds, as the LFW tables of facenet/insightface report it), and details ``fold_accuracies``,
        ``thresholds`` (one per held-out fold), ``flip`` and ``num_folds``.
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
    scores = cosine_scores(a, b)

    accuracies, thresholds = [], []
    for k in np.unique(fold_ids):
        test = fold_ids == k
        # The threshold sees the training folds only: slicing here is what keeps it honest.
        t = choose_threshold(scores[~test], same[~test])
        thresholds.append(t)
        accuracies.append(accuracy_at(scores[test], same[test], t))

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
            "thresholds": thresholds,
            "flip": emb1_flip is not None,
            "num_folds": len(accuracies),
            "num_pairs": len(a),
        },
    )
