"""Fixtures for the preparation tests: a real photo (scikit-image's astronaut) and synthetic raw videos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from facessl.data.toyfaces import ToyFaces

# Where OpenCV's frontal-face cascade finds the astronaut's face (environment.md §3).
ASTRONAUT_BOX = (177, 66, 95, 95)


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """The astronaut photo (512 x 512 RGB, public domain), shipped inside scikit-image."""
    from skimage.data import astronaut as load

    return np.ascontiguousarray(load())


@pytest.fixture
def astronaut_jpg(tmp_path: Path, astronaut: np.ndarray) -> Path:
    path = tmp_path / "photos" / "eileen" / "astronaut.jpg"
    path.parent.mkdir(parents=True)
    Image.fromarray(astronaut).save(path, quality=95)
    return path


@dataclass(frozen=True)
class ToyVideo:
    """A synthetic raw video: ToyFaces faces pasted on a larger canvas at known boxes."""

    path: Path
    boxes: list[tuple[int, int, int, int]]  # one (x, y, w, h) per frame
    faces: list[np.ndarray]  # the pasted (side, side, 3) RGB faces


def write_toy_video(path: Path, frames: int = 10, side: int = 48, canvas: tuple[int, int] = (160, 120)) -> ToyVideo:
    """Write an mp4 (mp4v) of ``frames`` frames, each with one toy face moving across a plain background."""
    width, height = canvas
    toys = ToyFaces(length=frames, size=side, seed=3)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (width, height))
    assert writer.isOpened()
    boxes, faces = [], []
    for i in range(frames):
        face = toys[i].image.permute(1, 2, 0).numpy()
        x, y = 8 + 9 * i, 12 + 5 * i
        frame = np.full((height, width, 3), 90, np.uint8)
        frame[y : y + side, x : x + side] = face
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        boxes.append((x, y, side, side))
        faces.append(face)
    writer.release()
    return ToyVideo(path, boxes, faces)


@pytest.fixture
def toy_video() -> Callable[..., ToyVideo]:
    return write_toy_video
