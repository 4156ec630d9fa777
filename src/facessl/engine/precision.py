"""Mixed precision: bf16 autocast where the hardware runs it natively, fp32 otherwise."""

from __future__ import annotations

import contextlib
import logging

import torch

log = logging.getLogger(__name__)


def bf16_supported(device: torch.device) -> bool:
    """True where bf16 matrix work is native: CUDA with bf16, or a CPU with AVX512-BF16 or AMX."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    cpu = torch.cpu
    return bool(getattr(cpu, "_is_avx512_bf16_supported", lambda: False)() or getattr(cpu, "_is_amx_tile_supported", lambda: False)())


def effective_precision(requested: str, device: torch.device) -> str:
    """The precision actually used: bf16 falls back to fp32 without native support (with a warning),
    fp16 needs CUDA."""
    if requested == "bf16" and not bf16_supported(device):
        log.warning("bf16 is not native on this %s; training in fp32", device.type)
        return "fp32"
    if requested == "fp16" and device.type != "cuda":
        raise ValueError("train.precision=fp16 needs a CUDA device; use bf16 or fp32 on the CPU")
    return requested


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager[None]:
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)
