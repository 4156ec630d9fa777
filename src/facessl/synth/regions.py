"""Named regions of the canonical face mesh, by MediaPipe landmark index.

Indices follow MediaPipe's 468-point face-mesh topology (the contours are the ones MediaPipe's
``FACEMESH_LIPS``, ``FACEMESH_LEFT_EYE``, ``..._EYEBROW`` and ``FACEMESH_FACE_OVAL`` connect); each
set was checked against the geometry of the canonical mesh (``tests/synth/test_face_regions.py``).

``right``/``left`` are the **subject's** sides, as in MediaPipe: the subject's right lies at
``x < 0`` in the canonical frame (see :mod:`facessl.synth.mesh`). Every left tuple is the mirror
image of its right tuple, element by element. Contours run from the outer (lateral) end to the
inner (medial) end for eyes and brows, and from the subject's right corner to the left corner for
lips.
"""

from __future__ import annotations

import torch
from torch import Tensor

# ---- lips ---------------------------------------------------------------------------------------
# Outer (vermilion border) and inner (where the lips meet) contours; both include the corners.
LIPS_UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LIPS_UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
# The two rings of the red of each lip between its outer and inner contours (corners excluded).
UPPER_LIP_MIDDLE = (184, 74, 73, 72, 11, 302, 303, 304, 408, 183, 42, 41, 38, 12, 268, 271, 272, 407)
LOWER_LIP_MIDDLE = (77, 90, 180, 85, 16, 315, 404, 320, 307, 96, 89, 179, 86, 15, 316, 403, 319, 325)
# Lip corners: outer corner, two rings, inner corner.
RIGHT_LIP_CORNER = (61, 76, 62, 78)
LEFT_LIP_CORNER = (291, 306, 292, 308)
_CORNERS = set(RIGHT_LIP_CORNER + LEFT_LIP_CORNER)
UPPER_LIP = tuple(sorted(set(LIPS_UPPER_OUTER + LIPS_UPPER_INNER + UPPER_LIP_MIDDLE) - _CORNERS))
LOWER_LIP = tuple(sorted(set(LIPS_LOWER_OUTER + LIPS_LOWER_INNER + LOWER_LIP_MIDDLE) - _CORNERS))

# ---- eyes ---------------------------------------------------------------------------------------
RIGHT_EYE_OUTER_CORNER, RIGHT_EYE_INNER_CORNER = 33, 133
LEFT_EYE_OUTER_CORNER, LEFT_EYE_INNER_CORNER = 263, 362
# Lid margins, outer to inner, corners excluded; RIGHT_EYE_UPPER[k] sits above RIGHT_EYE_LOWER[k].
RIGHT_EYE_UPPER = (246, 161, 160, 159, 158, 157, 173)
RIGHT_EYE_LOWER = (7, 163, 144, 145, 153, 154, 155)
LEFT_EYE_UPPER = (466, 388, 387, 386, 385, 384, 398)
LEFT_EYE_LOWER = (249, 390, 373, 374, 380, 381, 382)
# The next two rings of lid skin outward from each margin (upper: towards the crease and brow).
RIGHT_UPPER_LID_RING1 = (247, 30, 29, 27, 28, 56, 190)
RIGHT_UPPER_LID_RING2 = (113, 225, 224, 223, 222, 221, 189)
LEFT_UPPER_LID_RING1 = (467, 260, 259, 257, 258, 286, 414)
LEFT_UPPER_LID_RING2 = (342, 445, 444, 443, 442, 441, 413)
RIGHT_LOWER_LID_RING1 = (25, 110, 24, 23, 22, 26, 112)
RIGHT_LOWER_LID_RING2 = (31, 228, 229, 230, 231, 232, 233)
LEFT_LOWER_LID_RING1 = (255, 339, 254, 253, 252, 256, 341)
LEFT_LOWER_LID_RING2 = (261, 448, 449, 450, 451, 452, 453)
RIGHT_EYE_CONTOUR = (RIGHT_EYE_OUTER_CORNER, *RIGHT_EYE_UPPER, RIGHT_EYE_INNER_CORNER, *RIGHT_EYE_LOWER)
LEFT_EYE_CONTOUR = (LEFT_EYE_OUTER_CORNER, *LEFT_EYE_UPPER, LEFT_EYE_INNER_CORNER, *LEFT_EYE_LOWER)

# ---- brows --------------------------------------------------------------------------------------
# Upper and lower edge, outer to inner.
RIGHT_BROW_UPPER = (70, 63, 105, 66, 107)
RIGHT_BROW_LOWER = (46, 53, 52, 65, 55)
LEFT_BROW_UPPER = (300, 293, 334, 296, 336)
LEFT_BROW_LOWER = (276, 283, 282, 295, 285)
RIGHT_BROW_INNER = (107, 66, 55, 65)
RIGHT_BROW_OUTER = (70, 63, 46, 53)
LEFT_BROW_INNER = (336, 296, 285, 295)
LEFT_BROW_OUTER = (300, 293, 276, 283)
# Glabella: the skin between the brows, above the nasal root.
GLABELLA = (9, 8, 168)

# ---- nose ---------------------------------------------------------------------------------------
NOSE_TIP = (4, 1)  # 4 is the pronasale (largest z of the mesh); 1 sits just below it
NOSE_BRIDGE = (168, 6, 197, 195, 5)
SUBNASALE = (2, 94, 19)
RIGHT_NOSE_WING = (48, 64, 102, 129, 49, 98, 115, 209, 131, 219, 235, 240)
LEFT_NOSE_WING = (278, 294, 331, 358, 279, 327, 344, 429, 360, 439, 455, 460)

# ---- cheeks, jaw, chin, forehead ----------------------------------------------------------------
RIGHT_CHEEK = (50, 101, 36, 205, 187, 123, 117, 118, 100, 206, 207, 147, 216)
LEFT_CHEEK = (280, 330, 266, 425, 411, 352, 346, 347, 329, 426, 427, 376, 436)
# Cheekbone (zygoma) below the outer eye corner.
RIGHT_CHEEKBONE = (116, 117, 123, 111, 143, 34)
LEFT_CHEEKBONE = (345, 346, 352, 340, 372, 264)
CHIN = (152, 175, 199, 200, 18, 83, 313, 201, 421, 208, 428, 171, 396, 140, 369, 32, 262, 148, 377)
# Face-oval points on the mandible, from the ramus down to the chin.
RIGHT_JAW = (132, 58, 172, 136, 150, 149, 176, 148)
LEFT_JAW = (361, 288, 397, 365, 379, 378, 400, 377)
FOREHEAD = (10, 338, 109, 67, 297, 151, 108, 337, 69, 299, 104, 333, 103, 332, 9)
# Face-mesh boundary, clockwise seen from the front starting at the top of the forehead.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip


REGIONS: dict[str, tuple[int, ...]] = {
    "lips_upper_outer": LIPS_UPPER_OUTER,
    "lips_lower_outer": LIPS_LOWER_OUTER,
    "lips_upper_inner": LIPS_UPPER_INNER,
    "lips_lower_inner": LIPS_LOWER_INNER,
    "upper_lip": UPPER_LIP,
    "lower_lip": LOWER_LIP,
    "right_lip_corner": RIGHT_LIP_CORNER,
    "left_lip_corner": LEFT_LIP_CORNER,
    "right_eye_upper": RIGHT_EYE_UPPER,
    "right_eye_lower": RIGHT_EYE_LOWER,
    "left_eye_upper": LEFT_EYE_UPPER,
    "left_eye_lower": LEFT_EYE_LOWER,
    "right_eye_contour": RIGHT_EYE_CONTOUR,
    "left_eye_contour": LEFT_EYE_CONTOUR,
    "right_upper_lid": RIGHT_EYE_UPPER + RIGHT_UPPER_LID_RING1,
    "left_upper_lid": LEFT_EYE_UPPER + LEFT_UPPER_LID_RING1,
    "right_lower_lid": RIGHT_EYE_LOWER + RIGHT_LOWER_LID_RING1,
    "left_lower_lid": LEFT_EYE_LOWER + LEFT_LOWER_LID_RING1,
    "right_brow": RIGHT_BROW_UPPER + RIGHT_BROW_LOWER,
    "left_brow": LEFT_BROW_UPPER + LEFT_BROW_LOWER,
    "right_brow_inner": RIGHT_BROW_INNER,
    "left_brow_inner": LEFT_BROW_INNER,
    "right_brow_outer": RIGHT_BROW_OUTER,
    "left_brow_outer": LEFT_BROW_OUTER,
    "glabella": GLABELLA,
    "nose_tip": NOSE_TIP,
    "nose_bridge": NOSE_BRIDGE,
    "subnasale": SUBNASALE,
    "right_nose_wing": RIGHT_NOSE_WING,
    "left_nose_wing": LEFT_NOSE_WING,
    "right_cheek": RIGHT_CHEEK,
    "left_cheek": LEFT_CHEEK,
    "right_cheekbone": RIGHT_CHEEKBONE,
    "left_cheekbone": LEFT_CHEEKBONE,
    "chin": CHIN,
    "right_jaw": RIGHT_JAW,
    "left_jaw": LEFT_JAW,
    "forehead": FOREHEAD,
    "face_oval": FACE_OVAL,
}

# (right, left) region names that mirror each other; the midline regions mirror onto themselves.
MIRRORED_REGIONS = tuple((name, "left_" + name.removeprefix("right_")) for name in REGIONS if name.startswith("right_"))


def faces_within(faces: Tensor, contour: tuple[int, ...]) -> Tensor:
    """Triangles whose three corners all lie on ``contour``.

    With the inner lip contours this selects the 18 triangles that bridge the mouth opening (the
    mouth cavity once the lips part); with an eye contour, the 14 that cover the eye (the eyeball).

    Args:
        faces: (F, 3) vertex indices.
        contour: vertex indices, e.g. ``LIPS_UPPER_INNER + LIPS_LOWER_INNER``.

    Returns:
        (F,) bool mask.
    """
    members = torch.zeros(int(faces.max()) + 1, dtype=torch.bool, device=faces.device)
    members[list(contour)] = True
    return members[faces].all(dim=-1)
