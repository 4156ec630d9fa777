import math

import numpy as np
import pytest
import torch

from facessl.losses.ntxent import NTXentLoss


def simclr_algorithm_1(z0: np.ndarray, z1: np.ndarray, tau: float) -> float:
    """SimCLR's Algorithm 1 transcribed as loops: l(2k-1, 2k) + l(2k, 2k-1), averaged over 2N."""
    z = np.empty((2 * len(z0), z0.shape[1]))
    z[0::2], z[1::2] = z0, z1  # z_{2k-1}, z_{2k}
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = z @ z.T
    n2 = len(z)

    def l(i: int, j: int) -> float:
        denominator = sum(math.exp(s[i, k] / tau) for k in range(n2) if k != i)
        return -math.log(math.exp(s[i, j] / tau) / denominator)

    return sum(l(2 * k, 2 * k + 1) + l(2 * k + 1, 2 * k) for k in range(len(z0))) / n2


@pytest.mark.parametrize("batch", [1, 2, 7])
@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0])
def test_ntxent_matches_simclr_algorithm_1(batch: int, tau: float) -> None:
    g = torch.Generator().manual_seed(batch)
    z0, z1 = torch.randn(batch, 5, generator=g), torch.randn(batch, 5, generator=g)
    expected = simclr_algorithm_1(z0.double().numpy(), z1.double().numpy(), tau)
    assert NTXentLoss(tau)(z0.double(), z1.double()).item() == pytest.approx(expected, rel=1e-5)


def test_ntxent_of_identical_embeddings_is_log_of_candidates() -> None:
    z = torch.ones(6, 4)
    # every similarity is 1, so each view picks its partner among 2N-1 equal candidates
    assert NTXentLoss(0.3)(z, z).item() == pytest.approx(math.log(2 * 6 - 1), rel=1e-6)


def test_ntxent_is_symmetric_in_the_views() -> None:
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(8, 16, generator=g), torch.randn(8, 16, generator=g)
    loss = NTXentLoss(0.2)
    assert loss(z0, z1).item() == pytest.approx(loss(z1, z0).item(), rel=1e-6)


def test_ntxent_vanishes_at_low_temperature_for_aligned_orthogonal_pairs() -> None:
    z = torch.eye(4)
    assert NTXentLoss(0.01)(z, z.clone()).item() < 1e-6
    assert NTXentLoss(10.0)(z, z.clone()).item() > 1.0  # high temperature: close to log(2N-1)


def test_ntxent_falls_under_gradient_steps() -> None:
    g = torch.Generator().manual_seed(1)
    z0 = torch.randn(16, 8, generator=g, requires_grad=True)
    z1 = torch.randn(16, 8, generator=g, requires_grad=True)
    loss_fn, opt = NTXentLoss(0.5), torch.optim.SGD([z0, z1], lr=0.5)
    first = loss_fn(z0, z1).item()
    for _ in range(20):
        opt.zero_grad()
        loss_fn(z0, z1).backward()
        opt.step()
    assert loss_fn(z0, z1).item() < first - 0.3


def test_ntxent_runs_in_fp32_under_bf16_autocast() -> None:
    z0, z1 = torch.randn(4, 8), torch.randn(4, 8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = NTXentLoss(0.1)(z0.bfloat16(), z1.bfloat16())
    assert out.dtype == torch.float32


def test_ntxent_rejects_non_positive_temperature() -> None:
    with pytest.raises(ValueError):
        NTXentLoss(0.0)
