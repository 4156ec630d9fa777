"""Reader for the per-image ``.mat`` pose labels shared by 300W-LP and AFLW2000 (3DDFA format).

Each ``<name>.mat`` beside ``<name>.jpg`` holds ``Pose_Para`` (1x7: pitch, yaw, roll in radians,
then translation and scale) and ``pt2d`` (2xK landmarks: 68 for 300W-LP, 21 for AFLW2000)
(ecosystem.md §7; NOTES.md "Head pose"). facessl stores ``(yaw, pitch, roll)`` in degrees, in its own sign
convention (`POSE_PARA_SIGNS`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from facessl.data.layouts.errors import LayoutError, MissingFileError
from facessl.data.layouts.sample import FaceSample


# 3DDFA's angles turn the other way from facessl's (facessl.synth.pose): a positive 300W-LP/AFLW2000 yaw faces the
# viewer's left, a positive pitch looks up, a positive roll tilts the head clockwise as seen. This is how the head-pose
# code trained on these labels draws them (HopeNet's `draw_axis`, reused by FSA-Net, 6DRepNet and DirectMHP: the
# facing axis ends at x = -sin(yaw), y = -sin(pitch) in image coordinates), and matches 3DDFA's `RotationMatrix`,
# the transpose of the Rz·Ry·Rx that facessl applies. So all three signs flip, in both directions, here only.
POSE_PARA_SIGNS = (-1.0, -1.0, -1.0)  # (yaw, pitch, roll): facessl = sign × Pose_Para


def pose_from_pose_para(pose_para: np.ndarray) -> tuple[float, float, float]:
    """Turn 3DDFA's ``Pose_Para`` (pitch, yaw, roll in radians first) into facessl's (yaw, pitch, roll) degrees."""
    pitch, yaw, roll = (math.degrees(float(value)) for value in np.ravel(pose_para)[:3])
    sy, sp, sr = POSE_PARA_SIGNS
    return sy * yaw, sp * pitch, sr * roll


def pose_para_from_pose(pose: tuple[float, float, float]) -> np.ndarray:
    """3DDFA's (1, 7) ``Pose_Para`` (pitch, yaw, roll in radians, translation 0, scale 1) from facessl's
    ``(yaw, pitch, roll)`` degrees; the inverse of `pose_from_pose_para`."""
    (yaw, pitch, roll), (sy, sp, sr) = pose, POSE_PARA_SIGNS
    angles = [math.radians(sp * pitch), math.radians(sy * yaw), math.radians(sr * roll)]
    return np.array([[*angles, 0.0, 0.0, 0.0, 1.0]])


def within_limit(pose: tuple[float, float, float], limit: float) -> bool:
    """Whether every angle lies in ``[-limit, limit]`` (the FSA-Net/HopeNet ±99° filter uses 99)."""
    return all(abs(angle) <= limit for angle in pose)


def read_pose_mats(
    mat_files: Iterable[Path], split: str, max_abs_angle: float | None, check_images: bool
) -> list[FaceSample]:
    """Read ``.mat`` label files into samples, dropping poses outside ``±max_abs_angle``.

    Args:
        mat_files: The label files; each image is the ``.jpg`` of the same stem beside it.
        split: Split name given to every sample.
        max_abs_angle: Drop samples with any angle beyond this many degrees; ``None`` keeps all.
        check_images: Check that every image exists.

    Returns:
        Samples with ``image``, ``pose``, ``landmarks`` ``(K, 2)`` and ``box`` (the landmarks'
        bounding box, before any crop margin, which the crop recipe adds).

    Raises:
        LayoutError: On an unreadable file, a missing or short ``Pose_Para``, a malformed ``pt2d``,
            a non-finite angle, or a missing image; the message names the file and the variable.
    """
    # scipy comes with scikit-learn; imported here so that text-only layouts do not need it.
    from scipy.io import loadmat

    samples = []
    for mat_file in mat_files:
        try:
            content = loadmat(str(mat_file))
        except Exception as error:  # scipy raises several unrelated types for a bad file
            raise LayoutError(mat_file, f"cannot be read as a .mat file ({error})") from error
        if "Pose_Para" not in content:
            raise LayoutError(mat_file, "lacks the variable Pose_Para")
        pose_para = np.asarray(content["Pose_Para"], dtype=np.float64)
        if pose_para.size < 3:
            raise LayoutError(mat_file, f"Pose_Para holds {pose_para.size} values, expected at least 3")
        pose = pose_from_pose_para(pose_para)
        if not all(math.isfinite(angle) for angle in pose):
            raise LayoutError(mat_file, f"Pose_Para has a non-finite angle {pose}")
        if max_abs_angle is not None and not within_limit(pose, max_abs_angle):
            continue
        landmarks, box = _landmarks_and_box(content, mat_file)
        image = mat_file.with_suffix(".jpg")
        if check_images and not image.is_file():
            raise MissingFileError(mat_file, f"its image {image} is missing")
        samples.append(FaceSample(image=image, split=split, pose=pose, landmarks=landmarks, box=box))
    return samples


def _landmarks_and_box(
    content: dict[str, np.ndarray], mat_file: Path
) -> tuple[np.ndarray | None, tuple[float, float, float, float] | None]:
    if "pt2d" not in content:
        return None, None
    pt2d = np.asarray(content["pt2d"], dtype=np.float32)
    if pt2d.ndim != 2 or pt2d.shape[0] != 2:
        raise LayoutError(mat_file, f"pt2d has shape {pt2d.shape}, expected (2, K)")
    landmarks = pt2d.T.copy()  # (K, 2) as (x, y)
    # Negative coordinates mark landmarks that were not annotated (AFLW convention); they must not
    # stretch the box.
    visible = landmarks[(landmarks >= 0).all(axis=1)]
    if len(visible) == 0:
        return landmarks, None
    x0, y0 = visible.min(axis=0)
    x1, y1 = visible.max(axis=0)
    return landmarks, (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
