"""Schedules as pure functions of the global step, so resuming needs nothing but the step."""

from __future__ import annotations

import math


def cosine_ramp(step: int, total: int) -> float:
    """0 at step 0 to 1 at `total`, along half a cosine."""
    if total <= 0:
        return 1.0
    t = min(max(step / total, 0.0), 1.0)
    return 0.5 * (1 - math.cos(math.pi * t))


def learning_rate(step: int, peak: float, total_steps: int, warmup_steps: int, min_ratio: float = 0.0) -> float:
    """Linear warm-up to `peak`, then cosine decay to `peak · min_ratio` at `total_steps`."""
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    decay = cosine_ramp(step - warmup_steps, max(total_steps - warmup_steps, 1))
    return peak * (min_ratio + (1 - min_ratio) * (1 - decay))


def ema_momentum(step: int, total_steps: int, start: float, end: float) -> float:
    """BYOL §3.3: τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2, i.e. a cosine ramp from `start` to `end`."""
    return start + (end - start) * cosine_ramp(step, total_steps)
