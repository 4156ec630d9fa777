"""Feature extraction with an on-disk cache of safetensors files (ecosystem.md §10.2).

A cached feature matrix is keyed by everything that can change it: the checkpoint's hash and the
feature site, the samples (their images and boxes, in order: `samples_sha256`) and the
preprocessing (image size, normalisation, crop and margin, flip). Anything else - batch size,
device, progress bars - cannot change the features and is not part of the key.

Example:
    >>> cache = FeatureCache("~/.cache/facessl/features")  # doctest: +SKIP
    >>> feats = extract_features(source, samples, preprocessing_for(source), cache=cache)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import Tensor
from torch.utils.data import DataLoader

from facessl.data.layouts.sample import FaceSample
from facessl.eval.face_images import Crop, FaceImages, Preprocessing
from facessl.eval.feature_source import FeatureSource

CACHE_FORMAT = "facessl-features/v1"  # bump when extraction changes in a way the key cannot see
DEFAULT_BATCH_SIZE = 64


def samples_sha256(samples: Sequence[FaceSample]) -> str:
    """Hash of the images a split holds, in order: paths with file sizes (or pixel bytes) and boxes.

    Labels are left out on purpose: they cannot change features, and the protocols hash them into
    each result's ``split_sha256``. A file rewritten in place with the same size is not detected.
    """
    digest = hashlib.sha256()
    for sample in samples:
        image = sample.image
        if isinstance(image, (str, Path)):
            path = Path(image)
            size = path.stat().st_size if path.exists() else -1
            digest.update(f"path|{path}|{size}|".encode())
        elif image is None:
            digest.update(b"none|")
        else:
            array = np.ascontiguousarray(image)
            digest.update(f"array|{array.dtype.str}|{array.shape}|".encode())
            digest.update(hashlib.sha256(array.tobytes()).digest())
        digest.update(f"box|{None if sample.box is None else [float(v) for v in sample.box]}|".encode())
    return digest.hexdigest()


def preprocessing_for(
    source: FeatureSource, crop: Crop = "box", box_margin: float = 0.0, flip: bool = False
) -> Preprocessing:
    """The preprocessing a source expects: its input size and normalisation, plus crop and flip."""
    return Preprocessing(source.input_size, dict(source.normalization), crop, box_margin, flip)


def cache_key(source: FeatureSource, split_sha256: str, prep: Preprocessing) -> tuple[str, dict[str, Any]]:
    """The cache key (hex sha256) and the description it hashes (stored in the file's metadata)."""
    description = {
        "format": CACHE_FORMAT,
        "checkpoint_sha256": source.checkpoint_sha256,
        "site": source.site,
        "split_sha256": split_sha256,
        "preprocessing": prep.key(),
    }
    text = json.dumps(description, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest(), description


class FeatureCache:
    """A folder of ``<key>.safetensors`` files, each holding one tensor ``features`` (N, D).

    Attributes:
        root: The folder (created on the first write).
        hits: Lookups answered from disk.
        misses: Lookups that had to extract.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        self.hits = 0
        self.misses = 0

    def path(self, key: str) -> Path:
        """File that holds (or will hold) the features of `key`."""
        return self.root / f"{key}.safetensors"

    def load(self, key: str) -> Tensor | None:
        """The cached features of `key`, or None (counted as a hit or a miss)."""
        path = self.path(key)
        if not path.is_file():
            self.misses += 1
            return None
        self.hits += 1
        return load_file(str(path))["features"]

    def save(self, key: str, features: Tensor, description: dict[str, Any]) -> Path:
        """Write atomically (temporary file, then rename), so a crash never leaves half a file."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path(key)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        save_file({"features": features.contiguous()}, str(tmp), metadata={"key": json.dumps(description)})
        os.replace(tmp, path)
        return path


@torch.no_grad()
def encode_samples(
    source: FeatureSource,
    samples: Sequence[FaceSample],
    prep: Preprocessing,
    batch_size: int = DEFAULT_BATCH_SIZE,
    num_workers: int = 0,
    progress: bool = False,
    description: str = "features",
) -> Tensor:
    """Features of every sample, in order, without the cache.

    Returns:
        float32 tensor of shape (N, D) on the CPU (trailing feature dimensions flattened).
    """
    for module in source.modules:
        module.eval()
    loader = DataLoader(FaceImages(list(samples), prep), batch_size=batch_size, num_workers=num_workers)
    chunks: list[Tensor] = []
    bar = None
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task(description, total=len(samples))
        bar.start()
    try:
        for images in loader:  # uint8 (B, 3, S, S)
            x = images.to(source.device).float().div_(255.0)
            chunks.append(source.extract(x).float().reshape(len(x), -1).cpu())
            if bar is not None:
                bar.update(task, advance=len(images))
    finally:
        if bar is not None:
            bar.stop()
    if not chunks:
        raise ValueError("no samples to encode")
    return torch.cat(chunks)


def extract_features(
    source: FeatureSource,
    samples: Sequence[FaceSample],
    prep: Preprocessing,
    cache: FeatureCache | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    num_workers: int = 0,
    progress: bool = False,
    description: str = "features",
) -> Tensor:
    """Features of `samples` under `prep`, read from `cache` when present, else computed and stored.

    Args:
        source: The encoder and site.
        samples: Samples with images, in the order rows are wanted.
        prep: Image size, normalisation, crop and flip; part of the key.
        cache: Where to look and store; None computes every time.
        batch_size: Images per forward pass (not part of the key).
        num_workers: Decoding processes (not part of the key).
        progress: Show a rich progress bar.
        description: Label of the progress bar.

    Returns:
        float32 (N, D) on the CPU.
    """
    if cache is None:
        return encode_samples(source, samples, prep, batch_size, num_workers, progress, description)
    key, meta = cache_key(source, samples_sha256(samples), prep)
    cached = cache.load(key)
    if cached is not None and cached.shape[0] == len(samples):
        return cached
    features = encode_samples(source, samples, prep, batch_size, num_workers, progress, description)
    cache.save(key, features, meta)
    return features
