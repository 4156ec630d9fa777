"""Result stamps: every evaluation result names its protocol, split, seed(s) and checkpoint.

NOTES.md ("Conventions") asks that each result carry the protocol's name and version, the split's
hash, the seed(s) and the checkpoint's hash; ecosystem.md §10.1 asks for versioned, hashed splits.
A protocol sees its split as label / fold / subject arrays, so the split hash is a sha256 over those
arrays (dtype, shape and bytes), never over the features: the same split evaluated on two
checkpoints gets the same split hash and two checkpoint hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat, SupportsInt

import numpy as np

from facessl import __version__
from facessl.eval.arrays import ArrayLike, to_numpy

UNKNOWN_CHECKPOINT = "unknown"


def hash_arrays(*arrays: ArrayLike) -> str:
    """Sha256 of a sequence of arrays, sensitive to order, dtype, shape and values.

    Args:
        *arrays: Any arrays or tensors (e.g. train labels, test labels, fold ids). They are made
            C-contiguous and little-endian first, so the hash does not depend on memory layout.

    Returns:
        Hex digest, 64 characters.
    """
    digest = hashlib.sha256()
    for arr in arrays:
        a = np.ascontiguousarray(to_numpy(arr))
        if a.dtype == object:  # e.g. subject names: hash their text, not the object pointers
            a = a.astype(str)
        if a.dtype.byteorder == ">":
            a = a.astype(a.dtype.newbyteorder("<"))
        # Separators keep ([1, 2], [3]) and ([1], [2, 3]) apart.
        digest.update(f"{a.dtype.str}|{a.shape}|".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def stamp_result(
    protocol: str,
    *,
    metrics: Mapping[str, SupportsFloat],
    seeds: Sequence[SupportsInt],
    split_sha256: str,
    checkpoint_sha256: str | None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the result dict every protocol returns.

    Args:
        protocol: Versioned protocol id, e.g. ``"expression-linear/v1"``.
        metrics: Flat name -> float; these are what `repeat_over_seeds` averages.
        seeds: The seed(s) the result depends on.
        split_sha256: From `hash_arrays` over the split definition.
        checkpoint_sha256: Hash of the checkpoint the features came from, given by the caller;
            ``None`` is recorded as ``"unknown"`` so a missing hash is visible in the report.
        details: Anything else worth keeping (confusion matrix, chosen hyperparameters, per-fold
            values); never averaged.

    Returns:
        ``{"protocol", "facessl_version", "seeds", "split_sha256", "checkpoint_sha256", "metrics",
        "details"}``; all values are plain Python types, so the dict is JSON-serialisable.
    """
    return {
        "protocol": protocol,
        "facessl_version": __version__,
        "seeds": [int(s) for s in seeds],
        "split_sha256": split_sha256,
        "checkpoint_sha256": checkpoint_sha256 or UNKNOWN_CHECKPOINT,
        "metrics": {k: float(v) for k, v in metrics.items()},
        "details": _plain(dict(details or {})),
    }


def _plain(value: Any) -> Any:
    """Convert numpy scalars and arrays inside nested containers to Python types (for JSON)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
