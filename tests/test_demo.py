"""`facessl demo` end to end at a miniature size: SynthFaces pretraining, export, probes, report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from facessl.cli import app
from facessl.demo import labelled_synthfaces, run_demo


def test_labelled_set_is_person_major_with_every_emotion() -> None:
    images, emotions, poses = labelled_synthfaces(40, seed=1, size=32)
    assert images.shape == (40, 3, 32, 32) and images.dtype.is_floating_point is False
    assert sorted(set(emotions.tolist())) == list(range(8)) and poses.shape == (40, 3)
    again, _, _ = labelled_synthfaces(40, seed=1, size=32)
    assert (images == again).all()


def test_demo_writes_report_and_results_for_every_feature_source(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("facessl.demo.DEMO_OVERRIDES", [
        "method.name=simclr", "backbone.stem=imagenet", "data.source=synthfaces", "data.length=64",
        "data.num_identities=4", "data.image_size=32", "method.image_size=32", "data.num_workers=0",
        "train.batch_size=8", "train.warmup_steps=1", "train.precision=fp32", "train.checkpoint_every=2",
    ])  # fmt: skip
    report = run_demo(tmp_path, steps=2, eval_images=120, show_progress=False)
    assert set(report["results"]) == {"simclr", "random resnet18", "raw pixels (32 px)"}
    for row in report["results"].values():
        assert 0.0 <= row["expression accuracy"] <= 1.0 and row["pose MAE (deg)"] > 0
    assert json.loads((tmp_path / "results.json").read_text())["pretraining"]["steps"] == 2
    text = (tmp_path / "report.md").read_text()
    assert "SynthFaces" in text and "| simclr |" in text


def test_demo_command_prints_where_the_report_is(tmp_path: Path, monkeypatch) -> None:
    calls = {}

    def fake(out, steps, show_progress):  # the pipeline itself is the test above
        calls.update(out=out, steps=steps)
        return {"results": {"simclr": {"expression accuracy": 0.5, "pose MAE (deg)": 3.0}}}

    monkeypatch.setattr("facessl.demo.run_demo", fake)
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--steps", "3", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert calls == {"out": tmp_path, "steps": 3} and f"report: {tmp_path / 'report.md'}" in result.output.replace("\n", "")
