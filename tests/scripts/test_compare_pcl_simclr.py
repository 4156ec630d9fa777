"""scripts/compare_pcl_simclr.py: the step count that fits a time budget, and results written into named doc sections."""

from __future__ import annotations

from pathlib import Path

import pytest

import compare_pcl_simclr as compare  # scripts/ is on sys.path (conftest.py)


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
