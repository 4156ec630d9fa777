import math

import pytest
import torch

from facessl.losses.queue_infonce import QueueInfoNCELoss


def test_queue_infonce_hand_computed_case() -> None:
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0]])
    queue = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    tau = 0.5
    # logits: [1, 0, -1] / 0.5 ; loss = -log softmax[0]
    expected = -math.log(math.exp(2) / (math.exp(2) + math.exp(0) + math.exp(-2)))
    assert QueueInfoNCELoss(tau)(q, k, queue).item() == pytest.approx(expected, rel=1e-6)


def test_queue_infonce_gives_no_gradient_to_keys_or_queue() -> None:
    q = torch.randn(4, 8, requires_grad=True)
    k = torch.randn(4, 8, requires_grad=True)
    queue = torch.randn(16, 8, requires_grad=True)
    QueueInfoNCELoss(0.2)(q, k, queue).backward()
    assert q.grad is not None and k.grad is None and queue.grad is None


def test_queue_infonce_is_small_when_positives_dominate_and_large_otherwise() -> None:
    q = torch.eye(3)
    queue = -torch.eye(3)
    low = QueueInfoNCELoss(0.05)(q, q, queue).item()
    high = QueueInfoNCELoss(0.05)(q, -q, queue).item()
    assert low < 1e-6 and high > 10
