"""Crop recipes: the LatentFace box arithmetic by hand, eye levelling, 5-point alignment, sizes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facessl.prepare.alignment import ARCFACE_TEMPLATE_112
from facessl.prepare.faces import Face
from facessl.prepare.recipes import RECIPES, RecipeError, apply_recipe, latentface_square


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        # mean side 90: half = int(45 * 1.1) = int(49.5) = 49; centre (140, 100);
        # left = 140 - 49 = 91; top = int(100 + 0.15 * 49) - 49 = int(107.35) - 49 = 58; side 98.
        ((100, 50, 80, 100), (91, 58, 98)),
        # mean side 95: half = int(47.5 * 1.1) = int(52.25) = 52; centre (224.5, 113.5);
        # left = int(224.5) - 52 = 172; top = int(113.5 + 7.8) - 52 = 121 - 52 = 69; side 104.
        ((177, 66, 95, 95), (172, 69, 104)),
        # near the corner: centre (15, 10); half = int(20 * 1.1) = 22;
        # left = 15 - 22 = -7; top = int(10 + 3.3) - 22 = 13 - 22 = -9; side 44.
        ((-5, -10, 40, 40), (-7, -9, 44)),
    ],
)
def test_latentface_square_matches_hand_computed_values(box: tuple[float, ...], expected: tuple[int, int, int]) -> None:
    assert latentface_square(box) == expected  # type: ignore[arg-type]


def test_latentface_crop_replicates_edges_like_np_pad() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    box = (-5.0, -10.0, 40.0, 40.0)  # square (-7, -9, 44) leaves the image at the top-left
    left, top, side = latentface_square(box)
    pad = 50
    reference = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge")[
        top + pad : top + pad + side, left + pad : left + pad + side
    ]
    crop = apply_recipe("latentface", image, Face(box=box), size=side)
    np.testing.assert_array_equal(crop.image, reference)
    assert (crop.geometry.x, crop.geometry.y, crop.geometry.side) == (left, top, side)


@pytest.mark.parametrize("name", sorted(RECIPES))
@pytest.mark.parametrize("size", [32, 64])
def test_every_recipe_returns_the_requested_size(name: str, size: int) -> None:
    image = np.full((200, 240, 3), 100, np.uint8)
    points = ARCFACE_TEMPLATE_112 + 60  # 5 points somewhere inside the image
    crop = apply_recipe(name, image, Face(box=(60.0, 50.0, 100.0, 110.0), landmarks=points), size=size)
    assert crop.image.shape == (size, size, 3) and crop.image.dtype == np.uint8


def _bright_blobs(image: np.ndarray, count: int) -> np.ndarray:
    """Centroids of the ``count`` bright blobs, sorted by x."""
    gray = image if image.ndim == 2 else image.max(axis=2)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats((gray > 128).astype(np.uint8))
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:count] + 1
    found = centroids[order]
    return found[np.argsort(found[:, 0])]


def test_pcl_recipe_levels_the_eye_line() -> None:
    image = np.zeros((200, 200, 3), np.uint8)
    eyes = np.array([[80.0, 90.0], [120.0, 104.0]])  # right eye lower: tilted clockwise by ~19 degrees
    for x, y in eyes:
        cv2.circle(image, (int(x), int(y)), 4, (255, 255, 255), -1)
    crop = apply_recipe("pcl", image, Face(box=(60.0, 60.0, 80.0, 80.0), landmarks=eyes), size=160)
    (lx, ly), (rx, ry) = _bright_blobs(crop.image, 2)
    assert abs(ly - ry) < 1.5 and rx - lx > 60
    assert crop.geometry.angle == pytest.approx(np.degrees(np.arctan2(14, 40)))


def test_pcl_recipe_without_eyes_is_an_unrotated_box_crop() -> None:
    image = np.random.default_rng(1).integers(0, 256, (100, 100, 3), dtype=np.uint8)
    crop = apply_recipe("pcl", image, Face(box=(20.0, 30.0, 40.0, 40.0)), size=40)
    np.testing.assert_array_equal(crop.image, image[30:70, 20:60])


def test_arcface_recipe_puts_the_five_points_on_the_template() -> None:
    # Place the template's points in a photo under a known similarity (scale 1.7, 25 degrees, shift).
    angle, scale = np.radians(25), 1.7
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    points = ARCFACE_TEMPLATE_112 @ rotation.T + np.array([150.0, 90.0])
    image = np.zeros((400, 400, 3), np.uint8)
    for x, y in points:
        cv2.circle(image, (int(round(x)), int(round(y))), 5, (255, 255, 255), -1)
    crop = apply_recipe("arcface", image, Face(box=(0.0, 0.0, 1.0, 1.0), landmarks=points), size=112)
    found = _bright_blobs(crop.image, 5)
    expected = ARCFACE_TEMPLATE_112[np.argsort(ARCFACE_TEMPLATE_112[:, 0])]
    np.testing.assert_allclose(found, expected, atol=1.0)
    assert crop.geometry.side == pytest.approx(112 * scale, rel=1e-3)


def test_arcface_recipe_without_landmarks_is_a_recipe_error() -> None:
    with pytest.raises(RecipeError, match="5 landmarks"):
        apply_recipe("arcface", np.zeros((50, 50, 3), np.uint8), Face(box=(0.0, 0.0, 50.0, 50.0)))


def test_unknown_recipe_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="latentface"):
        apply_recipe("mtcnn", np.zeros((50, 50, 3), np.uint8), Face(box=(0.0, 0.0, 50.0, 50.0)))
