"""Shared fixtures: tiny run configs that train in seconds on a CPU."""

from __future__ import annotations

import pytest

from facessl.engine.config import RunConfig, load_run_config

# 32 px ToyFaces, batch 8, fp32: small enough that every method takes an iteration in ~0.1-0.5 s.
TINY = [
    "data.image_size=32", "data.length=48", "data.num_workers=0", "method.image_size=32",
    "train.batch_size=8", "train.log_every=1", "train.warmup_steps=1", "train.precision=fp32",
]
METHOD_SIZES = {
    "simclr": ["method.proj_hidden_dim=32", "method.proj_dim=16"],
    "moco": ["method.queue_size=32", "method.proj_hidden_dim=32", "method.proj_dim=16"],
    "byol": ["method.proj_hidden_dim=32", "method.proj_dim=16"],
}


def tiny_config(method: str = "simclr", *overrides: str) -> RunConfig:
    return load_run_config(None, [f"method.name={method}", *TINY, *METHOD_SIZES.get(method, []), *overrides])


@pytest.fixture
def tiny() -> type:
    class Factory:
        config = staticmethod(tiny_config)

    return Factory


def pytest_configure(config: pytest.Config) -> None:
    # Tiny tensors run faster on one thread, and pytest-xdist gives each core its own worker.
    import torch

    torch.set_num_threads(1)
