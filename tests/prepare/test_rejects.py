"""Bad inputs end up in rejects.csv with a reason, and the run completes with everything else."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from facessl.data.images import ImageFiles, read_manifest
from facessl.prepare.runner import run_prepare
from facessl.prepare.sources import folder_tasks
from facessl.prepare.tasks import PrepareSettings

from .conftest import ToyVideo


def _messy_folder(root: Path, astronaut_jpg: Path, toy_video: Callable[..., ToyVideo]) -> None:
    data = astronaut_jpg.read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (root / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "notes.txt").write_text("not an image")
    (root / "zero.mp4").write_bytes(b"")
    writer = cv2.VideoWriter(str(root / "empty.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (64, 64))
    writer.release()  # a container with no frames
    Image.fromarray(np.full((120, 160, 3), 200, np.uint8)).save(root / "wall.png")  # no face
    writer = cv2.VideoWriter(str(root / "wall.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (96, 64))
    for _ in range(3):
        writer.write(np.full((64, 96, 3), 40, np.uint8))  # three frames without a face
    writer.release()


def test_bad_inputs_are_rejected_with_reasons_and_the_run_completes(
    tmp_path: Path, astronaut_jpg: Path, toy_video: Callable[..., ToyVideo]
) -> None:
    source = astronaut_jpg.parent.parent
    _messy_folder(source, astronaut_jpg, toy_video)
    summary = run_prepare(
        folder_tasks(source),
        tmp_path / "out",
        PrepareSettings(recipe="pcl"),
        source_roots=[source],
        workers=2,
        progress=False,
    )
    with summary.rejects.open(newline="") as handle:
        reasons = {(Path(r["source"]).name, r["frame"]): r["reason"] for r in csv.DictReader(handle)}
    assert "truncated" in reasons[("truncated.jpg", "")]
    assert "unreadable image" in reasons[("corrupt.png", "")]
    assert "not an image or video" in reasons[("notes.txt", "")]
    assert "empty video file" in reasons[("zero.mp4", "")]
    assert "cannot open video" in reasons[("empty.mp4", "")]
    assert "no face detected" in reasons[("wall.png", "")]
    assert all("no face detected" in reasons[("wall.mp4", str(f))] for f in range(3))
    assert len(reasons) == 9 and summary.rejected == 9
    files, rows = read_manifest(summary.manifest)
    assert [Path(r["source"]).name for r in rows] == ["astronaut.jpg"]
    dataset = ImageFiles.from_manifest(summary.manifest, size=32, strict=True)  # usable for pretraining as is
    assert dataset[0].image.shape == (3, 32, 32)


def test_no_face_whole_keeps_the_whole_frame(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    Image.fromarray(np.full((60, 80, 3), 200, np.uint8)).save(source / "wall.png")
    summary = run_prepare(
        folder_tasks(source),
        tmp_path / "out",
        PrepareSettings(size=32, no_face="whole"),
        source_roots=[source],
        progress=False,
    )
    _, rows = read_manifest(summary.manifest)
    assert summary.rejected == 0 and [rows[0][k] for k in ("box_w", "box_h")] == ["80.00", "60.00"]
    assert "whole frame" in rows[0]["detector_version"]


def test_media_suffixes_match_the_training_loader() -> None:
    from facessl.data.images import IMAGE_SUFFIXES as LOADER_SUFFIXES
    from facessl.prepare.media import IMAGE_SUFFIXES

    assert set(IMAGE_SUFFIXES) == set(LOADER_SUFFIXES)


def test_a_dataset_box_that_cannot_be_cropped_is_rejected(tmp_path: Path) -> None:
    from dataclasses import replace

    from facessl.prepare.faces import Face

    source = tmp_path / "src"
    source.mkdir()
    Image.fromarray(np.full((40, 40, 3), 9, np.uint8)).save(source / "a.png")
    tasks = [replace(t, face=Face(box=(float("nan"), 0.0, 10.0, 10.0))) for t in folder_tasks(source)]
    summary = run_prepare(tasks, tmp_path / "out", PrepareSettings(size=16), source_roots=[source], progress=False)
    assert (summary.crops, summary.rejected) == (0, 1) and "cannot crop" in summary.rejects.read_text()
