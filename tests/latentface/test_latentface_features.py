"""Composed features (latentface.md §5) and the noise modes that make them repeatable (§8.2 item 8, §9.3)."""

from __future__ import annotations

import pytest
import torch

from facessl.latentface.features import LatentFaceEncoder, compose


def _encoder(**kwargs) -> LatentFaceEncoder:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    return LatentFaceEncoder(width=64, **kwargs).eval()


def test_compose_orders_follow_the_official_code() -> None:
    a, d, n_a, n_d = (torch.full((1, 256), float(v)) for v in (1, 2, 3, 5))
    expr = compose("expression", a, d, n_a, n_d)  # [a − n_a, a, d − n_d, d]
    assert expr[0, ::256].tolist() == [-2.0, 1.0, -3.0, 2.0]
    ver = compose("verification", a, d, n_a, n_d)  # [n_a, a, n_d, d]
    assert ver[0, ::256].tolist() == [3.0, 1.0, 5.0, 2.0]


def test_verification_appends_the_flipped_image() -> None:
    enc = _encoder(site="verification", noise="fixed")
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    f = enc(x)
    assert f.shape == (2, 2048) == (2, enc.num_features)
    assert torch.allclose(f[:, 1024:], enc.features(x.flip(3), "verification")[:, :1024])


def test_seeded_and_fixed_are_repeatable_random_is_not() -> None:
    x = torch.rand(3, 3, 64, 64) * 2 - 1
    for noise in ("seeded", "fixed", "zero"):
        enc = _encoder(noise=noise)
        assert torch.equal(enc(x), enc(x)), noise
    enc = _encoder(noise="random")
    assert not torch.equal(enc(x), enc(x))


def test_fixed_noise_shares_one_initial_sample_across_the_batch() -> None:
    # Identical images in one batch get identical features under fixed noise and different ones under seeded
    # noise (per-sample draws, as officially). Comparing across batch sizes is not meaningful: GroupNorm over
    # 2-4 channels on 1x1 maps makes the 5-step sampler amplify BLAS rounding differences (see features.py).
    x = (torch.rand(1, 3, 64, 64) * 2 - 1).repeat(3, 1, 1, 1)
    fixed = _encoder(noise="fixed")(x)
    assert torch.allclose(fixed[0], fixed[2], atol=1e-5)
    seeded = _encoder(noise="seeded")(x)
    assert not torch.allclose(seeded[0], seeded[2], atol=1e-3)


def test_mean_over_draws_averages_neutral_codes() -> None:
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    enc = _encoder(noise="fixed", num_draws=3, site="neutral")
    single = _encoder(noise="fixed", num_draws=1, site="neutral")
    single.load_state_dict(enc.state_dict())
    assert enc(x).shape == (2, 512)
    assert not torch.allclose(enc(x), single(x))
    with pytest.raises(ValueError):
        LatentFaceEncoder(num_draws=0)


def test_legacy_neutral_codes_are_clipped_and_sampler_modes_differ() -> None:
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    legacy = _encoder(noise="fixed", site="neutral")
    correct = _encoder(noise="fixed", site="neutral", sampler="correct")
    correct.load_state_dict(legacy.state_dict())
    assert legacy(x).abs().max() <= 1.0
    assert not torch.allclose(legacy(x), correct(x))


class _ReturnsItsCondition(torch.nn.Module):
    """A perfect denoiser for a track of one frame: predicts x₀ = the code it is conditioned on."""

    def forward(self, x_t: torch.Tensor, code: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return code


def test_code_scale_keeps_large_codes_inside_the_legacy_clip() -> None:
    # Stage-1 codes are ReLU outputs that reach ~30 on SynthFaces; legacy DDIM clips x̂₀ to [-1, 1] (§4.9).
    a = torch.linspace(0.0, 20.0, 256).expand(2, 256)
    for scale, exact in ((1.0, False), (32.0, True)):
        enc = _encoder(noise="fixed", code_scale=scale)
        enc.netEA, enc.netED = _ReturnsItsCondition(), _ReturnsItsCondition()
        n_a, n_d = enc.neutral_codes(a, a)
        assert torch.allclose(n_a, a, atol=1e-4) is exact and torch.allclose(n_d, a, atol=1e-4) is exact, scale
    assert _encoder(noise="fixed").neutral_codes(a, a)[0].max() <= 1.0  # the official clip binds at scale 1
    with pytest.raises(ValueError, match="code_scale"):
        _encoder(code_scale=0.0)


def test_standardized_codes_pass_the_legacy_clip_and_keep_the_official_layout_otherwise() -> None:
    # Codes with a large common mean and per-dimension spreads from 0.1 to 10 (latentface.md §9 decision 4).
    torch.manual_seed(0)
    spread = torch.logspace(-1, 1, 256)
    train = 20 + torch.randn(512, 256) * spread
    a = 20 + torch.randn(4, 256).clamp(-3, 3) * spread
    assert "code_stats.albedo.sum" not in _encoder().state_dict()  # official weights load unchanged
    enc = _encoder(noise="fixed", code_norm="standardize", code_scale=4.0)
    with pytest.raises(RuntimeError, match="code_stats_steps"):
        enc.neutral_codes(a, a)
    for which in ("albedo", "depth"):
        enc.code_stats[which].observe(train)
    enc.netEA, enc.netED = _ReturnsItsCondition(), _ReturnsItsCondition()
    n_a, n_d = enc.neutral_codes(a, a)
    torch.testing.assert_close(n_a, a, atol=1e-3, rtol=0)  # within ±4 std: nothing clipped
    enc.code_scale = 1.0  # ±1 std only: the clip binds
    assert not torch.allclose(enc.neutral_codes(a, a)[0], a, atol=1e-3)
    with pytest.raises(ValueError, match="code_norm"):
        _encoder(code_norm="whiten")
