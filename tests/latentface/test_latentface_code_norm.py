"""Per-dimension code standardisation before the RDM (latentface.md §9 decision 4), a documented deviation."""

from __future__ import annotations

import pytest
import torch

from facessl.latentface.code_norm import STD_FLOOR_RATIO, CodeStandardizer


def test_statistics_over_several_batches_are_those_of_all_codes() -> None:
    torch.manual_seed(0)
    codes = torch.randn(40, 8) * torch.arange(1, 9) + 5 * torch.arange(8)
    norm = CodeStandardizer(8)
    for chunk in codes.split((16, 16, 8)):
        norm.observe(chunk)
    mean, std = norm.mean_std()
    assert norm.count == 40
    torch.testing.assert_close(mean, codes.mean(0))
    torch.testing.assert_close(std, codes.std(0, unbiased=False))
    z = norm(codes)
    torch.testing.assert_close(z.mean(0), torch.zeros(8), atol=1e-5, rtol=0)
    torch.testing.assert_close(z.std(0, unbiased=False), torch.ones(8))
    torch.testing.assert_close(norm.inverse(z), codes)


def test_a_dimension_that_never_varies_gets_a_floored_std_not_a_division_by_zero() -> None:
    codes = torch.cat([torch.randn(32, 3), torch.zeros(32, 1)], dim=1)  # the last unit is a dead ReLU
    norm = CodeStandardizer(4)
    norm.observe(codes)
    _, std = norm.mean_std()
    assert std[3] == pytest.approx(STD_FLOOR_RATIO * float(codes[:, :3].std(0, unbiased=False).mean() * 3 / 4))
    z = norm(codes)
    assert torch.isfinite(z).all() and (z[:, 3] == 0).all()


def test_using_statistics_before_any_were_measured_says_how_to_get_them() -> None:
    with pytest.raises(RuntimeError, match="code_stats_steps"):
        CodeStandardizer(4)(torch.zeros(2, 4))


def test_the_statistics_are_saved_with_the_weights() -> None:
    norm = CodeStandardizer(4)
    norm.observe(torch.randn(10, 4))
    other = CodeStandardizer(4)
    other.load_state_dict(norm.state_dict())
    x = torch.randn(3, 4)
    torch.testing.assert_close(other(x), norm(x))
