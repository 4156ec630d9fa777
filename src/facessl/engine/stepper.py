"""The engine's side of `Optimization`: one optimizer step from a loss, the same for every method."""

from __future__ import annotations

import torch
from torch import Tensor

from facessl import distributed
from facessl.methods.base import NonFiniteLossError


class OptimizerStepper:
    """Checks the loss, back-propagates, averages gradients over ranks, clips and steps.

    Args:
        optimizer: the method's optimizer.
        generator: RNG for view sampling (checkpointed by the engine).
        grad_clip: max global gradient norm, or None.
        scaler: a GradScaler for fp16, else None.
        zero_grad_to_none: free gradients after a step (True) or zero them in place (False, which
            makes Adam keep moving parameters a step did not touch; PCL's official behaviour).
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        generator: torch.Generator,
        grad_clip: float | None = None,
        scaler: torch.amp.GradScaler | None = None,
        zero_grad_to_none: bool = True,
    ) -> None:
        self.optimizer, self.generator = optimizer, generator
        self.grad_clip, self.scaler, self.zero_grad_to_none = grad_clip, scaler, zero_grad_to_none
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        self.num_steps = 0

    def step(self, loss: Tensor, name: str = "loss") -> None:
        # A sync point on GPU; skipping a NaN step silently would hide the failure.
        finite = torch.isfinite(loss.detach()).float()
        if distributed.world_size() > 1:
            finite = distributed.all_reduce_mean(finite)
        if finite.item() < 1.0:
            raise NonFiniteLossError(f"{name} is not finite ({loss.item()}) at optimizer step {self.num_steps}")
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()
        distributed.average_gradients(self.params)
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        if self.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(self.params, self.grad_clip)
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=self.zero_grad_to_none)
        self.num_steps += 1


def build_optimizer(param_groups: list[dict], name: str, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """Optimizer over the method's groups; a group's `lr_scale` multiplies the scheduled lr."""
    if name == "adamw":
        return torch.optim.AdamW(param_groups, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(param_groups, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(param_groups, lr=lr, weight_decay=weight_decay, momentum=0.9)
    raise ValueError(f"unknown optimizer {name!r}")
