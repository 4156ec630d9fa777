"""Labelled SynthFaces task sets with identity-disjoint splits: expression, verification, AUs, pose.

Every task draws its people from its own range of identity integers, far from the pretraining
corpus's ``[0, 10⁹)``, so no task person is ever seen in pretraining, and splits never share a
person. Factors are drawn per image with :func:`facessl.synth.sampling.sample_factors` (or, for
the AU set, smoothly along each subject's video), so a task set is a pure function of
``(seed, preset)`` and is cheap to build: rendering happens later, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import Tensor

from facessl.synth.corpus import smoothstep
from facessl.synth.expressions import EMOTIONS, random_action_units
from facessl.synth.factors import NO_EMOTION, FaceFactors
from facessl.synth.presets import Preset
from facessl.synth.sampling import sample_factors
from facessl.synth.scene import SceneRanges, sample_background, sample_camera, sample_light, sample_pose
from facessl.synth.seeding import STREAM_PAIRS, STREAM_TRACK, STREAM_VIDEO, generator

SPLITS = ("train", "val", "test")
TASK_NUMBERS = {"expression": 1, "verification": 2, "au": 3, "pose": 4, "celeba": 5}
AU_FOLDS = 3
AU_KEY_SPACING = 8  # frames between AU keyframes in the AU videos
# DISFA subjects sit in front of a screen: small head movements (our choice of ranges).
AU_RANGES = SceneRanges(yaw=20.0, pitch=10.0, roll=8.0)
# In-the-wild expression sets (RAF-DB, AffectNet) are mostly near-frontal; with the pretraining
# corpus' yaw of ±60° the expression task measured pose more than expression (our choice of ranges).
EXPRESSION_RANGES = SceneRanges(yaw=30.0, pitch=15.0, roll=10.0)


def task_identity(task: str, seed: int, j: int) -> int:
    """Person integer ``j`` of a task under ``seed``: ``task · 10⁹ + seed · 10⁶ + j``."""
    return TASK_NUMBERS[task] * 10**9 + seed * 10**6 + j


class Pair(NamedTuple):
    """A verification pair: row indices of the two images, whether they show one person, 0-based fold."""

    first: int
    second: int
    same: bool
    fold: int


@dataclass(frozen=True)
class TaskSet:
    """Images (as factors) of one task, with their split.

    Attributes:
        name: task name (a key of ``TASK_NUMBERS``).
        factors: one row per image.
        split: per image: ``train``/``val``/``test``, or ``fold1``.. for verification and AUs.
        frame: (N,) frame number inside the subject's video (AU set, 1-based); −1 for stills.
        pairs: verification pairs (empty for other tasks).
    """

    name: str
    factors: FaceFactors
    split: list[str]
    frame: Tensor
    pairs: list[Pair] = field(default_factory=list)

    def __len__(self) -> int:
        return self.factors.batch_size

    def rows(self, split: str) -> list[int]:
        """Row indices of one split."""
        return [i for i, s in enumerate(self.split) if s == split]


def _stills(task: str, seed: int, people_per_split: tuple[int, ...], images: int, ranges: SceneRanges,
            independent_aus: bool = False) -> TaskSet:
    """Independent images, ``images`` per person, emotions cycling through the 8 classes (or, with
    ``independent_aus``, no emotion: every AU drawn on its own)."""
    ids, splits, emotions = [], [], []
    j = 0
    for split, count in zip(SPLITS, people_per_split, strict=True):
        for _ in range(count):
            for k in range(images):
                ids.append(task_identity(task, seed, j))
                emotions.append(NO_EMOTION if independent_aus else (j + k) % len(EMOTIONS))
                splits.append(split)
            j += 1
    keys = [TASK_NUMBERS[task] * 10**9 + i for i in range(len(ids))]
    factors = sample_factors(seed, keys, ids, emotions, ranges)
    return TaskSet(task, factors, splits, torch.full((len(ids),), -1))


def expression_task(seed: int, preset: Preset, ranges: SceneRanges = EXPRESSION_RANGES, classes: int = 8) -> TaskSet:
    """Expression recognition: 8 canonical classes, or 7 (``classes=7`` drops contempt's images)."""
    task = _stills("expression", seed, preset.expression_identities, preset.expression_images, ranges)
    if classes == 8:
        return task
    if classes != 7:
        raise ValueError(f"classes must be 7 or 8, got {classes}")
    keep = (task.factors.emotion != EMOTIONS.index("contempt")).nonzero().flatten()
    return TaskSet(task.name, task.factors.select(keep), [task.split[i] for i in keep.tolist()], task.frame[keep])


def pose_task(seed: int, preset: Preset, ranges: SceneRanges = SceneRanges()) -> TaskSet:
    """Head-pose estimation: (yaw, pitch, roll) uniform in ``ranges``, random emotions."""
    return _stills("pose", seed, preset.pose_identities, preset.pose_images, ranges)


def au_stills_task(seed: int, people: int, images: int, ranges: SceneRanges = AU_RANGES) -> TaskSet:
    """Independent AU stills (all split ``train``): ``images`` per person, every AU present or not on its own
    (:func:`facessl.synth.expressions.random_action_units`), the AU videos' scene ranges.

    Training data for AU detectors beyond the DISFA-like videos of :func:`au_task`, whose frames hold few
    independent AU configurations (one keyframe every ``AU_KEY_SPACING`` frames). Its people are those of
    :func:`au_task` under the same seed, so use another seed than the evaluation set's.
    """
    return _stills("au", seed, (people, 0, 0), images, ranges, independent_aus=True)


def celeba_task(seed: int, preset: Preset, ranges: SceneRanges = SceneRanges()) -> TaskSet:
    """A CelebA-like identity-partitioned image set (random emotions and scenes)."""
    return _stills("celeba", seed, preset.celeba_identities, preset.celeba_images, ranges)


def verification_pairs(seed: int, preset: Preset) -> tuple[list[int], list[str], list[Pair]]:
    """The structure of the verification set, without its scenes (cheap).

    Each fold has its own people (``verification_pairs`` of them, ``verification_images`` images
    each), so folds are identity-disjoint as in LFW; matched pair k takes two different images of
    person k, mismatched pair k takes an image of person k and one of another person of the fold.
    Pairs are ordered as in LFW's pairs.txt: fold by fold, matched pairs first.

    Returns:
        Person integer and split of each image, and the pairs (as row indices).
    """
    people_per_fold, per_person = preset.verification_pairs, preset.verification_images
    if per_person < 2 or people_per_fold < 2:
        raise ValueError("verification needs at least 2 people per fold and 2 images per person")
    ids: list[int] = []
    splits: list[str] = []
    pairs: list[Pair] = []
    combos = [(a, b) for a in range(per_person) for b in range(a + 1, per_person)]
    for fold in range(preset.verification_folds):
        first_row = len(ids)
        for p in range(people_per_fold):
            ids += [task_identity("verification", seed, fold * people_per_fold + p)] * per_person
            splits += [f"fold{fold + 1}"] * per_person
        gen = generator(seed, STREAM_PAIRS, fold)
        for person in range(people_per_fold):
            a, b = combos[int(torch.randint(0, len(combos), (), generator=gen))]
            pairs.append(Pair(first_row + person * per_person + a, first_row + person * per_person + b, True, fold))
        for person in range(people_per_fold):
            other = (person + 1 + int(torch.randint(0, people_per_fold - 1, (), generator=gen))) % people_per_fold
            a, b = (int(torch.randint(0, per_person, (), generator=gen)) for _ in range(2))
            pairs.append(Pair(first_row + person * per_person + a, first_row + other * per_person + b, False, fold))
    return ids, splits, pairs


def verification_task(seed: int, preset: Preset, ranges: SceneRanges = SceneRanges()) -> TaskSet:
    """Face verification in LFW's View 2 structure (:func:`verification_pairs`), random scenes."""
    ids, splits, pairs = verification_pairs(seed, preset)
    keys = [TASK_NUMBERS["verification"] * 10**9 + i for i in range(len(ids))]
    factors = sample_factors(seed, keys, ids, None, ranges)
    return TaskSet("verification", factors, splits, torch.full((len(ids),), -1), pairs)


def au_task(seed: int, preset: Preset, ranges: SceneRanges = AU_RANGES) -> TaskSet:
    """AU detection and intensity in DISFA's structure: one video per subject, AUs varying smoothly.

    AU keyframes every ``AU_KEY_SPACING`` frames are drawn independently per AU
    (:func:`facessl.synth.expressions.random_action_units`), not from emotions, so that AUs do not
    always co-occur; subject ``s`` is in fold ``s mod 3 + 1``.
    """
    rows, splits, frames = [], [], []
    for s in range(preset.au_subjects):
        person = task_identity("au", seed, s)
        video = generator(seed, STREAM_VIDEO, person, 0)
        direction, ambient, diffuse = sample_light(video, ranges)
        translation, distance = sample_camera(video, ranges)
        kind, bg_seed = sample_background(video)
        track = generator(seed, STREAM_TRACK, person, 0, 0)
        num_keys = (preset.au_frames - 1) // AU_KEY_SPACING + 2
        key_aus = random_action_units(num_keys, track, active_probability=0.3)
        key_pose = sample_pose(track, ranges, num_keys)
        for f in range(preset.au_frames):
            k, rest = divmod(f, AU_KEY_SPACING)
            t = smoothstep(rest / AU_KEY_SPACING)
            rows.append(
                FaceFactors(
                    identity=torch.tensor([person]),
                    emotion=torch.tensor([NO_EMOTION]),
                    action_units=(1 - t) * key_aus[k : k + 1] + t * key_aus[k + 1 : k + 2],
                    pose=(1 - t) * key_pose[k : k + 1] + t * key_pose[k + 1 : k + 2],
                    light_direction=direction,
                    ambient=ambient,
                    diffuse=diffuse,
                    translation=translation,
                    distance=distance,
                    background_kind=kind,
                    background_seed=bg_seed,
                )
            )
            splits.append(f"fold{s % AU_FOLDS + 1}")
            frames.append(f + 1)
    return TaskSet("au", FaceFactors.cat(rows), splits, torch.tensor(frames))


__all__ = ["Pair", "TaskSet", "au_stills_task", "au_task", "celeba_task", "expression_task", "pose_task",
           "task_identity", "verification_pairs", "verification_task"]  # fmt: skip
