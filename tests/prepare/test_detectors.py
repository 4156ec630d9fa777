"""Detectors on a real photo, and the optional MediaPipe extra failing with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from facessl.data.images import read_manifest
from facessl.prepare.detectors import MEDIAPIPE_HINT, DetectorError, HaarDetector, MediaPipeDetector, make_detector
from facessl.prepare.runner import run_prepare
from facessl.prepare.sources import folder_tasks
from facessl.prepare.tasks import PrepareSettings

from .conftest import ASTRONAUT_BOX


def test_haar_finds_exactly_the_astronauts_face(astronaut: np.ndarray) -> None:
    faces = HaarDetector().detect(astronaut)
    assert len(faces) == 1
    np.testing.assert_allclose(faces[0].box, ASTRONAUT_BOX, atol=4)
    eyes = faces[0].landmarks
    assert eyes is not None and eyes.shape == (2, 2)
    x, y, w, h = faces[0].box
    assert (eyes[:, 0] > x).all() and (eyes[:, 0] < x + w).all() and (eyes[:, 1] < y + h / 2).all()


def test_haar_finds_no_face_in_a_plain_image() -> None:
    assert HaarDetector().detect(np.full((240, 320, 3), 127, np.uint8)) == []


@pytest.mark.parametrize(("recipe", "size"), [("pcl", 64), ("box", 96), ("latentface", 128)])
def test_astronaut_prepared_into_one_crop_of_the_requested_size(
    tmp_path: Path, astronaut_jpg: Path, recipe: str, size: int
) -> None:
    from PIL import Image

    source = astronaut_jpg.parent.parent
    summary = run_prepare(
        folder_tasks(source),
        tmp_path / "out",
        PrepareSettings(recipe=recipe, size=size),
        source_roots=[source],
        progress=False,
    )
    assert (summary.crops, summary.rejected) == (1, 0)
    files, rows = read_manifest(summary.manifest)
    assert Image.open(files[0]).size == (size, size)
    assert rows[0]["detector"] == "haar" and "opencv-4." in rows[0]["detector_version"]
    assert rows[0]["identity"] == "eileen" and rows[0]["recipe"] == recipe
    box = [float(rows[0][k]) for k in ("box_x", "box_y", "box_w", "box_h")]
    np.testing.assert_allclose(box, ASTRONAUT_BOX, atol=4)


def test_mediapipe_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` raise ImportError
    with pytest.raises(DetectorError, match="mediapipe==0.10.21"):
        MediaPipeDetector()
    assert "numpy<2" in MEDIAPIPE_HINT


def test_a_run_needing_a_missing_detector_fails_before_any_work(
    tmp_path: Path, astronaut_jpg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)
    source = astronaut_jpg.parent.parent
    with pytest.raises(DetectorError, match="mediapipe"):
        run_prepare(
            folder_tasks(source),
            tmp_path / "out",
            PrepareSettings(detector="mediapipe"),
            source_roots=[source],
            progress=False,
        )
    assert not (tmp_path / "out").exists()  # nothing written, so a rerun with --detector haar starts clean


def test_unknown_detector_is_rejected() -> None:
    with pytest.raises(DetectorError, match="haar"):
        make_detector("yunet")
