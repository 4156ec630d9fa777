"""Each action unit moves the landmarks it names in the FACS direction and leaves far regions still."""

import pytest
import torch

from facessl.synth import regions as R
from facessl.synth.action_units import ACTION_UNITS, from_facs_scale, to_facs_scale
from facessl.synth.face_model import FaceModel
from facessl.synth.identity import mean_identity

MODEL = FaceModel()
FLIP_X = torch.tensor([-1.0, 1.0, 1.0])
STILL_CM = 0.02  # "nearly still": under 0.2 mm
UPPER_FACE = R.FOREHEAD + R.RIGHT_EYE_CONTOUR + R.LEFT_EYE_CONTOUR + R.RIGHT_BROW_UPPER + R.LEFT_BROW_UPPER
LOWER_FACE = R.UPPER_LIP + R.LOWER_LIP + R.CHIN + R.RIGHT_LIP_CORNER + R.LEFT_LIP_CORNER


def field(au: int, sides: tuple[float, float] = (1.0, 1.0)) -> torch.Tensor:
    """Displacement (V, 3) of AU ``au`` at full intensity on the given (right, left) sides."""
    intensity = torch.zeros(1, len(ACTION_UNITS), 2)
    intensity[0, MODEL.au_index(au)] = torch.tensor(sides)
    return MODEL.expression_offsets(intensity)[0]


def mean_move(au: int, indices: tuple[int, ...] | list[int]) -> torch.Tensor:
    return field(au)[list(indices)].mean(0)


def largest_move(au: int, indices: tuple[int, ...]) -> float:
    return float(field(au)[list(indices)].norm(dim=-1).max())


def test_au_list_covers_the_project_aus() -> None:
    project = {1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26}  # NOTES.md
    assert project | {16, 43} == set(ACTION_UNITS)


def test_facs_scale_maps_unit_interval_to_zero_to_five() -> None:
    assert to_facs_scale(1.0) == 5.0 and to_facs_scale(0.4) == pytest.approx(2.0)
    assert from_facs_scale(5.0) == 1.0


def test_au1_raises_inner_brows_more_than_outer() -> None:
    inner, outer = mean_move(1, R.RIGHT_BROW_INNER), mean_move(1, R.RIGHT_BROW_OUTER)
    assert inner[1] > 0.3 and inner[1] > outer[1] + 0.1


def test_au2_raises_outer_brows_more_than_inner() -> None:
    inner, outer = mean_move(2, R.RIGHT_BROW_INNER), mean_move(2, R.RIGHT_BROW_OUTER)
    assert outer[1] > 0.3 and outer[1] > inner[1] + 0.1


def test_au4_lowers_brows_and_draws_them_together() -> None:
    right, left = mean_move(4, R.RIGHT_BROW_INNER), mean_move(4, R.LEFT_BROW_INNER)
    assert right[1] < -0.2 and left[1] < -0.2
    assert right[0] > 0.1 and left[0] < -0.1  # both toward the midline x = 0


def test_au5_raises_upper_lids_only() -> None:
    assert mean_move(5, R.RIGHT_EYE_UPPER)[1] > 0.1 and mean_move(5, R.LEFT_EYE_UPPER)[1] > 0.1
    assert largest_move(5, R.RIGHT_EYE_LOWER + R.LEFT_EYE_LOWER) < STILL_CM


def test_au6_lifts_the_cheeks_and_lower_lids() -> None:
    assert mean_move(6, R.RIGHT_CHEEK)[1] > 0.1 and mean_move(6, R.LEFT_CHEEK)[1] > 0.1
    assert mean_move(6, R.RIGHT_EYE_LOWER)[1] > 0.05


def test_au7_raises_lower_lids() -> None:
    assert mean_move(7, R.RIGHT_EYE_LOWER)[1] > 0.1 and mean_move(7, R.LEFT_EYE_LOWER)[1] > 0.1


def test_au9_pulls_the_nose_wings_up() -> None:
    assert mean_move(9, R.RIGHT_NOSE_WING)[1] > 0.2 and mean_move(9, R.LEFT_NOSE_WING)[1] > 0.2


def test_au10_raises_the_upper_lip_only() -> None:
    assert mean_move(10, R.UPPER_LIP)[1] > 0.25
    assert largest_move(10, R.LOWER_LIP) < STILL_CM


@pytest.mark.parametrize("au", [12, 20])
def test_lip_corner_pullers_move_corners_outward(au: int) -> None:
    right, left = field(au)[61], field(au)[291]
    assert right[0] < -0.3 and left[0] > 0.3


def test_au12_pulls_lip_corners_up_and_out() -> None:
    right, left = field(12)[61], field(12)[291]
    assert right[1] > 0.3 and left[1] > 0.3
    assert right[0] < -0.3 and left[0] > 0.3


def test_au14_draws_lip_corners_back() -> None:
    assert field(14)[61, 2] < -0.2 and field(14)[291, 2] < -0.2


def test_au15_pulls_lip_corners_down() -> None:
    assert field(15)[61, 1] < -0.3 and field(15)[291, 1] < -0.3


def test_au16_lowers_the_lower_lip_only() -> None:
    assert mean_move(16, R.LOWER_LIP)[1] < -0.2
    assert largest_move(16, R.UPPER_LIP) < STILL_CM


def test_au17_pushes_chin_and_lower_lip_up() -> None:
    assert field(17)[18, 1] > 0.2 and mean_move(17, R.LOWER_LIP)[1] > 0.15


def test_au23_narrows_the_mouth() -> None:
    assert field(23)[61, 0] > 0.1 and field(23)[291, 0] < -0.1


def lip_gap(vertices: torch.Tensor) -> torch.Tensor:
    """Vertical distance between the inner lips at the midline (13 above 14)."""
    return vertices[13, 1] - vertices[14, 1]


def test_neutral_lips_are_closed() -> None:
    assert abs(float(lip_gap(MODEL.template))) < 1e-4


def lip_height(vertices: torch.Tensor) -> torch.Tensor:
    """Height of the lips' red at the midline: outer upper contour (0) to outer lower contour (17)."""
    return vertices[0, 1] - vertices[17, 1]


def test_au24_presses_the_lips_thinner_and_keeps_them_closed() -> None:
    pressed = MODEL.template + field(24)
    assert lip_height(pressed) < lip_height(MODEL.template) - 0.3
    assert abs(float(lip_gap(pressed))) < 0.05


def test_au25_parts_the_lips_without_moving_the_jaw() -> None:
    assert lip_gap(MODEL.template + field(25)) > 0.3
    assert largest_move(25, (152, 175)) < STILL_CM


def test_au26_drops_the_jaw_and_lower_lip() -> None:
    move = field(26)
    assert move[152, 1] < -1.0 and move[17, 1] < -1.0 and move[14, 1] < -1.0
    assert lip_gap(MODEL.template + move) > lip_gap(MODEL.template) + 1.0
    assert largest_move(26, R.UPPER_LIP) < STILL_CM


def test_au43_closes_the_eyes() -> None:
    closed = MODEL.template + field(43)
    for upper, lower in [(R.RIGHT_EYE_UPPER, R.RIGHT_EYE_LOWER), (R.LEFT_EYE_UPPER, R.LEFT_EYE_LOWER)]:
        gap = (closed[list(upper), 1] - closed[list(lower), 1]).abs().max()
        assert gap < 0.02
    assert largest_move(43, R.RIGHT_EYE_LOWER + R.LEFT_EYE_LOWER) < STILL_CM


@pytest.mark.parametrize("au", [1, 2, 4, 5, 6, 7, 43])
def test_upper_face_aus_leave_the_mouth_still(au: int) -> None:
    assert largest_move(au, LOWER_FACE) < STILL_CM


@pytest.mark.parametrize("au", [10, 12, 14, 15, 16, 17, 20, 23, 24, 25, 26])
def test_lower_face_aus_leave_forehead_and_eyes_still(au: int) -> None:
    assert largest_move(au, UPPER_FACE) < STILL_CM


@pytest.mark.parametrize("au", ACTION_UNITS)
def test_bilateral_aus_are_symmetric_and_sides_add_up(au: int) -> None:
    both, right, left = field(au), field(au, (1.0, 0.0)), field(au, (0.0, 1.0))
    torch.testing.assert_close(both[MODEL.mirror] * FLIP_X, both, atol=1e-5, rtol=0)
    torch.testing.assert_close(right + left, both, atol=1e-6, rtol=0)
    torch.testing.assert_close(left[MODEL.mirror] * FLIP_X, right, atol=1e-5, rtol=0)


def test_one_sided_au12_moves_only_its_side() -> None:
    left_only = field(12, (0.0, 1.0))
    assert left_only[291, 1] > 0.3 and float(left_only[61].norm()) < STILL_CM


def test_intensity_scales_linearly_and_two_dim_input_means_both_sides() -> None:
    intensity = torch.zeros(2, len(ACTION_UNITS))
    intensity[0, MODEL.au_index(12)] = 0.5
    intensity[1, MODEL.au_index(12)] = 1.0
    out = MODEL.expression_offsets(intensity)
    torch.testing.assert_close(2 * out[0], out[1])
    torch.testing.assert_close(out[1], field(12))


def test_no_au_combination_pushes_lower_margins_through_upper_ones() -> None:
    gen = torch.Generator().manual_seed(0)
    intensity = torch.rand(256, len(ACTION_UNITS), 2, generator=gen)
    intensity[:, MODEL.au_index(43)] = 1.0  # closed eyes plus whatever the lower lid does
    verts = MODEL(mean_identity(256), intensity)
    gap = verts[:, MODEL.upper_margin, 1] - verts[:, MODEL.lower_margin, 1]
    assert float(gap.min()) > -1e-5
