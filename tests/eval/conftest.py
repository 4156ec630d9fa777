"""Fixture datasets in the real published layouts, written once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import Tensor

from facessl.eval.feature_source import FeatureSource

from .layout_fixtures import write_all


@pytest.fixture(scope="session")
def eval_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RAF-DB, LFW, DISFA (with frames), 300W-LP and AFLW2000, pixels encoding the labels."""
    return write_all(tmp_path_factory.mktemp("eval_data"))


def noise_source(dim: int = 16, seed: int = 0) -> FeatureSource:
    """Features independent of the images (and so of every label): seeded Gaussian noise."""
    g = torch.Generator().manual_seed(seed)

    def extract(x: Tensor) -> Tensor:
        return torch.randn(len(x), dim, generator=g)

    return FeatureSource(name="noise", extract=extract, input_size=8, checkpoint_sha256="noise", site="noise")
