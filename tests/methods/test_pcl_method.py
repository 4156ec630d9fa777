"""Tests of the PCL method: three optimizer steps, which parameters each trains, idle updates, DWA."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from facessl.methods.pcl import PCL, dwa_weights
from facessl.models.pcl import PCLEncoder


class RecordingOptimization:
    """A minimal `Optimization`: backward, record who got a gradient, step, zero as the method asks."""

    def __init__(self, method: PCL, seed: int = 0) -> None:
        self.method = method
        self.generator = torch.Generator().manual_seed(seed)
        self.optimizer = torch.optim.Adam(method.param_groups(), lr=1e-4, weight_decay=1e-3)  # pcl.md §4
        self.names: list[str] = []
        self.touched: list[set[str]] = []
        self.decoder_after: list[Tensor] = []

    def step(self, loss: Tensor, name: str = "loss") -> None:
        assert torch.isfinite(loss)
        loss.backward()
        self.names.append(name)
        self.touched.append(
            {n.split(".")[0] + "." + n.split(".")[1] for n, p in self.method.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
        )
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=self.method.zero_grad_to_none)
        self.decoder_after.append(self.method.decoder.fc.weight.detach().clone())


def _method(**kwargs: object) -> PCL:
    torch.manual_seed(0)
    return PCL(PCLEncoder(64), pose_batch_size=2, pose_negatives=4, **kwargs)  # type: ignore[arg-type]


def _images(n: int = 2) -> Tensor:
    return torch.randint(0, 256, (n, 3, 64, 64), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("idle_updates", [True, False])
def test_idle_parameters_move_only_with_official_zero_grad(idle_updates: bool) -> None:
    method = _method(idle_updates=idle_updates)
    opt = RecordingOptimization(method)
    method.training_step(_images(), opt)
    after_pdd, after_face, after_pose = opt.decoder_after
    # pcl.md §2.2/§8.3: with in-place zeroing, Adam keeps moving the decoder (momentum from the
    # PDD step, L2 decay) in the face and pose steps that do not use it.
    assert (not torch.equal(after_pdd, after_face)) == idle_updates
    assert (not torch.equal(after_face, after_pose)) == idle_updates
    if not idle_updates:
        # pcl.md §2.2 "Which parameters each step trains".
        assert opt.names == ["pdd", "face", "pose"]
        pdd, face, pose = opt.touched
        assert {"encoder.layer3_1", "encoder.layer3_2_exp", "encoder.layer3_2_pose", "decoder.fc"} <= pdd
        assert not any(k.startswith(("exp_fc", "pose_fc")) for k in pdd)
        assert {"encoder.layer3_1", "encoder.layer3_2_exp", "exp_fc.0"} <= face
        assert not any(k.startswith(("decoder", "pose_fc", "encoder.layer3_2_pose")) for k in face)
        assert {"encoder.layer3_1", "encoder.layer3_2_pose", "pose_fc.0"} <= pose
        assert not any(k.startswith(("decoder", "exp_fc", "encoder.layer3_2_exp")) for k in pose)


def test_joint_mode_takes_one_step() -> None:
    method = _method(optimization="joint")
    opt = RecordingOptimization(method)
    logs = method.training_step(_images(), opt)
    assert opt.names == ["loss"]
    assert all(torch.isfinite(v) and v.ndim == 0 for v in logs.values())


def test_warm_up_runs_reconstruction_only() -> None:
    method = _method(pdd_only_iterations=1)
    opt = RecordingOptimization(method)
    logs = method.training_step(_images(), opt)
    expected = logs["recon_swap_s"] + logs["recon_swap_flip"] + logs["recon_self_s"]
    assert opt.names == ["pdd"] and torch.allclose(logs["pdd_loss"], expected)
    method.training_step(_images(), opt)
    assert opt.names[1:] == ["pdd", "face", "pose"]


def test_dwa_weights_formula_and_schedule() -> None:
    assert torch.allclose(dwa_weights(torch.tensor([1.0, 1.0]), torch.tensor([2.0, 2.0])), torch.ones(2))
    w = dwa_weights(torch.tensor([3.0, 1.0]), torch.tensor([1.0, 1.0]), temperature=2.0)
    e = torch.exp(torch.tensor([1.5, 0.5]))
    assert torch.allclose(w, 2 * e / e.sum())
    method = _method(dwa_window=2)
    losses = [(2.0, 1.0), (2.0, 1.0), (1.0, 1.0), (1.0, 1.0), (5.0, 5.0)]
    seen = []
    for face, pose in losses:
        seen.append(method.loss_weights.clone())
        method._update_dwa(torch.tensor(face), torch.tensor(pose))
    # Windows 1 and 2 train with weight 1; window 3 uses r = (1/2, 1/1) from windows 2 and 1.
    assert all(torch.equal(s, torch.ones(2)) for s in seen[:4])
    assert torch.allclose(method.loss_weights, dwa_weights(torch.tensor([1.0, 1.0]), torch.tensor([2.0, 1.0])))


def test_feature_sites_and_state_dict_round_trip() -> None:
    method = _method()
    x = torch.rand(2, 3, 64, 64)
    sites = method.feature_sites()
    assert {k: tuple(f(x).shape) for k, f in sites.items()} == {
        "trunk": (2, 2048), "face": (2, 2048), "pose": (2, 2048), "concat": (2, 4096),
    }  # fmt: skip
    clone = _method()
    clone.load_state_dict(method.state_dict(), strict=True)
    assert all(torch.equal(a, b) for a, b in zip(method.state_dict().values(), clone.state_dict().values(), strict=True))


def test_rejects_a_backbone_without_branches() -> None:
    with pytest.raises(TypeError, match="TwoBranchEncoder: backbone.name=pcl or pcl_resnet18"):
        PCL(torch.nn.Linear(3, 3))
