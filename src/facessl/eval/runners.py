"""Task runners: a dataset's samples -> features -> a registered protocol -> a stamped result.

One runner per task family (expression, verification, AU, head pose). Each splits the samples the
way its protocol requires, never hands test samples to anything that chooses a hyperparameter
(the protocols carve validation data from the training split themselves), repeats protocols that
have randomness over the seeds of `EvalSettings` (at least 3) and returns `TaskReport`s whose
``result`` is stamped as NOTES.md asks, plus the arrays the plots need.

A runner takes either a `FeatureSource` or a `SourceFactory`: a factory is given the task's
training samples and labels and returns the source, which is how the supervised upper bound is
trained on the task it is then probed on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facessl.data.layouts.labels import BP4D_AUS, DISFA_AUS, EXPRESSIONS
from facessl.data.layouts.sample import FacePair, FaceSample, au_label_matrix
from facessl.eval.face_images import Crop
from facessl.eval.feature_cache import FeatureCache, extract_features, preprocessing_for, samples_sha256
from facessl.eval.feature_source import FeatureSource
from facessl.eval.head_pose import ANGLES
from facessl.eval.probes import fit, ridge_probe
from facessl.eval.repeat import DEFAULT_SEEDS, repeat_over_seeds
from facessl.eval.verification import cosine_scores, verification_cosine

SourceFactory = Callable[[str, Sequence[FaceSample], np.ndarray], FeatureSource]
UNKNOWN_AU = 9  # any value other than 0/1 is masked by the AU protocol (BP4D's code)
# 300W-LP/AFLW2000 boxes are the landmarks' tight bounds; the protocol crops "from pt2d with a loose
# margin" (ecosystem.md §7). 0.4 of the box side per side is facessl's choice of "loose".
POSE_BOX_MARGIN = 0.4
AU_PROTOCOL_AUS = {"disfa": DISFA_AUS, "bp4d": BP4D_AUS}
TSNE_IDENTITIES = 10  # identities shown in the verification t-SNE (one tab10 colour each)


class TaskSkipped(Exception):
    """A task cannot run for this source or dataset; the message says why (it goes in the report)."""


@dataclass
class EvalSettings:
    """How every runner extracts features and repeats protocols.

    Attributes:
        seeds: Seeds for protocols with randomness (validation carves); at least 3.
        crop: ``"box"`` (crop around the dataset's box where it has one) or ``"none"``.
        verification_flip: Use ``[f, f_flip]`` features for verification (LatentFace's option).
        pair_classifier: Also run LatentFace's pair-feature classifier (a separately named protocol).
        cache: Feature cache, or None to extract every time.
        batch_size: Images per forward pass.
        num_workers: Image-decoding processes.
        progress: Show rich progress bars while extracting.
    """

    seeds: tuple[int, ...] = DEFAULT_SEEDS
    crop: Crop = "box"
    verification_flip: bool = False
    pair_classifier: bool = False
    cache: FeatureCache | None = None
    batch_size: int = 64
    num_workers: int = 0
    progress: bool = False


@dataclass
class TaskReport:
    """One protocol's outcome on one dataset.

    Attributes:
        key: ``"<task>/<dataset>"``, e.g. ``"expression/rafdb"``.
        result: The stamped result, with ``dataset`` and ``samples_sha256`` (per split) added.
        plot_data: Arrays for `facessl.eval.plots` (not written to results.json); ``embedding`` is
            (features, colour, class names or None) over all of the task's samples, for t-SNE.
    """

    key: str
    result: dict[str, Any]
    plot_data: dict[str, Any] = field(default_factory=dict)


def _resolve(source: FeatureSource | SourceFactory, task: str, train: Sequence[FaceSample],
             targets: np.ndarray) -> FeatureSource:  # fmt: skip
    return source if isinstance(source, FeatureSource) else source(task, train, targets)


def _features(src: FeatureSource, samples: Sequence[FaceSample], settings: EvalSettings, margin: float,
              flip: bool = False, label: str = "features") -> np.ndarray:  # fmt: skip
    prep = preprocessing_for(src, settings.crop, margin, flip)
    return extract_features(src, samples, prep, settings.cache, settings.batch_size, settings.num_workers,
                            settings.progress, label).numpy()  # fmt: skip


def _annotate(result: dict[str, Any], dataset: str, source: FeatureSource,
              **splits: Sequence[FaceSample]) -> dict[str, Any]:  # fmt: skip
    """Add the dataset, the source and the hash and size of each split of samples to a result."""
    result = dict(result)
    result["dataset"] = dataset
    result["feature_source"] = {"name": source.name, "site": source.site}
    result["samples_sha256"] = {name: samples_sha256(s) for name, s in splits.items()}
    result["split_sizes"] = {name: len(s) for name, s in splits.items()}
    return result


def run_expression(source: FeatureSource | SourceFactory, samples: Sequence[FaceSample], dataset: str,
                   settings: EvalSettings) -> list[TaskReport]:  # fmt: skip
    """Linear-probe expression recognition (``expression-linear``) over the settings' seeds.

    Trains on split ``train`` and scores split ``test``. FER2013's ``val`` (PublicTest) split is
    not used: the protocol chooses its hyperparameter on a validation carve of ``train``, so no
    official split but ``test`` is scored and nothing is chosen on ``test``.
    """
    train = [s for s in samples if s.split == "train"]
    test = [s for s in samples if s.split == "test"]
    if not train or not test:
        raise TaskSkipped(f"{dataset} needs train and test samples (found {len(train)} and {len(test)})")
    y_train = np.array([s.expression for s in train], dtype=np.int64)
    y_test = np.array([s.expression for s in test], dtype=np.int64)
    k = 8 if dataset == "affectnet8" else 7
    src = _resolve(source, "expression", train, y_train)
    x_train = _features(src, train, settings, 0.0, label=f"{dataset} train")
    x_test = _features(src, test, settings, 0.0, label=f"{dataset} test")
    result = repeat_over_seeds("expression-linear", settings.seeds, train_features=x_train, train_labels=y_train,
                               test_features=x_test, test_labels=y_test, num_classes=k,
                               checkpoint_sha256=src.checkpoint_sha256)  # fmt: skip
    cm = np.sum([np.asarray(r["details"]["confusion_matrix"]) for r in result["details"]["runs"]], axis=0)
    plot_data = {"confusion_matrix": cm, "class_names": list(EXPRESSIONS[:k]),
                 "embedding": (np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]),
                               list(EXPRESSIONS[:k]))}  # fmt: skip
    return [TaskReport(f"expression/{dataset}", _annotate(result, dataset, src, train=train, test=test), plot_data)]


def run_verification(source: FeatureSource | SourceFactory, pairs: Sequence[FacePair], dataset: str,
                     settings: EvalSettings) -> list[TaskReport]:  # fmt: skip
    """10-fold cosine verification (deterministic: one run), optionally the pair classifier too."""
    unique: dict[str, int] = {}
    images: list[FaceSample] = []
    index = np.zeros((len(pairs), 2), dtype=np.int64)
    for p, pair in enumerate(pairs):
        for side, sample in enumerate((pair.first, pair.second)):
            in_memory = sample.image is None or hasattr(sample.image, "shape")
            key = f"id{id(sample)}" if in_memory else str(sample.image)
            if key not in unique:
                unique[key] = len(images)
                images.append(sample)
            index[p, side] = unique[key]
    issame = np.array([pair.same for pair in pairs], dtype=bool)
    folds = np.array([pair.fold for pair in pairs], dtype=np.int64)
    src = _resolve(source, "verification", [], np.zeros(0))
    feats = _features(src, images, settings, 0.0, label=f"{dataset} images")
    flips: dict[str, np.ndarray] = {}
    if settings.verification_flip:
        f_flip = _features(src, images, settings, 0.0, flip=True, label=f"{dataset} mirrored")
        flips = {"emb1_flip": f_flip[index[:, 0]], "emb2_flip": f_flip[index[:, 1]]}
    emb1, emb2 = feats[index[:, 0]], feats[index[:, 1]]
    # Cosine thresholding has no randomness: one run, stamped with the first seed.
    result = verification_cosine(emb1, emb2, issame, folds=folds, seed=settings.seeds[0],
                                 checkpoint_sha256=src.checkpoint_sha256, **flips)  # fmt: skip
    a = np.concatenate([emb1, flips["emb1_flip"]], 1) if flips else emb1
    b = np.concatenate([emb2, flips["emb2_flip"]], 1) if flips else emb2
    # t-SNE of the 10 identities with the most images: 600 colours would show nothing.
    counts = Counter(s.identity for s in images if s.identity is not None)
    top = [name for name, c in counts.most_common(TSNE_IDENTITIES) if c >= 2]
    keep = [i for i, s in enumerate(images) if s.identity in top]
    ids = np.array([top.index(images[i].identity) for i in keep], dtype=np.int64)  # type: ignore[arg-type]
    plot_data = {"scores": cosine_scores(a, b), "issame": issame, "embedding": (feats[keep], ids, top)}
    reports = [TaskReport(f"verification/{dataset}", _annotate(result, dataset, src, images=images), plot_data)]
    if settings.pair_classifier:
        pairs_result = repeat_over_seeds("verification-pair-classifier", settings.seeds, emb1=emb1, emb2=emb2,
                                         issame=issame, folds=folds, checkpoint_sha256=src.checkpoint_sha256,
                                         **flips)  # fmt: skip
        pairs_result = _annotate(pairs_result, dataset, src, images=images)
        reports.append(TaskReport(f"verification-pairs/{dataset}", pairs_result))
    return reports


def run_au(source: FeatureSource | SourceFactory, samples: Sequence[FaceSample], dataset: str,
           settings: EvalSettings) -> list[TaskReport]:  # fmt: skip
    """Subject-exclusive 3-fold AU detection (``au-detection``) over the settings' seeds."""
    frames = [s for s in samples if s.image is not None]
    if not frames:
        raise TaskSkipped(f"{dataset} has labels but no frames (extract them and point the loader at them)")
    aus = AU_PROTOCOL_AUS.get(dataset, tuple(sorted(frames[0].au_occurrence or {})))
    labels, known = au_label_matrix(frames, aus)
    y = np.where(known, labels, UNKNOWN_AU).astype(np.int64)
    subjects = np.array([s.subject or "?" for s in frames])
    src = _resolve(source, "au", frames, y)
    x = _features(src, frames, settings, 0.0, label=f"{dataset} frames")
    result = repeat_over_seeds("au-detection", settings.seeds, features=x, au_labels=y, subjects=subjects,
                               au_ids=list(aus), checkpoint_sha256=src.checkpoint_sha256)  # fmt: skip
    m = result["metrics"]
    plot_data = {"au_ids": list(aus), "f1_mean": [m[f"f1_au{a}/mean"] for a in aus],
                 "f1_std": [m[f"f1_au{a}/std"] for a in aus]}  # fmt: skip
    return [TaskReport(f"au/{dataset}", _annotate(result, dataset, src, frames=frames), plot_data)]


def run_pose(source: FeatureSource | SourceFactory, train: Sequence[FaceSample], test: Sequence[FaceSample],
             dataset: str, settings: EvalSettings) -> list[TaskReport]:  # fmt: skip
    """Ridge head-pose regression (``head-pose-ridge``): train on `train` (300W-LP), test on `test`."""
    y_train = np.array([s.pose for s in train], dtype=np.float64)
    y_test = np.array([s.pose for s in test], dtype=np.float64)
    src = _resolve(source, "pose", train, y_train)
    x_train = _features(src, train, settings, POSE_BOX_MARGIN, label="pose train")
    x_test = _features(src, test, settings, POSE_BOX_MARGIN, label="pose test")
    result = repeat_over_seeds("head-pose-ridge", settings.seeds, train_features=x_train, train_angles=y_train,
                               test_features=x_test, test_angles=y_test, checkpoint_sha256=src.checkpoint_sha256)
    # Per-sample errors for the yaw-bin plot: refit with the first seed's alpha, which was chosen
    # on that seed's validation carve of train (the result's own numbers are untouched).
    model = ridge_probe(result["details"]["runs"][0]["details"]["chosen_alpha"])
    fit(model, x_train, y_train)
    errors = np.abs(model.predict(x_test) - y_test)
    plot_data = {"yaw": y_test[:, 0], "errors": errors, "angles": list(ANGLES),
                 "embedding": (np.concatenate([x_train, x_test]), np.concatenate([y_train[:, 0], y_test[:, 0]]),
                               None)}  # fmt: skip
    return [TaskReport(f"pose/{dataset}", _annotate(result, dataset, src, train=train, test=test), plot_data)]
