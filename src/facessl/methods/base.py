"""The one interface every pretraining method implements (solo-learn's idea, without its god class).

A method is an `nn.Module` that owns its networks. The engine calls, per iteration,
`training_step(images, opt)`: `images` is a uint8 (N, 3, H, W) batch already on the training
device; the method makes its own views, computes its losses and calls `opt.step(loss)` once per
optimizer step it wants (PCL takes three). It returns the scalars to log. After the step the
engine updates every `momentum_pairs()` target by EMA. Nothing else in facessl special-cases a
method.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import torch
from torch import Tensor, nn


class Optimization(Protocol):
    """What the engine hands to `training_step` to take optimizer steps.

    `step(loss)` checks that the loss is finite (raising `NonFiniteLossError` otherwise), runs
    backward, averages gradients over ranks, clips, steps the optimizer and zeroes gradients.
    `generator` is the RNG all view sampling must draw from: its state is checkpointed, so a
    resumed run draws the same views.
    """

    generator: torch.Generator
    optimizer: torch.optim.Optimizer

    def step(self, loss: Tensor, name: str = "loss") -> None: ...


class NonFiniteLossError(RuntimeError):
    """Raised when a loss is NaN or infinite; the engine stops and keeps the last good checkpoint."""


class Method(nn.Module, ABC):
    """Base class: subclasses set `encoder` and implement `training_step`.

    Attributes:
        encoder: backbone mapping float images in the method's input range, (N, 3, H, W), to pooled
            features (N, encoder.num_features). Exported and used for evaluation.
        momentum: (start, end) of the cosine EMA schedule for `momentum_pairs()`, or None.
        zero_grad_to_none: whether gradients are freed (True) or zeroed in place after each step.
        frames_per_track: 1, or F for a method that trains on track batches (`facessl.data.tracks`).
    """

    name: ClassVar[str]
    momentum: tuple[float, float] | None = None
    zero_grad_to_none: ClassVar[bool] = True
    # Images per group the method needs its batches made of: 1 (any images), or F when it trains on whole tracks
    # of F frames, track-major (LatentFace stage 2); the engine checks it against data.frames_per_track.
    frames_per_track: int = 1
    encoder: nn.Module

    @abstractmethod
    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        """One iteration on a uint8 batch (N, 3, H, W); returns detached scalars to log."""

    def param_groups(self) -> list[dict[str, Any]]:
        """Parameter groups for the optimizer; momentum targets must not appear here."""
        targets = {id(p) for _, target in self.momentum_pairs() for p in target.parameters()}
        return [{"params": [p for p in self.parameters() if p.requires_grad and id(p) not in targets]}]

    def momentum_pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        """(online, target) module pairs updated by EMA after each iteration."""
        return []

    def preprocess(self, images: Tensor) -> Tensor:
        """Float images in [0, 1] -> the encoder's input range, through `self.normalize` if the method has one.

        A method's `normalize` (an `augment.normalize.Normalize`) is also what exported weight
        cards record, so evaluation feeds the encoder exactly what training did.
        """
        normalize = getattr(self, "normalize", None)
        return images if normalize is None else normalize(images)

    def feature_sites(self) -> dict[str, Callable[[Tensor], Tensor]]:
        """Named feature extractors over [0, 1] float images, for evaluation (default: the encoder)."""
        return {"encoder": lambda x: self.encoder(self.preprocess(x))}


def to_float01(images: Tensor) -> Tensor:
    """uint8 (N, C, H, W) -> float32 in [0, 1]; float input is passed through."""
    if images.dtype == torch.uint8:
        return images.float().div_(255.0)
    return images
