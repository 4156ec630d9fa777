"""Line-numbered reading of the small text and CSV label files that dataset layouts ship."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from facessl.data.layouts.errors import LayoutError, MissingFileError


def require_file(path: Path, what: str = "") -> Path:
    """Return ``path`` if it is a file, else raise :class:`MissingFileError` naming it."""
    if not path.is_file():
        raise MissingFileError(path, f"required {what or 'file'} is missing")
    return path


def require_dir(path: Path, what: str = "") -> Path:
    """Return ``path`` if it is a folder, else raise :class:`MissingFileError` naming it."""
    if not path.is_dir():
        raise MissingFileError(path, f"required {what or 'folder'} is missing")
    return path


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, stripped_line)`` for the non-blank lines of a text file.

    Blank lines are skipped (trailing newlines are common in these files) but still counted, so
    line numbers match what an editor shows. ``utf-8-sig`` drops a BOM that Windows tools add.
    """
    require_file(path)
    with path.open(encoding="utf-8-sig") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if line:
                yield number, line


def numbered_csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, cells)`` for the non-empty rows of a CSV file, cells stripped.

    The line number is that of the row's first line (csv rows may span lines inside quotes).
    """
    require_file(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                yield start, [cell.strip() for cell in row]
            start = reader.line_num + 1


def parse_int(text: str, path: Path, line: int, what: str) -> int:
    """Parse an integer field, raising :class:`LayoutError` at ``path:line`` if it is not one."""
    try:
        return int(text)
    except ValueError:
        raise LayoutError(path, f"{what} {text!r} is not an integer", line) from None


def parse_float(text: str, path: Path, line: int, what: str) -> float:
    """Parse a float field, raising :class:`LayoutError` at ``path:line`` if it is not one."""
    try:
        return float(text)
    except ValueError:
        raise LayoutError(path, f"{what} {text!r} is not a number", line) from None


def expect_fields(fields: list[str], count: int, path: Path, line: int, form: str) -> None:
    """Raise :class:`LayoutError` unless a line has exactly ``count`` fields.

    Args:
        fields: The line's fields.
        count: Expected number of fields.
        path: File being read, for the message.
        line: 1-based line number, for the message.
        form: The expected form, shown in the message (e.g. ``"name n1 n2"``).
    """
    if len(fields) != count:
        raise LayoutError(
            path, f"expected {count} fields ({form}), found {len(fields)}: {' '.join(fields)!r}", line
        )


def require_listed_image(image: Path, listing: Path, line: int) -> Path:
    """Raise :class:`MissingFileError` at the listing's line if the image it names is absent."""
    if not image.is_file():
        raise MissingFileError(listing, f"listed image {image} is missing", line)
    return image
