"""300W-LP and AFLW2000 layouts: Pose_Para radians (pitch, yaw, roll) -> facessl's (yaw, pitch, roll) degrees.

3DDFA's angles turn the other way from facessl's (`facessl.data.layouts.pose_mat.POSE_PARA_SIGNS`), so every
angle read from a file comes out negated."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from facessl.data.layouts import (
    LAYOUTS,
    LayoutError,
    MissingFileError,
    load_300w_lp,
    load_aflw2000,
    summarize,
)
from facessl.data.layouts.w300lp import SUBSETS


def _write_mat(
    folder: Path,
    stem: str,
    pitch: float,
    yaw: float,
    roll: float,
    pt2d: np.ndarray | None = None,
    image: bool = True,
) -> Path:
    """Write a 3DDFA-style label file, angles given in degrees and stored in radians as released."""
    folder.mkdir(parents=True, exist_ok=True)
    pose_para = np.array(
        [[math.radians(pitch), math.radians(yaw), math.radians(roll), 100.0, 120.0, 0.0, 0.0015]]
    )
    content = {"Pose_Para": pose_para}
    if pt2d is not None:
        content["pt2d"] = pt2d
    savemat(folder / f"{stem}.mat", content)
    if image:
        Image.new("RGB", (4, 4)).save(folder / f"{stem}.jpg")
    return folder / f"{stem}.mat"


def test_300w_lp_reorders_pitch_yaw_roll_and_converts_to_degrees(tmp_path: Path) -> None:
    for subset in SUBSETS:
        (tmp_path / subset).mkdir()
    pt2d = np.array([[10.0, 30.0, 20.0], [5.0, 15.0, 40.0]])  # 2 x K, rows x and y
    _write_mat(tmp_path / "AFW", "AFW_1_0", pitch=10.0, yaw=-45.0, roll=5.0, pt2d=pt2d)
    _write_mat(tmp_path / "HELEN_Flip", "HELEN_2_3", pitch=-20.0, yaw=120.0, roll=0.0)
    # The release's landmarks/ folder holds other .mat files that must not be read.
    savemat(tmp_path / "landmarks.mat", {"pts_2d": np.zeros((68, 2))})
    samples = load_300w_lp(tmp_path)
    assert summarize(samples) == {"train": 2}
    first = samples[0]
    assert first.image == tmp_path / "AFW" / "AFW_1_0.jpg"
    np.testing.assert_allclose(first.pose, (45.0, -10.0, -5.0))  # (yaw, pitch, roll), facessl's signs
    np.testing.assert_allclose(first.landmarks, [[10.0, 5.0], [30.0, 15.0], [20.0, 40.0]])
    assert first.box == pytest.approx((10.0, 5.0, 20.0, 35.0))
    # 300W-LP keeps large poses: the ±99° filter belongs to the AFLW2000 test set.
    np.testing.assert_allclose(samples[1].pose, (-120.0, 20.0, 0.0))
    assert len(load_300w_lp(tmp_path, max_abs_angle=99.0)) == 1
    assert LAYOUTS.get("300w_lp") is load_300w_lp


def test_aflw2000_drops_any_angle_outside_99_degrees(tmp_path: Path) -> None:
    _write_mat(tmp_path, "image00002", pitch=0.0, yaw=99.0, roll=0.0)  # on the limit: kept
    _write_mat(tmp_path, "image00004", pitch=-98.9, yaw=10.0, roll=3.0)
    _write_mat(tmp_path, "image00006", pitch=0.0, yaw=99.5, roll=0.0)
    _write_mat(tmp_path, "image00008", pitch=-120.0, yaw=0.0, roll=0.0)
    _write_mat(tmp_path, "image00010", pitch=0.0, yaw=0.0, roll=100.0)
    samples = load_aflw2000(tmp_path)
    assert [s.image.name for s in samples] == ["image00002.jpg", "image00004.jpg"]
    assert summarize(samples) == {"test": 2}
    np.testing.assert_allclose(samples[1].pose, (-10.0, 98.9, -3.0))
    assert len(load_aflw2000(tmp_path, max_abs_angle=None)) == 5


def test_box_ignores_unannotated_negative_landmarks(tmp_path: Path) -> None:
    pt2d = np.array([[-1.0, 30.0, 20.0], [-1.0, 15.0, 40.0]])
    _write_mat(tmp_path, "image00002", pitch=0.0, yaw=0.0, roll=0.0, pt2d=pt2d)
    (sample,) = load_aflw2000(tmp_path)
    assert sample.landmarks.shape == (3, 2)
    assert sample.box == pytest.approx((20.0, 15.0, 10.0, 25.0))


def test_pose_mat_faults_name_the_file(tmp_path: Path) -> None:
    savemat(tmp_path / "image00002.mat", {"pt2d": np.zeros((2, 21))})
    Image.new("RGB", (4, 4)).save(tmp_path / "image00002.jpg")
    with pytest.raises(LayoutError, match="lacks the variable Pose_Para") as caught:
        load_aflw2000(tmp_path)
    assert caught.value.path == tmp_path / "image00002.mat"

    (tmp_path / "image00002.mat").write_text("not a mat file")
    with pytest.raises(LayoutError, match="cannot be read"):
        load_aflw2000(tmp_path)

    (tmp_path / "image00002.mat").unlink()
    _write_mat(tmp_path, "image00004", pitch=0.0, yaw=0.0, roll=0.0, image=False)
    with pytest.raises(MissingFileError, match=re.escape("image00004.jpg")):
        load_aflw2000(tmp_path)


def test_missing_folders_are_named(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="AFW"):
        load_300w_lp(tmp_path)
    with pytest.raises(MissingFileError, match=re.escape("no .mat label files")):
        load_aflw2000(tmp_path)


def test_pose_para_conversion_flips_every_sign_and_round_trips() -> None:
    from facessl.data.layouts.pose_mat import pose_from_pose_para, pose_para_from_pose

    # A 3DDFA yaw of +30° faces the viewer's left: facessl's -30° (nose toward the viewer's left).
    para = np.array([[math.radians(10.0), math.radians(30.0), math.radians(-5.0), 1.0, 2.0, 3.0, 0.5]])
    np.testing.assert_allclose(pose_from_pose_para(para), (-30.0, -10.0, 5.0))
    back = pose_para_from_pose((-30.0, -10.0, 5.0))
    assert back.shape == (1, 7)
    np.testing.assert_allclose(back[0, :3], para[0, :3])
    np.testing.assert_allclose(pose_from_pose_para(pose_para_from_pose((12.5, -40.0, 7.0))), (12.5, -40.0, 7.0))
