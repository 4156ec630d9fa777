"""Contract tests run over every registered protocol, so a new one is tested once registered."""

import json
import re
from typing import Any

import numpy as np
import pytest

from facessl.eval.protocols import PROTOCOLS, EvalProtocol, get_protocol

from .synthetic import verification_pairs

STAMP_KEYS = {
    "protocol",
    "facessl_version",
    "seeds",
    "split_sha256",
    "checkpoint_sha256",
    "metrics",
    "details",
}


def _small_inputs(name: str) -> dict[str, Any]:
    """Tiny valid arguments for each protocol (seed and checkpoint are added by the tests)."""
    rng = np.random.default_rng(0)
    x, x2 = rng.normal(size=(60, 5)), rng.normal(size=(20, 5))
    labels, labels2 = np.arange(60) % 3, np.arange(20) % 3
    if name == "expression-linear":
        return {
            "train_features": x,
            "train_labels": labels,
            "test_features": x2,
            "test_labels": labels2,
        }
    if name == "knn-cosine":
        return {
            "train_features": x,
            "train_labels": labels,
            "test_features": x2,
            "test_labels": labels2,
        }
    if name in ("verification-cosine", "verification-pair-classifier"):
        emb1, emb2, issame = verification_pairs(40, informative=True, rng=rng, dim=4)
        return {"emb1": emb1, "emb2": emb2, "issame": issame}
    if name == "au-detection":
        return {
            "features": x,
            "au_labels": rng.integers(0, 2, (60, 2)),
            "subjects": np.arange(60) // 10,
        }
    if name == "head-pose-ridge":
        return {
            "train_features": x,
            "train_angles": rng.normal(size=(60, 3)),
            "test_features": x2,
            "test_angles": rng.normal(size=(20, 3)),
        }
    if name == "disentanglement-linear":
        return {"features": x, "factors": {"yaw": rng.normal(size=60), "identity": labels}}
    raise AssertionError(f"add small inputs for the new protocol {name!r}")


@pytest.mark.parametrize("name", PROTOCOLS.names())
def test_protocol_returns_a_stamped_deterministic_result(name: str) -> None:
    protocol = get_protocol(name)
    assert re.fullmatch(r"[a-z0-9-]+/v\d+", protocol.id) and protocol.name == name
    result = protocol.run(**_small_inputs(name), seed=3, checkpoint_sha256="c" * 64)
    assert set(result) == STAMP_KEYS
    assert result["protocol"] == protocol.id
    assert result["seeds"] == [3] and result["checkpoint_sha256"] == "c" * 64
    assert result["metrics"] and all(isinstance(v, float) for v in result["metrics"].values())
    json.dumps(result)
    assert result == protocol.run(**_small_inputs(name), seed=3, checkpoint_sha256="c" * 64)


def test_expected_protocols_are_registered() -> None:
    assert {
        "expression-linear",
        "verification-cosine",
        "verification-pair-classifier",
        "au-detection",
        "head-pose-ridge",
        "knn-cosine",
        "disentanglement-linear",
    } <= set(PROTOCOLS.names())


def test_versioned_lookup_must_match_the_registered_version() -> None:
    assert get_protocol("expression-linear/v1").id == "expression-linear/v1"
    with pytest.raises(KeyError, match="registered version"):
        get_protocol("expression-linear/v999")
    with pytest.raises(KeyError, match="choose one of"):
        get_protocol("no-such-protocol")


def test_registering_a_name_twice_fails() -> None:
    protocol = get_protocol("knn-cosine")
    with pytest.raises(ValueError, match="twice"):
        PROTOCOLS.register("knn-cosine")(EvalProtocol(protocol.id, protocol.run, "dup"))
