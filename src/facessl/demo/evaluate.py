"""The demo's evaluation: six feature sources × the four protocols on SynthFaces task sets.

Sources: the four pretrained runs at their evaluation sites, a randomly initialised ResNet-18 and raw pixels (the
references of `facessl.eval.references`). Each task runs through `facessl.eval.evaluate_suite`, i.e. exactly what
``facessl eval`` does: probes choose their hyperparameters on validation carves of the training split, never on
test data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from facessl.eval import EvalSettings, FeatureSource, TaskReport, evaluate_suite, find_data_roots
from facessl.eval.feature_source import source_from_run
from facessl.eval.references import raw_pixel_source, random_network_source

TASKS = ("expression", "verification", "au", "pose")
# Headline metric of each task in a results.json of `facessl eval`: (mean key, std key, label, higher is better).
HEADLINE: dict[str, tuple[str, str, str, bool]] = {
    "expression": ("accuracy/mean", "accuracy/std", "expression accuracy (7 classes)", True),
    "verification": ("accuracy_mean", "accuracy_std", "verification accuracy (10 folds)", True),
    "au": ("f1_mean/mean", "f1_mean/std", "AU mean F1 (8 AUs)", True),
    "pose": ("mae_mean/mean", "mae_mean/std", "head-pose MAE (degrees)", False),
}
# Column names of the results page (scripts/make_results_page.py, TASK_COLUMNS) for the summary in results.json.
PAGE_COLUMN = {"expression": "expression accuracy", "verification": "verification accuracy", "au": "AU mean F1",
               "pose": "pose MAE (deg)"}  # fmt: skip
# Chance levels (or the trivial predictor) that the report quotes next to the table.
CHANCE = {"expression": "1/7 ≈ 0.143", "verification": "0.5"}
# Feature site of each trained method, per task (default under None). PCL's official probes use the shared trunk
# (pcl.md §5); LatentFace uses its §5 expression feature, and the verification feature for verification.
SITES: dict[str, dict[str | None, str]] = {
    "simclr": {None: "encoder"},
    "pcl": {None: "trunk"},
    "latentface-ae": {None: "codes"},
    "latentface-rdm": {None: "expression", "verification": "verification"},
}
REFERENCES = ("random", "raw")
RAW_SIZE = 32  # references.DEFAULT_RAW_SIZE: a 3,072-d probe (64 px is slower and no stronger)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch, BLAS and OpenMP on one thread inside the block.

    Probes, t-SNE and feature extraction of small sets are many small operations; on 2 busy cores a second
    thread costs more in synchronisation than it gains (measured on a loaded 2-core machine: LatentFace's
    5-step DDIM features 8× and scikit-learn's t-SNE 20× slower with 2 threads than with 1).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class SourceSpec:
    """One row of the results table: a name and how to build its feature source for a task."""

    key: str
    title: str
    build: Callable[[str], FeatureSource]
    site: Callable[[str], str]


def method_source(key: str, title: str, run: Path, device: torch.device) -> SourceSpec:
    """A trained run at the site `SITES` gives for each task (rebuilt from its checkpoint)."""
    sites = SITES[key]
    built: dict[str, FeatureSource] = {}  # one checkpoint load per site

    def site(task: str) -> str:
        return sites.get(task, sites[None])

    def build(task: str) -> FeatureSource:
        if site(task) not in built:
            built[site(task)] = source_from_run(run, site(task), device)
        return built[site(task)]

    return SourceSpec(key, title, build, site)


def reference_sources(stem: str, device: torch.device) -> list[SourceSpec]:
    """A seeded random ResNet-18 (SimCLR's architecture and stem) and raw pixels at 32 px."""
    random = SourceSpec("random", "random ResNet-18 (reference)",
                        lambda task: random_network_source("resnet18", 0, 64, device, stem=stem),
                        lambda task: "encoder")  # fmt: skip
    raw = SourceSpec("raw", f"raw pixels, {RAW_SIZE} px (reference)", lambda task: raw_pixel_source(RAW_SIZE),
                     lambda task: "pixels")  # fmt: skip
    return [random, raw]


def evaluate_sources(
    sources: Sequence[SourceSpec],
    data: Path,
    seeds: Sequence[int],
    progress: bool,
    on_done: Callable[[str, str], None] | None = None,
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, dict[str, TaskReport]]]:
    """Every source on every task of the SynthFaces export `data`.

    Returns:
        ``results[source][task]``: the stamped result of ``facessl eval`` (with ``site`` added), and the
        `TaskReport`s (with their plot data) in the same layout.

    Raises:
        RuntimeError: when a task was skipped (the demo's export has every dataset, so this is a bug).
    """
    roots = find_data_roots(data)
    settings = EvalSettings(seeds=tuple(seeds), progress=progress)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    reports: dict[str, dict[str, TaskReport]] = {}
    for spec in sources:
        results[spec.key], reports[spec.key] = {}, {}
        for task in TASKS:
            source = spec.build(task)
            with one_thread():
                suite = evaluate_suite(source, roots, (task,), settings)
            # The export holds one dataset per task (RAF-DB, LFW, DISFA, 300W-LP → AFLW2000); the others are absent.
            if len(suite.reports) != 1:
                raise RuntimeError(f"demo evaluation of {spec.key} on {task}: expected one dataset, got "
                                   f"{[r.key for r in suite.reports]}; skipped: {suite.skipped}")  # fmt: skip
            report = suite.reports[0]
            results[spec.key][task] = {**report.result, "site": spec.site(task)}
            reports[spec.key][task] = report
            if on_done is not None:
                on_done(spec.key, task)
    return results, reports


def headline(result: dict[str, Any], task: str) -> tuple[float, float]:
    """(mean, std) of the task's headline metric in a stamped result."""
    mean_key, std_key, _, _ = HEADLINE[task]
    metrics = result["metrics"]
    return float(metrics[mean_key]), float(metrics.get(std_key, math.nan))


def best_by_task(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str]:
    """The source with the best headline mean on each task."""
    best = {}
    for task in TASKS:
        values = {key: headline(r[task], task)[0] for key, r in results.items()}
        sign = 1.0 if HEADLINE[task][3] else -1.0
        best[task] = max(values, key=lambda k: sign * values[k])
    return best


def beats(results: dict[str, dict[str, dict[str, Any]]], key: str, task: str, others: Sequence[str]) -> bool:
    """Whether `key`'s headline mean is better than every one of `others` on `task` by more than the larger of the
    two standard deviations (a missing std counts as 0): a lead inside the ± spread is not a win."""
    sign = 1.0 if HEADLINE[task][3] else -1.0
    mean, std = headline(results[key][task], task)

    def clear_lead(other: str) -> bool:
        other_mean, other_std = headline(results[other][task], task)
        spread = max((s for s in (std, other_std) if not math.isnan(s)), default=0.0)
        return sign * (mean - other_mean) > spread

    return all(clear_lead(o) for o in others if o in results)


def embedding_features(spec: SourceSpec, images: torch.Tensor, batch: int = 64) -> np.ndarray:
    """Features of [0, 1] float images at the source's expression site, for the t-SNE figure."""
    source = spec.build("expression")
    for module in source.modules:
        module.eval()
    size = source.input_size
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = images[i : i + batch].to(source.device)
            if x.shape[-1] != size:
                x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True,
                                                    align_corners=False)  # fmt: skip
            out.append(source.extract(x).flatten(1).float().cpu())
    return torch.cat(out).numpy()
