"""Track items for methods that train on frames of one face track (LatentFace stage 2, research/latentface.md §4.3).

With ``data.frames_per_track: F > 0`` the training dataset's item k is a `Sample` whose image holds F frames of
track k, (F, 3, H, W) uint8, and `facessl.data.images.collate` concatenates items into one track-major batch
(T·F, 3, H, W). The engine's sampler then deals out whole tracks (to each rank too), so no track is ever split
between batches or processes; ``train.batch_size`` still counts images and must be a multiple of F.

Where tracks come from:

* ``synthfaces``: the streaming corpus' own tracks (one person, one video, smoothly varying expression and pose);
* ``toyfaces``: one ToyFaces identity per track (smoke tests);
* ``folder``: each folder that directly holds images is a track (VoxCeleb1's frame tree
  ``<person>/<video>/<segment>/*.jpg``);
* ``manifest``: the rows of one track share the manifest's ``source`` column when it repeats (a video cropped with
  its track file by ``facessl prepare voxceleb --tracks``), otherwise the folder of ``source`` (a frame tree).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from torch import Tensor
from torch.utils.data import Dataset

from facessl.data.images import DataError, ImageFiles, Sample, list_images, read_manifest
from facessl.latentface.tracks import ContiguousTracks, ToyFaceTracks, TrackBatches, TrackSource


class FileTracks:
    """A `TrackSource` over image files grouped into tracks (lists of indices into an `ImageFiles`)."""

    def __init__(self, files: ImageFiles, groups: Sequence[Sequence[int]]) -> None:
        self.files, self.groups = files, [list(g) for g in groups]

    def __len__(self) -> int:
        return len(self.groups)

    def track_length(self, track: int) -> int:
        return len(self.groups[track])

    def frame(self, track: int, index: int) -> Tensor:
        sample = self.files[self.groups[track][index]]
        if sample.skipped:  # ImageFiles substitutes the next readable file, which may belong to another track
            raise DataError(f"unreadable frame {sample.skipped[0]} in track {track}")
        return sample.image


def group_by(keys: Sequence[str]) -> list[list[int]]:
    """Indices grouped by key, groups in order of first appearance, indices in file order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return list(groups.values())


def manifest_track_keys(path: str | Path) -> list[str]:
    """Track key of every manifest row (module docstring): ``source`` if sources repeat, else its folder."""
    files, rows = read_manifest(path)
    if not rows or "source" not in rows[0]:
        raise DataError(f"{path}:1: track batches need a 'source' column (as `facessl prepare` writes)")
    sources = [r["source"] for r in rows]
    if len(set(sources)) < len(sources):
        return sources
    return [str(Path(s).parent) for s in sources]


class TrackItems(Dataset[Sample]):
    """Item k: a `Sample` with the (F, 3, H, W) frames of track k (frames drawn per epoch, `TrackBatches`).

    Args:
        source: the tracks.
        frames_per_track: F.
        seed: base seed of the frame draws.
        replace: draw frames with replacement (official, §4.3) or without.
    """

    def __init__(self, source: TrackSource, frames_per_track: int, seed: int = 0, replace: bool = True) -> None:
        self.frames_per_item = frames_per_track
        self.tracks = TrackBatches(source, frames_per_track, replace=replace, seed=seed,
                                   min_frames=1 if replace else frames_per_track)  # fmt: skip
        if len(self.tracks) == 0:
            raise DataError(f"no track has the {frames_per_track} frames that data.frames_per_track asks for")

    def set_epoch(self, epoch: int) -> None:
        """Draw other frames of every track in another epoch (called by the engine before each epoch)."""
        self.tracks.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.tracks)

    def __getitem__(self, index: int) -> Sample:
        return Sample(self.tracks[index], index)


def synthfaces_tracks(length: int, num_identities: int, image_size: int, frames_per_track: int, seed: int) -> TrackSource:
    """The streaming corpus with 4 videos × 2 tracks per person and about ``length`` frames, ≥ 2F per track."""
    from facessl.synth.corpus import SynthFacesCorpus  # imported here: builds the face model

    per_track = max(2 * frames_per_track, math.ceil(length / (num_identities * 8)))
    corpus = SynthFacesCorpus(num_identities, 4, 2, per_track, seed=seed, image_size=image_size)
    return ContiguousTracks(corpus, per_track)


def build_track_source(source: str, path: str | None, image_size: int, length: int, num_identities: int,
                       frames_per_track: int, strict: bool, seed: int) -> TrackSource:  # fmt: skip
    """The `TrackSource` of a data config's source (module docstring)."""
    if source == "synthfaces":
        return synthfaces_tracks(length, num_identities, image_size, frames_per_track, seed)
    if source == "toyfaces":
        return ToyFaceTracks(num_identities, max(2 * frames_per_track, length // num_identities), image_size, seed)
    if source == "folder":
        paths = list_images(str(path))
        files = ImageFiles(paths, image_size, strict)
        return FileTracks(files, group_by([str(p.parent) for p in paths]))
    if source == "manifest":
        files = ImageFiles.from_manifest(str(path), image_size, strict)
        return FileTracks(files, group_by(manifest_track_keys(str(path))))
    raise DataError(f"data.source {source!r} cannot give tracks")


def frames_per_item(dataset: Dataset) -> int:  # type: ignore[type-arg]
    """Images in one dataset item: F for `TrackItems`, 1 otherwise."""
    return int(getattr(dataset, "frames_per_item", 1))


__all__ = ["FileTracks", "TrackItems", "build_track_source", "frames_per_item", "group_by", "manifest_track_keys",
           "synthfaces_tracks"]
