"""Draw the factors of independent still images (the labelled task sets and previews).

Row ``i`` is drawn from ``generator(seed, STREAM_SCENE, indices[i])`` alone, so a row does not
depend on the others in its batch. The video corpus (:mod:`facessl.synth.corpus`) draws its rows
differently, smoothly in time.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from facessl.synth.expressions import EMOTIONS, emotion_action_units, random_action_units
from facessl.synth.factors import NO_EMOTION, FaceFactors
from facessl.synth.scene import SceneRanges, sample_background, sample_camera, sample_light, sample_pose
from facessl.synth.seeding import STREAM_SCENE, generator


def sample_factors(
    seed: int,
    indices: Sequence[int],
    identities: Sequence[int],
    emotions: Sequence[int] | None = None,
    ranges: SceneRanges = SceneRanges(),
) -> FaceFactors:
    """Factors of independent images.

    Args:
        seed: dataset seed.
        indices: (B,) image keys; equal (seed, key) give equal rows.
        identities: (B,) person integers.
        emotions: (B,) indices into :data:`EMOTIONS` (AUs from their EMFACS prototypes with
            jitter), or ``NO_EMOTION`` for independent random AUs; None draws an emotion per image.
        ranges: scene ranges.

    Returns:
        B rows of factors.
    """
    rows = []
    for b, (index, identity) in enumerate(zip(indices, identities, strict=True)):
        gen = generator(seed, STREAM_SCENE, int(index))
        emotion = int(torch.randint(0, len(EMOTIONS), (), generator=gen)) if emotions is None else int(emotions[b])
        if emotion == NO_EMOTION:
            aus = random_action_units(1, gen)
        else:
            aus = emotion_action_units(torch.tensor([emotion]), gen)
        direction, ambient, diffuse = sample_light(gen, ranges)
        translation, distance = sample_camera(gen, ranges)
        kind, bg_seed = sample_background(gen)
        rows.append(
            FaceFactors(
                identity=torch.tensor([int(identity)]),
                emotion=torch.tensor([emotion]),
                action_units=aus,
                pose=sample_pose(gen, ranges),
                light_direction=direction,
                ambient=ambient,
                diffuse=diffuse,
                translation=translation,
                distance=distance,
                background_kind=kind,
                background_seed=bg_seed,
            )
        )
    return FaceFactors.cat(rows)
