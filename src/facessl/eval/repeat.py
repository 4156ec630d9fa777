"""Repeat a protocol over several seeds and report the mean ± std of every metric.

ecosystem.md §10.2 asks for mean ± std over seeds. Seeds move the validation carves (and hence
the chosen hyperparameters); the split itself must not move, which is checked through the split
hash of each run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from facessl.eval.protocols import get_protocol
from facessl.eval.stamp import stamp_result

MIN_SEEDS = 3
DEFAULT_SEEDS = (0, 1, 2)


def repeat_over_seeds(
    protocol: str | Callable[..., dict[str, Any]],
    seeds: Sequence[int] = DEFAULT_SEEDS,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run `protocol` once per seed and summarise.

    Args:
        protocol: A registered name (``"expression-linear"`` or ``"expression-linear/v1"``) or a
            protocol function.
        seeds: At least `MIN_SEEDS` distinct seeds.
        **kwargs: Passed to every run unchanged (features, labels, ``checkpoint_sha256``, ...);
            ``seed`` is supplied here and must not be among them.

    Returns:
        A stamped result with all the seeds; metrics ``<metric>/mean`` and ``<metric>/std``
        (sample std, ddof=1, over seeds) for every metric of the runs; details ``values``
        (metric -> one value per seed) and ``runs`` (the per-seed results).
    """
    if "seed" in kwargs:
        raise TypeError("pass seeds through `seeds`, not `seed`")
    seeds = [int(s) for s in seeds]
    if len(set(seeds)) < MIN_SEEDS or len(set(seeds)) != len(seeds):
        raise ValueError(f"need at least {MIN_SEEDS} distinct seeds, got {seeds}")
    run = get_protocol(protocol).run if isinstance(protocol, str) else protocol

    runs = [run(seed=s, **kwargs) for s in seeds]
    first = runs[0]
    for key in ("protocol", "split_sha256", "checkpoint_sha256"):
        differing = {r[key] for r in runs}
        if len(differing) > 1:
            raise ValueError(f"runs disagree on {key}: {sorted(differing)}")
    names = [m for m in first["metrics"] if all(m in r["metrics"] for r in runs)]
    values = {m: [r["metrics"][m] for r in runs] for m in names}
    metrics: dict[str, float] = {}
    for m, v in values.items():
        metrics[f"{m}/mean"] = float(np.mean(v))
        metrics[f"{m}/std"] = float(np.std(v, ddof=1))

    return stamp_result(
        first["protocol"],
        metrics=metrics,
        seeds=seeds,
        split_sha256=first["split_sha256"],
        checkpoint_sha256=first["checkpoint_sha256"],
        details={"values": values, "runs": runs},
    )
