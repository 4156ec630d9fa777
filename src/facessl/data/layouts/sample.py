"""The records that layout loaders return: one labelled face image, or one verification pair."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass(frozen=True, eq=False)
class FaceSample:
    """One face image with its labels, already in facessl's canonical conventions (NOTES.md).

    Fields a dataset does not label stay ``None``. ``eq=False`` because some fields hold arrays,
    whose ``==`` is elementwise.

    Attributes:
        image: Path of the image file, or the pixels themselves (FER2013 ships pixels inside a CSV:
            a ``(48, 48)`` uint8 array), or ``None`` when the dataset ships labels without frames
            (DISFA/BP4D loaded without a frames folder).
        split: Split name: ``train``/``val``/``test`` where the dataset defines them, ``all``
            otherwise (subject-exclusive folds are chosen by the protocol, not the layout).
        box: Face box ``(x, y, width, height)`` in pixels of ``image``, when the dataset gives one.
        expression: Index into :data:`facessl.data.layouts.labels.EXPRESSIONS`.
        identity: Person identifier as the dataset spells it (a name or a number).
        au_occurrence: FACS number -> 1 (present) / 0 (absent) / ``None`` (unknown, to be masked).
        au_intensity: FACS number -> intensity 0..5 (DISFA).
        pose: Head pose ``(yaw, pitch, roll)`` in degrees.
        landmarks: 2D landmarks, shape ``(K, 2)`` as ``(x, y)`` pixels.
        subject: Recording subject (DISFA ``SN001``, BP4D ``F001``), for subject-exclusive folds.
        frame: Frame number inside the subject's recording.
    """

    image: Path | np.ndarray | None
    split: str
    box: tuple[float, float, float, float] | None = None
    expression: int | None = None
    identity: str | None = None
    au_occurrence: Mapping[int, int | None] | None = None
    au_intensity: Mapping[int, int] | None = None
    pose: tuple[float, float, float] | None = None
    landmarks: np.ndarray | None = None
    subject: str | None = None
    frame: int | None = None


@dataclass(frozen=True, eq=False)
class FacePair:
    """One face-verification pair (LFW, CPLFW).

    Attributes:
        first: The first image, with its identity.
        second: The second image, with its identity.
        same: Whether both images show the same person.
        fold: 0-based fold index of the official 10-fold protocol.
        split: ``fold1`` .. ``fold10`` (1-based, as the LFW README counts them).
    """

    first: FaceSample
    second: FaceSample
    same: bool
    fold: int
    split: str


class _HasSplit(Protocol):
    @property
    def split(self) -> str: ...


def summarize(items: Iterable[_HasSplit]) -> dict[str, int]:
    """Count samples (or pairs) per split, in the order splits first appear.

    Example:
        >>> summarize([FaceSample(None, "train"), FaceSample(None, "test"), FaceSample(None, "train")])
        {'train': 2, 'test': 1}
    """
    return dict(Counter(item.split for item in items))


def au_label_matrix(samples: Sequence[FaceSample], aus: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Stack AU occurrence labels into arrays for a protocol.

    Args:
        samples: Samples with ``au_occurrence`` set.
        aus: FACS numbers, in the column order wanted.

    Returns:
        ``(labels, known)``, both of shape ``(N, len(aus))``: ``labels`` is uint8 0/1 with unknown
        entries set to 0, ``known`` is True where the label is known (BP4D's code 9 is unknown), so
        a loss or an F1 must be weighted by ``known``.
    """
    labels = np.zeros((len(samples), len(aus)), dtype=np.uint8)
    known = np.zeros((len(samples), len(aus)), dtype=bool)
    for row, sample in enumerate(samples):
        if sample.au_occurrence is None:
            raise ValueError(f"sample {row} ({sample.image}) has no AU labels")
        for col, au in enumerate(aus):
            value = sample.au_occurrence.get(au)
            if value is not None:
                labels[row, col] = value
                known[row, col] = True
    return labels, known
