"""Every registered method honours the same contract on one CPU iteration."""

from __future__ import annotations

import pytest
import torch

from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.engine.train import build_method
from facessl.methods import METHODS
from facessl.models.momentum import update_momentum

EXTRA = {
    "pcl": ["backbone.name=pcl", "method.image_size=64", "data.image_size=64", "method.pose_negatives=8", "method.pose_batch_size=2"],
    "latentface-ae": ["backbone.name=unsup3d", "method.perceptual=none", "method.image_size=64", "data.image_size=64"],
    "latentface-rdm": ["backbone.name=latentface", "method.image_size=64", "data.image_size=64", "method.frames_per_track=4", "data.frames_per_track=4"],
}


class RecordingStepper(OptimizerStepper):
    """Remembers which parameters received a gradient at any optimizer step."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.touched: set[int] = set()

    def step(self, loss, name="loss"):  # type: ignore[no-untyped-def]
        loss.backward(retain_graph=False)
        self.touched |= {id(p) for p in self.params if p.grad is not None and p.grad.abs().sum() > 0}
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)


@pytest.mark.parametrize("name", METHODS.names())
def test_one_iteration_trains_every_parameter_and_no_momentum_copy(name: str, tiny) -> None:
    torch.manual_seed(0)
    cfg = tiny.config(name, *EXTRA.get(name, []))
    method = build_method(cfg)
    size = cfg.data.image_size
    targets = {id(p) for _, t in method.momentum_pairs() for p in t.parameters()}
    trainable = [p for group in method.param_groups() for p in group["params"]]
    assert not targets & {id(p) for p in trainable}, "momentum copies must not be optimised"
    stepper = RecordingStepper(build_optimizer(method.param_groups(), "adamw", 1e-3, 0.0), torch.Generator().manual_seed(0))
    images = torch.randint(0, 256, (8, 3, size, size), dtype=torch.uint8)
    logs = method.training_step(images, stepper)
    assert "loss" in logs and torch.isfinite(logs["loss"])
    missing = [n for n, p in method.named_parameters() if p.requires_grad and id(p) not in targets and id(p) not in stepper.touched]
    assert not missing, f"parameters without gradient: {missing[:5]}"
    for _, target in method.momentum_pairs():
        assert all(p.grad is None for p in target.parameters())
    if method.momentum is not None:
        before = [p.clone() for _, t in method.momentum_pairs() for p in t.parameters()]
        for online, target in method.momentum_pairs():
            update_momentum(online, target, method.momentum[0])
        after = [p for _, t in method.momentum_pairs() for p in t.parameters()]
        assert any(not torch.equal(a, b) for a, b in zip(before, after))


@pytest.mark.parametrize("name", METHODS.names())
def test_state_dict_round_trip_gives_identical_features(name: str, tiny) -> None:
    torch.manual_seed(0)
    cfg = tiny.config(name, *EXTRA.get(name, []))
    a, b = build_method(cfg).eval(), build_method(cfg).eval()
    b.load_state_dict(a.state_dict())
    x = torch.rand(2, 3, cfg.data.image_size, cfg.data.image_size)
    for site, extract in a.feature_sites().items():
        assert torch.equal(extract(x), b.feature_sites()[site](x)), site
