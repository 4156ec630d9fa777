"""FACS action units as displacement fields on the canonical face mesh.

Each action unit (AU) is a (V, 3) field, in cm, giving the movement at the FACS maximum (intensity
E). Intensities in [0, 1] scale it linearly and map to the FACS 0-5 scale by ``facs = 5 *
intensity`` (0 = absent, 1 = A trace ... 5 = E maximum), so DISFA's "occurrence = intensity >= 2"
is ``intensity >= 0.4``. Every field is split into the subject's right and left halves, so an AU
can act on one side (contempt's unilateral AU12 + AU14).

The movements follow the appearance changes the FACS manual describes for each AU (Ekman,
Friesen & Hager, *Facial Action Coding System*, 2002). The magnitudes are our own estimates for
an adult face (a few millimetres for brows and lids, about a centimetre at the lip corners, a
jaw rotation of 11 degrees for AU26); they are not measured from data. Rendered at 64 px, where a
centimetre of face is about three pixels, movements of realistic size are hard to see, so the
soft-tissue fields are multiplied by :data:`EXPRESSIVENESS` (a caricature gain, like the
exaggerated expressions of posed datasets); AU26 (a rigid jaw rotation) and AU43 (lids closing,
bounded by the eye) keep their anatomical size.

Vectors below are written for the subject's right side (x < 0), so "outward" is -x and "toward
the midline" is +x; :meth:`Sculptor.both_sides` adds the mirror image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
from torch import Tensor

from facessl.synth import regions as R
from facessl.synth.sculpt import FloatArray, Sculptor, vec

# AUs the model can produce, in the order of the intensity vectors. 16 is needed for disgust
# (9+15+16); 43 (eyes closed) stands in for blinks in still images.
ACTION_UNITS: tuple[int, ...] = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 20, 23, 24, 25, 26, 43)

AU_NAMES: dict[int, str] = {
    1: "inner brow raiser",
    2: "outer brow raiser",
    4: "brow lowerer",
    5: "upper lid raiser",
    6: "cheek raiser",
    7: "lid tightener",
    9: "nose wrinkler",
    10: "upper lip raiser",
    12: "lip corner puller",
    14: "dimpler",
    15: "lip corner depressor",
    16: "lower lip depressor",
    17: "chin raiser",
    20: "lip stretcher",
    23: "lip tightener",
    24: "lip pressor",
    25: "lips part",
    26: "jaw drop",
    43: "eyes closed",
}

FACS_MAX = 5.0  # intensity 1.0 == FACS level E
# Caricature gain of the soft-tissue AU fields (module docstring). Chosen by looking at 64 px renders
# (`facessl synth preview`): at 1.0 only the open-mouth emotions are distinguishable, and the
# expression task's supervised bound stayed at chance (docs/synthfaces_calibration.md history).
EXPRESSIVENESS = 2.0
UNSCALED_AUS = frozenset({26, 43})  # geometric: a jaw rotation and a lid closing onto the lower lid

# Temporomandibular joint, the hinge of the jaw: just in front of the tragus (the face-oval point
# 234 sits at z = -2.4 cm, y = 0.7 cm), slightly deeper. AU26 rotates the jaw about the x axis here.
JAW_PIVOT_CM = (0.0, 0.5, -3.0)
JAW_DROP_DEG = 11.0
# Opening is rotation plus a forward glide of the condyle; without the glide the lower lip would
# swing back by more than a centimetre.
JAW_GLIDE_CM = 0.5


Level = TypeVar("Level", float, Tensor, FloatArray)


def to_facs_scale(intensity: Level) -> Level:
    """Map intensities in [0, 1] to the FACS 0-5 scale (0 absent, 1 = A trace, ..., 5 = E maximum)."""
    return intensity * FACS_MAX


def from_facs_scale(level: Level) -> Level:
    """Map FACS 0-5 levels to intensities in [0, 1]."""
    return level / FACS_MAX


def _inner(contour: tuple[int, ...]) -> tuple[int, ...]:
    """Drop the two corners of a lip contour."""
    return contour[1:-1]


def _centre(contour: tuple[int, ...]) -> tuple[int, ...]:
    """Keep the three middle vertices of a 7-vertex lid margin."""
    return contour[2:5]


def au1(s: Sculptor) -> FloatArray:
    """AU1 inner brow raiser (frontalis, medial part): inner brows and the central forehead rise."""
    return s.both_sides(s.handle(R.RIGHT_BROW_INNER, 2.8, (0.0, 0.45, 0.0)))


def au2(s: Sculptor) -> FloatArray:
    """AU2 outer brow raiser (frontalis, lateral part): the outer brows rise, arching the brow."""
    return s.both_sides(s.handle(R.RIGHT_BROW_OUTER, 3.0, (0.0, 0.5, 0.0)))


def au4(s: Sculptor) -> FloatArray:
    """AU4 brow lowerer (corrugator, depressors): brows lowered and drawn together, most at the inner ends."""
    inner = s.handle(R.RIGHT_BROW_INNER, 2.2, (0.22, -0.3, 0.04))
    middle = s.handle((105, 52), 2.2, (0.05, -0.2, 0.0))
    return s.both_sides(inner + middle)


def au5(s: Sculptor) -> FloatArray:
    """AU5 upper lid raiser (levator palpebrae): the upper lid margin rises, most at its centre."""
    return s.both_sides(s.handle(_centre(R.RIGHT_EYE_UPPER), 1.3, (0.0, 0.22, 0.03)))


def au6(s: Sculptor) -> FloatArray:
    """AU6 cheek raiser (orbicularis oculi, orbital part).

    The infraorbital cheek lifts and bags the lower lid; the outer brow is pulled down a little.
    """
    cheek = s.handle((118, 117, 101, 50), 3.0, (0.0, 0.35, 0.12))
    lower_lid = s.handle(_centre(R.RIGHT_EYE_LOWER), 0.8, (0.0, 0.1, 0.03))
    brow = s.handle(R.RIGHT_BROW_OUTER, 1.5, (0.0, -0.1, 0.0))
    return s.both_sides(cheek + lower_lid + brow)


def au7(s: Sculptor) -> FloatArray:
    """AU7 lid tightener (orbicularis oculi, palpebral part).

    The lower lid rises and straightens; the upper lid drops slightly.
    """
    lower = s.handle(_centre(R.RIGHT_EYE_LOWER), 1.2, (0.0, 0.18, 0.04))
    upper = s.handle(_centre(R.RIGHT_EYE_UPPER), 1.0, (0.0, -0.07, 0.0))
    return s.both_sides(lower + upper)


def au9(s: Sculptor) -> FloatArray:
    """AU9 nose wrinkler (levator labii superioris alaeque nasi).

    Nose wings and the skin beside the nose are pulled up, the nasal root and inner brows drawn
    down, the upper lip raised a little.
    """
    wings = s.handle(R.RIGHT_NOSE_WING, 1.4, (0.0, 0.3, 0.05))
    brows = s.handle(R.RIGHT_BROW_INNER, 1.2, (0.0, -0.15, 0.0))
    lip = s.bump((40, 39, 37), 1.0) * (1.0 - s.jaw_weight)
    side = wings + brows + lip[:, None] * vec(0.0, 0.12, 0.0)
    root = s.handle(R.GLABELLA, 1.2, (0.0, -0.15, 0.0))
    return s.both_sides(side) + root


def au10(s: Sculptor) -> FloatArray:
    """AU10 upper lip raiser (levator labii superioris): the upper lip rises, the nose wings a little."""
    lip = s.bump(R.UPPER_LIP, 1.2) * (1.0 - s.jaw_weight)
    wings = s.both_sides(s.handle(R.RIGHT_NOSE_WING, 0.8, (0.0, 0.1, 0.0)))
    return lip[:, None] * vec(0.0, 0.35, 0.08) + wings


def au12(s: Sculptor) -> FloatArray:
    """AU12 lip corner puller (zygomaticus major): corners pulled up, out and back along the cheekbone."""
    corner = s.handle(R.RIGHT_LIP_CORNER, 3.0, (-0.5, 0.55, -0.2))
    # The cheek above the corner bunches up and forward (deepening the nasolabial fold).
    cheek = s.handle((205, 206, 216), 2.0, (-0.05, 0.2, 0.12))
    return s.both_sides(corner + cheek)


def au14(s: Sculptor) -> FloatArray:
    """AU14 dimpler (buccinator): corners tightened and drawn back into the cheek, with a dimple."""
    corner = s.handle(R.RIGHT_LIP_CORNER, 2.0, (-0.15, 0.05, -0.3))
    dimple = s.handle((57,), 0.6, (0.0, 0.0, -0.12))
    return s.both_sides(corner + dimple)


def au15(s: Sculptor) -> FloatArray:
    """AU15 lip corner depressor (depressor anguli oris): lip corners pulled down."""
    return s.both_sides(s.handle(R.RIGHT_LIP_CORNER, 2.4, (-0.1, -0.45, 0.0)))


def au16(s: Sculptor) -> FloatArray:
    """AU16 lower lip depressor (depressor labii inferioris): lower lip pulled down, slightly everted."""
    lip = s.bump((91, 181, 84, 90, 180, 85, 88, 178), 1.3) * s.jaw_weight
    return s.both_sides(lip[:, None] * vec(-0.05, -0.35, 0.12))


def au17(s: Sculptor) -> FloatArray:
    """AU17 chin raiser (mentalis).

    The chin boss is pushed up and forward, which pushes the lower lip up and out; the closed upper
    lip is pushed up with it, so the inner contours stay together.
    """
    chin = s.bump((18, 200, 199, 83, 313, 201, 421), 2.0) * s.jaw_weight
    lower = s.bump(R.LOWER_LIP, 0.6) * s.jaw_weight
    upper = s.bump(_inner(R.LIPS_UPPER_INNER), 0.6) * (1.0 - s.jaw_weight)
    push = vec(0.0, 0.2, 0.15)
    return chin[:, None] * vec(0.0, 0.3, 0.2) + (lower + upper)[:, None] * push


def au20(s: Sculptor) -> FloatArray:
    """AU20 lip stretcher (risorius): lip corners stretched sideways, lips flattened."""
    return s.both_sides(s.handle(R.RIGHT_LIP_CORNER, 2.6, (-0.55, -0.08, -0.1)))


def au23(s: Sculptor) -> FloatArray:
    """AU23 lip tightener (orbicularis oris): lips narrowed and thinned, their red parts rolling in."""
    corners = s.both_sides(s.handle(R.RIGHT_LIP_CORNER, 1.6, (0.25, 0.0, 0.05)))
    upper = s.bump(_inner(R.LIPS_UPPER_OUTER), 0.5) * (1.0 - s.jaw_weight)
    lower = s.bump(_inner(R.LIPS_LOWER_OUTER), 0.5) * s.jaw_weight
    return corners + upper[:, None] * vec(0.0, -0.12, -0.05) + lower[:, None] * vec(0.0, 0.12, -0.05)


def au24(s: Sculptor) -> FloatArray:
    """AU24 lip pressor (orbicularis oris).

    Closed lips are pressed together, so their red parts narrow and flatten back.
    """
    upper = s.bump(_inner(R.LIPS_UPPER_OUTER), 0.6) * (1.0 - s.jaw_weight)
    lower = s.bump(_inner(R.LIPS_LOWER_OUTER), 0.6) * s.jaw_weight
    lips = s.bump(R.LIPS_UPPER_INNER + R.LIPS_LOWER_INNER, 0.6)
    return (
        upper[:, None] * vec(0.0, -0.2, 0.0)
        + lower[:, None] * vec(0.0, 0.2, 0.0)
        + lips[:, None] * vec(0.0, 0.0, -0.12)
    )


def au25(s: Sculptor) -> FloatArray:
    """AU25 lips part: the lips separate without the jaw moving, mostly the lower lip dropping."""
    upper = s.bump(_inner(R.LIPS_UPPER_INNER), 0.8) * (1.0 - s.jaw_weight)
    lower = s.bump(_inner(R.LIPS_LOWER_INNER), 1.2) * s.jaw_weight
    return upper[:, None] * vec(0.0, 0.15, 0.0) + lower[:, None] * vec(0.0, -0.4, 0.05)


def au26(s: Sculptor) -> FloatArray:
    """AU26 jaw drop: the mandible rotates open about the jaw joint and glides forward.

    Soft tissue follows with :attr:`Sculptor.jaw_weight`.
    """
    angle = np.deg2rad(JAW_DROP_DEG)
    c, si = np.cos(angle), np.sin(angle)
    # Right-handed rotation about +x moves points in front of the pivot (z > 0) downward.
    rot = np.array([[1.0, 0.0, 0.0], [0.0, c, -si], [0.0, si, c]], dtype=np.float64)
    pivot = np.asarray(JAW_PIVOT_CM, dtype=np.float64)
    rel = s.vertices - pivot
    return s.jaw_weight[:, None] * (rel @ rot.T - rel + vec(0.0, 0.0, JAW_GLIDE_CM))


def au43(s: Sculptor) -> FloatArray:
    """AU43 eyes closed: each upper-margin vertex moves onto the lower-margin vertex below it.

    The lid skin above follows harmonically, fading out 1.5 cm from the margin.
    """
    corners = (R.RIGHT_EYE_OUTER_CORNER, R.RIGHT_EYE_INNER_CORNER)
    return s.both_sides(_close_eye(s, R.RIGHT_EYE_UPPER, R.RIGHT_EYE_LOWER, corners))


def _close_eye(s: Sculptor, upper: tuple[int, ...], lower: tuple[int, ...], corners: tuple[int, ...]) -> FloatArray:
    """Field that brings the upper lid margin down onto the lower one, which stays still; (V, 3)."""
    target = s.vertices[list(lower)] - s.vertices[list(upper)]  # (7, 3)
    # The closed lid bulges over the eyeball: do not let it sink below the upper margin's depth.
    target[:, 2] = np.maximum(target[:, 2], 0.0)
    far = np.flatnonzero(s.geodesic(upper) > 1.5)
    pinned = {int(i) for i in far} | set(lower) | set(corners)
    field = np.zeros_like(s.vertices)
    for axis in range(3):
        fixed = {i: 0.0 for i in pinned}
        fixed.update({u: float(t) for u, t in zip(upper, target[:, axis], strict=True)})
        field[:, axis] = s.harmonic(fixed)
    return field


AU_FIELDS: dict[int, Callable[[Sculptor], FloatArray]] = {
    1: au1, 2: au2, 4: au4, 5: au5, 6: au6, 7: au7, 9: au9, 10: au10, 12: au12, 14: au14, 15: au15,
    16: au16, 17: au17, 20: au20, 23: au23, 24: au24, 25: au25, 26: au26, 43: au43,
}  # fmt: skip


def action_unit_basis(sculptor: Sculptor) -> FloatArray:
    """Build every AU field, split by side.

    Returns:
        (len(ACTION_UNITS), 2, V, 3) float64 displacements in cm at intensity 1; axis 1 is
        (subject's right, subject's left).
    """
    fields = []
    for au in ACTION_UNITS:
        gain = 1.0 if au in UNSCALED_AUS else EXPRESSIVENESS
        fields.append(sculptor.split_sides(gain * AU_FIELDS[au](sculptor)))
    return np.stack(fields)
