"""Write the AU set in DISFA's layout: per-subject, per-AU intensity files and extracted frames.

Layout (read unchanged by :func:`facessl.data.layouts.disfa.load_disfa` with
``frames_dir="frames"``)::

    ActionUnit_Labels/SN001/SN001_au1.txt   "frame,intensity" per line, intensity 0..5
    frames/SN001/1.jpg                      frame images (DISFA ships videos; this is our choice)

All 12 AUs DISFA labels are written (NOTES.md; the 8-AU protocol reads a subset). Intensities are
the FACS levels of :meth:`facessl.synth.factors.FaceFactors.au_levels`.
"""

from __future__ import annotations

from pathlib import Path

from facessl.data.layouts.labels import DISFA_ALL_AUS
from facessl.synth.action_units import ACTION_UNITS
from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.tasks import TaskSet

FRAMES_DIR = "frames"


def subject_name(number: int) -> str:
    """DISFA-style subject folder, ``SN001`` for the first subject."""
    return f"SN{number:03d}"


def write_disfa(
    root: Path, task: TaskSet, renderer: FaceRenderer, size: int, gt: GroundTruthWriter, export_root: Path,
    progress: Progress | None,
) -> None:  # fmt: skip
    """Write ``task`` (AUs) under ``root``."""
    subjects: dict[int, str] = {}
    for identity in task.factors.identity.tolist():
        subjects.setdefault(identity, subject_name(len(subjects) + 1))
    names = [subjects[i] for i in task.factors.identity.tolist()]
    frames = task.frame.tolist()
    paths = [root / FRAMES_DIR / n / f"{f}.jpg" for n, f in zip(names, frames, strict=True)]
    render_to_files(renderer, task.factors, paths, size, progress=progress)
    levels = task.factors.au_levels()
    for subject in subjects.values():
        rows = [i for i, n in enumerate(names) if n == subject]
        folder = root / "ActionUnit_Labels" / subject
        folder.mkdir(parents=True, exist_ok=True)
        for au in DISFA_ALL_AUS:
            column = ACTION_UNITS.index(au)
            text = "".join(f"{frames[i]},{int(levels[i, column])}\n" for i in rows)
            (folder / f"{subject}_au{au}.txt").write_text(text)
    gt.add(export_root, paths, "disfa", task.split, task.factors, frames=frames)
