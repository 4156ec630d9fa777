"""VoxCeleb face-track files: one box per video frame.

The released ``txt`` files (VoxCeleb1 and VoxCeleb2, Nagrani et al. / Chung et al.) hold a short
``key : value`` header (Identity, Reference, Offset, FV Conf, ...) and then a table::

    FRAME 	X 	Y 	W 	H
    000245 	0.320 	0.083 	0.151 	0.267

Boxes are fractions of the frame size in the VoxCeleb2 release and pixels in the VoxCeleb1
release; :func:`read_track` tells them apart by value (all coordinates <= 1.5 means fractions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


class TrackError(ValueError):
    """A track file does not have the ``FRAME X Y W H`` table."""


@dataclass(frozen=True, eq=False)
class Track:
    """One face track.

    Attributes:
        frames: ``(N,)`` frame numbers as written in the file.
        boxes: ``(N, 4)`` boxes ``(x, y, w, h)``, pixels or fractions (see ``relative``).
        relative: Whether the boxes are fractions of the frame width and height.
        identity: The ``Identity`` header value, or ``""``.
    """

    frames: np.ndarray
    boxes: np.ndarray
    relative: bool
    identity: str = ""

    def pixel_boxes(self, width: int, height: int) -> np.ndarray:
        """The boxes in pixels of a ``width`` x ``height`` frame."""
        if not self.relative:
            return self.boxes
        return self.boxes * np.array([width, height, width, height], dtype=np.float64)


def read_track(path: Path) -> Track:
    """Parse a VoxCeleb track file.

    Raises:
        TrackError: No ``FRAME`` table, a row without 5 numbers, or an empty table; the message
            names the file and line.
    """
    identity, rows, in_table = "", [], False
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if not in_table:
            if fields[0].upper() == "FRAME":
                in_table = True
            elif line.split(":", 1)[0].strip().lower() == "identity" and ":" in line:
                identity = line.split(":", 1)[1].strip()
            continue
        try:
            values = [float(v) for v in fields[:5]]
        except ValueError:
            raise TrackError(f"{path}:{number}: expected 'FRAME X Y W H' numbers, got {line.strip()!r}") from None
        if len(values) != 5:
            raise TrackError(f"{path}:{number}: expected 5 numbers, got {len(values)}")
        rows.append(values)
    if not in_table:
        raise TrackError(f"{path}: no 'FRAME X Y W H' table")
    if not rows:
        raise TrackError(f"{path}: the track table is empty")
    table = np.asarray(rows, dtype=np.float64)
    boxes = table[:, 1:]
    return Track(frames=table[:, 0].astype(np.int64), boxes=boxes, relative=bool(boxes.max() <= 1.5), identity=identity)


def write_track(
    path: Path, frames: list[int], boxes: list[tuple[float, float, float, float]], identity: str = ""
) -> None:
    """Write a track file in the VoxCeleb layout (pixel boxes), e.g. for tests or for re-tracked videos."""
    lines = [f"Identity  : \t{identity}", "Reference : \t", "Offset  : \t0", "", "FRAME \tX \tY \tW \tH "]
    lines += [
        f"{f:06d} \t{x:.3f} \t{y:.3f} \t{w:.3f} \t{h:.3f} " for f, (x, y, w, h) in zip(frames, boxes, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
