import numpy as np
import pytest

from facessl.eval.disentanglement import PROTOCOL, infer_kind, linear_factor_recovery


def _scene(rng: np.random.Generator, n: int = 400) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Features holding yaw (linearly) and identity (one-hot), plus factors they do not hold."""
    yaw = rng.uniform(-60, 60, n)
    identity = rng.integers(0, 5, n)
    light = rng.normal(size=n)  # absent from the features
    expression = rng.integers(0, 4, n)  # absent from the features
    x = rng.normal(scale=0.1, size=(n, 16))
    x[:, :3] += np.outer(yaw / 60, [1.0, -0.5, 2.0])
    x[:, 3:8] += 3 * np.eye(5)[identity]
    factors = {"yaw": yaw, "light": light, "identity": identity, "expression": expression}
    return x, factors


def test_embedded_factors_are_recovered_and_absent_ones_are_not() -> None:
    x, factors = _scene(np.random.default_rng(0))
    result = linear_factor_recovery(x, factors)
    m = result["metrics"]
    assert result["protocol"] == PROTOCOL
    assert m["r2_yaw"] > 0.95
    assert abs(m["r2_light"]) < 0.1
    assert m["accuracy_identity"] > 0.97
    table = result["details"]["table"]
    assert abs(m["accuracy_expression"] - table["expression"]["baseline"]) < 0.12
    assert list(table) == ["yaw", "light", "identity", "expression"]
    assert table["yaw"]["metric"] == "r2" and table["identity"]["metric"] == "accuracy"


def test_sub_vector_without_the_factor_scores_near_zero() -> None:
    x, factors = _scene(np.random.default_rng(1))
    result = linear_factor_recovery(x[:, 3:], {"yaw": factors["yaw"]})  # identity part only
    assert abs(result["metrics"]["r2_yaw"]) < 0.1


def test_kind_is_inferred_from_dtype_and_can_be_overridden() -> None:
    assert infer_kind(np.array([1.5])) == "continuous"
    assert infer_kind(np.array([1, 2])) == "categorical"
    assert infer_kind(np.array(["a", "b"])) == "categorical"
    x, factors = _scene(np.random.default_rng(2), n=200)
    au12 = (factors["yaw"] > 0).astype(np.int64)  # ints, but treat as an intensity
    result = linear_factor_recovery(x, {"au12": au12}, kinds={"au12": "continuous"})
    assert "r2_au12" in result["metrics"]
    with pytest.raises(ValueError, match="unknown factors"):
        linear_factor_recovery(x, {"au12": au12}, kinds={"pitch": "continuous"})


def test_same_seed_gives_identical_results() -> None:
    x, factors = _scene(np.random.default_rng(3), n=200)
    assert linear_factor_recovery(x, factors, seed=4) == linear_factor_recovery(x, factors, seed=4)
