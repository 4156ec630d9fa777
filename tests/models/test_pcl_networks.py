"""Tests of PCL's encoder, heads and decoder (pcl.md §1.1-§1.3)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from facessl.models.pcl import PCLNetworks, PCLProjectionHead
from facessl.models.pcl_decoder import PCLDecoder
from facessl.models.pcl_encoder import PCLEncoder, trunk_spatial_size


@pytest.mark.parametrize(("size", "dim"), [(64, 2048), (100, 6272), (32, 512)])
def test_encoder_feature_sizes_follow_input_resolution(size: int, dim: int) -> None:
    # pcl.md §1.1: flattened trunk = 128 * s * s; 2048 at 64 px, 6272 at 100 px.
    enc = PCLEncoder(input_size=size)
    trunk, face, pose = enc.forward_all(torch.rand(2, 3, size, size))
    assert enc.num_features == dim == 128 * trunk_spatial_size(size) ** 2
    assert trunk.shape == face.shape == pose.shape == (2, dim)
    assert torch.equal(enc(torch.zeros(1, 3, size, size)), enc.forward_all(torch.zeros(1, 3, size, size))[0])


def test_encoder_has_no_batchnorm_and_official_init() -> None:
    torch.manual_seed(0)
    enc = PCLEncoder()
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in enc.modules())
    assert sum(p.numel() for p in enc.parameters()) == pytest.approx(2.47e6, rel=0.01)  # pcl.md §1.1
    w = enc.layer3_1[0].weight  # 3x3, C_out = 256: std sqrt(2 / (9 * 256))
    assert w.std().item() == pytest.approx(math.sqrt(2 / (9 * 256)), rel=0.05)
    assert all(torch.all(m.bias == 0) for m in enc.modules() if isinstance(m, nn.Conv2d))


def test_branches_are_separate_and_share_the_trunk() -> None:
    enc = PCLEncoder(input_size=32)
    x = torch.rand(3, 3, 32, 32)
    trunk_map = enc.forward_features(x)
    assert torch.allclose(enc.forward_face(x), enc.face_branch(trunk_map))
    assert torch.allclose(enc.forward_pose(x), enc.pose_branch(trunk_map))
    assert not torch.allclose(enc.forward_face(x), enc.forward_pose(x))
    enc.forward_face(x).sum().backward()
    assert all(p.grad is None for p in enc.layer3_2_pose.parameters())
    assert all(p.grad is not None for p in enc.layer3_1.parameters())


def test_heads_and_decoder_shapes() -> None:
    nets = PCLNetworks(input_size=64)
    x = torch.rand(4, 3, 64, 64)
    assert nets.project_face(x).shape == nets.project_pose(x).shape == (4, 512)
    _, face, pose = nets.encoder.forward_all(x)
    out = nets.decode(face, pose)
    assert out.shape == (4, 3, 64, 64)
    assert out.abs().max() <= 1.0  # tanh output (pcl.md §1.3)
    assert isinstance(PCLProjectionHead()[3], nn.BatchNorm1d)
    assert sum(p.numel() for p in PCLDecoder().parameters()) == pytest.approx(4.3e6, rel=0.01)
