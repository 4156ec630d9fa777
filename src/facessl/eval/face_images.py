"""Pixels of a `FaceSample` for evaluation: decode, optional square box crop, resize, optional mirror.

A sample's image is a file path or an in-memory array (FER2013 ships 48x48 grey pixels in its CSV).
The crop is square around the centre of the sample's box, its side the box's longer side grown by
``margin`` on each side, and zero-padded where it leaves the image, so faces keep their aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms.v2.functional import resize

from facessl.data.layouts.sample import FaceSample

Crop = Literal["box", "none"]


@dataclass(frozen=True)
class Preprocessing:
    """How samples become encoder inputs; every field is part of the feature-cache key.

    Attributes:
        image_size: Side of the square input, in pixels (the encoder card's ``input_size``).
        normalization: ``{"mean": [...], "std": [...]}`` that the feature source applies to [0, 1]
            RGB, or ``{}`` when it applies none. Recorded here (not applied) so that it keys the cache.
        crop: ``"box"`` crops around ``FaceSample.box`` when the sample has one; ``"none"`` uses the
            whole image.
        box_margin: Fraction of the box's longer side added on each side of the crop.
        flip: Mirror the images horizontally before encoding (for ``[f, f_flip]`` features).
    """

    image_size: int
    normalization: dict[str, list[float]]
    crop: Crop = "box"
    box_margin: float = 0.0
    flip: bool = False

    def __post_init__(self) -> None:
        if self.image_size < 1:
            raise ValueError(f"image_size must be positive, got {self.image_size}")
        if self.crop not in ("box", "none"):
            raise ValueError(f"crop must be 'box' or 'none', got {self.crop!r}")
        if self.box_margin < 0:
            raise ValueError(f"box_margin must be non-negative, got {self.box_margin}")

    def key(self) -> dict[str, object]:
        """The fields as plain JSON values, in a fixed order (for hashing and metadata)."""
        return {
            "image_size": self.image_size,
            "normalization": {k: [float(v) for v in vs] for k, vs in sorted(self.normalization.items())},
            "crop": self.crop,
            "box_margin": float(self.box_margin),
            "flip": self.flip,
        }


def decode_sample(sample: FaceSample) -> Tensor:
    """The sample's full image as RGB uint8 of shape (3, H, W).

    Raises:
        ValueError: When the sample has no image (e.g. DISFA loaded without a frames folder).
    """
    image = sample.image
    if image is None:
        raise ValueError("sample has no image (load the dataset with its frames folder)")
    if isinstance(image, (str, Path)):
        with Image.open(image) as im:
            array = np.array(im.convert("RGB"))  # a writable copy
    else:
        array = np.asarray(image)
        if array.dtype != np.uint8:  # float pixels in [0, 1]
            array = np.clip(np.round(array.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
        if array.ndim == 2:
            array = np.repeat(array[:, :, None], 3, axis=2)
        elif array.ndim == 3 and array.shape[2] == 1:
            array = np.repeat(array, 3, axis=2)
        if array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"in-memory image must be (H, W), (H, W, 1) or (H, W, 3), got {array.shape}")
    return torch.from_numpy(np.array(array, copy=True)).permute(2, 0, 1).contiguous()


def square_crop(image: Tensor, box: tuple[float, float, float, float], margin: float) -> Tensor:
    """Square crop around `box` = (x, y, width, height), grown by `margin` per side, zero-padded.

    Shape:
        - image: (C, H, W)
        - Output: (C, S, S), S = round(max(width, height) * (1 + 2 * margin)), at least 1.
    """
    x, y, w, h = box
    side = max(1, int(round(max(w, h) * (1.0 + 2.0 * margin))))
    cx, cy = x + w / 2.0, y + h / 2.0
    left, top = int(round(cx - side / 2.0)), int(round(cy - side / 2.0))
    _, height, width = image.shape
    out = torch.zeros((image.shape[0], side, side), dtype=image.dtype)
    # Intersection of the crop window with the image, in image and in crop coordinates.
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + side, width), min(top + side, height)
    if x1 > x0 and y1 > y0:
        out[:, y0 - top : y1 - top, x0 - left : x1 - left] = image[:, y0:y1, x0:x1]
    return out


def load_face(sample: FaceSample, prep: Preprocessing) -> Tensor:
    """Decode, crop as `prep` says, resize to ``prep.image_size`` and mirror if asked.

    Returns:
        uint8 tensor of shape (3, image_size, image_size).
    """
    image = decode_sample(sample)
    if prep.crop == "box" and sample.box is not None:
        image = square_crop(image, sample.box, prep.box_margin)
    if image.shape[-2:] != (prep.image_size, prep.image_size):
        image = resize(image, [prep.image_size, prep.image_size], antialias=True)
    if prep.flip:
        image = image.flip(-1)
    return image


class FaceImages(Dataset[Tensor]):
    """Samples as encoder inputs, for a `DataLoader`: item i is `load_face(samples[i], prep)`."""

    def __init__(self, samples: list[FaceSample], prep: Preprocessing) -> None:
        self.samples, self.prep = samples, prep

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Tensor:
        try:
            return load_face(self.samples[index], self.prep)
        except (OSError, ValueError) as err:  # name the sample: a bare decoder error says nothing
            raise ValueError(f"cannot load sample {index} ({self.samples[index].image!s:.200}): {err}") from err
