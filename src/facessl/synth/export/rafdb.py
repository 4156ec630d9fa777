"""Write the 7-class expression set in RAF-DB basic's layout.

Layout (read unchanged by :func:`facessl.data.layouts.rafdb.load_rafdb`)::

    basic/EmoLabel/list_patition_label.txt    "train_00001.jpg 5" (RAF-DB's own 1..7 numbering)
    basic/Image/aligned/train_00001_aligned.jpg   100×100

RAF-DB has no validation split, so train and val images are both ``train_``; the side file keeps
the task's split.
"""

from __future__ import annotations

from pathlib import Path

from facessl.data.layouts.labels import RAFDB_EXPRESSIONS
from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.tasks import TaskSet

RAFDB_SIZE = 100  # RAF-DB's aligned images are 100×100
CANONICAL_TO_RAFDB = {canonical: raf for raf, canonical in RAFDB_EXPRESSIONS.items()}


def write_rafdb(
    root: Path, task: TaskSet, renderer: FaceRenderer, gt: GroundTruthWriter, export_root: Path,
    progress: Progress | None,
) -> None:  # fmt: skip
    """Write ``task`` (7-class expressions) under ``root`` (the ``basic`` folder)."""
    lines, paths = [], []
    counters = {"train": 0, "test": 0}
    for i, split in enumerate(task.split):
        prefix = "test" if split == "test" else "train"
        counters[prefix] += 1
        name = f"{prefix}_{counters[prefix]:05d}"
        lines.append(f"{name}.jpg {CANONICAL_TO_RAFDB[int(task.factors.emotion[i])]}")
        paths.append(root / "Image" / "aligned" / f"{name}_aligned.jpg")
    render_to_files(renderer, task.factors, paths, RAFDB_SIZE, progress=progress)
    (root / "EmoLabel").mkdir(parents=True, exist_ok=True)
    (root / "EmoLabel" / "list_patition_label.txt").write_text("\n".join(lines) + "\n")
    gt.add(export_root, paths, "rafdb", task.split, task.factors)
