"""Synthetic feature/label generators shared by the protocol tests."""

from __future__ import annotations

import numpy as np


def informative_features(
    labels: np.ndarray, num_classes: int, rng: np.random.Generator
) -> np.ndarray:
    """Features encoding the label perfectly: scaled one-hot plus noise. (N,) -> (N, K+4)."""
    onehot = np.eye(num_classes)[labels] * 3.0
    noise = rng.normal(scale=0.1, size=(len(labels), num_classes + 4))
    noise[:, :num_classes] += onehot
    return noise.astype(np.float32)


def random_features(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Features independent of every label. -> (n, dim)."""
    return rng.normal(size=(n, dim)).astype(np.float32)


def verification_pairs(
    num_pairs: int, informative: bool, rng: np.random.Generator, dim: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs in LFW order: each block of pairs alternates matched / mismatched.

    Informative features are noisy copies of a per-identity prototype, so matched pairs have cosine
    close to 1 and mismatched ones close to 0; random features ignore identity.

    Returns:
        emb1 (P, dim), emb2 (P, dim), issame (P,) bool.
    """
    prototypes = rng.normal(size=(4 * num_pairs, dim))
    issame = np.arange(num_pairs) % 2 == 0
    id1 = np.arange(num_pairs) * 2
    id2 = np.where(issame, id1, id1 + 1)
    if informative:
        emb1 = prototypes[id1] + rng.normal(scale=0.1, size=(num_pairs, dim))
        emb2 = prototypes[id2] + rng.normal(scale=0.1, size=(num_pairs, dim))
    else:
        emb1 = rng.normal(size=(num_pairs, dim))
        emb2 = rng.normal(size=(num_pairs, dim))
    return emb1.astype(np.float32), emb2.astype(np.float32), issame
