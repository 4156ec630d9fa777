"""The commands the README shows, run through the real CLI."""

from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors import safe_open
from typer.testing import CliRunner

from facessl.cli import app

runner = CliRunner()
TINY = ["--set", "train.steps=2", "--set", "train.batch_size=4", "--set", "data.length=16", "--set", "data.image_size=32",
        "--set", "method.image_size=32", "--set", "data.num_workers=0", "--set", "train.precision=fp32"]


@pytest.mark.parametrize("command", ["pretrain", "export", "embed", "info", "list", "demo"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_pretrain_export_embed_info_round_trip(tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = runner.invoke(app, ["pretrain", "--config", "configs/simclr.yaml", *TINY, "--out", str(run), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "pretraining finished" in result.output and (run / "config.yaml").exists()
    weights = tmp_path / "enc.safetensors"
    assert runner.invoke(app, ["export", str(run), "--out", str(weights)]).exit_code == 0
    faces = tmp_path / "faces"
    faces.mkdir()
    for i in range(3):
        Image.new("RGB", (50, 40), (40 * i, 90, 200)).save(faces / f"{i}.jpg")
    (faces / "broken.png").write_bytes(b"nope")
    out = tmp_path / "features.safetensors"
    result = runner.invoke(app, ["embed", str(faces), "--weights", str(weights), "--out", str(out), "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "1 unreadable file(s) skipped" in result.output
    with safe_open(str(out), framework="pt") as f:
        assert f.get_tensor("features").shape == (3, 512)
        assert "0.jpg" in f.metadata()["paths"]
    info = runner.invoke(app, ["info", str(weights)])
    assert info.exit_code == 0 and "simclr" in info.output and "num_features" in info.output
    # The Python API gives the same rows, and keeps working after the CLI imported its module (it once shadowed
    # `facessl.embed` with the submodule of the same name, so a second call failed).
    import facessl

    encoder = facessl.load_encoder(str(weights))
    with safe_open(str(out), framework="pt") as f:
        cli_features = f.get_tensor("features")
    for _ in range(2):
        torch.testing.assert_close(facessl.embed(encoder, [faces]), cli_features)


def test_config_errors_exit_2_with_the_key_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pretrain", "--set", "train.stepz=3", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "train.stepz" in result.output


def test_missing_data_folder_exits_2_before_training(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pretrain", "--set", "data.source=folder", "--set", f"data.path={tmp_path / 'none'}",
                                 "--out", str(tmp_path / "run"), "--no-progress"])
    assert result.exit_code == 2 and "image folder not found" in result.output
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_info_refuses_a_malicious_checkpoint(tmp_path: Path) -> None:
    import os

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, ("true",))

    path = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, path)
    result = runner.invoke(app, ["info", str(path)])
    assert result.exit_code == 2 and "refusing to load" in result.output


def test_list_shows_the_registries() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    for name in ("simclr", "moco", "byol", "pcl", "resnet18", "rafdb"):
        assert name in result.output
