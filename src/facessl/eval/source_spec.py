"""What ``facessl eval --weights SPEC`` accepts, turned into a feature source or a per-task factory.

SPEC is one of:

- ``encoder.safetensors``: weights written by ``facessl export`` (site ``encoder``);
- a run folder or a training checkpoint ``.pt``: the method rebuilt, at the site given by ``--site``
  (e.g. PCL's ``pose``);
- ``raw`` or ``raw:SIZE``: raw pixels at SIZE px (default 32);
- ``random:BACKBONE`` or ``random:BACKBONE:SEED``: a seeded, randomly initialised backbone;
- ``supervised:BACKBONE``: the supervised upper bound, trained per task on its training split
  (expression and pose; the verification and AU protocols have no training split it could use
  without touching test subjects or pairs, so those tasks are skipped for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from facessl.data.layouts.sample import FaceSample
from facessl.eval.face_images import FaceImages, Preprocessing
from facessl.eval.feature_source import FeatureSource, source_from_run, source_from_weights
from facessl.eval.references import DEFAULT_RANDOM_INPUT_SIZE, DEFAULT_RAW_SIZE, raw_pixel_source, random_network_source
from facessl.eval.runners import POSE_BOX_MARGIN, SourceFactory, TaskSkipped
from facessl.eval.supervised import SupervisedRecipe, train_supervised_source


def supervised_factory(
    backbone: str = "resnet18",
    recipe: SupervisedRecipe = SupervisedRecipe(),
    input_size: int = DEFAULT_RANDOM_INPUT_SIZE,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> SourceFactory:
    """A factory that trains the supervised upper bound on each task's training samples."""

    def make(task: str, train: Sequence[FaceSample], targets: np.ndarray) -> FeatureSource:
        if task not in ("expression", "pose"):
            raise TaskSkipped(f"no supervised upper bound for {task}: its protocol has no training split "
                              "separate from the test subjects/pairs")  # fmt: skip
        prep = Preprocessing(input_size, {}, "box", POSE_BOX_MARGIN if task == "pose" else 0.0)
        images = torch.cat(list(DataLoader(FaceImages(list(train), prep), batch_size=256)))
        kind = "classes" if task == "expression" else "regression"
        source, _ = train_supervised_source(images, targets, kind, backbone, recipe, seed, device)
        return source

    return make


def parse_source(spec: str, site: str = "encoder", device: str | torch.device = "cpu",
                 supervised_epochs: int | None = None) -> FeatureSource | SourceFactory:  # fmt: skip
    """Build what SPEC names (see the module docstring).

    Raises:
        ValueError: For a malformed SPEC or a path that does not exist.
    """
    kind, _, rest = spec.partition(":")
    if kind == "raw" and not Path(spec).exists():
        return raw_pixel_source(int(rest) if rest else DEFAULT_RAW_SIZE)
    if kind == "random" and not Path(spec).exists():
        backbone, _, seed = rest.partition(":")
        return random_network_source(backbone or "resnet18", int(seed or 0), device=device)
    if kind == "supervised" and not Path(spec).exists():
        recipe = SupervisedRecipe(epochs=supervised_epochs) if supervised_epochs else SupervisedRecipe()
        return supervised_factory(rest or "resnet18", recipe, device=device)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ValueError(f"--weights {spec!r}: no such file or folder, and not raw[:SIZE], random:BACKBONE[:SEED] "
                         "or supervised:BACKBONE")  # fmt: skip
    if path.suffix == ".safetensors":
        if site != "encoder":
            raise ValueError(f"exported weights have the single site 'encoder', not {site!r}; pass the run folder")
        return source_from_weights(path, device)
    return source_from_run(path, site, device)
