from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from facessl.engine.checkpoint import CheckpointError, load_train_state
from facessl.engine.train import build_method, pretrain
from facessl.engine.config import resolve_run_config
from facessl.weights import load_encoder, read_card
from facessl.weights.export import export_run


def test_exported_encoder_reproduces_the_trained_features(tmp_path: Path, tiny) -> None:
    cfg = tiny.config("byol", "train.steps=2")
    pretrain(cfg, tmp_path / "run", show_progress=False)
    path = export_run(tmp_path / "run", tmp_path / "enc.safetensors")
    encoder = load_encoder(path)
    card = read_card(path)
    assert card.method == "byol" and card.backbone["name"] == "resnet18" and card.steps == 2
    assert card.normalization["mean"] == pytest.approx([0.485, 0.456, 0.406])
    assert path.with_suffix(".json").exists()

    state = load_train_state(tmp_path / "run" / "checkpoints" / "last.pt")
    method = build_method(resolve_run_config(state["config"]))
    method.load_state_dict(state["method"])
    method.eval()
    images = torch.randint(0, 256, (3, 3, 32, 32), dtype=torch.uint8)
    expected = method.feature_sites()["encoder"](images.float() / 255)
    assert torch.allclose(encoder(images), expected, atol=1e-6)


def test_weights_without_a_card_or_with_wrong_tensors_are_refused(tmp_path: Path) -> None:
    bare = tmp_path / "bare.safetensors"
    save_file({"w": torch.zeros(2)}, str(bare))
    with pytest.raises(CheckpointError, match="no facessl card"):
        load_encoder(bare)
    not_st = tmp_path / "x.safetensors"
    not_st.write_bytes(b"hello")
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        load_encoder(not_st)
