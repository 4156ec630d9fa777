"""Synthetic raw VoxCeleb-style input: toy faces in an mp4 plus a track file, prepared back into crops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facessl.data.images import read_manifest
from facessl.prepare.runner import run_prepare
from facessl.prepare.sources import voxceleb_tasks
from facessl.prepare.tasks import PrepareSettings
from facessl.prepare.tracks import read_track, write_track

from .conftest import ToyVideo

FIRST_FRAME = 245  # VoxCeleb track frame numbers count from the full YouTube video


def _vox_layout(
    tmp_path: Path, toy_video: Callable[..., ToyVideo], relative_boxes: bool = False
) -> tuple[Path, Path, ToyVideo]:
    videos, tracks = tmp_path / "mp4", tmp_path / "txt"
    (videos / "id10001" / "abcDEF").mkdir(parents=True)
    (tracks / "id10001" / "abcDEF").mkdir(parents=True)
    video = toy_video(videos / "id10001" / "abcDEF" / "00001.mp4")
    boxes = [tuple(float(v) for v in b) for b in video.boxes]
    if relative_boxes:  # the VoxCeleb2 release stores fractions of the frame size
        boxes = [(x / 160, y / 120, w / 160, h / 120) for x, y, w, h in boxes]
    frames = [FIRST_FRAME + i for i in range(len(boxes))]
    write_track(tracks / "id10001" / "abcDEF" / "00001.txt", frames, boxes, identity="id10001")  # type: ignore[arg-type]
    return videos, tracks, video


@pytest.mark.parametrize("relative_boxes", [False, True])
def test_video_with_track_gives_crops_at_the_known_face_positions(
    tmp_path: Path, toy_video: Callable[..., ToyVideo], relative_boxes: bool
) -> None:
    videos, tracks, video = _vox_layout(tmp_path, toy_video, relative_boxes)
    summary = run_prepare(
        voxceleb_tasks(videos, tracks, every=2),
        tmp_path / "out",
        PrepareSettings(recipe="box", size=48),
        source_roots=[videos, tracks],
        progress=False,
    )
    assert (summary.crops, summary.rejected) == (5, 0)
    files, rows = read_manifest(summary.manifest)
    assert [int(r["frame"]) for r in rows] == [0, 2, 4, 6, 8]
    for file, row in zip(files, rows, strict=True):
        frame = int(row["frame"])
        box = [float(row[k]) for k in ("box_x", "box_y", "box_w", "box_h")]
        np.testing.assert_allclose(box, video.boxes[frame], atol=0.1)  # 3-decimal fractions: < 0.1 px
        assert row["identity"] == "id10001" and row["detector"] == "dataset" and row["source"].endswith("00001.mp4")
        crop = np.asarray(Image.open(file).convert("RGB")).astype(float)
        # The crop is the pasted face again, up to mp4v's lossy compression.
        assert np.abs(crop - video.faces[frame]).mean() < 12
        assert file.name == f"{frame:06d}.png" and file.parent.name == "00001"


def test_track_frames_beyond_the_video_are_rejected(tmp_path: Path, toy_video: Callable[..., ToyVideo]) -> None:
    videos, tracks, video = _vox_layout(tmp_path, toy_video)
    track_file = tracks / "id10001" / "abcDEF" / "00001.txt"
    track = read_track(track_file)
    frames = [int(f) for f in track.frames] + [FIRST_FRAME + 10, FIRST_FRAME + 11]
    boxes = [tuple(b) for b in track.boxes] + [video.boxes[-1]] * 2
    write_track(track_file, frames, boxes)  # type: ignore[arg-type]
    summary = run_prepare(
        voxceleb_tasks(videos, tracks),
        tmp_path / "out",
        PrepareSettings(size=32),
        source_roots=[videos],
        progress=False,
    )
    assert (summary.crops, summary.rejected) == (10, 2)
    assert "outside the video" in summary.rejects.read_text()


def test_a_video_without_its_track_file_is_rejected(tmp_path: Path, toy_video: Callable[..., ToyVideo]) -> None:
    videos, tracks, _ = _vox_layout(tmp_path, toy_video)
    (tracks / "id10001" / "abcDEF" / "00001.txt").unlink()
    summary = run_prepare(
        voxceleb_tasks(videos, tracks), tmp_path / "out", PrepareSettings(), source_roots=[videos], progress=False
    )
    assert summary.crops == 0 and "no track file" in summary.rejects.read_text()


def test_track_reader_parses_the_voxceleb_header_and_table(tmp_path: Path) -> None:
    path = tmp_path / "00001.txt"
    path.write_text(
        "Identity  : \tid10270\nReference : \t5r0dWxy17C8\nOffset  : \t1\nFV Conf   : \t16.647\t(1)\n"
        "ASD Conf  : \t4.465\n\nFRAME \tX \tY \tW \tH \n000245 \t0.320 \t0.083 \t0.151 \t0.267 \n"
        "000246 \t0.321 \t0.084 \t0.150 \t0.266 \n"
    )
    track = read_track(path)
    assert track.identity == "id10270" and track.relative and list(track.frames) == [245, 246]
    np.testing.assert_allclose(track.pixel_boxes(1000, 100)[0], [320, 8.3, 151, 26.7])
