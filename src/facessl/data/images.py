"""Image datasets over a folder tree or a CSV manifest, decoded to uint8 tensors in the workers.

Workers only decode and resize (no randomness), so a batch is a pure function of its indices and
resuming a run needs only the sampler's position. A corrupt or unreadable file is replaced by the
next readable one (so batches keep their size, which data-parallel gathers need) and reported;
with `strict=True` it is an error naming the file.
"""

from __future__ import annotations

import csv
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import Dataset
from PIL import Image
from torchvision.transforms.v2.functional import pil_to_tensor, resize

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff"}


class DataError(ValueError):
    """A data source is missing, empty, malformed or (in strict mode) holds an unreadable image."""


@dataclass(frozen=True)
class Sample:
    """A batch item: the image and the files that had to be skipped to produce it."""

    image: Tensor  # (3, H, W) uint8
    index: int
    skipped: tuple[str, ...] = ()


def list_images(root: str | Path) -> list[Path]:
    """All image files below `root`, sorted (so indices are stable across machines)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"image folder not found: {root}")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise DataError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) found under {root}")
    return files


def read_manifest(path: str | Path) -> tuple[list[Path], list[dict[str, str]]]:
    """Read a CSV manifest with a `path` column (relative to the manifest's folder) and optional labels."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"manifest not found: {path}")
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "path" not in reader.fieldnames:
            raise DataError(f"{path}:1: the header must contain a 'path' column, got {reader.fieldnames}")
        files, rows = [], []
        for line, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise DataError(f"{path}:{line}: expected {len(reader.fieldnames)} columns")
            if not row["path"]:
                raise DataError(f"{path}:{line}: empty path")
            p = Path(row["path"])
            files.append(p if p.is_absolute() else path.parent / p)
            rows.append({k: v for k, v in row.items() if k != "path"})
    if not files:
        raise DataError(f"manifest {path} lists no images")
    return files, rows


# libjpeg-turbo/libpng through torchvision for the common formats (no PIL in the training path);
# Pillow for the rest (BMP, TIFF). torchvision 0.29 deprecates its decoders in favour of TorchCodec:
# the warning is silenced here, and a torchvision without them falls back to Pillow.
_NATIVE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from torchvision.io import ImageReadMode, decode_image
except ImportError:  # pragma: no cover - a future torchvision
    decode_image = None


def decode_file(path: Path, size: int) -> Tensor:
    """Decode an image file to RGB uint8 (3, size, size) (squashing the aspect ratio of non-square inputs)."""
    if decode_image is not None and path.suffix.lower() in _NATIVE_SUFFIXES:
        data = torch.frombuffer(bytearray(path.read_bytes()), dtype=torch.uint8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            image = decode_image(data, mode=ImageReadMode.RGB)
    else:
        with Image.open(path) as im:
            im.load()  # reads the whole file: a truncated one fails here
            image = pil_to_tensor(im.convert("RGB"))
    if image.shape[-2:] != (size, size):
        image = resize(image, [size, size], antialias=True)
    return image


class ImageFiles(Dataset[Sample]):
    """Images from a list of files, resized to `size` × `size`.

    Args:
        files: image paths.
        size: output side in pixels.
        strict: raise `DataError` on the first unreadable file instead of skipping it.
    """

    def __init__(self, files: list[Path], size: int, strict: bool = False) -> None:
        if not files:
            raise DataError("the dataset is empty")
        self.files, self.size, self.strict = files, size, strict

    @classmethod
    def from_folder(cls, root: str | Path, size: int, strict: bool = False) -> ImageFiles:
        return cls(list_images(root), size, strict)

    @classmethod
    def from_manifest(cls, path: str | Path, size: int, strict: bool = False) -> ImageFiles:
        return cls(read_manifest(path)[0], size, strict)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        skipped: list[str] = []
        for offset in range(len(self.files)):
            i = (index + offset) % len(self.files)
            path = self.files[i]
            try:
                return Sample(decode_file(path, self.size), index, tuple(skipped))
            except Exception as err:  # decoders raise many types; every one means "unreadable"
                if self.strict:
                    raise DataError(f"unreadable image {path}: {err}") from err
                log.warning("skipping unreadable image %s: %s", path, err)
                skipped.append(str(path))
        raise DataError(f"none of the {len(self.files)} images could be read (first: {self.files[0]})")


def collate(samples: list[Sample]) -> tuple[Tensor, Tensor, list[str]]:
    """Stack samples into (images uint8 (N, 3, H, W), indices (N,), skipped file paths).

    Items that hold several frames (F, 3, H, W) (track items, `facessl.data.tracks`) are concatenated, giving a
    track-major batch.
    """
    images = torch.cat([s.image for s in samples]) if samples[0].image.dim() == 4 else torch.stack([s.image for s in samples])
    indices = torch.tensor([s.index for s in samples])
    skipped = [p for s in samples for p in s.skipped]
    return images, indices, skipped
