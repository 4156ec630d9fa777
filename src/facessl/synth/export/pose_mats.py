"""Write the head-pose set as 300W-LP (train) and AFLW2000 (test), 3DDFA's ``.mat`` format.

Layouts (read unchanged by :func:`facessl.data.layouts.w300lp.load_300w_lp` and
:func:`facessl.data.layouts.aflw2000.load_aflw2000`)::

    300W_LP/AFW/AFW_<person>_<k>.jpg + .mat      and HELEN, IBUG, LFPW; people spread over them
    300W_LP/AFW_Flip/...                         the horizontally flipped copies, as in 300W-LP
    AFLW2000/image00001.jpg + .mat

Each ``.mat`` holds ``Pose_Para`` (1×7: pitch, yaw, roll in radians, then translation and scale,
NOTES.md) and ``pt2d`` (2×68 iBUG points for 300W-LP, 2×21 AFLW points for AFLW2000), in pixels
of the written image. The angles are converted to 3DDFA's signs by
:func:`facessl.data.layouts.pose_mat.pose_para_from_pose`, the inverse of what the loaders apply.
Train and val people go to 300W-LP (it has no validation split; the side file keeps it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import savemat
from torch import Tensor

from facessl.data.layouts.pose_mat import pose_para_from_pose
from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.landmarks import AFLW21, IBUG68, flip_permutation, project_scheme
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.tasks import TaskSet

SUBSETS = ("AFW", "HELEN", "IBUG", "LFPW")


def _write_mats(paths: list[Path], poses: list[tuple[float, float, float]], points: Tensor) -> None:
    for path, pose, pts in zip(paths, poses, points, strict=True):
        savemat(str(path.with_suffix(".mat")), {"Pose_Para": pose_para_from_pose(pose), "pt2d": pts.T.double().numpy()})


def write_pose(
    root_300w: Path, root_aflw: Path, task: TaskSet, renderer: FaceRenderer, size: int, gt: GroundTruthWriter,
    export_root: Path, progress: Progress | None,
) -> None:  # fmt: skip
    """Write ``task`` (head pose): test people as AFLW2000, the others (and their flips) as 300W-LP."""
    test = task.rows("test")
    train = [i for i in range(len(task)) if task.split[i] != "test"]
    poses = [tuple(p) for p in task.factors.pose.tolist()]

    aflw_paths = [root_aflw / f"image{k + 1:05d}.jpg" for k in range(len(test))]
    marks = render_to_files(renderer, task.factors.select(test), aflw_paths, size, progress=progress)
    _write_mats(aflw_paths, [poses[i] for i in test], project_scheme(marks, AFLW21))
    gt.add(export_root, aflw_paths, "aflw2000", [task.split[i] for i in test], task.factors.select(test))

    people = sorted(set(task.factors.identity[train].tolist()))
    subset_of = {p: SUBSETS[k % len(SUBSETS)] for k, p in enumerate(people)}
    count: dict[int, int] = {}
    names = []
    for i in train:
        person = int(task.factors.identity[i])
        count[person] = count.get(person, 0) + 1
        names.append((subset_of[person], f"{subset_of[person]}_{person}_{count[person]}"))
    rows = train + train
    mirrored = [False] * len(train) + [True] * len(train)
    paths = [root_300w / s / f"{n}.jpg" for s, n in names] + [root_300w / f"{s}_Flip" / f"{n}.jpg" for s, n in names]
    for subset in SUBSETS:  # the loader expects all eight folders, even if a tiny export leaves one empty
        (root_300w / subset).mkdir(parents=True, exist_ok=True)
        (root_300w / f"{subset}_Flip").mkdir(parents=True, exist_ok=True)
    factors = task.factors.select(rows)
    marks = project_scheme(render_to_files(renderer, factors, paths, size, mirrored, progress), IBUG68)
    flip = flip_permutation(IBUG68)
    for k, m in enumerate(mirrored):
        if m:
            marks[k] = marks[k, flip]  # keep iBUG's semantic order after the flip
    labels = [(-p[0], p[1], -p[2]) if m else p for p, m in zip((poses[i] for i in rows), mirrored, strict=True)]
    _write_mats(paths, labels, marks)
    gt.add(export_root, paths, "300w_lp", [task.split[i] for i in rows], factors, mirrored=mirrored)
