"""The registry of dataset-layout loaders, by name (the names are config and CLI vocabulary)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from facessl.data.layouts.sample import FacePair, FaceSample
from facessl.registry import Registry

# A loader takes the dataset root on the user's disk (plus keyword options documented on each
# loader) and returns labelled samples, or verification pairs for LFW and CPLFW.
LayoutLoader = Callable[..., Sequence[FaceSample] | Sequence[FacePair]]

LAYOUTS: Registry[LayoutLoader] = Registry("dataset layout")


def load_layout(name: str, root: Path | str, **options: object) -> Sequence[FaceSample] | Sequence[FacePair]:
    """Load a dataset by its registered layout name, e.g. ``load_layout("rafdb", "~/data/RAF/basic")``."""
    return LAYOUTS.get(name)(Path(root).expanduser(), **options)
