"""Eye centres and the 5 alignment points (eyes, nose tip, mouth corners) from any landmark scheme.

The 5 points are ordered image-left first, as in the ArcFace template (insightface
``arcface_torch``): image-left eye, image-right eye, nose tip, image-left mouth corner,
image-right mouth corner.
"""

from __future__ import annotations

import numpy as np

# iBUG 68-point scheme (300-W; AffectNet and 300W-LP use it), 0-based: 36-41 is the image-left
# eye, 42-47 the image-right eye, 30 the nose tip, 48 and 54 the mouth corners.
_IBUG68_EYES = (slice(36, 42), slice(42, 48))
_IBUG68_NOSE, _IBUG68_MOUTH = 30, (48, 54)
# AFLW 21-point scheme (AFLW2000-3D ``pt2d``), 0-based: 7 and 10 are the eye centres, 14 the nose
# centre, 17 and 19 the mouth corners (18 is the mouth centre).
_AFLW21_FIVE = (7, 10, 14, 17, 19)


def five_points(landmarks: np.ndarray | None) -> np.ndarray | None:
    """The ``(5, 2)`` alignment points, or ``None`` if the scheme has none or one is missing.

    Args:
        landmarks: ``(K, 2)`` points with K in {5, 21, 68}; other K give ``None``.
    """
    if landmarks is None:
        return None
    points = np.asarray(landmarks, dtype=np.float64)
    count = len(points)
    if count == 5:
        five = points
    elif count == 68:
        eyes = [points[s].mean(axis=0) for s in _IBUG68_EYES]
        five = np.stack([*eyes, points[_IBUG68_NOSE], points[_IBUG68_MOUTH[0]], points[_IBUG68_MOUTH[1]]])
    elif count == 21:
        five = points[list(_AFLW21_FIVE)]
    else:
        return None
    if (five < 0).any():
        return None
    return five


def eye_centres(landmarks: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The image-left and image-right eye centres, or ``None`` when unknown.

    Args:
        landmarks: ``(K, 2)`` points; K = 2 is read as the two eye centres (Haar eye detector).
    """
    if landmarks is None:
        return None
    points = np.asarray(landmarks, dtype=np.float64)
    if len(points) == 2:
        eyes = points
    else:
        five = five_points(points)
        if five is None:
            return None
        eyes = five[:2]
    if (eyes < 0).any():
        return None
    left, right = sorted(eyes, key=lambda p: p[0])
    return left, right


def eye_angle(landmarks: np.ndarray | None) -> float:
    """Angle in degrees of the eye line against the horizontal (y down), 0 when the eyes are unknown.

    Positive when the image-right eye is lower, i.e. the face is tilted clockwise on screen.
    """
    eyes = eye_centres(landmarks)
    if eyes is None:
        return 0.0
    (lx, ly), (rx, ry) = eyes
    return float(np.degrees(np.arctan2(ry - ly, rx - lx)))
