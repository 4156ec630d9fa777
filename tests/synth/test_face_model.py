"""FaceModel: batched shapes, gradients to every input, dtypes and devices."""

import pytest
import torch

from facessl.synth.expressions import emotion_action_units
from facessl.synth.face_model import FaceModel
from facessl.synth.identity import sample_identity

MODEL = FaceModel()


def test_forward_returns_batched_vertices() -> None:
    identity = sample_identity(3, seed=0)
    aus = emotion_action_units(torch.tensor([1, 3, 7]), seed=0)
    pose = torch.tensor([[20.0, 0.0, 0.0], [0.0, -10.0, 5.0], [0.0, 0.0, 0.0]])
    verts = MODEL(identity, aus, pose)
    assert verts.shape == (3, 468, 3) and verts.dtype == torch.float32
    assert bool(torch.isfinite(verts).all())


def test_gradients_reach_identity_expression_and_pose() -> None:
    identity = sample_identity(2, seed=0)
    shape = identity.shape.clone().requires_grad_(True)
    identity = type(identity)(shape, identity.field, identity.asymmetry)
    aus = torch.full((2, len(MODEL.action_units)), 0.3, requires_grad=True)
    pose = torch.tensor([[10.0, 5.0, -5.0], [-20.0, 0.0, 3.0]], requires_grad=True)
    MODEL(identity, aus, pose).square().sum().backward()
    for grad in (shape.grad, aus.grad, pose.grad):
        assert grad is not None and bool(torch.isfinite(grad).all()) and float(grad.abs().sum()) > 0


def test_float64_model_matches_float32() -> None:
    identity = sample_identity(2, seed=4)
    aus = emotion_action_units(torch.tensor([4, 6]), seed=4)
    v64 = FaceModel(dtype=torch.float64)(identity.to(dtype=torch.float64), aus.double())
    assert v64.dtype == torch.float64
    torch.testing.assert_close(v64.float(), MODEL(identity, aus), atol=1e-4, rtol=0)


def test_buffers_are_not_saved_in_state_dict() -> None:
    assert MODEL.state_dict() == {}


def test_opening_masks_select_mouth_and_eyes() -> None:
    assert int(MODEL.mouth_faces.sum()) == 18 and int(MODEL.eye_faces.sum()) == 28


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_runs_on_gpu_like_on_cpu() -> None:
    identity = sample_identity(2, seed=0)
    aus = emotion_action_units(torch.tensor([1, 2]), seed=0)
    pose = torch.tensor([[20.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
    gpu = FaceModel().cuda()(identity.to("cuda"), aus.cuda(), pose.cuda())
    torch.testing.assert_close(gpu.cpu(), MODEL(identity, aus, pose), atol=1e-4, rtol=0)
