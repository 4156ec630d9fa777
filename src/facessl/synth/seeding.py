"""Counter-based seeds: every random draw of SynthFaces comes from a generator keyed by integers.

An image's factors are drawn from ``generator(seed, stream, index)``, so item ``i`` of a dataset is
a pure function of ``(seed, i)`` whatever the batch, worker or order it is rendered in. Keys are
mixed with SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014), whose finaliser spreads nearby integers over the whole 64-bit range.
"""

from __future__ import annotations

import torch

_MASK64 = (1 << 64) - 1


def _splitmix64(state: int) -> int:
    """One SplitMix64 output for ``state`` (constants from the paper's reference implementation)."""
    z = (state + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def derive_seed(*keys: int) -> int:
    """Mix integer keys into one seed in ``[0, 2**63)`` (order matters; negative keys allowed).

    Example:
        >>> derive_seed(0, 1) != derive_seed(1, 0)
        True
    """
    state = 0x5EED
    for key in keys:
        state = _splitmix64(state ^ (key & _MASK64))
    return state >> 1


def generator(*keys: int) -> torch.Generator:
    """A fresh CPU generator seeded with :func:`derive_seed` of ``keys``."""
    return torch.Generator().manual_seed(derive_seed(*keys))


# Streams: the first key after the dataset seed, so that different kinds of draw never share a
# generator even for equal indices.
STREAM_IDENTITY = 1
STREAM_SCENE = 2
STREAM_EXPRESSION = 3
STREAM_TRACK = 4
STREAM_VIDEO = 5
STREAM_SPLIT = 6
STREAM_PAIRS = 7
