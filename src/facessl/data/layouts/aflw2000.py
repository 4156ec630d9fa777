"""AFLW2000-3D in its published layout: the head-pose test set, with the ±99° filter.

Layout (ecosystem.md §7)::

    <root>/image00002.jpg + image00002.mat   2,000 images, 3DDFA .mat labels (21 pt2d landmarks)
"""

from __future__ import annotations

from pathlib import Path

from facessl.data.layouts.errors import MissingFileError
from facessl.data.layouts.labels import POSE_LIMIT_DEGREES
from facessl.data.layouts.pose_mat import read_pose_mats
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import require_dir


def load_aflw2000(
    root: Path | str, max_abs_angle: float | None = POSE_LIMIT_DEGREES, check_images: bool = True
) -> list[FaceSample]:
    """Read AFLW2000's ``.mat`` files, dropping samples with any angle outside ±99° by default.

    The filter is the FSA-Net/HopeNet convention that PCL also applies; it leaves about 1,969 of
    the 2,000 images (pcl.md §3.6; ecosystem.md §7).

    Args:
        root: The ``AFLW2000`` folder.
        max_abs_angle: Drop samples with any angle beyond this many degrees; ``None`` keeps all.
        check_images: Check that every image exists.

    Returns:
        Samples in split ``test``, ordered by file name.

    Raises:
        LayoutError: On a missing folder, a folder without ``.mat`` files, or any fault listed in
            :func:`facessl.data.layouts.pose_mat.read_pose_mats`.
    """
    folder = require_dir(Path(root), "AFLW2000 folder")
    mat_files = sorted(folder.glob("*.mat"))
    if not mat_files:
        raise MissingFileError(folder, "no .mat label files found")
    return read_pose_mats(mat_files, "test", max_abs_angle, check_images)


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("aflw2000")(load_aflw2000)
