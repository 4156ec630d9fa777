"""Input checks shared by the protocols: cached features and labels in, plain numpy arrays out.

Protocols accept numpy arrays or torch tensors (on any device) so that a feature cache can be passed
as it was loaded; everything is converted here, once, so the protocol bodies only see numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ArrayLike = (
    Any  # numpy.ndarray | torch.Tensor | nested sequences; kept loose so torch stays optional
)


def to_numpy(x: ArrayLike) -> np.ndarray:
    """Return `x` as a numpy array, detaching and moving torch tensors to the CPU first."""
    if hasattr(x, "detach"):  # torch.Tensor, without importing torch here
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def as_features(x: ArrayLike, name: str = "features") -> np.ndarray:
    """Features as a float matrix.

    Args:
        x: Shape (N, ...). Trailing dimensions are flattened, so a conv map such as PCL's
            128×7×7 trunk output (pcl.md §5) can be passed unchanged.
        name: Used in error messages.

    Returns:
        Shape (N, D), float32 or float64 (integers and float16 become float32).
    """
    arr = to_numpy(x)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (N, D) or (N, ...), got {arr.shape}")
    arr = arr.reshape(arr.shape[0], -1)
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contain NaN or inf")
    return arr


def as_class_labels(y: ArrayLike, n: int, name: str = "labels") -> np.ndarray:
    """Integer class labels.

    Args:
        y: Shape (N,), non-negative integers.
        n: Expected N (the number of feature rows).
        name: Used in error messages.

    Returns:
        Shape (N,), int64.
    """
    arr = to_numpy(y)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if arr.size and not np.array_equal(arr, np.round(arr)):
        raise ValueError(f"{name} must be integers")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must be non-negative")
    return arr


def as_targets(y: ArrayLike, n: int, name: str = "targets") -> np.ndarray:
    """Real-valued targets.

    Args:
        y: Shape (N,) or (N, K).
        n: Expected N.
        name: Used in error messages.

    Returns:
        Shape (N,) or (N, K), float64.
    """
    arr = to_numpy(y).astype(np.float64)
    if arr.ndim not in (1, 2) or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) or ({n}, K), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contain NaN or inf")
    return arr
