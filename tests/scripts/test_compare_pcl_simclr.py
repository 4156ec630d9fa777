"""scripts/compare_pcl_simclr.py: the step count that fits a time budget, and results written into named doc sections."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # as when the script runs: its helpers sit beside it


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_pcl_simclr", ROOT / "scripts" / "compare_pcl_simclr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


compare = _script()


def test_budget_gives_every_run_the_same_steps_and_fits() -> None:
    per_iteration = {"pcl": 0.3, "simclr": 0.1}
    steps = compare.steps_for_budget(200.0, per_iteration, seeds=3)
    assert steps == 160  # 200 s / (3 seeds × 0.4 s) = 166.7, rounded down to a multiple of 10
    assert 3 * steps * sum(per_iteration.values()) <= 200.0
    assert compare.steps_for_budget(1.0, per_iteration, seeds=3) == 10  # never fewer than 10


def test_tables_go_between_their_own_markers(tmp_path: Path) -> None:
    doc = tmp_path / "pcl.md"
    doc.write_text("intro\n<!-- results:begin -->\nold cpu\n<!-- results:end -->\nmiddle\n"
                   "<!-- results-gpu:begin -->\nold gpu\n<!-- results-gpu:end -->\nend\n")  # fmt: skip
    compare.write_doc(doc, "new gpu", "results-gpu")
    text = doc.read_text()
    assert "old cpu" in text and "old gpu" not in text
    assert "<!-- results-gpu:begin -->\nnew gpu\n<!-- results-gpu:end -->\nend\n" in text
    with pytest.raises(SystemExit, match="results-other:begin"):
        compare.write_doc(doc, "x", "results-other")
