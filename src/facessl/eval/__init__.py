"""Evaluation protocols as pure functions of cached features, each versioned and stamped.

One protocol per file; `protocols.PROTOCOLS` lists them by name, `repeat.repeat_over_seeds` runs
one over several seeds; they take arrays (numpy or torch) of features and labels. Around them:
feature sources (`feature_source`, `references`, `supervised`), extraction with a safetensors cache
(`feature_cache`), task runners tying dataset loaders to protocols (`runners`, `suite`), results.json
(`results_file`), plots (`plots`, needs matplotlib) and the ``facessl eval`` command (`cli`).

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
from facessl.eval.face_images import Preprocessing, load_face
from facessl.eval.feature_cache import FeatureCache, cache_key, extract_features, preprocessing_for, samples_sha256
from facessl.eval.feature_source import FeatureSource, source_from_run, source_from_weights
from facessl.eval.head_pose import head_pose_ridge
from facessl.eval.knn import knn_classify, knn_predict_scores
from facessl.eval.protocols import PROTOCOLS, EvalProtocol, get_protocol
from facessl.eval.references import random_network_source, raw_pixel_source
from facessl.eval.repeat import repeat_over_seeds
from facessl.eval.runners import (
    EvalSettings,
    TaskReport,
    TaskSkipped,
    run_au,
    run_expression,
    run_pose,
    run_verification,
)
from facessl.eval.source_spec import parse_source, supervised_factory
from facessl.eval.stamp import hash_arrays, stamp_result
from facessl.eval.suite import SuiteResult, evaluate_suite
from facessl.eval.supervised import SupervisedRecipe, train_supervised_source
from facessl.eval.task_datasets import TASK_DATASETS, DataRoots, find_data_roots
from facessl.eval.verification import verification_cosine
from facessl.eval.verification_pairs import verification_pair_classifier

__all__ = [
    "PROTOCOLS",
    "TASK_DATASETS",
    "DataRoots",
    "EvalProtocol",
    "EvalSettings",
    "FeatureCache",
    "FeatureSource",
    "Preprocessing",
    "SuiteResult",
    "SupervisedRecipe",
    "TaskReport",
    "TaskSkipped",
    "au_linear_probe",
    "cache_key",
    "evaluate_suite",
    "expression_linear_probe",
    "extract_features",
    "find_data_roots",
    "get_protocol",
    "hash_arrays",
    "head_pose_ridge",
    "knn_classify",
    "knn_predict_scores",
    "linear_factor_recovery",
    "load_face",
    "parse_source",
    "preprocessing_for",
    "random_network_source",
    "raw_pixel_source",
    "repeat_over_seeds",
    "run_au",
    "run_expression",
    "run_pose",
    "run_verification",
    "samples_sha256",
    "source_from_run",
    "source_from_weights",
    "stamp_result",
    "subject_folds",
    "supervised_factory",
    "train_supervised_source",
    "verification_cosine",
    "verification_pair_classifier",
]
