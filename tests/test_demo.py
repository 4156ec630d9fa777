"""`facessl demo` end to end at the smoke size: four pretrainings, six sources × four protocols, figures, report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from facessl.cli import app
from facessl.demo import SCHEDULES, get_schedule, run_demo
from facessl.demo.evaluate import TASKS
from facessl.demo.report import verdict
from facessl.demo.schedules import METHODS

FIGURES = ("samples", "losses", "table", "tsne", "pcl", "latentface")
SOURCES = (*METHODS, "random", "raw")


@pytest.fixture(scope="module")
def smoke_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, "smoke", progress=False)


def test_smoke_demo_evaluates_every_source_on_every_task(smoke_demo: tuple[Path, dict]) -> None:
    out, document = smoke_demo
    assert set(document["evaluations"]) == set(SOURCES)
    protocols = {"expression": "expression-linear", "verification": "verification-cosine", "au": "au-detection",
                 "pose": "head-pose-ridge"}  # fmt: skip
    for source in SOURCES:
        for task in TASKS:
            result = document["evaluations"][source][task]
            assert result["protocol"].startswith(protocols[task] + "/v")
            assert result["checkpoint_sha256"]
    # Stage 2 is evaluated at LatentFace's own features: expression feature, verification feature for verification.
    assert document["evaluations"]["latentface-rdm"]["verification"]["site"] == "verification"
    assert document["evaluations"]["latentface-rdm"]["expression"]["site"] == "expression"
    assert json.loads((out / "results.json").read_text())["schedule"] == "smoke"
    for key in METHODS:
        assert document["pretraining"][key]["steps"] == get_schedule("smoke").steps(key)
        assert (out / "weights" / f"{key}.safetensors").is_file()


def test_smoke_demo_report_has_the_table_figures_and_timings(smoke_demo: tuple[Path, dict]) -> None:
    out, document = smoke_demo
    report = (out / "report.md").read_text()
    titles = [source["title"] for source in document["sources"].values()]
    for title in titles:  # one table row per source, with a number (mean ± std) for each of the four tasks
        row = next(line for line in report.splitlines() if line.startswith(f"| {title} |"))
        assert len(re.findall(r"\d+\.\d+ ± \d+\.\d+", row)) == len(TASKS), row
    for name in FIGURES:
        path = out / document["figures"][name]
        assert f"]({document['figures'][name]})" in report
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) >= 300
    for stage in document["timing"]:
        assert f"| {stage['stage']} | " in report and stage["wall_s"] > 0
    assert "not as a benchmark" in report  # short schedules say plainly what their numbers are worth


def test_verdict_names_the_tasks_a_method_wins_and_loses() -> None:
    def result(task: str, value: float) -> dict:
        key = {"expression": "accuracy/mean", "verification": "accuracy_mean", "au": "f1_mean/mean",
               "pose": "mae_mean/mean"}[task]  # fmt: skip
        return {"metrics": {key: value}}

    good = {"expression": 0.5, "verification": 0.7, "au": 0.3, "pose": 5.0}  # pose: an error, lower is better
    bad = {"expression": 0.2, "verification": 0.5, "au": 0.1, "pose": 20.0}
    results = {key: {t: result(t, bad[t]) for t in TASKS} for key in METHODS}
    results["pcl"] = {t: result(t, good[t] if t in ("expression", "pose") else bad[t] - 0.01) for t in TASKS}
    results["simclr"] = {t: result(t, good[t]) for t in TASKS}
    for ref in ("random", "raw"):
        results[ref] = {t: result(t, (good[t] + bad[t]) / 2) for t in TASKS}
    lines = verdict(results)
    assert "- SimCLR beats both references on every task." in lines
    assert "- PCL beats both references on expression and head pose, but not on verification and AU detection." in lines
    assert "- LatentFace stage 1 beats both references on no task." in lines
    # A lead inside the ± spread is not a win: SimCLR's expression lead (0.5 vs 0.35) with a std of 0.2.
    results["simclr"]["expression"]["metrics"]["accuracy/std"] = 0.2
    lines = verdict(results)
    assert "- SimCLR beats both references on verification, AU detection and head pose, but not on expression." in lines
    results["simclr"]["expression"]["metrics"]["accuracy/std"] = 0.1
    assert "- SimCLR beats both references on every task." in verdict(results)


def test_schedules_train_every_method_and_grow_from_smoke_to_full() -> None:
    for schedule in SCHEDULES.values():
        for key in METHODS:
            assert schedule.steps(key) >= 1
    for key in METHODS:
        assert get_schedule("smoke").steps(key) < get_schedule("demo").steps(key) < get_schedule("full").steps(key)
    with pytest.raises(ValueError, match="unknown demo schedule 'huge'"):
        get_schedule("huge")


def test_demo_command_runs_the_schedule_and_prints_where_the_report_is(tmp_path: Path, monkeypatch) -> None:
    calls = {}

    def fake(out, schedule, progress):  # the pipeline itself is tested above
        calls.update(out=out, schedule=schedule, progress=progress)
        cell = {"metrics": {"accuracy/mean": 0.5, "accuracy_mean": 0.6, "f1_mean/mean": 0.2, "mae_mean/mean": 9.0}}
        return {"schedule": schedule, "total_wall_s": 60.0, "sources": {"simclr": {"title": "SimCLR"}},
                "evaluations": {"simclr": {t: cell for t in TASKS}}}  # fmt: skip

    monkeypatch.setattr("facessl.demo.run_demo", fake)
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--full", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert calls == {"out": tmp_path, "schedule": "full", "progress": False}
    assert f"report: {tmp_path / 'report.md'}" in result.output.replace("\n", "")
    CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--no-progress"])
    assert calls["schedule"] == "demo"
