import pytest
import torch

from facessl.losses.byol import BYOLLoss


@pytest.mark.parametrize(("target", "expected"), [([2.0, 0.0], 0.0), ([0.0, 3.0], 2.0), ([-1.0, 0.0], 4.0)])
def test_byol_loss_is_two_minus_two_cosine(target: list[float], expected: float) -> None:
    p = torch.tensor([[1.0, 0.0]])
    assert BYOLLoss()(p, torch.tensor([target])).item() == pytest.approx(expected, abs=1e-6)


def test_byol_target_receives_no_gradient() -> None:
    p = torch.randn(4, 8, requires_grad=True)
    t = torch.randn(4, 8, requires_grad=True)
    BYOLLoss()(p, t).backward()
    assert p.grad is not None and t.grad is None
