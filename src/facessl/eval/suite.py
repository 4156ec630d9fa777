"""Run several tasks on the datasets found under a data folder: loaders -> runners -> reports.

    roots = find_data_roots(Path("synthfaces_small"))
    suite = evaluate_suite(source, roots, ("expression", "pose"), EvalSettings())
    suite.reports  # one TaskReport per protocol and dataset; suite.skipped says what did not run
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from facessl.data.layouts.registry import load_layout
from facessl.data.layouts.sample import FacePair, FaceSample
from facessl.eval.feature_source import FeatureSource
from facessl.eval.runners import (
    EvalSettings,
    SourceFactory,
    TaskReport,
    TaskSkipped,
    run_au,
    run_expression,
    run_pose,
    run_verification,
)
from facessl.eval.task_datasets import TASK_DATASETS, DataRoots

log = logging.getLogger(__name__)


@dataclass
class SuiteResult:
    """What `evaluate_suite` produced.

    Attributes:
        reports: One per protocol and dataset that ran, in task order.
        skipped: ``"<task>/<dataset>"`` -> why it did not run (dataset absent, no frames, ...).
    """

    reports: list[TaskReport] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _samples(name: str, roots: DataRoots) -> list[FaceSample]:
    root = roots.root(name)
    assert root is not None
    return list(load_layout(name, root, **roots.options(name)))  # type: ignore[arg-type]


def evaluate_suite(
    source: FeatureSource | SourceFactory,
    roots: DataRoots,
    tasks: Sequence[str],
    settings: EvalSettings,
) -> SuiteResult:
    """Run each task on each of its datasets that `roots` found.

    Args:
        source: The features to evaluate, or a factory trained per task (supervised upper bound).
        roots: Dataset roots (`find_data_roots`).
        tasks: Task names from `TASK_DATASETS` (``expression``, ``verification``, ``au``, ``pose``).
        settings: Seeds, crop, cache and extraction options shared by every runner.

    Raises:
        ValueError: For an unknown task name.
        LayoutError: When a dataset that was found is malformed (never skipped silently).
    """
    unknown = [t for t in tasks if t not in TASK_DATASETS]
    if unknown:
        raise ValueError(f"unknown task(s) {', '.join(unknown)}; choose from: {', '.join(TASK_DATASETS)}")
    out = SuiteResult()
    for task in tasks:
        datasets = TASK_DATASETS[task]
        if task == "pose":
            key = f"pose/{datasets[1]}"
            missing = [d for d in datasets if roots.root(d) is None]
            if missing:
                out.skipped[key] = f"dataset(s) not found: {', '.join(missing)}"
                continue
            _run(out, key, lambda: run_pose(source, _samples(datasets[0], roots), _samples(datasets[1], roots),
                                             datasets[1], settings))  # fmt: skip
            continue
        for dataset in datasets:
            key = f"{task}/{dataset}"
            if roots.root(dataset) is None:
                out.skipped[key] = "dataset not found"
                continue
            if task == "expression":
                _run(out, key, lambda d=dataset: run_expression(source, _samples(d, roots), d, settings))
            elif task == "verification":
                _run(out, key, lambda d=dataset: run_verification(source, _pairs(d, roots), d, settings))
            else:
                _run(out, key, lambda d=dataset: run_au(source, _samples(d, roots), d, settings))
    return out


def _pairs(name: str, roots: DataRoots) -> list[FacePair]:
    root = roots.root(name)
    assert root is not None
    return list(load_layout(name, root, **roots.options(name)))  # type: ignore[arg-type]


def _run(out: SuiteResult, key: str, job: object) -> None:
    try:
        out.reports.extend(job())  # type: ignore[operator]
    except TaskSkipped as why:
        log.warning("skipping %s: %s", key, why)
        out.skipped[key] = str(why)
