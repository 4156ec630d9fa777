"""Tests of PCL's orthogonality loss against its definition (pcl.md §1.4)."""

from __future__ import annotations

import numpy as np
import torch

from facessl.losses.orthogonality import OrthogonalityLoss, orthogonality_loss


def _definition(e: np.ndarray, p: np.ndarray, eps: float = 1e-6) -> float:
    """Transcription of pcl.md §1.4 with explicit loops, in float64."""
    n, d_e = e.shape
    d_p = p.shape[1]
    e = e - e.mean(axis=0)
    p = p - p.mean(axis=0)
    e = e / (np.sqrt((e**2).sum(axis=1, keepdims=True)) + eps)
    p = p / (np.sqrt((p**2).sum(axis=1, keepdims=True)) + eps)
    total = 0.0
    for j in range(d_e):
        for k in range(d_p):
            corr = sum(e[i, j] * p[i, k] for i in range(n))
            total += corr**2
    return total / (d_e * d_p)


def test_orthogonality_matches_definition() -> None:
    g = torch.Generator().manual_seed(0)
    e = torch.randn(6, 5, generator=g, dtype=torch.float64) + 0.3
    p = torch.randn(6, 7, generator=g, dtype=torch.float64) * 2.0
    expected = _definition(e.numpy(), p.numpy())
    assert abs(orthogonality_loss(e, p).item() - expected) < 1e-6 * max(expected, 1.0)


def test_orthogonality_gradient_treats_row_norm_as_constant() -> None:
    # Analytic gradient with the norm held fixed: dL/dE = C^T (2/(D_e D_p) P̂ M^T / n_i), where C
    # is the batch-centring projection. A gradient through the norm would differ.
    g = torch.Generator().manual_seed(1)
    e = torch.randn(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    p = torch.randn(5, 3, generator=g, dtype=torch.float64)
    orthogonality_loss(e, p).backward()
    en, pn = e.detach().numpy(), p.numpy()
    ec, pc = en - en.mean(0), pn - pn.mean(0)
    e_norm = np.linalg.norm(ec, axis=1, keepdims=True) + 1e-6
    ph = pc / (np.linalg.norm(pc, axis=1, keepdims=True) + 1e-6)
    eh = ec / e_norm
    m = eh.T @ ph  # (D_e, D_p)
    d_eh = 2.0 / (m.size) * ph @ m.T  # (N, D_e)
    d_ec = d_eh / e_norm
    d_e = d_ec - d_ec.mean(0)  # adjoint of the centring
    # The loss runs in fp32 whatever the input dtype (it must stay fp32 under autocast), so its gradient agrees to
    # fp32 precision; a gradient through the norm would be off by far more (tens of percent here).
    assert np.allclose(e.grad.numpy(), d_e, rtol=1e-5, atol=1e-6)


def test_orthogonality_is_fp32_under_autocast() -> None:
    e = torch.randn(4, 8).bfloat16()
    p = torch.randn(4, 8).bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = OrthogonalityLoss()(e, p)
    assert loss.dtype == torch.float32


def test_gradient_steps_lower_orthogonality() -> None:
    g = torch.Generator().manual_seed(2)
    e = torch.randn(8, 16, generator=g, requires_grad=True)
    p = (e.detach() + 0.1 * torch.randn(8, 16, generator=g)).requires_grad_()
    opt = torch.optim.Adam([e, p], lr=0.05)  # the mean over D_e*D_p makes raw gradients tiny
    start = orthogonality_loss(e, p).item()
    for _ in range(30):
        opt.zero_grad()
        orthogonality_loss(e, p).backward()
        opt.step()
    assert orthogonality_loss(e, p).item() < 0.5 * start
