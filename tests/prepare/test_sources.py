"""Dataset releases in their published layouts: crops come from the dataset's own boxes and landmarks."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from facessl.data.images import read_manifest
from facessl.prepare.runner import run_prepare
from facessl.prepare.sources import (
    AFFECTNET_LABELS,
    POSE_LABELS,
    affectnet_tasks,
    aflw2000_tasks,
    box_from_five_points,
    celeba_tasks,
    folder_tasks,
    voxceleb_tasks,
    w300lp_tasks,
)
from facessl.prepare.tasks import PrepareSettings


def _photo(path: Path, size: tuple[int, int] = (120, 100), seed: int = 0) -> np.ndarray:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return pixels


def _rows(manifest: Path) -> list[dict[str, str]]:
    with manifest.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_celeba_crops_from_official_boxes_with_landmarks_split_and_identity(tmp_path: Path) -> None:
    root = tmp_path / "CelebA"
    pixels = _photo(root / "Img" / "img_celeba" / "000001.png")
    (root / "Anno").mkdir()
    (root / "Eval").mkdir()
    (root / "Anno" / "list_bbox_celeba.txt").write_text(
        "1\nimage_id x_1 y_1 width height\n000001.png    10  20  40  50\n"
    )
    (root / "Anno" / "list_landmarks_celeba.txt").write_text(
        "1\nlefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y\n"
        "000001.png 20 35 40 35 30 45 22 55 38 55\n"
    )
    (root / "Anno" / "identity_CelebA.txt").write_text("000001.png 2880\n")
    (root / "Eval" / "list_eval_partition.txt").write_text("000001.png 2\n")
    summary = run_prepare(
        celeba_tasks(root),
        tmp_path / "out",
        PrepareSettings(recipe="box", size=50),
        source_roots=[root],
        label_columns=("split",),
        progress=False,
    )
    files, _ = read_manifest(summary.manifest)
    (row,) = _rows(summary.manifest)
    assert [row[k] for k in ("box_x", "box_y", "box_w", "box_h")] == ["10.00", "20.00", "40.00", "50.00"]
    assert (row["identity"], row["split"], row["detector"]) == ("2880", "test", "dataset")
    assert row["landmarks"].startswith("20.00;35.00;40.00;35.00")
    # box recipe: the 50 x 50 square around the box centre (30, 45), at scale 1 -> pixels [20:70, 5:55]
    np.testing.assert_array_equal(np.asarray(Image.open(files[0])), pixels[20:70, 5:55])


def test_box_from_five_points_covers_the_arcface_square() -> None:
    from facessl.prepare.alignment import ARCFACE_TEMPLATE_112

    x, y, w, h = box_from_five_points(ARCFACE_TEMPLATE_112 * 2 + 10)
    np.testing.assert_allclose((x, y, w, h), (10, 10, 224, 224), atol=1e-6)


def _write_affectnet(root: Path) -> None:
    lists = root / "Manually_Annotated_file_lists"
    lists.mkdir(parents=True)
    _photo(root / "Manually_Annotated_Images" / "1" / "a.png", seed=1)
    header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal\n"
    landmarks = ";".join(f"{30 + i % 10}.0;{30 + i // 10}.0" for i in range(68))
    (lists / "training.csv").write_text(
        header + f"1/a.png,15,10,60,60,{landmarks},3,0.1,0.2\n" + "1/missing.png,0,0,10,10,,1,0,0\n"
    )
    (lists / "validation.csv").write_text("1/a.png,20,20,40,40,,7,0,0\n1/none.png,0,0,10,10,,9,0,0\n")


def test_affectnet_crops_from_csv_boxes_and_rejects_missing_images(tmp_path: Path) -> None:
    root = tmp_path / "AffectNet"
    _write_affectnet(root)
    summary = run_prepare(
        affectnet_tasks(root),
        tmp_path / "out",
        PrepareSettings(recipe="box", size=32),
        source_roots=[root],
        label_columns=AFFECTNET_LABELS,
        progress=False,
    )
    rows = _rows(summary.manifest)
    assert [(r["split"], r["expression"], r["box_w"]) for r in rows] == [
        ("train", "3", "60.00"),
        ("test", "7", "40.00"),
    ]
    assert all(r["detector_version"] == "affectnet-csv" for r in rows)
    assert summary.rejected == 1 and "missing file" in summary.rejects.read_text()
    assert len({r["path"] for r in rows}) == 2  # one image in two splits: two crops, two files


def _write_pose_mat(folder: Path, stem: str, yaw_deg: float, seed: int, points: int = 68) -> np.ndarray:
    _photo(folder / f"{stem}.jpg", seed=seed)
    rng = np.random.default_rng(seed)
    pt2d = np.stack([rng.uniform(30, 90, points), rng.uniform(20, 80, points)])
    pose = np.array([[0.1, np.radians(yaw_deg), -0.05, 0, 0, 0, 1]])
    savemat(folder / f"{stem}.mat", {"Pose_Para": pose, "pt2d": pt2d})
    return pt2d


def test_300w_lp_and_aflw2000_crop_from_pt2d_with_pose_labels(tmp_path: Path) -> None:
    lp = tmp_path / "300W_LP"
    for subset in ("AFW", "AFW_Flip", "HELEN", "HELEN_Flip", "IBUG", "IBUG_Flip", "LFPW", "LFPW_Flip"):
        (lp / subset).mkdir(parents=True)
    pt2d = _write_pose_mat(lp / "AFW", "AFW_1_1_0", 30.0, seed=2)
    summary = run_prepare(
        w300lp_tasks(lp),
        tmp_path / "out_lp",
        PrepareSettings(recipe="box", size=32),
        source_roots=[lp],
        label_columns=POSE_LABELS,
        progress=False,
    )
    (row,) = _rows(summary.manifest)
    assert float(row["yaw"]) == pytest.approx(-30.0) and float(row["pitch"]) == pytest.approx(-np.degrees(0.1), abs=1e-4)
    assert float(row["box_x"]) == pytest.approx(pt2d[0].min(), abs=0.01)
    assert float(row["box_w"]) == pytest.approx(np.ptp(pt2d[0]), abs=0.01)

    aflw = tmp_path / "AFLW2000"
    aflw.mkdir()
    _write_pose_mat(aflw, "image00002", 10.0, seed=3, points=21)
    _write_pose_mat(aflw, "image00004", 120.0, seed=4, points=21)  # outside ±99°: dropped by the protocol
    summary = run_prepare(
        aflw2000_tasks(aflw),
        tmp_path / "out_aflw",
        PrepareSettings(recipe="arcface", size=32),
        source_roots=[aflw],
        label_columns=POSE_LABELS,
        progress=False,
    )
    rows = _rows(summary.manifest)
    assert [r["split"] for r in rows] == ["test"] and Path(rows[0]["source"]).name == "image00002.jpg"


def test_frame_tree_samples_every_nth_frame_per_segment(tmp_path: Path) -> None:
    root = tmp_path / "unzippedIntervalFaces" / "data"
    for segment in ("1", "2"):
        for frame in range(5):
            _photo(root / "Aaron_Tveit" / "1.6" / "8mWxQ6DRO-U" / segment / f"{frame:02d}.jpg", (40, 40), seed=frame)
    tasks = voxceleb_tasks(root, every=2)
    assert [t.key.split("/", 3)[-1] for t in tasks] == [
        "1/00.jpg",
        "1/02.jpg",
        "1/04.jpg",
        "2/00.jpg",
        "2/02.jpg",
        "2/04.jpg",
    ]
    assert {t.identity for t in tasks} == {"Aaron_Tveit"}


def test_folder_output_stems_stay_unique_when_only_suffixes_differ(tmp_path: Path) -> None:
    _photo(tmp_path / "src" / "a.png")
    _photo(tmp_path / "src" / "a.jpg")
    stems = sorted(t.out_stem for t in folder_tasks(tmp_path / "src"))
    assert stems == ["a_jpg", "a_png"]
