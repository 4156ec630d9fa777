"""The run's files: ``manifest.csv`` (one row per crop), ``rejects.csv``, the ``.done`` journal and ``prepare.json``.

Resumability rests on one ordering: a task's manifest rows and reject rows are appended and
flushed first, its key is appended to ``.done`` last. On reopening, rows of tasks missing from the
journal (a run killed between the two) and any partial last line are dropped, so every task
is recorded exactly once whether it finished before the interruption or is redone after it.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

MANIFEST = "manifest.csv"
REJECTS = "rejects.csv"
JOURNAL = ".done"
SETTINGS = "prepare.json"
MANIFEST_COLUMNS = (
    "path",
    "source",
    "frame",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "landmarks",
    "crop",
    "recipe",
    "size",
    "detector",
    "detector_version",
    "identity",
    "item",
)
REJECT_COLUMNS = ("source", "frame", "reason", "item")


def clean_key(key: str) -> str:
    """A task key as the journal stores it (one line, no line breaks)."""
    return key.replace("\r", " ").replace("\n", " ")


class PrepareError(ValueError):
    """A preparation run cannot start (bad output folder, settings differ from the run being resumed)."""


def _complete_lines(path: Path) -> list[str]:
    """The file's lines that end in a newline (a killed writer may leave the last one partial)."""
    if not path.is_file():
        return []
    text = path.read_text()
    lines = text.split("\n")
    return lines[:-1]  # the last element is "" after a final newline, or a partial line


def _rewrite(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(f".{path.name}.rewrite")
    tmp.write_text("".join(line + "\n" for line in lines))
    os.replace(tmp, path)


class RunRecords:
    """Appends rows for finished tasks and knows which tasks are done.

    Args:
        out_dir: The run's output folder (created if needed).
        settings: What the run does; must equal the stored ``prepare.json`` settings on resume.
        label_columns: Extra manifest columns after the standard ones.

    Raises:
        PrepareError: If ``out_dir`` holds a run with other settings or other columns.
    """

    def __init__(self, out_dir: Path, settings: dict[str, Any], label_columns: Sequence[str] = ()) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.columns = list(MANIFEST_COLUMNS) + [c for c in label_columns if c not in MANIFEST_COLUMNS]
        self._check_settings(settings)
        journal = out_dir / JOURNAL
        done_lines = _complete_lines(journal)
        self.done: set[str] = set(done_lines)
        if journal.is_file() and not journal.read_text().endswith("\n") and journal.stat().st_size:
            _rewrite(journal, done_lines)  # drop a partial last key
        self.manifest_rows = self._repair(out_dir / MANIFEST, self.columns)
        self.reject_rows = self._repair(out_dir / REJECTS, list(REJECT_COLUMNS))
        self._manifest = (out_dir / MANIFEST).open("a", newline="")
        self._rejects = (out_dir / REJECTS).open("a", newline="")
        self._journal = journal.open("a")

    def _check_settings(self, settings: dict[str, Any]) -> None:
        path = self.out_dir / SETTINGS
        wanted = {**settings, "columns": self.columns}
        if path.is_file():
            stored = json.loads(path.read_text())
            differing = sorted(k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
            if differing:
                details = ", ".join(f"{k}: {stored.get(k)!r} -> {wanted.get(k)!r}" for k in differing)
                raise PrepareError(
                    f"{self.out_dir} holds a preparation run with other settings ({details}); "
                    "choose another --out or delete that folder"
                )
        else:
            path.write_text(json.dumps(wanted, indent=2) + "\n")

    def _repair(self, path: Path, columns: list[str]) -> int:
        """Drop rows of unfinished tasks and partial lines; write the header if the file is new. Returns rows kept."""
        header = ",".join(columns)
        lines = _complete_lines(path)
        if not lines:
            _rewrite(path, [header])
            return 0
        if lines[0] != header:
            raise PrepareError(f"{path}: unexpected header {lines[0]!r}, expected {header!r}")
        reader = csv.reader(lines[1:])
        kept = [header]
        item_at = columns.index("item")
        for line, cells in zip(lines[1:], reader, strict=True):
            if len(cells) == len(columns) and cells[item_at] in self.done:
                kept.append(line)
        if len(kept) != len(lines) or path.read_text().count("\n") != len(lines):
            _rewrite(path, kept)
        return len(kept) - 1

    def add(self, key: str, rows: list[dict[str, str]], rejects: list[dict[str, str]]) -> None:
        """Record a finished task: its rows, then its reject rows, then its key in the journal."""
        if rows:
            self._manifest.write(self._format(rows, self.columns))
            self._manifest.flush()
        if rejects:
            self._rejects.write(self._format(rejects, list(REJECT_COLUMNS)))
            self._rejects.flush()
        self._journal.write(clean_key(key) + "\n")
        self._journal.flush()
        self.done.add(clean_key(key))
        self.manifest_rows += len(rows)
        self.reject_rows += len(rejects)

    @staticmethod
    def _format(rows: list[dict[str, str]], columns: list[str]) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", restval="", lineterminator="\n")
        # Cells never hold line breaks, so a line is a row and a partial last line can be dropped.
        writer.writerows({k: v.replace("\r", " ").replace("\n", " ") for k, v in row.items()} for row in rows)
        return buffer.getvalue()

    def close(self) -> None:
        """Flush to disk and close the files."""
        for handle in (self._manifest, self._rejects, self._journal):
            _sync_close(handle)


def _sync_close(handle: TextIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
