import pytest

from facessl.engine.schedules import ema_momentum, learning_rate


def test_learning_rate_warms_up_linearly_then_decays_to_the_floor() -> None:
    lrs = [learning_rate(s, 1.0, 100, 10, 0.1) for s in range(101)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))
    assert lrs[100] == pytest.approx(0.1)


def test_ema_momentum_follows_byol_cosine() -> None:
    assert ema_momentum(0, 100, 0.996, 1.0) == pytest.approx(0.996)
    assert ema_momentum(50, 100, 0.996, 1.0) == pytest.approx(0.998)
    assert ema_momentum(100, 100, 0.996, 1.0) == pytest.approx(1.0)
