"""Weighted k-nearest-neighbour classification on cosine similarity: a quick, training-free check.

The rule follows DINO's `knn_classifier` (eval_knn.py, official DINO at 7c446df; STYLE.md §1):
L2-normalise features, take the k most similar training samples, weight each one's vote by
exp(similarity / T), predict the class with the largest total. DINO's defaults are k = 20 (one of
10, 20, 100, 200) and T = 0.07. Unlike DINO, test samples are processed in chunks of a fixed size,
so splits smaller than a chunk (common for face protocols) work; DINO's `num_test // 100` chunk
is 0 below 100 test images (STYLE.md §2, "DINO and MoCo v3").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from facessl.eval.arrays import ArrayLike, as_class_labels, as_features
from facessl.eval.stamp import hash_arrays, stamp_result

PROTOCOL = "knn-cosine/v1"
DEFAULT_K = 20  # DINO eval_knn.py --nb_knn default includes 20
DEFAULT_TEMPERATURE = 0.07  # DINO eval_knn.py --temperature default
DEFAULT_CHUNK_SIZE = 1024  # test rows per similarity block; bounds memory at chunk × N_train


def _as_tensor(x: ArrayLike, device: torch.device) -> torch.Tensor:
    """Float64 tensor on `device`; tensors are not copied off their device."""
    if isinstance(x, torch.Tensor):
        return x.detach().reshape(x.shape[0], -1).to(device=device, dtype=torch.float64)
    return torch.as_tensor(as_features(x), dtype=torch.float64, device=device)


def knn_predict_scores(
    train_features: ArrayLike,
    train_labels: ArrayLike,
    test_features: ArrayLike,
    *,
    k: int = DEFAULT_K,
    temperature: float = DEFAULT_TEMPERATURE,
    num_classes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> torch.Tensor:
    """Summed neighbour votes per class for each test sample.

    Args:
        train_features: Shape (N_train, D); a torch tensor keeps its device.
        train_labels: Shape (N_train,), class ids.
        test_features: Shape (N_test, D).
        k: Neighbours per test sample; clamped to N_train.
        temperature: T in exp(similarity / T).
        num_classes: K; default 1 + the largest training label.
        chunk_size: Test rows per block (any positive size; the last block may be smaller).

    Returns:
        Shape (N_test, K), float64 votes on the training features' device.
    """
    if chunk_size < 1 or k < 1:
        raise ValueError(f"chunk_size and k must be positive, got {chunk_size} and {k}")
    device = (
        train_features.device if isinstance(train_features, torch.Tensor) else torch.device("cpu")
    )
    train = torch.nn.functional.normalize(_as_tensor(train_features, device), dim=1)
    test = torch.nn.functional.normalize(_as_tensor(test_features, device), dim=1)
    labels_np = as_class_labels(train_labels, train.shape[0], "train_labels")
    labels = torch.as_tensor(labels_np, device=device)
    num_classes = num_classes if num_classes is not None else int(labels_np.max()) + 1
    k = min(k, train.shape[0])

    votes = torch.zeros(test.shape[0], num_classes, dtype=torch.float64, device=device)
    for start in range(0, test.shape[0], chunk_size):
        block = test[start : start + chunk_size]  # (b, D)
        sims, idx = (block @ train.T).topk(k, dim=1)  # (b, k) each
        weights = (sims / temperature).exp()  # (b, k)
        # Add each neighbour's weight into its label's column.
        votes[start : start + len(block)].scatter_add_(1, labels[idx], weights)
    return votes


def knn_classify(
    train_features: ArrayLike,
    train_labels: ArrayLike,
    test_features: ArrayLike,
    test_labels: ArrayLike,
    *,
    k: int = DEFAULT_K,
    temperature: float = DEFAULT_TEMPERATURE,
    num_classes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    seed: int = 0,
    checkpoint_sha256: str | None = None,
) -> dict[str, Any]:
    """Top-1 (and top-5, for 5 classes or more) accuracy of the weighted kNN vote.

    Args:
        train_features: Shape (N_train, D) or (N_train, ...).
        train_labels: Shape (N_train,).
        test_features: Shape (N_test, D) or (N_test, ...).
        test_labels: Shape (N_test,).
        k: Neighbours per test sample; clamped to N_train.
        temperature: T in exp(similarity / T).
        num_classes: K; default 1 + the largest label in train or test.
        chunk_size: Test rows per block; results do not depend on it.
        seed: Recorded only: the protocol has no randomness.
        checkpoint_sha256: Hash of the checkpoint that produced the features.

    Returns:
        A stamped result with metrics ``top1`` (and ``top5``), details ``k`` (after clamping),
        ``temperature`` and ``num_classes``.
    """
    # len() works for tensors and arrays alike without copying a GPU tensor to the host.
    y_train = as_class_labels(train_labels, len(train_features), "train_labels")
    y_test = as_class_labels(test_labels, len(test_features), "test_labels")
    num_classes = num_classes or int(max(y_train.max(), y_test.max(initial=0))) + 1
    votes = knn_predict_scores(
        train_features,
        y_train,
        test_features,
        k=k,
        temperature=temperature,
        num_classes=num_classes,
        chunk_size=chunk_size,
    )
    # A stable descending sort breaks vote ties towards the lower class id, deterministically.
    ranked = torch.argsort(votes, dim=1, descending=True, stable=True).cpu().numpy()
    metrics = {"top1": float(np.mean(ranked[:, 0] == y_test))}
    if num_classes >= 5:
        metrics["top5"] = float(np.mean((ranked[:, :5] == y_test[:, None]).any(axis=1)))
    return stamp_result(
        PROTOCOL,
        metrics=metrics,
        seeds=[seed],
        split_sha256=hash_arrays(y_train, y_test),
        checkpoint_sha256=checkpoint_sha256,
        details={
            "k": min(k, len(y_train)),
            "temperature": temperature,
            "num_classes": num_classes,
            "chunk_size": chunk_size,
        },
    )
