"""Evaluation protocols as pure functions of cached features, each versioned and stamped.

One protocol per file; `protocols.PROTOCOLS` lists them by name, `repeat.repeat_over_seeds` runs
one over several seeds. Feature extraction and dataset loading live elsewhere: everything here
takes arrays (numpy or torch) of features and labels.

Example:
    >>> import numpy as np
    >>> from facessl.eval import get_protocol, repeat_over_seeds
    >>> y = np.arange(60) % 3
    >>> x = np.eye(3)[y] + 0.01 * np.random.default_rng(0).normal(size=(60, 3))
    >>> result = get_protocol("knn-cosine").run(x, y, x[:9], y[:9], k=5, checkpoint_sha256="ab12")
    >>> result["protocol"], result["metrics"]["top1"]
    ('knn-cosine/v1', 1.0)
    >>> summary = repeat_over_seeds("expression-linear", (0, 1, 2), train_features=x,
    ...                             train_labels=y, test_features=x[:9], test_labels=y[:9])
    >>> summary["metrics"]["accuracy/mean"], summary["seeds"]
    (1.0, [0, 1, 2])
"""

from facessl.eval.au_detection import au_linear_probe, subject_folds
from facessl.eval.disentanglement import linear_factor_recovery
from facessl.eval.expression import expression_linear_probe
from facessl.eval.head_pose import head_pose_ridge
from facessl.eval.knn import knn_classify, knn_predict_scores
from facessl.eval.protocols import PROTOCOLS, EvalProtocol, get_protocol
from facessl.eval.repeat import repeat_over_seeds
from facessl.eval.stamp import hash_arrays, stamp_result
from facessl.eval.verification import verification_cosine
from facessl.eval.verification_pairs import verification_pair_classifier

__all__ = [
    "PROTOCOLS",
    "EvalProtocol",
    "au_linear_probe",
    "expression_linear_probe",
    "get_protocol",
    "hash_arrays",
    "head_pose_ridge",
    "knn_classify",
    "knn_predict_scores",
    "linear_factor_recovery",
    "repeat_over_seeds",
    "stamp_result",
    "subject_folds",
    "verification_cosine",
    "verification_pair_classifier",
]
