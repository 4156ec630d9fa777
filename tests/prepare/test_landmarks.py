"""Landmark schemes: 5 alignment points and eye centres from 68-, 21-, 5- and 2-point annotations."""

from __future__ import annotations

import numpy as np

from facessl.prepare.landmarks import eye_angle, eye_centres, five_points


def test_five_points_from_ibug_68() -> None:
    points = np.zeros((68, 2))
    points[36:42] = [10, 20]
    points[42:48] = [30, 20]
    points[30], points[48], points[54] = [20, 30], [12, 40], [28, 40]
    five = five_points(points)
    assert five is not None
    np.testing.assert_allclose(five, [[10, 20], [30, 20], [20, 30], [12, 40], [28, 40]])


def test_five_points_from_aflw_21_and_missing_points() -> None:
    points = np.arange(42, dtype=float).reshape(21, 2)
    five = five_points(points)
    assert five is not None
    np.testing.assert_allclose(five, points[[7, 10, 14, 17, 19]])
    points[14] = -1  # AFLW marks unannotated points with negative coordinates
    assert five_points(points) is None


def test_other_schemes_have_no_five_points() -> None:
    assert five_points(np.zeros((2, 2))) is None and five_points(None) is None


def test_eye_centres_are_ordered_image_left_first_and_angle_sign() -> None:
    eyes = np.array([[30.0, 12.0], [10.0, 10.0]])  # given right-to-left
    left, right = eye_centres(eyes)  # type: ignore[misc]
    assert left[0] == 10 and right[0] == 30
    assert eye_angle(eyes) > 0  # image-right eye lower: clockwise tilt on screen
    assert eye_angle(None) == 0.0
