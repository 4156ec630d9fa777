"""Render factor rows in batches and write them as JPEG files, reporting progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor

from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.factors import FaceFactors

BATCH_SIZE = 64
# Quality 95 without chroma subsampling (4:4:4): 4:2:0 would halve the colour resolution of faces
# only 64 pixels wide.
JPEG_QUALITY = 95
Progress = Callable[[int], None]


def write_jpeg(image: Tensor, path: Path) -> None:
    """Write a (3, H, W) uint8 image, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image.permute(1, 2, 0).numpy()).save(path, quality=JPEG_QUALITY, subsampling=0)


def render_to_files(
    renderer: FaceRenderer,
    factors: FaceFactors,
    paths: Sequence[Path],
    size: int,
    mirrored: Sequence[bool] | None = None,
    progress: Progress | None = None,
) -> Tensor:
    """Render every row and write it to its path.

    Args:
        renderer: the renderer.
        factors: N rows.
        paths: N output files.
        size: image side.
        mirrored: per row, write the horizontal flip of the render (300W-LP's ``*_Flip`` copies).
        progress: called with the number of images written after each batch.

    Returns:
        (N, 468, 2) pixel landmarks of the images as written (mirrored where flipped).
    """
    landmarks = []
    for start in range(0, len(paths), BATCH_SIZE):
        stop = min(start + BATCH_SIZE, len(paths))
        out = renderer.render(factors.select(slice(start, stop)), size)
        marks = out.landmarks.clone()
        for k in range(stop - start):
            image = out.images[k]
            if mirrored is not None and mirrored[start + k]:
                image = image.flip(-1)
                marks[k, :, 0] = (size - 1) - marks[k, :, 0]  # pixel centres at x = j (facessl.render.camera)
            write_jpeg(image, paths[start + k])
        landmarks.append(marks)
        if progress is not None:
            progress(stop - start)
    return torch.cat(landmarks) if landmarks else torch.zeros(0, 468, 2)
