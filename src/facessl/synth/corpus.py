"""A VoxCeleb-like pretraining corpus rendered on the fly: identities → videos → tracks → frames.

VoxCeleb (Nagrani et al., Interspeech 2017; Chung et al., Interspeech 2018) is organised as
celebrity → YouTube video → face track → frames, and PCL and LatentFace train on frames of its
tracks. This corpus has the same structure: a **video** fixes the background, the base light
and the camera; a **track** is a continuous shot in which head pose, expression (AU intensities)
and light drift smoothly between keyframes every ``KEY_SPACING`` frames (smoothstep
interpolation, so there are no jumps); a **frame** is one image.

Item ``i`` is a pure function of ``(seed, i)``; ``__getitems__`` renders a whole batch in one
call of the renderer, which :class:`torch.utils.data.DataLoader` uses when it is defined.

Example:
    >>> corpus = SynthFacesCorpus(num_identities=2, videos_per_identity=1, tracks_per_video=1,
    ...                           frames_per_track=4, seed=0)
    >>> len(corpus), corpus.location(5)
    (8, FrameLocation(identity=1, video=0, track=0, frame=1))
    >>> [s.image.shape for s in corpus.__getitems__([0, 7])]
    [torch.Size([3, 64, 64]), torch.Size([3, 64, 64])]
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
from torch import Tensor
from torch.utils.data import Dataset

from facessl.data.images import Sample
from facessl.synth.action_units import ACTION_UNITS
from facessl.synth.expressions import EMOTIONS, emotion_au_draws, emotion_aus_from_draws
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.factors import FaceFactors
from facessl.synth.scene import (
    SceneRanges,
    camera_from_uniforms,
    camera_uniforms,
    light_from_uniforms,
    light_uniforms,
    pose_from_uniforms,
    pose_uniforms,
    sample_background,
)
from facessl.synth.seeding import STREAM_TRACK, STREAM_VIDEO, generator

KEY_SPACING = 12  # frames between keyframes; about half a second at VoxCeleb's 25 fps
# Standard deviations of the drift between keyframes inside a track (degrees; light and cm).
POSE_DRIFT_DEG = (12.0, 6.0, 4.0)
LIGHT_DRIFT = 0.15
TRANSLATION_DRIFT_CM = 0.4
NEUTRAL_KEY_PROBABILITY = 0.4  # talking faces are often near neutral


class FrameLocation(NamedTuple):
    """Where item i sits in the corpus tree (0-based)."""

    identity: int
    video: int
    track: int
    frame: int


def smoothstep(t: float) -> float:
    """3t² − 2t³: eases in and out of keyframes."""
    return t * t * (3 - 2 * t)


class SynthFacesCorpus(Dataset[Sample]):
    """Streaming map-style dataset of video frames.

    Args:
        num_identities: people, integers ``identity_offset .. identity_offset + num_identities − 1``.
        videos_per_identity: videos per person.
        tracks_per_video: tracks per video.
        frames_per_track: frames per track.
        seed: corpus seed.
        image_size: rendered side in pixels.
        ranges: scene ranges (a track's centre pose is drawn from these; drift is clipped to them).
        identity_offset: first person integer (task sets use disjoint ranges).
        length: number of items exposed (default: the whole tree); must not exceed it.
    """

    def __init__(
        self,
        num_identities: int = 64,
        videos_per_identity: int = 4,
        tracks_per_video: int = 2,
        frames_per_track: int = 8,
        seed: int = 0,
        image_size: int = 64,
        ranges: SceneRanges = SceneRanges(),
        identity_offset: int = 0,
        length: int | None = None,
    ) -> None:
        self.shape = (num_identities, videos_per_identity, tracks_per_video, frames_per_track)
        self.seed, self.image_size, self.ranges, self.identity_offset = seed, image_size, ranges, identity_offset
        full = math.prod(self.shape)
        if length is not None and not 0 < length <= full:
            raise ValueError(f"length {length} must be in 1..{full} (the size of the corpus tree)")
        self.length = full if length is None else length
        self._renderer: FaceRenderer | None = None

    @classmethod
    def from_size(cls, length: int, num_identities: int, image_size: int = 64, seed: int = 0) -> SynthFacesCorpus:
        """A corpus of ``length`` frames over ``num_identities`` people (4 videos × 2 tracks each)."""
        frames = max(1, math.ceil(length / (num_identities * 8)))
        return cls(num_identities, 4, 2, frames, seed=seed, image_size=image_size, length=length)

    def __len__(self) -> int:
        return self.length

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_renderer"] = None  # rebuilt in each worker process
        return state

    @property
    def renderer(self) -> FaceRenderer:
        """The renderer, built on first use in each process."""
        if self._renderer is None:
            self._renderer = FaceRenderer()
        return self._renderer

    def location(self, index: int) -> FrameLocation:
        """Identity (0-based within the corpus), video, track and frame of item ``index``."""
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} out of range for {self.length} frames")
        _, videos, tracks, frames = self.shape
        index, frame = divmod(index, frames)
        index, track = divmod(index, tracks)
        identity, video = divmod(index, videos)
        return FrameLocation(identity, video, track, frame)

    def factors(self, indices: Sequence[int]) -> FaceFactors:
        """Ground-truth factors of items ``indices``.

        The frames' keyframe pairs are gathered first and interpolated in one batched pass: the
        same arithmetic, element for element, as interpolating frame by frame (each weight is the
        Python float cast to float32, as a scalar multiply casts it), at a fraction of the cost.
        """
        num_keys = (self.shape[3] - 1) // KEY_SPACING + 2
        locations = [self.location(int(i)) for i in indices]
        persons = [self.identity_offset + loc.identity for loc in locations]
        track_ids = [(self.seed, p, loc.video, loc.track) for p, loc in zip(persons, locations, strict=True)]
        tracks = _tracks(track_ids, self.ranges, num_keys)
        pairs, weights, emotions = [], [], []
        for loc, track in zip(locations, tracks, strict=True):
            k, rest = divmod(loc.frame, KEY_SPACING)
            s = smoothstep(rest / KEY_SPACING)
            pairs.append(track.keys[k : k + 2])
            weights.append((1 - s, s))
            emotions.append(track.emotion[k + (1 if s >= 0.5 else 0)])
        keys = torch.stack(pairs)  # (B, 2, D)
        w = torch.tensor(weights, dtype=torch.float32)
        at = w[:, 0:1] * keys[:, 0] + w[:, 1:2] * keys[:, 1]  # (B, D)
        pose, aus, light, shift = at.split(_KEY_WIDTHS, 1)
        scene = torch.stack([t.scene for t in tracks])  # (B, 12)
        direction, ambient, diffuse, translation, distance = scene.split(_SCENE_WIDTHS, 1)
        kind_seed = torch.stack([t.background for t in tracks])  # (B, 2)
        limits = torch.tensor([self.ranges.yaw, self.ranges.pitch, self.ranges.roll])
        return FaceFactors(
            identity=torch.tensor(persons),
            emotion=torch.tensor(emotions),
            action_units=aus.reshape(len(tracks), -1, 2),
            pose=torch.maximum(torch.minimum(pose, limits), -limits),
            light_direction=torch.nn.functional.normalize(direction + light, dim=1),
            ambient=ambient,
            diffuse=diffuse,
            translation=translation + shift,
            distance=distance[:, 0],
            background_kind=kind_seed[:, 0],
            background_seed=kind_seed[:, 1],
        )

    def __getitem__(self, index: int) -> Sample:
        return self.__getitems__([index])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[Sample]:
        """Render items ``indices`` in one batch (called by DataLoader with a whole batch)."""
        images = self.renderer.render(self.factors(indices), self.image_size).images
        return [Sample(image, int(i)) for image, i in zip(images, indices, strict=True)]


class _Track(NamedTuple):
    """One track's draws, packed for batched lookup (read-only: shared by the cache)."""

    scene: Tensor  # (12,) float32: the video's light direction, ambient, diffuse, translation, distance
    background: Tensor  # (2,) int64: the video's background kind and seed
    keys: Tensor  # (num_keys, 3 + 2A + 3 + 2) float32: pose, AU intensities, light drift, position drift
    emotion: tuple[int, ...]  # emotion label of each keyframe


_SCENE_WIDTHS = (3, 3, 3, 2, 1)
_KEY_WIDTHS = (3, 2 * len(ACTION_UNITS), 3, 2)


# Tracks drawn recently, least recently used first (per process: DataLoader workers each keep their own).
_TRACK_CACHE: OrderedDict[tuple[tuple[int, int, int, int], SceneRanges, int], _Track] = OrderedDict()
_TRACK_CACHE_SIZE = 4096
# What _draw_tracks draws for each track, in drawing order.
_DRAWS = ("light", "camera", "background", "centre", "pose_drift", "neutral", "emotion", "au_scale", "au_normal",
          "au_side", "light_drift", "shift")  # fmt: skip


def _tracks(ids: Sequence[tuple[int, int, int, int]], ranges: SceneRanges, num_keys: int) -> list[_Track]:
    """Tracks ``(seed, person, video, track)``: from the cache, or drawn together for the batch's new ones."""
    missing = [i for i in dict.fromkeys(ids) if (i, ranges, num_keys) not in _TRACK_CACHE]
    fresh = dict(zip(missing, _draw_tracks(missing, ranges, num_keys), strict=True)) if missing else {}
    out = []
    for i in ids:
        key = (i, ranges, num_keys)
        if i in fresh:
            _TRACK_CACHE[key] = fresh[i]
        _TRACK_CACHE.move_to_end(key)
        out.append(_TRACK_CACHE[key])
    while len(_TRACK_CACHE) > _TRACK_CACHE_SIZE:
        _TRACK_CACHE.popitem(last=False)
    return out


def _draw_tracks(ids: Sequence[tuple[int, int, int, int]], ranges: SceneRanges, num_keys: int) -> list[_Track]:
    """Draw tracks: a video's fixed scene and a track's keyframes, each from its own generator.

    The draws are made track by track, in a fixed order; the arithmetic on them (scene ranges, keyframe drift,
    emotion AUs) runs once for all the tracks, which gives the same values as sampling each track alone.
    """
    draws: dict[str, list[Tensor]] = {name: [] for name in _DRAWS}
    for seed, person, video, track in ids:
        gen = generator(seed, STREAM_VIDEO, person, video)
        draws["light"].append(light_uniforms(gen))
        draws["camera"].append(camera_uniforms(gen))
        draws["background"].append(torch.cat(sample_background(gen)))
        gen = generator(seed, STREAM_TRACK, person, video, track)
        draws["centre"].append(pose_uniforms(gen))
        draws["pose_drift"].append(torch.randn(num_keys, 3, generator=gen))
        draws["neutral"].append(torch.rand(num_keys, generator=gen))
        draws["emotion"].append(torch.randint(1, len(EMOTIONS), (num_keys,), generator=gen))
        for name, value in zip(("au_scale", "au_normal", "au_side"), emotion_au_draws(num_keys, gen), strict=True):
            draws[name].append(value)
        draws["light_drift"].append(torch.randn(num_keys, 3, generator=gen))
        draws["shift"].append(torch.randn(num_keys, 2, generator=gen))
    d = {name: torch.stack(values) for name, values in draws.items()}  # each (N, ...)
    num = len(ids)
    direction, ambient, diffuse = light_from_uniforms(d["light"][:, 0], ranges)
    translation, distance = camera_from_uniforms(d["camera"][:, 0], ranges)
    scene = torch.cat([direction, ambient, diffuse, translation, distance[:, None]], 1)  # (N, 12)
    pose = pose_from_uniforms(d["centre"], ranges) + d["pose_drift"] * torch.tensor(POSE_DRIFT_DEG)  # (N, K, 3)
    emotion = d["emotion"].masked_fill(d["neutral"] < NEUTRAL_KEY_PROBABILITY, 0)  # (N, K)
    aus = emotion_aus_from_draws(emotion.view(-1), *(d[n].flatten(0, 1) for n in ("au_scale", "au_normal", "au_side")))
    light = d["light_drift"] * LIGHT_DRIFT * torch.tensor([1.0, 1.0, 0.0])
    shift = d["shift"] * TRANSLATION_DRIFT_CM
    keys = torch.cat([pose, aus.view(num, num_keys, -1), light, shift], 2)  # (N, K, D)
    return [_Track(scene[i], d["background"][i], keys[i], tuple(emotion[i].tolist())) for i in range(num)]
