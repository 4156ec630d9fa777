"""The ground-truth side file of an export: every factor of every image, one CSV row per file.

``ground_truth.csv`` at the export root has the columns ``path`` (relative to the root),
``layout`` (the dataset layout the file belongs to), ``split`` (the task split, which layouts
without a validation split cannot show), ``frame`` (frame number in a video, −1 for stills) and
``mirrored`` (1 if the file is the horizontal flip of the render of its factors, whose labels are
then mirrored: yaw and roll negated, AU sides swapped), followed by
:meth:`facessl.synth.factors.FaceFactors.columns`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from facessl.synth.factors import FaceFactors

FILE_NAME = "ground_truth.csv"


class GroundTruthWriter:
    """Collect rows from every layout, then write one CSV."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        root: Path,
        paths: Sequence[Path],
        layout: str,
        splits: Sequence[str],
        factors: FaceFactors,
        frames: Sequence[int] | None = None,
        mirrored: Sequence[bool] | None = None,
    ) -> None:
        """Record the factors of images written to ``paths``."""
        cols = factors.columns()
        for i, path in enumerate(paths):
            row: dict[str, object] = {
                "path": path.relative_to(root).as_posix(),
                "layout": layout,
                "split": splits[i],
                "frame": -1 if frames is None else int(frames[i]),
                "mirrored": int(bool(mirrored[i])) if mirrored is not None else 0,
            }
            for name, values in cols.items():
                value = values[i]
                row[name] = value.item() if isinstance(value, np.generic) else value
            self.rows.append(row)

    def write(self, root: Path) -> Path:
        """Write ``ground_truth.csv`` under ``root``."""
        path = root / FILE_NAME
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(self.rows[0]))
            writer.writeheader()
            writer.writerows(self.rows)
        return path


def read_ground_truth(root: Path | str) -> list[dict[str, str]]:
    """Read an export's ``ground_truth.csv`` as a list of string-valued rows."""
    with (Path(root) / FILE_NAME).open(newline="") as handle:
        return list(csv.DictReader(handle))
