"""results.json and the rich summary table of an evaluation run.

The file holds one stamped result per protocol and dataset (protocol name and version, split and
sample hashes, seeds, checkpoint hash: NOTES.md "Conventions"), plus the run's provenance: which
features were evaluated, the settings, and what was skipped and why.
"""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.table import Table

from facessl import __version__
from facessl.eval.feature_source import FeatureSource
from facessl.eval.suite import SuiteResult
from facessl.weights.card import git_commit

RESULTS_FORMAT = "facessl-eval-results/v1"
# The two metrics the table shows for each protocol (the second may be empty).
HEADLINE: dict[str, tuple[str, str]] = {
    "expression-linear": ("accuracy", "mean_class_accuracy"),
    "verification-cosine": ("accuracy_mean", ""),
    "verification-pair-classifier": ("accuracy_mean", ""),
    "au-detection": ("f1_mean", ""),
    "head-pose-ridge": ("mae_mean", "mae_yaw"),
}


def results_document(
    suite: SuiteResult, source: dict[str, Any], settings: dict[str, Any], command: list[str] | None = None
) -> dict[str, Any]:
    """The JSON-ready document: provenance, per-task stamped results, skipped tasks."""
    return {
        "format": RESULTS_FORMAT,
        "facessl_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "command": command or [],
        "source": source,
        "settings": settings,
        "results": {report.key: report.result for report in suite.reports},
        "skipped": dict(suite.skipped),
    }


def source_description(source: FeatureSource | None, spec: str) -> dict[str, Any]:
    """What was evaluated: the spec as given, and the source's identity when it is fixed."""
    if source is None:  # a per-task factory (supervised upper bound): hashes are in each result
        return {"spec": spec}
    return {"spec": spec, "name": source.name, "site": source.site, "checkpoint_sha256": source.checkpoint_sha256,
            "input_size": source.input_size, "normalization": source.normalization}  # fmt: skip


def write_results(document: dict[str, Any], out_dir: Path) -> Path:
    """Write ``<out_dir>/results.json`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
    return path


def _value(metrics: dict[str, float], name: str) -> str:
    """``"name mean ± std"`` over seeds (or folds, for single-run verification)."""
    if not name:
        return ""
    if f"{name}/mean" in metrics:
        std = metrics[f"{name}/std"]
        return f"{name} {metrics[f'{name}/mean']:.4g} ± {0.0 if abs(std) < 1e-9 else std:.2g}"  # float noise -> 0
    if name == "accuracy_mean" and "accuracy_std" in metrics:  # fold mean ± fold std
        return f"accuracy {metrics['accuracy_mean']:.4g} ± {metrics['accuracy_std']:.2g} (folds)"
    return f"{name} {metrics[name]:.4g}" if name in metrics else f"{name} n/a"


def results_table(document: dict[str, Any]) -> Table:
    """One row per protocol and dataset: headline metrics as mean ± std over seeds (or folds)."""
    table = Table(title=f"facessl eval: {document['source'].get('name', document['source']['spec'])}")
    for column in ("task", "protocol", "result", "also", "seeds"):
        table.add_column(column)
    for key, result in document["results"].items():
        name = result["protocol"].split("/")[0]
        first, second = HEADLINE.get(name, (next(iter(result["metrics"])).split("/")[0], ""))
        table.add_row(key, result["protocol"], _value(result["metrics"], first), _value(result["metrics"], second),
                      ",".join(map(str, result["seeds"])))  # fmt: skip
    if document["skipped"]:
        table.caption = "skipped: " + "; ".join(f"{k} ({why})" for k, why in document["skipped"].items())
    return table
