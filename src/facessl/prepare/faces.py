"""The face record that detectors and dataset annotations hand to the crop recipes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Face:
    """One face in one image, in that image's pixel coordinates.

    ``eq=False`` because ``landmarks`` is an array, whose ``==`` is elementwise.

    Attributes:
        box: ``(x, y, width, height)`` of the face box.
        landmarks: ``(K, 2)`` points as ``(x, y)``, in the order of their source: 68 (iBUG,
            AffectNet, 300W-LP), 21 (AFLW), 5 (CelebA, MediaPipe: eyes, nose, mouth corners,
            image-left first) or 2 (the Haar eye detector: the two eye centres). Negative
            coordinates mark points that were not annotated (AFLW convention).
        score: Detector confidence, or ``None`` for dataset-provided faces.
    """

    box: tuple[float, float, float, float]
    landmarks: np.ndarray | None = None
    score: float | None = None

    @property
    def area(self) -> float:
        """Box area in square pixels (used to pick the largest face)."""
        return self.box[2] * self.box[3]


def box_of_points(points: np.ndarray) -> tuple[float, float, float, float] | None:
    """Bounding box ``(x, y, w, h)`` of the annotated points (negative ones are missing), or ``None``."""
    visible = points[(points >= 0).all(axis=1)]
    if len(visible) == 0:
        return None
    x0, y0 = visible.min(axis=0)
    x1, y1 = visible.max(axis=0)
    return float(x0), float(y0), float(x1 - x0), float(y1 - y0)
