"""FER2013 in its published layout: one CSV holding 48x48 grey pixels, labels and usage.

Layout (ecosystem.md §7)::

    <root>/fer2013.csv   header "emotion,pixels,Usage"; pixels = 2304 space-separated 0..255 values

The ICML-2013 copy (``icml_face_data.csv``, header ``emotion, Usage, pixels``) reads the same way,
since columns are found by their stripped header names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facessl.data.layouts.errors import LayoutError
from facessl.data.layouts.labels import FER2013_EXPRESSIONS
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import numbered_csv_rows, parse_int

CSV_FILE = "fer2013.csv"
SIDE = 48
# Standard protocol: train on Training, select on PublicTest, report PrivateTest (ecosystem.md §7).
USAGE_SPLITS = {"Training": "train", "PublicTest": "val", "PrivateTest": "test"}


def load_fer2013(root: Path | str, csv_file: str = CSV_FILE) -> list[FaceSample]:
    """Read fer2013.csv into in-memory grey images with canonical expression labels.

    Args:
        root: Folder holding the CSV.
        csv_file: The CSV's name inside ``root``.

    Returns:
        Samples whose ``image`` is a ``(48, 48)`` uint8 array, with ``expression`` and ``split``
        (``train`` / ``val`` / ``test`` from Training / PublicTest / PrivateTest).

    Raises:
        LayoutError: On a missing file or column, a row with the wrong number of cells, an
            unknown emotion code or usage, or pixels that are not 2304 values in 0..255; the
            message names file and line.
    """
    listing = Path(root) / csv_file
    rows = numbered_csv_rows(listing)
    header_row = next(rows, None)
    if header_row is None:
        raise LayoutError(listing, "file is empty (expected a header row)", 1)
    header_line, header = header_row
    missing = [name for name in ("emotion", "pixels", "Usage") if name not in header]
    if missing:
        raise LayoutError(listing, f"header lacks column(s) {', '.join(missing)}", header_line)
    emotion_col, pixels_col, usage_col = (header.index(n) for n in ("emotion", "pixels", "Usage"))
    samples = []
    for number, cells in rows:
        if len(cells) != len(header):
            raise LayoutError(
                listing, f"expected {len(header)} cells as in the header, found {len(cells)}", number
            )
        code = parse_int(cells[emotion_col], listing, number, "emotion")
        if code not in FER2013_EXPRESSIONS:
            raise LayoutError(listing, f"unknown FER2013 emotion code {code} (expected 0..6)", number)
        usage = cells[usage_col]
        if usage not in USAGE_SPLITS:
            raise LayoutError(
                listing, f"unknown Usage {usage!r} (expected {', '.join(USAGE_SPLITS)})", number
            )
        samples.append(
            FaceSample(
                image=_parse_pixels(cells[pixels_col], listing, number),
                split=USAGE_SPLITS[usage],
                expression=FER2013_EXPRESSIONS[code],
            )
        )
    return samples


def _parse_pixels(text: str, listing: Path, line: int) -> np.ndarray:
    try:
        values = np.array(text.split(), dtype=np.int32)
    except ValueError:
        raise LayoutError(listing, "pixels are not all integers", line) from None
    if values.size != SIDE * SIDE:
        raise LayoutError(listing, f"expected {SIDE * SIDE} pixel values, found {values.size}", line)
    if values.min() < 0 or values.max() > 255:
        raise LayoutError(listing, "pixel values outside 0..255", line)
    return values.astype(np.uint8).reshape(SIDE, SIDE)


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("fer2013")(load_fer2013)
