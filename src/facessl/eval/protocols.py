"""The registry of evaluation protocols: versioned names -> pure functions of cached features.

All protocols are listed in this one file (as solo-learn lists its methods in one dict, STYLE.md
§1), rather than registering themselves as an import side effect. The registry key is the bare
name used in configs and by `facessl list`; the version travels in every result's stamp, so a
result always says which revision of a protocol produced it (ecosystem.md §10.1). A change that can
move a number (a new default grid, another split rule) bumps the version in the protocol's file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from facessl.eval import (
    au_detection,
    disentanglement,
    expression,
    head_pose,
    knn,
    verification,
    verification_pairs,
)
from facessl.registry import Registry


@dataclass(frozen=True)
class EvalProtocol:
    """One registered protocol.

    Attributes:
        id: ``"<name>/v<N>"``, the value stamped into results.
        run: The protocol function; every one takes ``seed=`` and ``checkpoint_sha256=`` keywords
            and returns a stamped result dict.
        summary: One line for listings.
    """

    id: str
    run: Callable[..., dict[str, Any]]
    summary: str

    @property
    def name(self) -> str:
        """The registry key, e.g. ``"expression-linear"``."""
        return self.id.split("/")[0]

    @property
    def version(self) -> str:
        """The version tag, e.g. ``"v1"``."""
        return self.id.split("/")[1]


PROTOCOLS: Registry[EvalProtocol] = Registry("eval protocol")

for _protocol in (
    EvalProtocol(
        expression.PROTOCOL,
        expression.expression_linear_probe,
        "expression: logistic probe, C chosen on a val split of train; acc, mean class acc",
    ),
    EvalProtocol(
        verification.PROTOCOL,
        verification.verification_cosine,
        "verification: 10-fold, cosine threshold from the 9 training folds; mean ± std acc",
    ),
    EvalProtocol(
        verification_pairs.PROTOCOL,
        verification_pairs.verification_pair_classifier,
        "verification: LatentFace's pair-feature linear classifier, 10-fold; mean ± std acc",
    ),
    EvalProtocol(
        au_detection.PROTOCOL,
        au_detection.au_linear_probe,
        "AU detection: one logistic probe per AU, subject-exclusive folds; F1 per AU and mean",
    ),
    EvalProtocol(
        head_pose.PROTOCOL,
        head_pose.head_pose_ridge,
        "head pose: ridge regression of (yaw, pitch, roll); MAE per angle and mean, degrees",
    ),
    EvalProtocol(
        knn.PROTOCOL,
        knn.knn_classify,
        "kNN: cosine, exp(sim/T)-weighted votes (DINO); top-1 / top-5",
    ),
    EvalProtocol(
        disentanglement.PROTOCOL,
        disentanglement.linear_factor_recovery,
        "disentanglement: held-out linear R² / accuracy of each ground-truth factor",
    ),
):
    PROTOCOLS.register(_protocol.name)(_protocol)


def get_protocol(name: str) -> EvalProtocol:
    """Look a protocol up by ``"<name>"`` or ``"<name>/v<N>"``.

    A versioned name must match the registered version exactly, so a config that pins
    ``"expression-linear/v1"`` fails loudly once the protocol has moved to v2.
    """
    base, _, version = name.partition("/")
    protocol = PROTOCOLS.get(base)
    if version and version != protocol.version:
        raise KeyError(f"{name!r} requested, but the registered version is {protocol.id!r}")
    return protocol
