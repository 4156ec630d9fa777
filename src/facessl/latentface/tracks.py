"""Stage-2 track batches (research/latentface.md §4.2–§4.3): the interface between track data and `latentface-rdm`.

A track batch is a uint8 tensor (T·F, 3, H, W), **track-major**: rows k·F … k·F + F − 1 are F frames of track k
(officially T = 1 and F = 16 frames drawn with replacement from one VoxCeleb1 video, §4.3). Any source of tracks
(SynthFaces, prepared VoxCeleb crops) provides `TrackSource`; `TrackBatches` turns it into a map-style dataset
whose item k is the F frames of track k and `collate_tracks` concatenates items into one track batch.
"""

from __future__ import annotations

from typing import Protocol

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset

FRAMES_PER_TRACK = 16  # §4.3


class TrackSource(Protocol):
    """Tracks of frames: `num_tracks`, `track_length(k)` and `frame(k, j)` -> (3, H, W) uint8."""

    def __len__(self) -> int: ...

    def track_length(self, track: int) -> int: ...

    def frame(self, track: int, index: int) -> Tensor: ...


class ContiguousTracks:
    """A `TrackSource` over a frame dataset whose tracks are consecutive runs of `track_length` items, e.g.
    `facessl.synth.corpus.SynthFacesCorpus` (frame index fastest: ``track_length = corpus.shape[3]``).

    Args:
        frames: map-style dataset of `Sample` items (``.image`` uint8 (3, H, W)); batched ``__getitems__`` is used
            when the dataset has it (SynthFaces renders a batch at once).
        track_length: frames per track; a trailing partial track is dropped.
    """

    def __init__(self, frames: Dataset, track_length: int) -> None:  # type: ignore[type-arg]
        self.data, self.length = frames, track_length

    def __len__(self) -> int:
        return len(self.data) // self.length  # type: ignore[arg-type]

    def track_length(self, track: int) -> int:
        return self.length

    def frame(self, track: int, index: int) -> Tensor:
        return self.data[track * self.length + index].image

    def frames(self, track: int, indices: Tensor) -> Tensor:
        items = [track * self.length + int(j) for j in indices]
        get = getattr(self.data, "__getitems__", None)
        samples = get(items) if get is not None else [self.data[i] for i in items]
        return torch.stack([s.image for s in samples])


class ToyFaceTracks:
    """A `TrackSource` of ToyFaces videos: track k is one identity under varying expression and head pose, in one
    scene (a stand-in for VoxCeleb1 / SynthFaces tracks in tests and smoke runs).

    Args:
        num_tracks: number of tracks (= identities).
        length: frames per track.
        size: image side.
        seed: frame (k, j) depends only on (seed, k, j).
    """

    def __init__(self, num_tracks: int = 64, length: int = 32, size: int = 64, seed: int = 0) -> None:
        from facessl.data.toyfaces import ToyFaces

        self.faces = ToyFaces(length=num_tracks * length, size=size, num_identities=num_tracks, seed=seed)
        self.num_tracks, self.length = num_tracks, length

    def __len__(self) -> int:
        return self.num_tracks

    def track_length(self, track: int) -> int:
        return self.length

    def frame(self, track: int, index: int) -> Tensor:
        from dataclasses import replace

        f = self.faces.factors(track * self.length + index)
        return self.faces.render(replace(f, identity=track, scene=self.faces.seed * 1_000_003 + track))


def sample_frame_indices(length: int, frames: int, generator: torch.Generator, replace: bool = True) -> Tensor:
    """F frame indices of a track of `length` frames: uniform with replacement (official numpy ``choice``, §4.3)
    or without (the cleaner ablation of §9.5, needs length ≥ F)."""
    if replace:
        return torch.randint(0, length, (frames,), generator=generator)
    if length < frames:
        raise ValueError(f"a track of {length} frames cannot give {frames} distinct frames")
    return torch.randperm(length, generator=generator)[:frames]


class TrackBatches(Dataset[Tensor]):
    """Item k: (F, 3, H, W) uint8 frames of track k; item k of epoch e depends only on (seed, e, k).

    Args:
        source: the tracks.
        frames: F (§4.3: 16).
        replace: draw frames with replacement (official) or without.
        seed: base seed.
        min_frames: tracks shorter than this are dropped (§4.3: folders with fewer than 16 frames).
    """

    def __init__(self, source: TrackSource, frames: int = FRAMES_PER_TRACK, replace: bool = True, seed: int = 0,
                 min_frames: int = FRAMES_PER_TRACK) -> None:  # fmt: skip
        self.source, self.frames, self.replace, self.seed, self.epoch = source, frames, replace, seed, 0
        self.tracks = [k for k in range(len(source)) if source.track_length(k) >= min_frames]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.tracks)

    def __getitem__(self, item: int) -> Tensor:
        track = self.tracks[item]
        g = torch.Generator().manual_seed((self.seed * 1_000_003 + self.epoch) * 1_000_003 + track)
        idx = sample_frame_indices(self.source.track_length(track), self.frames, g, self.replace)
        batched = getattr(self.source, "frames", None)  # optional: render/decode the F frames at once
        if batched is not None:
            return batched(track, idx)
        return torch.stack([self.source.frame(track, int(j)) for j in idx])


def collate_tracks(items: list[Tensor]) -> Tensor:
    """T items of (F, 3, H, W) -> one track-major batch (T·F, 3, H, W)."""
    return torch.cat(items)


def track_mean(codes: Tensor, frames: int) -> Tensor:
    """The time-invariant target of §4.2: each track's mean code, broadcast back to its F frames.

    Shape:
        - codes: (T·F, D), track-major
        - Output: (T·F, D)
    """
    n, dim = codes.shape
    if n % frames:
        raise ValueError(f"a track batch of {n} frames is not a multiple of {frames} frames per track")
    grouped = codes.view(n // frames, frames, dim)
    return grouped.mean(1, keepdim=True).expand_as(grouped).reshape(n, dim)


def track_mean_cosine(codes: Tensor, estimate: Tensor, frames: int) -> Tensor:
    """The official stage-2 metric (§4.10): mean cosine similarity of `estimate` to the track-mean code.

    With ``estimate = codes`` this is "Origin Distance"; with the RDM's neutral codes, "Predict Distance".
    """
    return F.cosine_similarity(estimate, track_mean(codes, frames), dim=1).mean()


__all__ = [
    "FRAMES_PER_TRACK",
    "ContiguousTracks",
    "TrackBatches",
    "ToyFaceTracks",
    "TrackSource",
    "collate_tracks",
    "sample_frame_indices",
    "track_mean",
    "track_mean_cosine",
]
