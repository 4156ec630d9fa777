"""Sizes of the SynthFaces task sets and exports: ``tiny`` (tests, seconds), ``small``, ``standard``.

``standard`` follows the structure of the real benchmarks where it is fixed: LFW's View 2 has 10
folds of 300 matched and 300 mismatched pairs (the LFW README, section 3c); DISFA has 27
subjects, evaluated with 3 subject-exclusive folds (JAA-Net's protocol, NOTES.md); RAF-DB basic
has 100×100 aligned images. Other counts are our choices, sized so that ``standard`` renders in
minutes on two cores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """Counts of one preset.

    Args:
        name: preset name.
        expression_identities: (train, val, test) people of the expression set.
        expression_images: images per person (emotions cycle through the 8 classes).
        pose_identities: (train, val, test) people of the head-pose set.
        pose_images: images per person.
        celeba_identities: (train, val, test) people of the CelebA-style set.
        celeba_images: images per person.
        verification_folds: folds of the verification protocol.
        verification_pairs: matched (= mismatched) pairs per fold.
        verification_images: images per person of the verification set.
        au_subjects: subjects of the AU set (split into 3 subject-exclusive folds).
        au_frames: frames per subject.
        corpus_identities: people of the exported video corpus (VoxCeleb tree).
        corpus_videos: videos per person.
        corpus_tracks: tracks per video.
        corpus_frames: frames per track.
        image_size: side of exported images (RAF-DB images are always 100).
    """

    name: str
    expression_identities: tuple[int, int, int]
    expression_images: int
    pose_identities: tuple[int, int, int]
    pose_images: int
    celeba_identities: tuple[int, int, int]
    celeba_images: int
    verification_folds: int
    verification_pairs: int
    verification_images: int
    au_subjects: int
    au_frames: int
    corpus_identities: int
    corpus_videos: int
    corpus_tracks: int
    corpus_frames: int
    image_size: int = 64


PRESETS: dict[str, Preset] = {
    "tiny": Preset("tiny", (6, 2, 2), 8, (4, 1, 2), 6, (3, 1, 1), 4, 10, 4, 3, 6, 8, 3, 2, 1, 4),
    "small": Preset("small", (60, 10, 20), 32, (40, 10, 20), 12, (40, 10, 10), 8, 10, 60, 3, 9, 60, 20, 2, 2, 8),
    "standard": Preset("standard", (500, 50, 150), 24, (300, 50, 100), 24, (400, 50, 100), 16, 10, 300, 3, 27, 300,
                       200, 4, 2, 16),
}  # fmt: skip
