"""The one exception every dataset-layout loader raises, naming the file and line at fault."""

from __future__ import annotations

from pathlib import Path


class LayoutError(Exception):
    """A dataset on disk does not match its published layout.

    The message always starts with ``<file>`` or ``<file>:<line>`` so that a user can open the
    offending file at the offending line; a layout error is never silently skipped.

    Args:
        path: The file (or folder) at fault.
        message: What is wrong, in words.
        line: 1-based line number inside ``path``, when the fault is on one line.
    """

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class MissingFileError(LayoutError):
    """A file or folder that the layout requires is absent (the loaders never download)."""

    def __init__(self, path: Path | str, message: str = "", line: int | None = None) -> None:
        super().__init__(path, message or "required file is missing", line)
