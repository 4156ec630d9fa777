"""AffectNet (manually annotated part) in its published layout, as 8- or 7-class expressions.

Layout (ecosystem.md §7; latentface.md §6.1)::

    <root>/Manually_Annotated_file_lists/training.csv     official train split
    <root>/Manually_Annotated_file_lists/validation.csv   official validation split (500 per class)
    <root>/Manually_Annotated_Images/<subDirectory_filePath>

The columns are ``subDirectory_filePath, face_x, face_y, face_width, face_height,
facial_landmarks, expression, valence, arousal``; ``facial_landmarks`` is one ``;``-separated cell
``x1;y1;x2;y2;...``. training.csv starts with that header row; the released validation.csv has
none (public readers of the release skip a header in training.csv only), so a first row without an
``expression`` cell is read as data in the published column order.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

import numpy as np

from facessl.data.layouts.errors import LayoutError
from facessl.data.layouts.labels import AFFECTNET_DROPPED, AFFECTNET_EXPRESSIONS, expression_index
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import (
    numbered_csv_rows,
    parse_float,
    parse_int,
    require_listed_image,
)

LISTS_DIR = "Manually_Annotated_file_lists"
IMAGES_DIR = "Manually_Annotated_Images"
# The test split of every AffectNet protocol is the official validation set, since the official
# test set was never released (ecosystem.md §7); naming it "test" keeps protocols from selecting
# models on it as if it were a validation split.
SPLIT_FILES = {"train": "training.csv", "test": "validation.csv"}
PUBLISHED_COLUMNS = (
    "subDirectory_filePath",
    "face_x",
    "face_y",
    "face_width",
    "face_height",
    "facial_landmarks",
    "expression",
    "valence",
    "arousal",
)
REQUIRED_COLUMNS = PUBLISHED_COLUMNS[:7]
CONTEMPT = expression_index("contempt")


def load_affectnet(
    root: Path | str,
    num_classes: int = 8,
    lists_dir: str = LISTS_DIR,
    images_dir: str = IMAGES_DIR,
    check_images: bool = True,
) -> list[FaceSample]:
    """Read AffectNet's manually annotated lists with boxes, landmarks and canonical expressions.

    Expression codes 0..7 are already in the canonical order. Codes 8, 9, 10 (none, uncertain,
    non-face) are not expressions and their rows are dropped; the 7-class variant also drops
    contempt (7), as 7-class tasks do (NOTES.md). Any other code is an error.

    Args:
        root: The AffectNet folder.
        num_classes: 8 (with contempt) or 7 (without).
        lists_dir: Folder of ``training.csv`` / ``validation.csv``, relative to ``root``.
        images_dir: Folder that ``subDirectory_filePath`` is relative to, relative to ``root``.
        check_images: Check that every kept image exists (one ``stat`` per image).

    Returns:
        Samples with ``image``, ``box`` ``(x, y, w, h)``, ``landmarks`` ``(68, 2)``,
        ``expression`` and ``split`` (``train`` or ``test``), in file order.

    Raises:
        LayoutError: On a missing file or column, a row with the wrong number of cells, a
            non-numeric field, an unknown expression code, or a missing image; the message names
            file and line.
    """
    if num_classes not in (7, 8):
        raise ValueError(f"num_classes must be 7 or 8, got {num_classes}")
    root = Path(root)
    samples = []
    for split, file_name in SPLIT_FILES.items():
        listing = root / lists_dir / file_name
        samples.extend(_read_list(listing, split, root / images_dir, num_classes, check_images))
    return samples


def _read_list(
    listing: Path, split: str, images: Path, num_classes: int, check_images: bool
) -> list[FaceSample]:
    rows = numbered_csv_rows(listing)
    first = next(rows, None)
    if first is None:
        raise LayoutError(listing, "file is empty", 1)
    first_line, first_cells = first
    if "expression" in first_cells:
        header = first_cells
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise LayoutError(listing, f"header lacks column(s) {', '.join(missing)}", first_line)
    else:
        # The released validation.csv has no header row (other readers skip a header in
        # training.csv only); its columns are in the published order, and its first row is data.
        header = list(PUBLISHED_COLUMNS)
        rows = itertools.chain([first], rows)
    column = {name: header.index(name) for name in REQUIRED_COLUMNS}
    samples = []
    for number, cells in rows:
        if len(cells) != len(header):
            raise LayoutError(
                listing, f"expected {len(header)} cells ({', '.join(header)}), found {len(cells)}", number
            )
        code = parse_int(cells[column["expression"]], listing, number, "expression")
        if code in AFFECTNET_DROPPED or (num_classes == 7 and code == CONTEMPT):
            continue
        if code not in AFFECTNET_EXPRESSIONS:
            raise LayoutError(listing, f"unknown AffectNet expression code {code} (expected 0..10)", number)
        box = tuple(
            parse_float(cells[column[name]], listing, number, name)
            for name in ("face_x", "face_y", "face_width", "face_height")
        )
        image = images / cells[column["subDirectory_filePath"]]
        if check_images:
            require_listed_image(image, listing, number)
        samples.append(
            FaceSample(
                image=image,
                split=split,
                box=(box[0], box[1], box[2], box[3]),
                expression=AFFECTNET_EXPRESSIONS[code],
                landmarks=_parse_landmarks(cells[column["facial_landmarks"]], listing, number),
            )
        )
    return samples


def _parse_landmarks(text: str, listing: Path, line: int) -> np.ndarray | None:
    if not text:
        return None
    values = [parse_float(value, listing, line, "landmark coordinate") for value in text.split(";") if value]
    if len(values) % 2:
        raise LayoutError(listing, f"odd number of landmark coordinates ({len(values)})", line)
    return np.asarray(values, dtype=np.float32).reshape(-1, 2)


LAYOUTS.register("affectnet8")(functools.partial(load_affectnet, num_classes=8))
LAYOUTS.register("affectnet7")(functools.partial(load_affectnet, num_classes=7))
