"""Head pose: rotation matrices and the (yaw, pitch, roll) sign convention."""

import pytest
import torch

from facessl.synth.face_model import FaceModel
from facessl.synth.identity import mean_identity
from facessl.synth.pose import CANONICAL_TO_CAMERA, apply_head_pose, rotation_matrix

MODEL = FaceModel()
NOSE, FOREHEAD_TOP = 4, 10


def project(vertices: torch.Tensor, camera_distance: float = 60.0) -> torch.Tensor:
    """Pinhole projection for a camera on +z looking at the face; image x to the viewer's right, y up."""
    depth = camera_distance - vertices[..., 2:3]
    image: torch.Tensor = vertices[..., :2] / depth
    return image


def posed(yaw: float, pitch: float, roll: float) -> torch.Tensor:
    verts: torch.Tensor = MODEL(mean_identity(1), pose=torch.tensor([[yaw, pitch, roll]]))
    return verts[0]


def test_rotations_are_proper_and_zero_pose_is_identity() -> None:
    pose = torch.tensor([[0.0, 0.0, 0.0], [30.0, -20.0, 10.0], [-75.0, 40.0, -30.0]])
    rot = rotation_matrix(pose)
    torch.testing.assert_close(rot @ rot.transpose(-1, -2), torch.eye(3).expand(3, 3, 3), atol=1e-6, rtol=0)
    torch.testing.assert_close(torch.linalg.det(rot), torch.ones(3))
    torch.testing.assert_close(rot[0], torch.eye(3))


def test_composition_is_roll_after_yaw_after_pitch() -> None:
    y, p, r = (rotation_matrix(torch.tensor(a)) for a in ([25.0, 0, 0], [0, -15.0, 0], [0, 0, 40.0]))
    torch.testing.assert_close(rotation_matrix(torch.tensor([25.0, -15.0, 40.0])), r @ y @ p)


@pytest.mark.parametrize("yaw", [10.0, 45.0])
def test_positive_yaw_moves_the_nose_to_the_viewers_right(yaw: float) -> None:
    # Positive yaw: the face turns to its own left, the projected nose tip moves to +x.
    assert project(posed(yaw, 0, 0))[NOSE, 0] > project(posed(0, 0, 0))[NOSE, 0] + 0.01
    assert project(posed(-yaw, 0, 0))[NOSE, 0] < project(posed(0, 0, 0))[NOSE, 0] - 0.01


def test_positive_pitch_tilts_the_face_down() -> None:
    assert project(posed(0, 20, 0))[NOSE, 1] < project(posed(0, 0, 0))[NOSE, 1] - 0.01


def test_positive_roll_tips_the_head_top_to_the_viewers_left() -> None:
    assert posed(0, 0, 20)[FOREHEAD_TOP, 0] < -1.0


def test_pose_is_a_rigid_motion_about_the_pivot() -> None:
    v = MODEL(mean_identity(1)).double()
    moved = apply_head_pose(v, torch.tensor([[30.0, 10.0, -5.0]]))
    torch.testing.assert_close(torch.cdist(moved, moved), torch.cdist(v, v), atol=1e-6, rtol=0)
    pivot = torch.tensor([[[0.0, 0.0, -3.0]]])
    torch.testing.assert_close(apply_head_pose(pivot, torch.tensor([[30.0, 10.0, -5.0]])), pivot)


def test_canonical_to_camera_gives_an_upright_unmirrored_view() -> None:
    rot, shift = torch.tensor(CANONICAL_TO_CAMERA), torch.tensor([0.0, 0.0, 60.0])
    cam = posed(0, 0, 0) @ rot.T + shift  # camera frame: looks along +z, y down
    assert bool((cam[:, 2] > 0).all()) and cam[NOSE, 2] == cam[:, 2].min()  # in front, nose nearest
    pixel = cam[:, :2] / cam[:, 2:]
    assert pixel[FOREHEAD_TOP, 1] < pixel[152, 1]  # forehead above the chin in the image
    assert pixel[263, 0] > pixel[33, 0]  # the subject's left eye on the image's right
    turned = posed(20, 0, 0) @ rot.T + shift
    assert turned[NOSE, 0] / turned[NOSE, 2] > 0.01  # positive yaw: nose toward the viewer's right
