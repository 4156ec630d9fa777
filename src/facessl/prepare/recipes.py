"""Named crop recipes: how a face box and its landmarks become the square crop a method expects.

- ``box``: a plain square around the face box (side = ``scale`` x the longer box side), no rotation.
- ``pcl``: PCL's pre-training crop, 64 px (pcl.md §3.1): the frame is rotated so the eye line is
  horizontal, then the (MTCNN-style) face box is cropped square and resized. PCL's predecessor
  code levels the eyes with 68-point landmarks and crops with facenet-pytorch MTCNN; here the eyes
  come from whatever landmarks exist (dataset, MediaPipe, or the Haar eye cascade) and the box from
  the detector or the dataset. Without eyes the crop is not rotated.
- ``latentface``: the Unsup3D demo crop that LatentFace's ``webimage_recrop.py`` meant to apply
  (latentface.md §7.1): half side ``h = int(mean(w, h) / 2 x 1.1)``, square of side ``2h`` centred
  on the box centre and shifted down by ``0.15 h``, edge-replicate padding, bilinear resize to
  128 (through 256 first when the crop is larger than 512 px).
- ``arcface``: 5-point similarity alignment onto the ArcFace 112 template (ecosystem.md §6),
  scaled to the requested size; needs 5 points (68-, 21- or 5-point landmarks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from facessl.prepare.alignment import (
    CropGeometry,
    rotated_square_crop,
    similarity_align,
)
from facessl.prepare.faces import Face
from facessl.prepare.landmarks import eye_angle, five_points


class RecipeError(ValueError):
    """The face lacks what the recipe needs (e.g. 5 landmarks for ``arcface``)."""


@dataclass(frozen=True)
class Crop:
    """A finished crop: ``(size, size, 3)`` uint8 RGB pixels and the source square they came from."""

    image: np.ndarray
    geometry: CropGeometry


RecipeFn = Callable[[np.ndarray, Face, int, float], Crop]


@dataclass(frozen=True)
class Recipe:
    """A registered recipe.

    Attributes:
        name: The CLI name.
        default_size: Output side used when the user gives none.
        apply: ``(image, face, size, scale) -> Crop``.
        summary: One line for ``--help`` and the run's ``prepare.json``.
    """

    name: str
    default_size: int
    apply: RecipeFn
    summary: str


def latentface_square(box: tuple[float, float, float, float]) -> tuple[int, int, int]:
    """The LatentFace/Unsup3D crop square ``(left, top, side)`` for a face box ``(x, y, w, h)``.

    The integer truncations are those of Unsup3D's demo ``detect_face`` (``int`` on the half side
    and on the shifted corner), so crops match it pixel for pixel.

    Example:
        >>> latentface_square((100, 50, 80, 100))  # half = int(90 / 2 * 1.1) = 49
        (91, 58, 98)
    """
    x, y, w, h = box
    half = int((w + h) / 2 / 2 * 1.1)
    cx, cy = x + w / 2, y + h / 2
    left = int(cx) - half
    top = int(cy + half * 0.15) - half
    return left, top, 2 * half


def _box_crop(image: np.ndarray, face: Face, size: int, scale: float) -> Crop:
    x, y, w, h = face.box
    pixels, geometry = rotated_square_crop(image, (x + w / 2, y + h / 2), max(w, h) * scale, 0.0, size)
    return Crop(pixels, geometry)


def _pcl_crop(image: np.ndarray, face: Face, size: int, scale: float) -> Crop:
    x, y, w, h = face.box
    angle = eye_angle(face.landmarks)
    pixels, geometry = rotated_square_crop(image, (x + w / 2, y + h / 2), max(w, h) * scale, angle, size)
    return Crop(pixels, geometry)


def _latentface_crop(image: np.ndarray, face: Face, size: int, scale: float) -> Crop:
    del scale  # the recipe fixes its own margin (1.1)
    left, top, side = latentface_square(face.box)
    side = max(side, 1)
    height, width = image.shape[:2]
    # Edge-replicate only what the square needs (np.pad(mode='edge') in Unsup3D's demo).
    pad = [max(0, -top), max(0, top + side - height), max(0, -left), max(0, left + side - width)]
    padded = np.pad(image, ((pad[0], pad[1]), (pad[2], pad[3]), (0, 0)), mode="edge") if any(pad) else image
    crop = padded[top + pad[0] : top + pad[0] + side, left + pad[2] : left + pad[2] + side]
    if side > 512:
        crop = cv2.resize(crop, (256, 256), interpolation=cv2.INTER_LINEAR)
    crop = cv2.resize(crop, (size, size), interpolation=cv2.INTER_LINEAR)
    return Crop(np.ascontiguousarray(crop), CropGeometry(float(left), float(top), float(side), 0.0))


def _arcface_crop(image: np.ndarray, face: Face, size: int, scale: float) -> Crop:
    del scale
    points = five_points(face.landmarks)
    if points is None:
        raise RecipeError("recipe 'arcface' needs 5 landmarks (eyes, nose, mouth corners); this face has none")
    pixels, geometry = similarity_align(image, points, size)
    return Crop(pixels, geometry)


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe("box", 128, _box_crop, "square of scale x the longer box side, no rotation"),
        Recipe("pcl", 64, _pcl_crop, "eye line levelled, square face box, 64 px (pcl.md §3.1)"),
        Recipe(
            "latentface",
            128,
            _latentface_crop,
            "Unsup3D/LatentFace box: 1.1 x mean side, 0.15 half-side down (latentface.md §7.1)",
        ),
        Recipe("arcface", 112, _arcface_crop, "5-point similarity alignment to the ArcFace template"),
    )
}


def get_recipe(name: str) -> Recipe:
    """Look a recipe up by name.

    Raises:
        KeyError: For an unknown name; the message lists the known ones.
    """
    if name not in RECIPES:
        raise KeyError(f"unknown crop recipe {name!r}; known: {', '.join(RECIPES)}")
    return RECIPES[name]


def apply_recipe(name: str, image: np.ndarray, face: Face, size: int | None = None, scale: float = 1.0) -> Crop:
    """Crop ``face`` out of ``image`` with the named recipe.

    Args:
        name: A key of :data:`RECIPES`.
        image: ``(H, W, 3)`` uint8 RGB.
        face: The face box and optional landmarks, in ``image`` pixels.
        size: Output side; the recipe's default when ``None``.
        scale: Box margin factor for ``box`` and ``pcl`` (ignored by the others).

    Raises:
        KeyError: Unknown recipe.
        RecipeError: The face box is invalid or the face lacks what the recipe needs.
    """
    recipe = get_recipe(name)
    x, y, w, h = face.box
    if not (np.isfinite([x, y, w, h]).all() and w > 0 and h > 0):
        raise RecipeError(f"invalid face box {face.box}: needs finite numbers and a positive width and height")
    return recipe.apply(image, face, size or recipe.default_size, scale)
