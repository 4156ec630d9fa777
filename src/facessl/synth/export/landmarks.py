"""2D landmark schemes of the pose datasets, from SynthFaces' 468 MediaPipe landmarks.

* **iBUG 68** (300-W; Sagonas et al., "300 Faces in-the-Wild Challenge", ICCV-W 2013), the
  ``pt2d`` of 300W-LP: jaw 1–17 from the subject's right ear to the left, brows 18–27, nose
  28–36, eyes 37–48, outer lips 49–60, inner lips 61–68, numbered as in the 300-W markup.
* **AFLW 21** (Koestinger et al., "Annotated Facial Landmarks in the Wild", ICCV-W 2011), the
  ``pt2d`` of AFLW2000: brows, eyes, ears, nose, mouth and chin. We read AFLW's "left" as the
  image's left (the subject's right).

The correspondences are ours, chosen on the canonical mesh with :mod:`facessl.synth.regions`
(each point is a MediaPipe vertex, or the mean of several for eye and mouth centres); points on
one side are the mirror images of the other side's.
"""

from __future__ import annotations

import torch
from torch import Tensor

from facessl.synth import regions as R
from facessl.synth.mesh import load_canonical_mesh

_JAW_RIGHT = (127, 234, 93, 132, 58, 172, 136, 149)  # subject's right ear down to beside the chin


def _mirror(i: int) -> int:
    return int(load_canonical_mesh().mirror[i])


def _ibug68() -> list[tuple[int, ...]]:
    m = _mirror
    jaw = [*_JAW_RIGHT, 152, *(m(i) for i in reversed(_JAW_RIGHT))]
    brows = [*R.RIGHT_BROW_UPPER, *(m(i) for i in reversed(R.RIGHT_BROW_UPPER))]
    nose = [168, 197, 5, 4, 98, 97, 2, m(97), m(98)]
    right_eye = [33, 160, 158, 133, 153, 144]  # outer corner, upper lid, inner corner, lower lid
    left_eye = [m(133), m(158), m(160), m(33), m(144), m(153)]
    outer = [61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91]
    inner = [78, 81, 13, 311, 308, 402, 14, 178]
    return [(i,) for i in jaw + brows + nose + right_eye + left_eye + outer + inner]


def _aflw21() -> list[tuple[int, ...]]:
    right_eye, left_eye = tuple(R.RIGHT_EYE_CONTOUR), tuple(R.LEFT_EYE_CONTOUR)
    return [(70,), (105,), (107,), (336,), (334,), (300,), (33,), right_eye, (133,), (362,), left_eye, (263,),
            (234,), (98,), (4,), (327,), (454,), (61,), (13, 14), (291,), (152,)]  # fmt: skip


IBUG68: list[tuple[int, ...]] = _ibug68()
AFLW21: list[tuple[int, ...]] = _aflw21()


def flip_permutation(scheme: list[tuple[int, ...]]) -> list[int]:
    """For each point, the index of the point that a horizontal flip of the image moves onto it."""
    mirrored = [tuple(sorted(_mirror(i) for i in point)) for point in scheme]
    lookup = {tuple(sorted(point)): k for k, point in enumerate(scheme)}
    return [lookup[p] for p in mirrored]


def project_scheme(landmarks: Tensor, scheme: list[tuple[int, ...]]) -> Tensor:
    """Pick a scheme's points from (B, 468, 2) MediaPipe landmarks; returns (B, K, 2)."""
    return torch.stack([landmarks[:, list(point)].mean(1) for point in scheme], 1)
