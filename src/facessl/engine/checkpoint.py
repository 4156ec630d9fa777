"""Resumable training state: written atomically, read without unpickling code.

A checkpoint holds only tensors and plain Python values, so `torch.load(weights_only=True)`
reads it; anything else (a pickle that would run code) is refused with a clear error.
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

FORMAT = "facessl-train-state"
VERSION = 1


class CheckpointError(RuntimeError):
    """A checkpoint is missing, unreadable, unsafe, or not a facessl training state."""


def save_atomic(obj: Any, path: Path) -> None:
    """torch.save to a temporary file in the same folder, fsync, then rename over `path`.

    A crash during the write leaves the previous file intact (rename is atomic on POSIX).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_safe(path: str | Path) -> Any:
    """Load a torch file with `weights_only=True`, turning every failure into a `CheckpointError`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        # torch names the forbidden global ("unsupported GLOBAL posix.system"); anything else is a broken file.
        lines = [ln.strip() for ln in str(err).splitlines() if "GLOBAL" in ln]
        if lines:
            raise CheckpointError(
                f"refusing to load {path}: it contains Python objects other than tensors and plain values, "
                f"which could execute code when unpickled ({lines[0]})"
            ) from None
        raise CheckpointError(f"{path} is not a readable torch checkpoint (not a weights-only torch file)") from None
    except Exception as err:  # a truncated or foreign file: zip, EOF and pickle errors of many types
        raise CheckpointError(f"{path} is not a readable torch checkpoint: {err}") from None


def capture_rng(generator: torch.Generator) -> dict[str, Any]:
    """Every RNG state a run can touch, as tensors and plain values."""
    version, state, gauss = random.getstate()
    np_state = np.random.get_state()
    rng: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "views": generator.get_state(),
        "python": [version, list(state), gauss],
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]), int(np_state[3]), float(np_state[4])],
    }
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    return rng


def restore_rng(rng: dict[str, Any], generator: torch.Generator) -> None:
    torch.set_rng_state(rng["torch"])
    generator.set_state(rng["views"])
    version, state, gauss = rng["python"]
    random.setstate((version, tuple(state), gauss))
    name, keys, pos, has_gauss, cached = rng["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])


def load_train_state(path: str | Path) -> dict[str, Any]:
    """Read a training checkpoint and check that it is one of facessl's."""
    state = load_safe(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = sorted(state)[:8] if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(f"{path} is not a facessl training checkpoint (expected format {FORMAT!r}; found {found})")
    if state.get("version") != VERSION:
        raise CheckpointError(f"{path} has checkpoint version {state.get('version')}, this facessl reads {VERSION}")
    return state


def load_module_state(module: torch.nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Strict `load_state_dict` whose error names the file and the mismatching keys."""
    try:
        result = module.load_state_dict(state, strict=False)
    except RuntimeError as err:  # shape mismatches
        raise CheckpointError(f"{source} does not match this model: {err}") from None
    problems = []
    if result.missing_keys:
        problems.append(f"missing keys {result.missing_keys[:5]}{' …' if len(result.missing_keys) > 5 else ''}")
    if result.unexpected_keys:
        problems.append(f"unexpected keys {result.unexpected_keys[:5]}{' …' if len(result.unexpected_keys) > 5 else ''}")
    if problems:
        raise CheckpointError(f"{source} does not match this model: {'; '.join(problems)}")
