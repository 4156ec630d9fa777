"""Linear schedule and the 5-step DDIM in legacy (diffusers 0.14) and correct modes (latentface.md §4.4, §4.9)."""

from __future__ import annotations

import pytest
import torch

from facessl.latentface.diffusion import LinearSchedule, ddim_sample, ddim_step

S = LinearSchedule()


def test_schedule_values_match_the_digest() -> None:
    ab = S.alphas_cumprod
    assert ab[0].item() == pytest.approx(0.9999)
    assert ab[200].item() == pytest.approx(0.656, abs=2e-3)
    assert ab[400].item() == pytest.approx(0.194, abs=2e-3)
    assert ab[600].item() == pytest.approx(0.0256, abs=5e-4)
    assert ab[800].item() == pytest.approx(0.0015, abs=1e-4)
    assert ab[999].item() == pytest.approx(4e-5, abs=1e-5)
    assert S.ddim_timesteps(5) == [800, 600, 400, 200, 0]
    assert S.snr(torch.tensor([0])).item() == pytest.approx(0.9999 / 0.0001, rel=1e-6)


class Recorder:
    """A denoiser that predicts a fixed x̂₀ at each step (scaled by `scale`) and records its inputs."""

    def __init__(self, x0: torch.Tensor, scale: float = 1.0) -> None:
        self.x0, self.scale, self.inputs = x0, scale, []

    def __call__(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        self.inputs.append((x_t.clone(), int(t[0])))
        return self.x0 * self.scale


def test_legacy_and_correct_share_timesteps_and_first_call_then_differ_by_the_direction_term() -> None:
    x0 = torch.rand(3, 8) * 1.6 - 0.8  # inside [-1, 1]: clipping plays no part
    x_T = torch.randn(3, 8)
    legacy, correct = Recorder(x0), Recorder(x0)
    ddim_sample(legacy, x_T, S, mode="legacy")
    ddim_sample(correct, x_T, S, mode="correct")
    assert [t for _, t in legacy.inputs] == [t for _, t in correct.inputs] == [800, 600, 400, 200, 0]
    assert torch.equal(legacy.inputs[0][0], correct.inputs[0][0])
    # After the first update the states differ exactly by √(1−ᾱ_600)·(x̂₀ − ε̂), §4.9 item 2.
    ab_t, ab_prev = S.alphas_cumprod[800].item(), S.alphas_cumprod[600].item()
    eps_hat = (x_T - ab_t**0.5 * x0) / (1 - ab_t) ** 0.5
    diff = legacy.inputs[1][0] - correct.inputs[1][0]
    assert torch.allclose(diff, (1 - ab_prev) ** 0.5 * (x0 - eps_hat), atol=1e-5)


def test_correct_mode_keeps_one_noise_vector_and_legacy_does_not() -> None:
    x0, x_T = torch.rand(2, 8) - 0.5, torch.randn(2, 8)
    eps = (x_T - S.alphas_cumprod[800].item() ** 0.5 * x0) / (1 - S.alphas_cumprod[800].item()) ** 0.5
    for mode, proper in (("correct", True), ("legacy", False)):
        rec = Recorder(x0)
        ddim_sample(rec, x_T, S, mode=mode)
        x_400, _ = rec.inputs[2]
        ab = S.alphas_cumprod[400].item()
        expected = ab**0.5 * x0 + (1 - ab) ** 0.5 * eps  # a proper noisy sample of x0 (deterministic DDIM)
        assert torch.allclose(x_400, expected, atol=1e-5) is proper, mode


def test_both_modes_return_the_last_prediction_but_only_legacy_clips_it() -> None:
    x0 = torch.tensor([[-1.7, -0.2, 0.4, 2.5]])
    x_T = torch.randn(1, 4)
    out_legacy = ddim_sample(Recorder(x0), x_T, S, mode="legacy")
    out_correct = ddim_sample(Recorder(x0), x_T, S, mode="correct")
    assert torch.equal(out_legacy, x0.clamp(-1, 1))  # ᾱ_final = 1: x_prev = clip(x̂₀)
    assert torch.allclose(out_correct, x0)
    assert torch.allclose(ddim_sample(Recorder(x0), x_T, S, mode="correct", clip=True), x0.clamp(-1, 1))


def test_legacy_step_formula() -> None:
    x_t, pred = torch.randn(4, 5), torch.randn(4, 5) * 2
    ab_prev = S.alphas_cumprod[400].item()
    expected = ab_prev**0.5 * pred.clamp(-1, 1) + (1 - ab_prev) ** 0.5 * pred
    assert torch.allclose(ddim_step(S, x_t, pred, 600, 400, "legacy"), expected)
