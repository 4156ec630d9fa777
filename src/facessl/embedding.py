"""Embed image files with an exported encoder, in batches."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from facessl.data.images import IMAGE_SUFFIXES, DataError, decode_file
from facessl.weights.encoder_file import FaceEncoder, file_sha256

log = logging.getLogger(__name__)


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their images (sorted); a missing path is an error."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise DataError(f"no such file or folder: {p}")
    if not files:
        raise DataError(f"no images found in {', '.join(map(str, paths))}")
    return files


class _Files(Dataset[tuple[int, Tensor | None]]):
    def __init__(self, files: list[Path], size: int) -> None:
        self.files, self.size = files, size

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[int, Tensor | None]:
        try:
            return i, decode_file(self.files[i], self.size)
        except Exception as err:  # unreadable: reported, never replaced by another image
            log.warning("skipping unreadable image %s: %s", self.files[i], err)
            return i, None


def _collate(items: list[tuple[int, Tensor | None]]) -> tuple[list[int], Tensor | None, list[int]]:
    ok = [(i, x) for i, x in items if x is not None]
    bad = [i for i, x in items if x is None]
    images = torch.stack([x for _, x in ok]) if ok else None
    return [i for i, _ in ok], images, bad


@torch.no_grad()
def embed_files(
    encoder: FaceEncoder, files: list[Path], batch_size: int = 256, num_workers: int = 0, progress: bool = False
) -> tuple[Tensor, list[Path], list[Path]]:
    """Features of every readable file, in order; returns (features (N, D), embedded files, skipped files)."""
    size = encoder.card.input_size
    loader = DataLoader(_Files(files, size), batch_size=batch_size, num_workers=num_workers, collate_fn=_collate)
    device = next(encoder.parameters()).device
    feats, kept, skipped = [], [], []
    bar = None
    if progress:
        from rich.progress import Progress

        bar = Progress()
        task = bar.add_task("embed", total=len(files))
        bar.start()
    try:
        for idx, images, bad in loader:
            skipped.extend(files[i] for i in bad)
            if images is not None:
                feats.append(encoder(images.to(device)).float().cpu())
                kept.extend(files[i] for i in idx)
            if bar is not None:
                bar.update(task, advance=len(idx) + len(bad))
    finally:
        if bar is not None:
            bar.stop()
    features = torch.cat(feats) if feats else torch.empty(0, encoder.num_features)
    return features, kept, skipped


def save_features(features: Tensor, files: list[Path], weights: str | Path, out: str | Path) -> None:
    """features.safetensors: tensor `features` (N, D); metadata: the file list and the weights' hash."""
    metadata = {"paths": json.dumps([str(f) for f in files]), "weights_sha256": file_sha256(weights)}
    save_file({"features": features.contiguous()}, str(out), metadata=metadata)
