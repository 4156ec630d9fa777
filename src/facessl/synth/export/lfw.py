"""Write the verification set in LFW's layout (View 2).

Layout (read unchanged by :func:`facessl.data.layouts.lfw.load_lfw`; the LFW README, 3c)::

    pairs.txt                  header "10<TAB>300", then per fold the matched lines "name n1 n2"
                               and the mismatched lines "name1 n1 name2 n2"
    lfw/<name>/<name>_0001.jpg
"""

from __future__ import annotations

from pathlib import Path

from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.tasks import TaskSet


def person_name(identity: int) -> str:
    """LFW-style folder name of a SynthFaces person (no spaces, as pairs.txt needs)."""
    return f"Synth_{identity}"


def write_lfw(
    root: Path, task: TaskSet, renderer: FaceRenderer, size: int, gt: GroundTruthWriter, export_root: Path,
    progress: Progress | None,
) -> None:  # fmt: skip
    """Write ``task`` (verification) under ``root``."""
    names, numbers, paths = [], [], []
    seen: dict[int, int] = {}
    for identity in task.factors.identity.tolist():
        seen[identity] = seen.get(identity, 0) + 1
        name = person_name(identity)
        names.append(name)
        numbers.append(seen[identity])
        paths.append(root / "lfw" / name / f"{name}_{seen[identity]:04d}.jpg")
    render_to_files(renderer, task.factors, paths, size, progress=progress)
    folds = max(p.fold for p in task.pairs) + 1
    per_fold = sum(1 for p in task.pairs if p.fold == 0 and p.same)
    lines = [f"{folds}\t{per_fold}"]
    for pair in task.pairs:  # already ordered fold by fold, matched pairs first
        a, b = pair.first, pair.second
        if pair.same:
            lines.append(f"{names[a]}\t{numbers[a]}\t{numbers[b]}")
        else:
            lines.append(f"{names[a]}\t{numbers[a]}\t{names[b]}\t{numbers[b]}")
    (root / "pairs.txt").write_text("\n".join(lines) + "\n")
    gt.add(export_root, paths, "lfw", task.split, task.factors)
