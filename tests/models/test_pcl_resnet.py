"""Tests of PCL's ResNet-18 variant (branches split at layer4, pcl.md §8.1)."""

from __future__ import annotations

from pathlib import Path

import torch

from facessl.engine.config import load_run_config
from facessl.engine.train import load_trained_method, pretrain
from facessl.methods.pcl import PCL
from facessl.models.backbones import build_backbone
from facessl.models.pcl_resnet import PCLResNetEncoder


def test_branches_share_the_trunk_and_train_separately() -> None:
    torch.manual_seed(0)
    enc = build_backbone("pcl_resnet18")
    assert isinstance(enc, PCLResNetEncoder)
    enc.eval()  # BatchNorm in inference mode: outputs are per-sample functions
    x = torch.rand(3, 3, 64, 64)
    trunk, face, pose = enc.forward_all(x)
    assert (trunk.shape, face.shape, pose.shape) == ((3, enc.num_features), (3, 512), (3, 512))
    torch.testing.assert_close(trunk, enc(x))
    torch.testing.assert_close(face, enc.forward_face(x))
    torch.testing.assert_close(pose, enc.forward_pose(x))
    assert not torch.allclose(face, pose, atol=1e-3)  # independently initialised branches
    enc.forward_face(x).square().sum().backward()
    grads = {n.split(".")[0]: p.grad is not None and bool(p.grad.abs().sum() > 0) for n, p in enc.named_parameters()}
    assert grads["layer4_face"] and grads["layer3"] and grads["conv1"]
    assert not grads["layer4_pose"]


def test_pcl_trains_the_resnet_variant_through_the_engine(tmp_path: Path) -> None:
    sets = ["method.name=pcl", "backbone.name=pcl_resnet18", "method.pose_batch_size=2", "method.pose_negatives=4",
            "data.source=toyfaces", "data.length=16", "data.num_workers=0", "train.batch_size=4", "train.steps=2",
            "train.precision=fp32", "train.log_every=1", "train.checkpoint_every=2", "train.optimizer=adam",
            "train.lr=0.001", "train.warmup_steps=0"]  # fmt: skip
    before = PCL(build_backbone("pcl_resnet18"))
    summary = pretrain(load_run_config(None, sets), tmp_path / "run", show_progress=False)
    assert summary.steps == 2
    logs = summary.final_logs
    for key in ("pdd_loss", "face_loss", "pose_loss", "orth"):
        assert torch.isfinite(torch.tensor(logs[key])), key
    method, _, _, _ = load_trained_method(tmp_path / "run")
    assert isinstance(method, PCL) and isinstance(method.encoder, PCLResNetEncoder)
    assert method.exp_fc.state_dict()["0.weight"].shape == before.exp_fc.state_dict()["0.weight"].shape == (512, 512)
    sites = method.eval().feature_sites()
    x = torch.rand(2, 3, 64, 64)
    assert {k: tuple(f(x).shape) for k, f in sites.items()} == {
        "trunk": (2, 256), "face": (2, 512), "pose": (2, 512), "concat": (2, 768),
    }  # fmt: skip
