"""Preparing raw face images and videos into training- and evaluation-ready crops, offline and resumably.

Pieces, each usable alone: detectors (:mod:`facessl.prepare.detectors`), landmark schemes
(:mod:`~facessl.prepare.landmarks`), warps (:mod:`~facessl.prepare.alignment`), named crop
recipes (:mod:`~facessl.prepare.recipes`), task lists per dataset (:mod:`~facessl.prepare.sources`),
the resumable runner (:mod:`~facessl.prepare.runner`) and the identity-overlap audit
(:mod:`~facessl.prepare.audit`).

Example:
    >>> from facessl.prepare import PrepareSettings, folder_tasks, run_prepare
    >>> summary = run_prepare(folder_tasks("photos"), "prepared", PrepareSettings(recipe="pcl"),
    ...                       source_roots=["photos"], workers=2)  # doctest: +SKIP
    >>> summary.manifest  # doctest: +SKIP
    PosixPath('prepared/manifest.csv')
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562), so that `facessl --help` and the other commands do not
# load OpenCV; `from facessl.prepare import run_prepare` works as usual.
_SOURCES = {
    "ARCFACE_TEMPLATE_112": "alignment",
    "CropGeometry": "alignment",
    "rotated_square_crop": "alignment",
    "similarity_align": "alignment",
    "DETECTORS": "detectors",
    "Detector": "detectors",
    "DetectorError": "detectors",
    "HaarDetector": "detectors",
    "MediaPipeDetector": "detectors",
    "make_detector": "detectors",
    "Face": "faces",
    "eye_angle": "landmarks",
    "eye_centres": "landmarks",
    "five_points": "landmarks",
    "RECIPES": "recipes",
    "Crop": "recipes",
    "Recipe": "recipes",
    "RecipeError": "recipes",
    "apply_recipe": "recipes",
    "latentface_square": "recipes",
    "PrepareError": "records",
    "PrepareSummary": "runner",
    "run_prepare": "runner",
    "affectnet_tasks": "sources",
    "aflw2000_tasks": "sources",
    "celeba_tasks": "sources",
    "folder_tasks": "sources",
    "voxceleb_tasks": "sources",
    "w300lp_tasks": "sources",
    "PrepareSettings": "tasks",
    "Task": "tasks",
    "process_task": "tasks",
    "Track": "tracks",
    "read_track": "tracks",
    "write_track": "tracks",
}


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module 'facessl.prepare' has no attribute {name!r}")
    return getattr(importlib.import_module(f"facessl.prepare.{_SOURCES[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ARCFACE_TEMPLATE_112",
    "DETECTORS",
    "RECIPES",
    "Crop",
    "CropGeometry",
    "Detector",
    "DetectorError",
    "Face",
    "HaarDetector",
    "MediaPipeDetector",
    "PrepareError",
    "PrepareSettings",
    "PrepareSummary",
    "Recipe",
    "RecipeError",
    "Task",
    "Track",
    "affectnet_tasks",
    "aflw2000_tasks",
    "apply_recipe",
    "celeba_tasks",
    "eye_angle",
    "eye_centres",
    "five_points",
    "folder_tasks",
    "latentface_square",
    "make_detector",
    "process_task",
    "read_track",
    "rotated_square_crop",
    "run_prepare",
    "similarity_align",
    "voxceleb_tasks",
    "w300lp_tasks",
    "write_track",
]
