"""300W-LP (3DDFA's large-pose 300W) in its published layout: the head-pose training set.

Layout (ecosystem.md §7; pcl.md §3.6)::

    <root>/AFW/AFW_134212_1_0.jpg  + AFW_134212_1_0.mat    (same for HELEN, IBUG, LFPW)
    <root>/AFW_Flip/...                                    mirrored copies, about 122k images in all

The ``landmarks/`` folder of the release also holds ``.mat`` files, of another format; it is not
read because only the subset folders are searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from facessl.data.layouts.pose_mat import read_pose_mats
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import require_dir

SUBSETS: tuple[str, ...] = (
    "AFW",
    "AFW_Flip",
    "HELEN",
    "HELEN_Flip",
    "IBUG",
    "IBUG_Flip",
    "LFPW",
    "LFPW_Flip",
)


def load_300w_lp(
    root: Path | str,
    subsets: Sequence[str] = SUBSETS,
    max_abs_angle: float | None = None,
    check_images: bool = True,
) -> list[FaceSample]:
    """Read 300W-LP's per-image ``.mat`` files into samples with (yaw, pitch, roll) degrees.

    Args:
        root: The ``300W_LP`` folder.
        subsets: Subset folders to read; all eight by default.
        max_abs_angle: Drop samples with any angle beyond this; ``None`` (default) keeps all,
            since the ±99° filter of the protocol is specified for the AFLW2000 test set.
        check_images: Check that every image exists.

    Returns:
        Samples in split ``train``, ordered by subset then file name.

    Raises:
        LayoutError: On a missing subset folder or any fault listed in
            :func:`facessl.data.layouts.pose_mat.read_pose_mats`.
    """
    mat_files = []
    for subset in subsets:
        mat_files.extend(sorted(require_dir(Path(root) / subset, "300W-LP subset folder").glob("*.mat")))
    return read_pose_mats(mat_files, "train", max_abs_angle, check_images)


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("300w_lp")(load_300w_lp)
