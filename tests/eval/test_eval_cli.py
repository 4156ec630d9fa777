"""`facessl eval` end to end on fixture datasets in the real layouts: table, stamped results.json, cache."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from facessl.cli import app

STAMP_KEYS = {"protocol", "facessl_version", "seeds", "split_sha256", "checkpoint_sha256", "metrics", "details"}


def test_eval_writes_a_stamped_results_file(eval_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["eval", "--weights", "raw:8", "--tasks", "expression,verification,pose", "--data", str(eval_data),
            "--out", str(out), "--no-plots", "--no-progress"]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})  # rich wraps at the terminal width
    assert result.exit_code == 0, result.output
    assert "expression/rafdb" in result.output and "accuracy" in result.output
    doc = json.loads((out / "results.json").read_text())
    assert set(doc["results"]) == {"expression/rafdb", "verification/lfw", "pose/aflw2000"}
    assert doc["source"]["name"] == "raw-pixels@8"
    for key, res in doc["results"].items():
        assert STAMP_KEYS <= set(res), key
        assert res["checkpoint_sha256"] == doc["source"]["checkpoint_sha256"]
        assert len(res["split_sha256"]) == 64 and all(len(h) == 64 for h in res["samples_sha256"].values())
    assert doc["results"]["expression/rafdb"]["protocol"] == "expression-linear/v1"
    assert doc["results"]["expression/rafdb"]["seeds"] == [0, 1, 2]
    assert doc["results"]["expression/rafdb"]["metrics"]["accuracy/mean"] == pytest.approx(1.0)
    assert doc["skipped"]["verification/cplfw"] == "dataset not found"
    cached = sorted((out / "feature_cache").glob("*.safetensors"))
    assert len(cached) == 5  # rafdb train/test, lfw images, pose train/test

    again = CliRunner().invoke(app, args)  # served from the cache: same numbers
    assert again.exit_code == 0, again.output
    doc2 = json.loads((out / "results.json").read_text())
    assert doc2["results"]["pose/aflw2000"]["metrics"] == doc["results"]["pose/aflw2000"]["metrics"]
    assert sorted((out / "feature_cache").glob("*.safetensors")) == cached


def test_eval_with_explicit_roots_and_plots(eval_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    args = ["eval", "--weights", "raw:8", "--tasks", "expression", "--root", f"rafdb={eval_data / 'RAF-DB' / 'basic'}",
            "--out", str(out), "--no-progress", "--seeds", "3,4,5"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["results"]["expression/rafdb"]["seeds"] == [3, 4, 5]
    assert doc["settings"]["roots"] == {"rafdb": str(eval_data / "RAF-DB" / "basic")}
    for name in ("expression_rafdb_confusion.png", "expression_rafdb_tsne.png"):
        assert (out / "plots" / name).read_bytes()[:4] == b"\x89PNG"


def test_eval_rejects_bad_input(eval_data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad_task = runner.invoke(app, ["eval", "--weights", "raw", "--tasks", "smile", "--data", str(eval_data)])
    assert bad_task.exit_code != 0 and "smile" in bad_task.output
    no_data = runner.invoke(app, ["eval", "--weights", "raw"])
    assert no_data.exit_code != 0
    bad_root = runner.invoke(app, ["eval", "--weights", "raw", "--root", f"lfw={tmp_path}"])
    assert bad_root.exit_code != 0 and "pairs.txt" in bad_root.output
    missing = runner.invoke(app, ["eval", "--weights", str(tmp_path / "nope.safetensors"), "--data", str(eval_data)])
    assert missing.exit_code != 0 and "no such file" in missing.output
    few_seeds = runner.invoke(app, ["eval", "--weights", "raw:4", "--tasks", "expression", "--data", str(eval_data),
                                    "--seeds", "0,1", "--out", str(tmp_path / "o"), "--no-progress"])  # fmt: skip
    assert few_seeds.exit_code == 2 and "at least 3" in few_seeds.output
