"""Photometric, flip, perceptual (VGG16 file), SSIM and SNR-weighted x₀ losses (research/latentface.md §3.5, §4.7)."""

from __future__ import annotations

import math

import pytest
import torch

from facessl.config import ConfigError
from facessl.losses.flip import flip_weighted
from facessl.losses.perceptual import PerceptualLoss, VGG16Relu3, confidence_weighted_feature_loss
from facessl.losses.photometric import EPS, confidence_weighted_l1
from facessl.losses.snr_x0 import snr_weighted_x0_loss
from facessl.losses.ssim import SSIMLoss
from facessl.latentface.diffusion import LinearSchedule


def test_photometric_is_masked_laplacian_nll_closed_form() -> None:
    recon, target = torch.zeros(1, 3, 2, 2), torch.full((1, 3, 2, 2), 0.5)
    mask = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]]])
    sigma = torch.full((1, 1, 2, 2), 2.0)
    expected = math.sqrt(2) * 0.5 / (2 + EPS) + math.log(2 + EPS)
    assert confidence_weighted_l1(recon, target, mask, sigma).item() == pytest.approx(expected, rel=1e-6)
    # masked-out pixels do not count, whatever their error
    target2 = target.clone()
    target2[..., 1, :] = 100.0
    assert confidence_weighted_l1(recon, target2, mask, sigma).item() == pytest.approx(expected, rel=1e-6)


def test_photometric_optimal_sigma_is_sqrt2_times_the_error() -> None:
    recon, target = torch.zeros(1, 1, 1, 1), torch.full((1, 1, 1, 1), 0.3)
    sigma = torch.full((1, 1, 1, 1), 1.0, requires_grad=True)
    opt = torch.optim.Adam([sigma], lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        confidence_weighted_l1(recon, target, None, sigma).backward()
        opt.step()
    assert sigma.item() == pytest.approx(math.sqrt(2) * 0.3, rel=1e-2)


def test_flip_term_weighs_the_mirrored_reconstruction_with_sigma_channel_1() -> None:
    target = torch.zeros(2, 3, 4, 4)
    recon, recon_flip = torch.full_like(target, 0.1), torch.full_like(target, 0.4)
    sigma = torch.cat([torch.ones(2, 1, 4, 4), torch.full((2, 1, 4, 4), 2.0)], 1)
    total, direct, flipped = flip_weighted(confidence_weighted_l1, recon, recon_flip, target, None, sigma, 0.5)
    assert direct == pytest.approx(confidence_weighted_l1(recon, target, None, sigma[:, :1]))
    assert flipped == pytest.approx(confidence_weighted_l1(recon_flip, target, None, sigma[:, 1:]))
    assert total == pytest.approx(direct + 0.5 * flipped)


def _fake_vgg_file(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Random weights in torchvision's VGG16 key layout (features.N.*), plus a classifier key to ignore."""
    torch.manual_seed(0)
    layers = VGG16Relu3.__init__.__globals__["_relu3_3_layers"]()
    state = {f"features.{k}": v for k, v in layers.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)
    path = tmp_path / "vgg16.pth"
    torch.save(state, path)
    return str(path)


def test_perceptual_uses_relu3_3_of_a_local_file_and_pools_the_mask(tmp_path) -> None:  # type: ignore[no-untyped-def]
    loss = PerceptualLoss(_fake_vgg_file(tmp_path))
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    assert loss.vgg(x).shape == (2, 256, 16, 16)  # relu3_3 at 16×16 for 64 px (§3.2)
    assert (loss.vgg(x) >= 0).all()
    assert loss(x, x).item() == 0
    sigma = torch.full((2, 1, 16, 16), 0.1)
    mask = torch.ones(2, 1, 64, 64)
    y = x.flip(3)
    f1, f2 = loss.vgg(y), loss.vgg(x)
    expected = ((f1 - f2) ** 2 / (2 * 0.1**2 + 1e-7) + math.log(0.1 + 1e-7)).mean()
    assert loss(y, x, mask, sigma).item() == pytest.approx(expected.item(), rel=1e-5)
    assert not any(p.requires_grad for p in loss.parameters())


def test_feature_loss_mask_is_average_pooled_to_feature_size() -> None:
    f1, f2 = torch.ones(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)
    f1[..., 1, 1] = 3.0
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., :2, :2] = 1.0  # only the top-left feature cell is visible
    assert confidence_weighted_feature_loss(f1, f2, mask).item() == pytest.approx(1.0)


def test_perceptual_file_must_exist_and_be_vgg16(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="not found"):
        PerceptualLoss(tmp_path / "missing.pth")
    bad = tmp_path / "bad.pth"
    torch.save({"features.0.weight": torch.zeros(1)}, bad)
    with pytest.raises(ConfigError):
        PerceptualLoss(bad)


def test_ssim_loss_is_zero_for_identical_images_and_grows_with_noise() -> None:
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    loss = SSIMLoss()
    assert loss(x, x).item() == pytest.approx(0.0, abs=1e-6)
    small, large = loss(x + 0.05 * torch.randn_like(x), x), loss(x + 0.5 * torch.randn_like(x), x)
    assert 0 < small < large


def test_ssim_stays_fp32_and_finite_under_bf16_autocast() -> None:
    # Bright, nearly flat images: bf16 convolutions would cancel the variances into negative values.
    g = torch.Generator().manual_seed(0)
    x = 0.9 + 0.01 * torch.rand(2, 3, 32, 32, generator=g)
    y = 0.9 + 0.01 * torch.rand(2, 3, 32, 32, generator=g)
    mask = torch.ones(2, 1, 32, 32)
    expected = SSIMLoss()(x, y, mask)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = SSIMLoss()(x.bfloat16(), y.bfloat16(), mask)
    assert got.dtype == torch.float32 and torch.isfinite(got)
    assert got.item() == pytest.approx(expected.item(), abs=1e-3)


def test_snr_weighted_x0_loss_equals_epsilon_mse() -> None:
    schedule = LinearSchedule()
    x0, eps = torch.randn(8, 16), torch.randn(8, 16)
    t = torch.randint(0, 1000, (8,))
    x_t = schedule.add_noise(x0, eps, t)
    pred_x0 = x0 + 0.1 * torch.randn(8, 16)
    ab = schedule.alpha_bar(t)[:, None]
    eps_hat = (x_t - ab.sqrt() * pred_x0) / (1 - ab).sqrt()
    assert snr_weighted_x0_loss(pred_x0, x0, schedule.snr(t)).item() == pytest.approx(((eps_hat - eps) ** 2).mean().item(), rel=1e-3)
