"""Write the CelebA-like set in CelebA's layout (aligned images, official partition, identities).

Layout (read unchanged by :func:`facessl.data.layouts.celeba.load_celeba`)::

    img_align_celeba/000001.jpg
    list_eval_partition.txt   "000001.jpg 0"; 0 = train, 1 = val, 2 = test
    identity_CelebA.txt       "000001.jpg 1"; identity numbers from 1
"""

from __future__ import annotations

from pathlib import Path

from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.tasks import TaskSet

PARTITION_CODES = {"train": 0, "val": 1, "test": 2}


def write_celeba(
    root: Path, task: TaskSet, renderer: FaceRenderer, size: int, gt: GroundTruthWriter, export_root: Path,
    progress: Progress | None,
) -> None:  # fmt: skip
    """Write ``task`` under ``root``."""
    names = [f"{i + 1:06d}.jpg" for i in range(len(task))]
    paths = [root / "img_align_celeba" / n for n in names]
    render_to_files(renderer, task.factors, paths, size, progress=progress)
    numbers: dict[int, int] = {}
    for person in task.factors.identity.tolist():
        numbers.setdefault(person, len(numbers) + 1)
    people = [numbers[p] for p in task.factors.identity.tolist()]
    (root / "list_eval_partition.txt").write_text(
        "".join(f"{n} {PARTITION_CODES[s]}\n" for n, s in zip(names, task.split, strict=True))
    )
    (root / "identity_CelebA.txt").write_text("".join(f"{n} {p}\n" for n, p in zip(names, people, strict=True)))
    gt.add(export_root, paths, "celeba", task.split, task.factors)
