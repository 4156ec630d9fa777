"""`facessl synth preview` and `facessl synth export` from the command line."""

from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from facessl.cli import app


def test_preview_writes_a_grid_of_identities_by_expressions_and_poses(tmp_path: Path) -> None:
    out = tmp_path / "grid.png"
    result = CliRunner().invoke(app, ["synth", "preview", "--out", str(out), "--identities", "2", "--size", "32"])
    assert result.exit_code == 0, result.output
    with Image.open(out) as im:
        assert im.size == (16 * 32, 2 * 32 + 14)  # 8 expressions + 8 poses; a label row on top


def test_export_rejects_an_unknown_preset(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "export", "--out", str(tmp_path), "--preset", "huge"])
    assert result.exit_code == 2 and "unknown preset" in result.output
