"""People: everything about a SynthFaces identity, reproducible from one integer.

Identity ``k`` owns a face shape (:func:`facessl.synth.identity.sample_identity`), a colouring
(:func:`facessl.synth.appearance.sample_appearance`) and a hair style, all drawn from a generator
keyed by ``k`` alone: identity 7 is the same person in every dataset, split and seed. Datasets
choose *which* integers they use (disjoint ranges for pretraining and for each task set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import Tensor

from facessl.synth.appearance import Appearance, sample_appearance
from facessl.synth.identity import IdentityCode, sample_identity
from facessl.synth.seeding import STREAM_IDENTITY, generator

# Probability that a person has no hair on the crown (receding to bald); our choice.
BALD_PROBABILITY = 0.1


@dataclass(frozen=True)
class HairStyle:
    """Hair of a batch of people.

    The hairline is a level set on the head ellipsoid of :mod:`facessl.synth.head`: a point with
    unit-sphere coordinates ``n`` has hair where ``n_y`` exceeds a height that blends ``front``
    (facing the camera), ``side`` (above the ears) and ``back`` (the nape) by ``n_z``.

    Attributes:
        colour: (B, 3) display RGB, the eyebrows' colour.
        front: (B,) hairline height at the front, in unit-sphere y (about 0.5 at the forehead top;
            above 1 is bald).
        side: (B,) hairline height above the ears.
        back: (B,) hairline height at the back of the head.
        crown: (B,) upper edge of the hair in unit-sphere y (above 1: no bald patch).
        thickness: (B,) hair thickness in cm.
    """

    colour: Tensor
    front: Tensor
    side: Tensor
    back: Tensor
    crown: Tensor
    thickness: Tensor


@dataclass(frozen=True)
class People:
    """Shape, colouring and hair of a batch of identities (CPU tensors)."""

    identity: IdentityCode
    appearance: Appearance
    hair: HairStyle


@lru_cache(maxsize=8192)
def _person(k: int, symmetric: bool) -> People:
    gen = generator(STREAM_IDENTITY, k)
    identity = sample_identity(1, gen, symmetric=symmetric)
    appearance = sample_appearance(1, gen)
    if symmetric:  # the skin's random brightness field is the only asymmetric colour
        appearance = Appearance(
            appearance.skin, appearance.lips, appearance.brows, appearance.iris, torch.zeros_like(appearance.variation)
        )
    u = torch.rand(5, generator=gen).tolist()
    bald = u[0] < BALD_PROBABILITY
    # Heights in unit-sphere y of the skull (head.py): the mask's top edge is at about 0.54.
    hair = HairStyle(
        colour=appearance.brows.clone(),
        front=torch.tensor([1.2 if bald else 0.3 + 0.25 * u[1]]),
        side=torch.tensor([0.05 + 0.25 * u[2]]),
        back=torch.tensor([-0.75 + 0.4 * u[3]]),
        crown=torch.tensor([0.35 if bald else 2.0]),
        thickness=torch.tensor([0.2 if bald else 0.4 + 1.2 * u[4]]),
    )
    return People(identity, appearance, hair)


def people(ids: Tensor | list[int], symmetric: bool = False) -> People:
    """Look up a batch of identities by their integers (cached per integer).

    Args:
        ids: (B,) identity integers.
        symmetric: make shapes exactly mirror-symmetric and drop the skin's asymmetric variation
            (for symmetry tests; the person is then not the same as without it).

    Returns:
        The batch, in the order of ``ids``.

    Example:
        >>> batch = people([3, 3, 5])
        >>> bool((batch.identity.shape[0] == batch.identity.shape[1]).all())
        True
    """
    rows = [_person(int(k), symmetric) for k in (ids.tolist() if isinstance(ids, Tensor) else ids)]

    def cat(get: Callable[[People], Tensor]) -> Tensor:
        return torch.cat([get(r) for r in rows])

    identity = IdentityCode(*(cat(lambda r, f=f: getattr(r.identity, f)) for f in ("shape", "field", "asymmetry")))
    colours = ("skin", "lips", "brows", "iris", "variation")
    appearance = Appearance(*(cat(lambda r, f=f: getattr(r.appearance, f)) for f in colours))
    hair = HairStyle(*(cat(lambda r, f=f: getattr(r.hair, f)) for f in ("colour", "front", "side", "back", "crown", "thickness")))
    return People(identity, appearance, hair)
