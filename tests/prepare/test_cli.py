"""`facessl prepare` through the real CLI: help, a folder run, resume, and user errors as one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from facessl.cli import app
from facessl.data.images import read_manifest

runner = CliRunner()


@pytest.mark.parametrize("command", ["folder", "voxceleb", "celeba", "affectnet", "300wlp", "aflw2000"])
def test_every_prepare_command_has_help(command: str) -> None:
    result = runner.invoke(app, ["prepare", command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_prepare_folder_writes_a_manifest_that_pretraining_reads_and_resumes(
    tmp_path: Path, astronaut_jpg: Path
) -> None:
    source, out = astronaut_jpg.parent.parent, tmp_path / "prepared"
    args = ["prepare", "folder", str(source), "--out", str(out), "--recipe", "pcl", "--no-progress"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "preparation finished" in first.output
    files, rows = read_manifest(out / "manifest.csv")
    assert len(files) == 1 and rows[0]["size"] == "64" and (out / "prepare.json").is_file()
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "1 done earlier, 0 now" in second.output


def test_prepare_errors_are_one_line_without_traceback(tmp_path: Path, astronaut_jpg: Path) -> None:
    source = astronaut_jpg.parent.parent
    result = runner.invoke(app, ["prepare", "folder", str(source), "--out", str(source / "out"), "--no-progress"])
    assert result.exit_code == 2 and "inside the source tree" in result.output
    result = runner.invoke(app, ["prepare", "folder", str(source), "--out", str(tmp_path / "o"), "--recipe", "mtcnn"])
    assert result.exit_code == 2 and "unknown crop recipe" in result.output
