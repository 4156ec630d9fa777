"""Reading source images and video frames, and writing crops atomically."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

# The suffixes of facessl.data.images.IMAGE_SUFFIXES (a test keeps them equal), repeated here so
# that worker processes do not import torch just for this set.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"})
TMP_MARK = ".tmp-"


class MediaError(ValueError):
    """A source file cannot be decoded; the message is the reason written to the rejects file."""


def media_kind(path: Path) -> str:
    """``image``, ``video`` or ``other``, from the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return "other"


def read_image(path: Path) -> np.ndarray:
    """Decode an image file to ``(H, W, 3)`` uint8 RGB.

    Pillow is used rather than ``cv2.imdecode`` because libjpeg in OpenCV returns a partial image
    for a truncated JPEG (with only a warning), while Pillow's ``load()`` raises.
    EXIF orientation is not applied: dataset boxes and landmarks refer to the stored pixels.

    Raises:
        MediaError: Missing, empty, corrupt, truncated or non-image file.
    """
    try:
        with Image.open(path) as image:
            image.load()
            rgb = np.asarray(image.convert("RGB"))
    except FileNotFoundError:
        raise MediaError(f"missing file: {path}") from None
    except Exception as error:  # Pillow raises many unrelated types for bad files
        raise MediaError(f"unreadable image ({type(error).__name__}: {error})") from error
    if rgb.ndim != 3 or rgb.shape[0] == 0 or rgb.shape[1] == 0:
        raise MediaError(f"unreadable image (shape {rgb.shape})")
    return np.ascontiguousarray(rgb)


def video_frames(path: Path, wanted: set[int] | None = None, every: int = 1) -> Iterator[tuple[int, np.ndarray | None]]:
    """Yield ``(index, frame)`` for every decodable frame, the frame decoded only when it is wanted.

    A frame is wanted if its index is in ``wanted`` (when given) or a multiple of ``every``
    (otherwise); other frames are yielded as ``(index, None)`` after a cheap ``grab``, so the
    caller can count them.

    Raises:
        MediaError: If the file cannot be opened as a video.
    """
    if not path.is_file():
        raise MediaError(f"missing file: {path}")
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            if path.stat().st_size == 0:
                raise MediaError("empty video file (0 bytes)")
            raise MediaError("cannot open video: empty (no frames), truncated, corrupt, or an unsupported codec")
        index = 0
        while capture.grab():
            keep = index in wanted if wanted is not None else index % every == 0
            if keep:
                ok, frame = capture.retrieve()
                yield index, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if ok and frame is not None else None
            else:
                yield index, None
            index += 1
    finally:
        capture.release()


def write_image_atomic(path: Path, image: np.ndarray) -> None:
    """Encode an RGB image by ``path``'s suffix and move it into place in one rename.

    A reader (or a resumed run) sees either no file or the whole file, never a partial one; a
    killed writer leaves a ``.<name>.tmp-<pid>`` file that :func:`remove_stale_temporaries` cleans.
    """
    ok, encoded = cv2.imencode(path.suffix, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"cannot encode an image as {path.suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    with tmp.open("wb") as handle:
        handle.write(encoded.tobytes())
    os.replace(tmp, path)


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files left by killed writers under ``folder``; returns how many."""
    removed = 0
    if folder.is_dir():
        for tmp in folder.rglob(f".*{TMP_MARK}*"):
            if tmp.is_file():
                tmp.unlink()
                removed += 1
    return removed
