"""Feature sources: exported weights, and a training run's named feature site (PCL's pose branch)."""

from pathlib import Path

import pytest
import torch

from facessl.engine.checkpoint import CheckpointError, load_train_state
from facessl.engine.config import resolve_run_config
from facessl.engine.train import build_method, pretrain
from facessl.eval.feature_source import source_from_run, source_from_weights
from facessl.eval.source_spec import parse_source
from facessl.weights.encoder_file import file_sha256
from facessl.weights.export import export_run

PCL_TINY = ["backbone.name=pcl", "method.image_size=64", "data.image_size=64", "method.pose_negatives=8",
            "method.pose_batch_size=2", "train.steps=1", "train.batch_size=4", "data.length=8"]


def test_run_site_matches_the_methods_own_pose_branch(tmp_path: Path, tiny) -> None:
    cfg = tiny.config("pcl", *PCL_TINY)
    pretrain(cfg, tmp_path / "run", show_progress=False)
    source = source_from_run(tmp_path / "run", site="pose")
    ckpt = tmp_path / "run" / "checkpoints" / "last.pt"
    assert source.site == "pose" and source.input_size == 64
    assert source.checkpoint_sha256 == file_sha256(ckpt)
    state = load_train_state(ckpt)
    method = build_method(resolve_run_config(state["config"]))
    method.load_state_dict(state["method"])
    method.eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(source.extract(x), method.feature_sites()["pose"](x))
        assert not torch.allclose(source.extract(x).flatten(1)[:, :4],
                                  method.feature_sites()["face"](x).flatten(1)[:, :4])  # fmt: skip
    with pytest.raises(CheckpointError, match="no feature site 'mouth'.*pose"):
        source_from_run(ckpt, site="mouth")


def test_exported_weights_and_spec_parsing(tmp_path: Path, tiny) -> None:
    pretrain(tiny.config("simclr", "train.steps=1"), tmp_path / "run", show_progress=False)
    path = export_run(tmp_path / "run", tmp_path / "enc.safetensors")
    source = source_from_weights(path)
    assert source.checkpoint_sha256 == file_sha256(path) and source.input_size == 32
    assert source.normalization["mean"] == pytest.approx([0.485, 0.456, 0.406])
    assert parse_source(str(path)).checkpoint_sha256 == source.checkpoint_sha256
    assert parse_source(str(tmp_path / "run")).site == "encoder"
    with pytest.raises(ValueError, match="single site"):
        parse_source(str(path), site="pose")
    assert parse_source("raw:12").input_size == 12
    assert parse_source("random:resnet18:4").name == "random-resnet18@seed4"
    assert callable(parse_source("supervised:resnet18"))
    with pytest.raises(ValueError, match="no such file"):
        parse_source(str(tmp_path / "missing.safetensors"))
