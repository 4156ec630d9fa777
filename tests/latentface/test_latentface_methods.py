"""`latentface-ae` and `latentface-rdm` on one CPU: the method contract, training, configs, freezing."""

from __future__ import annotations

import pytest
import torch

from facessl.config import ConfigError
from facessl.engine.config import load_run_config
from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.engine.train import build_method
from facessl.methods.latentface_rdm import restart_factor

AE = ["method.name=latentface-ae", "backbone.name=unsup3d", "method.perceptual=none", "data.image_size=64"]
RDM = ["method.name=latentface-rdm", "backbone.name=latentface", "data.image_size=64", "method.frames_per_track=4", "data.frames_per_track=4"]


class RecordingStepper(OptimizerStepper):
    """Remembers which parameters received a gradient at any optimizer step (as tests/methods does)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.touched: set[int] = set()
        self.names: list[str] = []

    def step(self, loss, name="loss"):  # type: ignore[no-untyped-def]
        loss.backward()
        self.touched |= {id(p) for p in self.params if p.grad is not None and p.grad.abs().sum() > 0}
        self.names.append(name)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)


def _stepper(method, lr: float = 1e-4) -> RecordingStepper:  # type: ignore[no-untyped-def]
    return RecordingStepper(build_optimizer(method.param_groups(), "adam", lr, 0.0), torch.Generator().manual_seed(0))


@pytest.mark.parametrize("overrides", [AE, AE[:2] + ["method.perceptual=ssim", "data.image_size=64"], RDM])
def test_one_iteration_trains_every_trainable_parameter_and_features_round_trip(overrides: list[str]) -> None:
    torch.manual_seed(0)
    method = build_method(load_run_config(None, overrides))
    stepper = _stepper(method)
    images = torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8)
    logs = method.training_step(images, stepper)
    assert torch.isfinite(logs["loss"])
    missing = [n for n, p in method.named_parameters() if p.requires_grad and id(p) not in stepper.touched]
    assert not missing, missing[:5]
    twin = build_method(load_run_config(None, overrides)).eval()
    twin.load_state_dict(method.state_dict())
    method.eval()
    x = torch.rand(2, 3, 64, 64)
    for site, extract in method.feature_sites().items():
        assert torch.equal(extract(x), twin.feature_sites()[site](x)), site


def test_perceptual_needs_an_explicit_choice() -> None:
    with pytest.raises(ConfigError, match="vgg16_weights"):
        build_method(load_run_config(None, AE[:2] + ["data.image_size=64"]))  # default perceptual: vgg16
    with pytest.raises(ConfigError, match="pick one"):
        build_method(load_run_config(None, [*AE, "method.vgg16_weights=/x.pth"]))
    with pytest.raises(ConfigError, match="unsup3d"):
        build_method(load_run_config(None, ["method.name=latentface-ae", "method.perceptual=none"]))


def test_ae_without_perceptual_freezes_the_perceptual_confidence_head() -> None:
    method = build_method(load_run_config(None, AE))
    assert not any(p.requires_grad for p in method.netC.out_net2.parameters())
    assert method.netA.network1 is method.encoder.albedo  # the exported encoder is the trained one


def test_ae_loss_falls_on_a_repeated_batch() -> None:
    torch.manual_seed(0)
    method = build_method(load_run_config(None, AE))
    stepper = _stepper(method, lr=1e-3)
    from facessl.data.toyfaces import ToyFaces

    images = torch.stack([ToyFaces(2, 64)[i].image for i in range(2)])
    losses = [method.training_step(images, stepper)["loss"].item() for _ in range(4)]
    assert losses[-1] < losses[0]


def test_rdm_takes_one_step_per_denoiser_keeps_stage1_frozen_and_learns() -> None:
    torch.manual_seed(0)
    method = build_method(load_run_config(None, RDM))
    frozen = {k: v.clone() for k, v in method.encoder.codes.state_dict().items()}
    stepper = _stepper(method, lr=1e-3)
    images = torch.randint(0, 256, (8, 3, 64, 64), dtype=torch.uint8)
    losses = []
    for _ in range(16):
        logs = method.training_step(images, stepper)
        losses.append(logs["loss"].item())
    assert stepper.names[:2] == ["rdm_albedo", "rdm_depth"]
    assert all(torch.equal(v, method.encoder.codes.state_dict()[k]) for k, v in frozen.items())
    assert sum(losses[-4:]) < sum(losses[:4])
    with pytest.raises(ValueError, match="multiple"):
        method.training_step(images[:6], stepper)


def test_official_restart_schedule_oscillates_every_200_iterations() -> None:
    assert restart_factor(0) == 1.0 and restart_factor(100) == pytest.approx(0.1) and restart_factor(200) == pytest.approx(1.0)
    method = build_method(load_run_config(None, RDM))
    stepper = _stepper(method, lr=1e-4)
    images = torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8)
    method.iteration.fill_(50)
    method.training_step(images, stepper)
    assert stepper.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4 * restart_factor(50))
    method.training_step(images, stepper)  # outside the engine the base lr is kept, not compounded
    assert stepper.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4 * restart_factor(51))


def test_rdm_loads_the_autoencoder_exported_by_stage_1(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from facessl.weights.card import WeightCard
    from facessl.weights.encoder_file import save_encoder

    ae = build_method(load_run_config(None, AE))
    card = WeightCard(method="latentface-ae", backbone={"name": "unsup3d"}, num_features=512, input_size=64,
                      normalization={"mean": [0.5] * 3, "std": [0.5] * 3})  # fmt: skip
    path = save_encoder(ae.encoder, card, tmp_path / "ae.safetensors")
    rdm = build_method(load_run_config(None, [*RDM, f"method.autoencoder={path}"]))
    x = torch.rand(2, 3, 64, 64)
    assert torch.equal(rdm.feature_sites()["codes"](x), ae.feature_sites()["codes"](x))


def test_ae_with_a_vgg16_file_trains_both_confidence_heads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from facessl.losses.perceptual import _relu3_3_layers

    torch.manual_seed(0)
    path = tmp_path / "vgg16.pth"
    torch.save({f"features.{k}": v for k, v in _relu3_3_layers().state_dict().items()}, path)
    method = build_method(load_run_config(None, [*AE[:2], "data.image_size=64", f"method.vgg16_weights={path}"]))
    assert all(p.requires_grad for p in method.netC.out_net2.parameters())
    assert not any(p.requires_grad for p in method.perceptual.parameters())  # frozen VGG, not optimised
    stepper = _stepper(method)
    logs = method.training_step(torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8), stepper)
    assert {"loss_perc", "loss_perc_flip"} <= logs.keys()
    missing = [n for n, p in method.named_parameters() if p.requires_grad and id(p) not in stepper.touched]
    assert not missing, missing[:5]


def test_rdm_trains_on_codes_divided_by_the_backbones_code_scale() -> None:
    seen = []
    for scale in (1.0, 8.0):
        torch.manual_seed(0)
        method = build_method(load_run_config(None, RDM + [f"backbone.code_scale={scale}"]))
        assert method.encoder.code_scale == scale
        targets = []
        method.encoder.netEA.register_forward_hook(lambda m, args, out: targets.append(args[1]))  # the condition
        method.training_step(torch.randint(0, 256, (8, 3, 64, 64), dtype=torch.uint8), _stepper(method))
        seen.append(targets[0])
    torch.testing.assert_close(seen[0] / 8.0, seen[1])


def test_rdm_measures_code_statistics_first_then_trains_on_standardized_codes() -> None:
    torch.manual_seed(0)
    sets = ["backbone.code_norm=standardize", "backbone.code_scale=4", "method.code_stats_steps=2",
            "method.frame_flip_prob=0"]  # no flips: the denoiser's condition is comparable with method.codes
    method = build_method(load_run_config(None, RDM + sets))
    stepper = _stepper(method)
    batches = [torch.randint(0, 256, (8, 3, 64, 64), dtype=torch.uint8) for _ in range(3)]
    for images in batches[:2]:
        logs = method.training_step(images, stepper)
        assert stepper.names == [] and "loss" not in logs  # measuring only: no optimizer step
    assert logs["code_stats_frames"] == 16
    conditions = []
    method.encoder.netEA.register_forward_hook(lambda m, args, out: conditions.append(args[1]))
    logs = method.training_step(batches[2], stepper)
    assert stepper.names == ["rdm_albedo", "rdm_depth"] and torch.isfinite(logs["loss"])
    stats = method.encoder.code_stats["albedo"]
    assert stats.count == 16  # fixed once measured
    a, _ = method.codes(batches[2])
    mean, std = stats.mean_std()
    torch.testing.assert_close(conditions[0], (a - mean) / std / 4)
    twin = build_method(load_run_config(None, RDM + sets)).eval()
    twin.load_state_dict(method.state_dict())  # the statistics travel with the weights
    x = torch.rand(2, 3, 64, 64)
    torch.testing.assert_close(twin.feature_sites()["expression"](x), method.eval().feature_sites()["expression"](x))
