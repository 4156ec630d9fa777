"""The RDM's noise schedule and its 5-step DDIM sampler (research/latentface.md §4.4, §4.9), without diffusers.

Two sampler modes (§9.3):

- ``legacy``: what diffusers 0.14.0's ``DDIMScheduler(prediction_type='sample')`` does, which the official
  features and numbers depend on: x̂₀ is clipped to [-1, 1] and the *raw* x̂₀ stands in for ε in the
  direction term, ``x_prev = √ᾱ_prev·clip(x̂₀) + √(1−ᾱ_prev)·x̂₀`` (changed in diffusers 0.15, PR #2094).
- ``correct``: proper DDIM (eta 0), ``ε̂ = (x_t − √ᾱ_t·x̂₀)/√(1−ᾱ_t)`` and ``x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂``;
  clipping is off by default (§9.4: the training targets are unclipped ReLU means).

Both use timesteps [800, 600, 400, 200, 0] and ᾱ_final = 1 (set_alpha_to_one), so both return the last x̂₀
(clipped in legacy mode).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
from torch import Tensor

# §4.4: diffusers-0.14 defaults used by LatentFace.
NUM_TRAIN_TIMESTEPS = 1000
BETA_START, BETA_END = 1e-4, 0.02  # linear β schedule
SAMPLING_STEPS = 5  # §4.9: set_timesteps(5)

SamplerMode = Literal["legacy", "correct"]
Denoiser = Callable[[Tensor, Tensor], Tensor]  # (x_t (B, D), t (B,)) -> x̂₀ (B, D)


class LinearSchedule:
    """Linear β from 1e-4 to 0.02 over T = 1000 steps; ᾱ_t = Π_{s≤t}(1 − β_s) (§4.4).

    Attributes:
        alphas_cumprod: (T,) float64 ᾱ_t.
    """

    def __init__(self, num_timesteps: int = NUM_TRAIN_TIMESTEPS, beta_start: float = BETA_START, beta_end: float = BETA_END) -> None:
        self.num_timesteps = num_timesteps
        betas = torch.linspace(beta_start, beta_end, num_timesteps, dtype=torch.float64)
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)

    def alpha_bar(self, t: Tensor) -> Tensor:
        """ᾱ_t for integer timesteps t (any shape), float32 on t's device."""
        return self.alphas_cumprod.to(t.device)[t.long()].float()

    def snr(self, t: Tensor) -> Tensor:
        """SNR(t) = ᾱ_t / (1 − ᾱ_t), the loss weight of §4.7."""
        ab = self.alphas_cumprod.to(t.device)[t.long()]
        return (ab / (1 - ab)).float()

    def add_noise(self, x0: Tensor, noise: Tensor, t: Tensor) -> Tensor:
        """x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε, per sample. x0, noise: (B, D); t: (B,)."""
        ab = self.alpha_bar(t).view(-1, *([1] * (x0.dim() - 1))).to(x0.dtype)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def ddim_timesteps(self, steps: int = SAMPLING_STEPS) -> list[int]:
        """diffusers' ``set_timesteps``: multiples of T // steps, descending ([800, 600, 400, 200, 0] for 5)."""
        ratio = self.num_timesteps // steps
        return [i * ratio for i in reversed(range(steps))]


def ddim_step(
    schedule: LinearSchedule,
    x_t: Tensor,
    pred_x0: Tensor,
    t: int,
    t_prev: int,
    mode: SamplerMode = "legacy",
    clip: bool | None = None,
) -> Tensor:
    """One deterministic (eta 0) DDIM update from x_t and the model's x̂₀.

    Args:
        schedule: the noise schedule.
        x_t: (B, D) current sample.
        pred_x0: (B, D) model output x̂₀ at t.
        t: current timestep.
        t_prev: next timestep; negative means the end (ᾱ_prev = 1, set_alpha_to_one).
        mode: ``legacy`` (diffusers 0.14) or ``correct`` (see the module docstring).
        clip: clamp x̂₀ to [-1, 1]; None means the mode's default (legacy: on, correct: off).

    Returns:
        (B, D) x_{t_prev}.
    """
    ab_t = float(schedule.alphas_cumprod[t])
    ab_prev = float(schedule.alphas_cumprod[t_prev]) if t_prev >= 0 else 1.0
    clip = (mode == "legacy") if clip is None else clip
    x0 = pred_x0.clamp(-1.0, 1.0) if clip else pred_x0
    if mode == "legacy":
        direction = pred_x0  # diffusers 0.14 with prediction_type='sample': model output used as ε
    elif mode == "correct":
        direction = (x_t - ab_t**0.5 * pred_x0) / (1.0 - ab_t) ** 0.5  # ε̂ from the unclipped x̂₀
    else:
        raise ValueError(f"unknown sampler mode {mode!r}")
    return ab_prev**0.5 * x0 + (1.0 - ab_prev) ** 0.5 * direction


def ddim_sample(
    model: Denoiser,
    initial: Tensor,
    schedule: LinearSchedule,
    steps: int = SAMPLING_STEPS,
    mode: SamplerMode = "legacy",
    clip: bool | None = None,
) -> Tensor:
    """Run DDIM from x_T = `initial` (§4.9); `model(x_t, t)` returns x̂₀ (conditioning is the caller's closure).

    Shape:
        - initial: (B, D)
        - Output: (B, D)
    """
    timesteps = schedule.ddim_timesteps(steps)
    x = initial
    for i, t in enumerate(timesteps):
        t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        pred = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
        x = ddim_step(schedule, x, pred, t, t_prev, mode, clip)
    return x


__all__ = ["LinearSchedule", "SamplerMode", "ddim_sample", "ddim_step"]
