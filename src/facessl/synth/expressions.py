"""Expression sampling: basic emotions as prototypical AU combinations, and random AU sets.

The AU sets are the EMFACS prototypes (Friesen & Ekman, EMFACS-7, 1983), in the form of the
commonly cited table (e.g. Wikipedia, "Facial Action Coding System", emotions section):
happiness 6+12, sadness 1+4+15, surprise 1+2+5B+26, fear 1+2+4+5+7+20+26, anger 4+5+7+23,
disgust 9+15+16, contempt R12A+R14A (unilateral). The intensities are our choice, mostly FACS C-D
(0.5-0.8) so the classes are visible; we raise contempt from trace level (A) to 0.5 (between B
and C) so that it can be learnt, and keep surprise's AU5 at B (0.4) as the table has it.
"""

from __future__ import annotations

import torch
from torch import Tensor

from facessl.synth.action_units import ACTION_UNITS

# The project's canonical class order (NOTES.md; AffectNet's order).
EMOTIONS: tuple[str, ...] = ("neutral", "happiness", "sadness", "surprise", "fear", "disgust", "anger", "contempt")

EMOTION_PROTOTYPES: dict[str, dict[int, float]] = {
    "neutral": {},
    "happiness": {6: 0.6, 12: 0.8},
    "sadness": {1: 0.6, 4: 0.5, 15: 0.6},
    "surprise": {1: 0.8, 2: 0.8, 5: 0.4, 26: 0.7},
    "fear": {1: 0.7, 2: 0.5, 4: 0.5, 5: 0.7, 7: 0.4, 20: 0.6, 26: 0.5},
    "disgust": {9: 0.7, 15: 0.5, 16: 0.5},
    "anger": {4: 0.8, 5: 0.5, 7: 0.6, 23: 0.7},
    "contempt": {12: 0.5, 14: 0.5},
}
# Emotions whose AUs act on one side of the face only (which side is drawn per sample).
UNILATERAL_EMOTIONS = frozenset({"contempt"})


def prototype_intensities(dtype: torch.dtype = torch.float64) -> Tensor:
    """Prototype AU intensities per emotion; (len(EMOTIONS), len(ACTION_UNITS)) in [0, 1]."""
    table = torch.zeros(len(EMOTIONS), len(ACTION_UNITS), dtype=dtype)
    for e, name in enumerate(EMOTIONS):
        for au, value in EMOTION_PROTOTYPES[name].items():
            table[e, ACTION_UNITS.index(au)] = value
    return table


# Built once: emotion_action_units runs at every track of the streaming corpus (read-only).
_PROTOTYPE_TABLE = prototype_intensities()
_UNILATERAL = torch.tensor([name in UNILATERAL_EMOTIONS for name in EMOTIONS])


def emotion_action_units(
    labels: Tensor,
    seed: int | torch.Generator,
    *,
    jitter: float = 0.15,
    strength: tuple[float, float] = (0.6, 1.0),
) -> Tensor:
    """Per-side AU intensities for a batch of emotion labels, with random variation.

    Each sample's prototype is scaled by one overall strength, uniform in ``strength``, and each
    AU by its own factor ``1 + jitter * N(0, 1)``; results are clipped to [0, 1]. Draws happen on
    the CPU (device-independent for a seed); the result is on ``labels``' device.

    Args:
        labels: (B,) int64 indices into :data:`EMOTIONS`.
        seed: an integer seed, or a CPU generator to draw from.
        jitter: relative standard deviation of each AU's intensity.
        strength: range of the overall expression strength.

    Returns:
        (B, len(ACTION_UNITS), 2) float32 intensities for the subject's (right, left) side. The
        FACS-style label of an AU is the max over sides.
    """
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    return emotion_aus_from_draws(labels, *emotion_au_draws(labels.shape[0], gen, strength), jitter=jitter)


def emotion_au_draws(
    batch: int, gen: torch.Generator, strength: tuple[float, float] = (0.6, 1.0)
) -> tuple[Tensor, Tensor, Tensor]:
    """The draws of :func:`emotion_action_units` for B labels.

    Returns:
        The strength (B, 1) and normal noise (B, A), both float64, and the silent side (B,) of unilateral
        emotions.
    """
    scale = torch.empty(batch, 1, dtype=torch.float64).uniform_(*strength, generator=gen)
    normal = torch.randn(batch, len(ACTION_UNITS), generator=gen, dtype=torch.float64)
    silent_side = torch.randint(0, 2, (batch,), generator=gen)
    return scale, normal, silent_side


def emotion_aus_from_draws(
    labels: Tensor, scale: Tensor, normal: Tensor, silent_side: Tensor, *, jitter: float = 0.15
) -> Tensor:
    """:func:`emotion_action_units` from its draws (:func:`emotion_au_draws`), for any number of rows at once."""
    base = _PROTOTYPE_TABLE[labels.cpu()]  # (B, A), a copy
    intensity = (base * scale * (1.0 + jitter * normal)).clamp(0.0, 1.0)
    sides = torch.stack([intensity, intensity], 2)  # (B, A, 2)
    # Unilateral emotions: silence one side, drawn per sample.
    rows = _UNILATERAL[labels.cpu()].nonzero().flatten()
    if rows.numel():
        sides[rows, :, silent_side[rows]] = 0.0
    return sides.to(device=labels.device, dtype=torch.float32)


def random_action_units(
    batch_size: int,
    seed: int | torch.Generator,
    *,
    active_probability: float = 0.25,
    one_sided_probability: float = 0.1,
) -> Tensor:
    """Independent random AU activations, for AU-detection data beyond the emotion prototypes.

    Each AU is active with ``active_probability`` and then has an intensity uniform in [0.2, 1]
    (FACS A-E); an active AU acts on one side only with ``one_sided_probability``. Draws happen on
    the CPU, so a seed gives the same AUs everywhere.

    Args:
        batch_size: number of samples B.
        seed: an integer seed, or a CPU generator to draw from.
        active_probability: chance that each AU is present.
        one_sided_probability: chance that a present AU is unilateral.

    Returns:
        (B, len(ACTION_UNITS), 2) float32 intensities for the subject's (right, left) side.
    """
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    shape = (batch_size, len(ACTION_UNITS))
    active = torch.rand(shape, generator=gen) < active_probability
    intensity = torch.empty(shape).uniform_(0.2, 1.0, generator=gen) * active
    sides = intensity[:, :, None].repeat(1, 1, 2)
    one_sided = torch.rand(shape, generator=gen) < one_sided_probability
    silent_side = torch.randint(0, 2, shape, generator=gen)
    silenced = torch.nn.functional.one_hot(silent_side, 2).bool() & one_sided[:, :, None]
    return sides.masked_fill(silenced, 0.0)
