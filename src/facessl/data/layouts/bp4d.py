"""BP4D-Spontaneous action-unit occurrence in the published layout, with the 12-AU protocol.

Layout (ecosystem.md §7; NOTES.md "Action units")::

    <root>/AUCoding/AU_OCC/F001_T1.csv   one file per subject and task; the first row is a header
                                         whose cells after the first are AU numbers, every later
                                         row is "frame, code, code, ..." with code 0, 1 or 9

Code 9 means the AU could not be coded for that frame; it becomes ``None`` (masked), never 0.
Frame images are found through ``frames_dir`` and ``frame_template``; the default template
``{subject}/{task}/{frame:04d}.jpg`` is an assumption about how the 2D texture frames are named.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from facessl.data.layouts.errors import LayoutError, MissingFileError
from facessl.data.layouts.labels import BP4D_AUS, BP4D_UNKNOWN_CODE
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import (
    numbered_csv_rows,
    parse_int,
    require_dir,
    require_listed_image,
)

LABELS_DIR = "AUCoding/AU_OCC"


def load_bp4d(
    root: Path | str,
    aus: Sequence[int] = BP4D_AUS,
    labels_dir: str = LABELS_DIR,
    frames_dir: str | None = None,
    frame_template: str = "{subject}/{task}/{frame:04d}.jpg",
    check_images: bool = True,
) -> list[FaceSample]:
    """Read every ``<subject>_<task>.csv`` into one sample per coded frame.

    All samples get split ``all``: BP4D's protocol is subject-exclusive 3-fold cross-validation,
    chosen by the protocol from ``subject`` (ecosystem.md §7).

    Args:
        root: The BP4D folder.
        aus: FACS numbers to read; the default is the 12-AU protocol.
        labels_dir: Folder of the occurrence CSVs, relative to ``root``.
        frames_dir: Folder of frames relative to ``root``; ``None`` leaves ``image`` unset.
        frame_template: Frame path inside ``frames_dir``, formatted with ``subject``, ``task`` and
            ``frame``.
        check_images: With ``frames_dir``, check that every frame exists.

    Returns:
        Samples ordered by file name then row, with ``subject``, ``frame`` and ``au_occurrence``
        (1, 0, or ``None`` for code 9). The task is part of ``image``'s path only.

    Raises:
        LayoutError: On a missing folder, a file not named ``<subject>_<task>.csv``, a header
            without one of ``aus``, a row with a different number of cells than the header, a
            code other than 0/1/9, or a missing frame image; the message names file and line.
    """
    folder = require_dir(Path(root) / labels_dir, "BP4D AU occurrence folder")
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise MissingFileError(folder, "no <subject>_<task>.csv files found")
    samples = []
    for path in files:
        subject, separator, task = path.stem.partition("_")
        if not separator or not subject or not task:
            raise LayoutError(path, "file name is not <subject>_<task>.csv")
        samples.extend(_read_csv(path, subject, task, aus, root, frames_dir, frame_template, check_images))
    return samples


def _read_csv(
    path: Path,
    subject: str,
    task: str,
    aus: Sequence[int],
    root: Path | str,
    frames_dir: str | None,
    frame_template: str,
    check_images: bool,
) -> list[FaceSample]:
    rows = numbered_csv_rows(path)
    header_row = next(rows, None)
    if header_row is None:
        raise LayoutError(path, "file is empty (expected a header row of AU numbers)", 1)
    header_line, header = header_row
    # Cells after the first name AU numbers; an empty cell (a trailing comma) names no AU.
    columns = {
        parse_int(cell, path, header_line, "AU number in header"): index
        for index, cell in enumerate(header)
        if index and cell
    }
    missing = [au for au in aus if au not in columns]
    if missing:
        raise LayoutError(path, f"header lacks AU(s) {missing}", header_line)
    samples = []
    for number, cells in rows:
        if len(cells) != len(header):
            raise LayoutError(
                path, f"expected {len(header)} cells as in the header, found {len(cells)}", number
            )
        frame = parse_int(cells[0], path, number, "frame")
        occurrence: dict[int, int | None] = {}
        for au in aus:
            code = parse_int(cells[columns[au]], path, number, f"AU{au} code")
            if code not in (0, 1, BP4D_UNKNOWN_CODE):
                raise LayoutError(path, f"AU{au} code {code} is not 0, 1 or {BP4D_UNKNOWN_CODE}", number)
            occurrence[au] = None if code == BP4D_UNKNOWN_CODE else code
        image = None
        if frames_dir is not None:
            image = Path(root) / frames_dir / frame_template.format(subject=subject, task=task, frame=frame)
            if check_images:
                require_listed_image(image, path, number)
        samples.append(
            FaceSample(image=image, split="all", subject=subject, frame=frame, au_occurrence=occurrence)
        )
    return samples


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("bp4d")(load_bp4d)
