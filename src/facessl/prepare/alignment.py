"""Warps that turn a face into a square crop: rotated box crops and 5-point similarity alignment.

Pixels outside the image are filled by edge replication (``cv2.BORDER_REPLICATE``), as
Unsup3D's demo crop does with ``np.pad(mode='edge')`` (latentface.md §7.1); insightface fills
with black instead, which would put an artificial border into every off-image crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# ArcFace's 5-point template for a 112 x 112 crop (insightface ``arcface_torch``/``face_align``
# ``arcface_dst``), image-left eye first; scaled to other sizes by size / 112.
ARCFACE_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)


@dataclass(frozen=True)
class CropGeometry:
    """Where a crop came from: a square of ``side`` source pixels at ``(x, y)`` (its top-left
    corner before rotation) rotated by ``angle`` degrees about its centre; for similarity
    alignment the same numbers describe the equivalent square.
    """

    x: float
    y: float
    side: float
    angle: float

    def as_text(self) -> str:
        """``x;y;side;angle`` with 2 decimals, the manifest's ``crop`` cell."""
        return ";".join(f"{v:.2f}" for v in (self.x, self.y, self.side, self.angle))


def square_crop_matrix(center: tuple[float, float], side: int, angle: float) -> np.ndarray:
    """The 2 x 3 matrix mapping source pixels into a ``side`` x ``side`` crop at scale 1.

    Args:
        center: Crop centre ``(x, y)`` in source pixels.
        side: Crop side in pixels.
        angle: Counter-clockwise rotation on screen in degrees (``cv2.getRotationMatrix2D``'s
            convention); pass the eye angle to level the eyes.
    """
    matrix = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), float(angle), 1.0)
    matrix[0, 2] += side / 2.0 - center[0]
    matrix[1, 2] += side / 2.0 - center[1]
    return matrix


def resize_square(image: np.ndarray, size: int) -> np.ndarray:
    """Resize a square crop to ``size``: area averaging when shrinking (no aliasing), bilinear otherwise."""
    if image.shape[0] == size and image.shape[1] == size:
        return image
    shrink = image.shape[0] > size
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def rotated_square_crop(
    image: np.ndarray, center: tuple[float, float], side: float, angle: float, size: int
) -> tuple[np.ndarray, CropGeometry]:
    """Cut a square of ``side`` source pixels around ``center``, rotated by ``angle``, resized to ``size``.

    Args:
        image: ``(H, W, 3)`` uint8.
        center: Crop centre in source pixels.
        side: Crop side in source pixels (rounded to whole pixels, at least 1).
        angle: Rotation in degrees (see :func:`square_crop_matrix`).
        size: Output side in pixels.

    Returns:
        The ``(size, size, 3)`` crop and where it came from.
    """
    side_px = max(1, int(round(side)))
    matrix = square_crop_matrix(center, side_px, angle)
    crop = cv2.warpAffine(image, matrix, (side_px, side_px), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    geometry = CropGeometry(center[0] - side_px / 2.0, center[1] - side_px / 2.0, float(side_px), float(angle))
    return resize_square(crop, size), geometry


def similarity_align(image: np.ndarray, points: np.ndarray, size: int) -> tuple[np.ndarray, CropGeometry]:
    """Align 5 points onto the ArcFace template scaled to ``size`` with a similarity transform.

    The transform (rotation, uniform scale, translation) is the least-squares fit of
    ``cv2.estimateAffinePartial2D`` over all 5 points (no RANSAC: 5 clean points).

    Args:
        image: ``(H, W, 3)`` uint8.
        points: ``(5, 2)`` points, image-left eye first (:func:`facessl.prepare.landmarks.five_points`).
        size: Output side in pixels.

    Returns:
        The aligned ``(size, size, 3)`` crop and the source square it covers.

    Raises:
        ValueError: If the points are degenerate (no transform can be fitted).
    """
    template = ARCFACE_TEMPLATE_112 * (size / 112.0)
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(points, dtype=np.float64).reshape(-1, 1, 2), template.reshape(-1, 1, 2), method=cv2.LMEDS
    )
    if matrix is None or not np.isfinite(matrix).all():
        raise ValueError("degenerate landmarks: no similarity transform fits them")
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    if scale <= 1e-6:
        raise ValueError("degenerate landmarks: zero scale")
    # The source square the crop covers, from the inverse map of the crop's centre.
    cx, cy = cv2.invertAffineTransform(matrix) @ np.array([size / 2.0, size / 2.0, 1.0])
    side = size / scale
    # warpAffine's matrix rotates by -angle on screen; report the counter-clockwise angle like
    # rotated_square_crop does.
    angle = -float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])))
    geometry = CropGeometry(float(cx - side / 2), float(cy - side / 2), side, angle)
    if scale < 0.5:
        # Shrinking by more than 2x in one bilinear warp aliases: shrink the image first by area
        # averaging, then warp at a scale of 0.5 from the smaller image.
        factor = 2.0 * scale
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        matrix = matrix @ np.diag([1.0 / factor, 1.0 / factor, 1.0])
    crop = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return crop, geometry
