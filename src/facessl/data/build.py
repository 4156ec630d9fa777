"""The `data` section of a run config, and the training dataset it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch.utils.data import Dataset

from facessl.config import ConfigError

from facessl.data.images import DataError, ImageFiles, Sample
from facessl.data.toyfaces import ToyFaces


@dataclass(frozen=True)
class DataConfig:
    """Where training images come from.

    Args:
        source: toyfaces (procedural, built in), folder (an image tree), manifest (a CSV with a
            `path` column), synthfaces (the streaming 3D generator).
        path: folder or manifest path for `folder` / `manifest`.
        image_size: images are resized to this square side by the workers.
        length: number of items of a procedural source.
        num_identities: identities of a procedural source.
        num_workers: decoding processes (0 decodes in the training process).
        strict: stop at the first unreadable image instead of skipping it.
        frames_per_track: 0 (default): items are single images. F > 0: items are F frames of one track
            (`facessl.data.tracks`, LatentFace stage 2, §4.3: 16); ``train.batch_size`` must be a multiple of F.
        frames_with_replacement: draw a track's F frames with replacement (official, §4.3) or without.
    """

    source: Literal["toyfaces", "folder", "manifest", "synthfaces"] = "toyfaces"
    path: str | None = None
    image_size: int = 64
    length: int = 4096
    num_identities: int = 64
    num_workers: int = 2
    strict: bool = False
    frames_per_track: int = 0
    frames_with_replacement: bool = True

    def __post_init__(self) -> None:
        if self.source in ("folder", "manifest") and not self.path:
            raise ConfigError(f"data.path is required when data.source is {self.source!r}")
        if self.image_size < 16:
            raise ConfigError("data.image_size must be at least 16")
        if self.frames_per_track < 0:
            raise ConfigError("data.frames_per_track must be 0 (single images) or a positive number of frames")


def build_dataset(cfg: DataConfig, seed: int = 0) -> Dataset[Sample]:
    """The dataset for `cfg.source`; a missing folder or an empty dataset raises `DataError` naming the path."""
    if cfg.frames_per_track:
        from facessl.data.tracks import TrackItems, build_track_source

        source = build_track_source(cfg.source, cfg.path, cfg.image_size, cfg.length, cfg.num_identities,
                                    cfg.frames_per_track, cfg.strict, seed)  # fmt: skip
        return TrackItems(source, cfg.frames_per_track, seed, cfg.frames_with_replacement)
    if cfg.source == "toyfaces":
        return ToyFaces(cfg.length, cfg.image_size, cfg.num_identities, seed=seed)
    if cfg.source == "folder":
        return ImageFiles.from_folder(str(cfg.path), cfg.image_size, cfg.strict)
    if cfg.source == "manifest":
        return ImageFiles.from_manifest(str(cfg.path), cfg.image_size, cfg.strict)
    if cfg.source == "synthfaces":
        from facessl.synth.corpus import SynthFacesCorpus  # imported here: builds the face model

        return SynthFacesCorpus.from_size(cfg.length, cfg.num_identities, cfg.image_size, seed=seed)
    raise DataError(f"data.source {cfg.source!r} is not available in this version of facessl")
