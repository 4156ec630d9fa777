from typing import Any

import numpy as np
import pytest

from facessl.eval.expression import expression_linear_probe
from facessl.eval.repeat import repeat_over_seeds

from .synthetic import random_features


def _args() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    y_tr, y_te = np.arange(90) % 3, np.arange(30) % 3
    return {
        "train_features": random_features(90, 6, rng),
        "train_labels": y_tr,
        "test_features": random_features(30, 6, rng),
        "test_labels": y_te,
        "checkpoint_sha256": "ck",
    }


def test_repeat_reports_mean_and_sample_std_over_seeds() -> None:
    result = repeat_over_seeds("expression-linear", (0, 1, 2), **_args())
    assert result["seeds"] == [0, 1, 2]
    assert result["protocol"] == "expression-linear/v1"
    assert result["checkpoint_sha256"] == "ck"
    values = result["details"]["values"]["accuracy"]
    assert len(values) == 3
    assert result["metrics"]["accuracy/mean"] == pytest.approx(np.mean(values))
    assert result["metrics"]["accuracy/std"] == pytest.approx(np.std(values, ddof=1))
    runs = result["details"]["runs"]
    assert [r["seeds"] for r in runs] == [[0], [1], [2]]
    assert {r["split_sha256"] for r in runs} == {result["split_sha256"]}


def test_repeat_accepts_a_function_and_is_deterministic() -> None:
    a = repeat_over_seeds(expression_linear_probe, (3, 4, 5), **_args())
    b = repeat_over_seeds("expression-linear/v1", (3, 4, 5), **_args())
    assert a == b


@pytest.mark.parametrize("seeds", [(0, 1), (0, 0, 1)])
def test_repeat_needs_three_distinct_seeds(seeds: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="distinct seeds"):
        repeat_over_seeds("expression-linear", seeds, **_args())


def test_repeat_refuses_a_seed_keyword() -> None:
    with pytest.raises(TypeError):
        repeat_over_seeds("expression-linear", (0, 1, 2), seed=0, **_args())
