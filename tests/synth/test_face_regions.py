"""Named landmark regions agree with the geometry of the canonical mesh."""

import pytest
import torch

from facessl.synth import regions as R
from facessl.synth.mesh import load_canonical_mesh

V = load_canonical_mesh().vertices
MIRROR = load_canonical_mesh().mirror


def centre(indices: tuple[int, ...]) -> torch.Tensor:
    return V[list(indices)].mean(0)


@pytest.mark.parametrize(("right", "left"), R.MIRRORED_REGIONS)
def test_left_regions_mirror_right_regions_elementwise(right: str, left: str) -> None:
    assert MIRROR[list(R.REGIONS[right])].tolist() == list(R.REGIONS[left])
    assert bool((V[list(R.REGIONS[right]), 0] < 0).all())  # the subject's right is -x


@pytest.mark.parametrize("name", ["upper_lip", "lower_lip", "chin", "forehead", "nose_bridge", "glabella", "face_oval"])
def test_midline_regions_mirror_onto_themselves(name: str) -> None:
    idx = R.REGIONS[name]
    assert sorted(MIRROR[list(idx)].tolist()) == sorted(idx)


def test_indices_are_valid_and_unique_within_each_region() -> None:
    for name, idx in R.REGIONS.items():
        assert all(0 <= i < 468 for i in idx), name
        assert len(set(idx)) == len(idx), name


def test_nose_tip_is_frontmost_and_on_the_midline() -> None:
    assert int(V[:, 2].argmax()) in R.NOSE_TIP
    assert float(V[list(R.NOSE_TIP), 0].abs().max()) < 1e-6


def test_lips_upper_contours_lie_above_lower_contours() -> None:
    for upper, lower in [(R.LIPS_UPPER_OUTER, R.LIPS_LOWER_OUTER), (R.LIPS_UPPER_INNER, R.LIPS_LOWER_INNER)]:
        assert upper[0] == lower[0] and upper[-1] == lower[-1]  # shared corners
        gap = V[list(upper[1:-1]), 1] - V[list(lower[1:-1]), 1]
        assert bool((gap > 0).all())
    # Outer contours enclose the inner ones.
    assert V[0, 1] > V[13, 1] > V[14, 1] > V[17, 1]
    assert V[61, 0] < V[78, 0] < 0 < V[308, 0] < V[291, 0]


def test_upper_lids_lie_above_lower_lids_and_inside_the_corners() -> None:
    for upper, lower, outer, inner in [
        (R.RIGHT_EYE_UPPER, R.RIGHT_EYE_LOWER, R.RIGHT_EYE_OUTER_CORNER, R.RIGHT_EYE_INNER_CORNER),
        (R.LEFT_EYE_UPPER, R.LEFT_EYE_LOWER, R.LEFT_EYE_OUTER_CORNER, R.LEFT_EYE_INNER_CORNER),
    ]:
        assert bool((V[list(upper), 1] > V[list(lower), 1]).all())
        # Outer corner further from the midline than the inner corner, lids in between.
        assert abs(V[outer, 0]) > abs(V[inner, 0])
        xs = V[list(upper + lower), 0].abs()
        assert bool((xs < abs(V[outer, 0])).all() and (xs > abs(V[inner, 0])).all())


def test_brows_sit_above_the_eyes_with_inner_ends_near_the_midline() -> None:
    assert centre(R.RIGHT_BROW_LOWER)[1] > centre(R.RIGHT_EYE_UPPER)[1] + 1.0
    assert abs(centre(R.RIGHT_BROW_INNER)[0]) < abs(centre(R.RIGHT_BROW_OUTER)[0])
    assert bool((V[list(R.RIGHT_BROW_UPPER), 1] > V[list(R.RIGHT_BROW_LOWER), 1]).all())


def test_face_parts_are_stacked_from_forehead_to_chin() -> None:
    heights = [centre(R.FOREHEAD), centre(R.RIGHT_BROW_UPPER), centre(R.RIGHT_EYE_CONTOUR), centre(R.NOSE_TIP),
               centre(R.UPPER_LIP), centre(R.LOWER_LIP), centre(R.CHIN)]  # fmt: skip
    ys = [float(h[1]) for h in heights]
    assert ys == sorted(ys, reverse=True)


def test_cheeks_and_wings_are_lateral_and_jaw_is_on_the_boundary() -> None:
    assert abs(centre(R.RIGHT_CHEEK)[0]) > abs(centre(R.RIGHT_NOSE_WING)[0]) > abs(centre(R.NOSE_TIP)[0])
    assert set(R.RIGHT_JAW + R.LEFT_JAW) <= set(R.FACE_OVAL)
    assert bool((V[list(R.RIGHT_JAW), 1] < -2.0).all())


def test_opening_triangles_are_found() -> None:
    faces = load_canonical_mesh().faces
    assert int(R.faces_within(faces, R.LIPS_UPPER_INNER + R.LIPS_LOWER_INNER).sum()) == 18
    assert int(R.faces_within(faces, R.RIGHT_EYE_CONTOUR).sum()) == 14
    assert int(R.faces_within(faces, R.LEFT_EYE_CONTOUR).sum()) == 14
