"""PCL's FaceCycle-style face encoder: shared trunk plus face-aware and pose-related branches.

Implements the encoder of PCL (Liu et al., "Pose-disentangled Contrastive Learning for
Self-supervised Facial Representation", CVPR 2023), which is FaceCycle's (Chang et al., ICCV 2021)
expression encoder with its last stage split in two (pcl.md §1.1). Written from the digest
`shared/research/pcl.md`; module names follow the official checkpoint layout (pcl.md §7.4) so the
released weights load after stripping the `module.encoder.` prefix (see `pcl_import.py`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

# pcl.md §1.1: LeakyReLU(0.1) everywhere in the encoder, no BatchNorm, every conv has a bias.
NEGATIVE_SLOPE = 0.1
# pcl.md §1.1: 128 channels leave layer3_1 and each branch.
TRUNK_CHANNELS = 128


def _act() -> nn.LeakyReLU:
    return nn.LeakyReLU(NEGATIVE_SLOPE)


def _conv3x3(c_in: int, c_out: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, stride, 1, bias=True)


def trunk_spatial_size(input_size: int) -> int:
    """Side of the trunk feature map for a square input of side `input_size`.

    Four stride-2 convolutions (7x7 p3 and three 3x3 p1) each map n to ceil(n / 2)
    (pcl.md §1.1: 64 -> 4, 100 -> 7, 256 -> 16).
    """
    n = input_size
    for _ in range(4):
        n = (n + 1) // 2
    return n


class ChannelAttention(nn.Module):
    """PCL/FaceCycle "selfattention" block: channel-by-channel attention with a residual add.

    theta(x) is soft-maxed over positions, phi(x) theta(x)^T gives a C x C affinity which
    multiplies g(x) soft-maxed over channels; the result is added to x, then LeakyReLU
    (pcl.md §1.1 "SA block"). There is no learnable gate, so the block starts far from identity.

    Attribute names `g`, `theta`, `phi` match the official checkpoint (pcl.md §7.4).

    Shape:
        - Input: (N, C, H, W)
        - Output: (N, C, H, W)
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.g = nn.Conv2d(channels, channels, 1)
        self.theta = nn.Conv2d(channels, channels, 1)
        self.phi = nn.Conv2d(channels, channels, 1)
        self.act = _act()

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        g = self.g(x).reshape(n, c, h * w).softmax(dim=1)  # (N, C, HW), softmax over channels
        theta = self.theta(x).reshape(n, c, h * w).softmax(dim=-1)  # softmax over positions
        phi = self.phi(x).reshape(n, c, h * w)
        affinity = torch.bmm(phi, theta.transpose(1, 2))  # (N, C, C)
        attention = torch.bmm(affinity, g).reshape(n, c, h, w)
        return self.act(x + attention)


class ResidualBlock(nn.Module):
    """conv3x3 -> LeakyReLU -> conv3x3, identity add, LeakyReLU; no BatchNorm (pcl.md §1.1).

    Shape:
        - Input: (N, C, H, W)
        - Output: (N, C, H, W)
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = _conv3x3(channels, channels)
        self.conv2 = _conv3x3(channels, channels)
        self.act = _act()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(x + self.conv2(self.act(self.conv1(x))))


def _branch() -> nn.Sequential:
    # pcl.md §1.1: each branch is conv3x3 128->128, LReLU, conv3x3 128->128, LReLU (indices 0, 2).
    return nn.Sequential(
        _conv3x3(TRUNK_CHANNELS, TRUNK_CHANNELS), _act(), _conv3x3(TRUNK_CHANNELS, TRUNK_CHANNELS), _act()
    )


class TwoBranchEncoder(nn.Module):
    """What PCL trains: a shared trunk and two branches on its feature map, the face-aware F_f and the pose-related F_p.

    Subclasses define `forward_features` (image -> trunk map), `trunk_features` (trunk map -> trunk vector, the probe
    site), `face_branch` and `pose_branch` (trunk map -> branch vector); the forwards below share one trunk pass.
    """

    def forward_features(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def trunk_features(self, trunk_map: Tensor) -> Tensor:
        raise NotImplementedError

    def face_branch(self, trunk_map: Tensor) -> Tensor:
        raise NotImplementedError

    def pose_branch(self, trunk_map: Tensor) -> Tensor:
        raise NotImplementedError

    def forward_face(self, x: Tensor) -> Tensor:
        """Face-aware branch features F_f(x)."""
        return self.face_branch(self.forward_features(x))

    def forward_pose(self, x: Tensor) -> Tensor:
        """Pose-related branch features F_p(x)."""
        return self.pose_branch(self.forward_features(x))

    def forward_all(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(trunk, F_f, F_p), sharing one trunk pass."""
        t = self.forward_features(x)
        return self.trunk_features(t), self.face_branch(t), self.pose_branch(t)

    def forward(self, x: Tensor) -> Tensor:
        """Trunk features, the probe site."""
        return self.trunk_features(self.forward_features(x))


class PCLEncoder(TwoBranchEncoder):
    """FaceCycle encoder with PCL's face-aware (F_f) and pose-related (F_p) branches.

    `forward` returns the flattened shared trunk (layer3_1 output), which is the feature every
    official PCL probe uses (pcl.md §5, §8.2), so the module works as a generic encoder.
    `forward_all` returns (trunk, F_f, F_p) like the official forward. Features are flattened
    feature maps, not averaged: their size grows with the input (128 * s * s with
    s = `trunk_spatial_size(input_size)`; 2048 at 64 px, 6272 at 100 px; pcl.md §1.1).

    Args:
        input_size: side of the square input the encoder is used at; only sets
            `num_features` (the network itself is fully convolutional).

    Attributes:
        num_features: flattened trunk (and branch) dimension at `input_size`.

    Shape:
        - Input: (N, 3, H, W), float in [0, 1] (PCL uses no mean/std normalisation, pcl.md §3.2)
        - Output: (N, 128 * ceil(H/16) * ceil(W/16))

    Example:
        >>> enc = PCLEncoder(input_size=64)
        >>> enc(torch.rand(2, 3, 64, 64)).shape
        torch.Size([2, 2048])
    """

    def __init__(self, input_size: int = 64) -> None:
        super().__init__()
        self.input_size = input_size
        self.num_features = TRUNK_CHANNELS * trunk_spatial_size(input_size) ** 2
        # Module names and Sequential indices follow the official checkpoint (pcl.md §7.4).
        self.conv1 = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=True), _act(), _conv3x3(64, 64), _act())
        self.layer1 = nn.Sequential(_conv3x3(64, 64), _act(), ChannelAttention(64), _conv3x3(64, 64), _act())
        self.layer2_1 = nn.Sequential(
            _conv3x3(64, 128, stride=2), _act(), ChannelAttention(128), _conv3x3(128, 128), _act()
        )
        self.resblock1 = ResidualBlock(128)
        self.resblock2 = ResidualBlock(128)
        self.layer2_2 = nn.Sequential(_conv3x3(128, 128, stride=2), _act(), _conv3x3(128, 128), _act())
        # pcl.md §1.1: layer3_1 narrows 256 -> 128 (FaceCycle kept 256 here).
        self.layer3_1 = nn.Sequential(_conv3x3(128, 256, stride=2), _act(), _conv3x3(256, TRUNK_CHANNELS), _act())
        self.layer3_2_exp = _branch()  # face-aware branch F_f
        self.layer3_2_pose = _branch()  # pose-related branch F_p
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """Official initialisation (pcl.md §1.1): conv ~ N(0, sqrt(2 / (k*k*C_out))), zero bias."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_out))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.Linear):  # none today; kept for parity with the official init
                m.weight.normal_(0.0, 0.01)
                if m.bias is not None:
                    m.bias.zero_()

    def forward_features(self, x: Tensor) -> Tensor:
        """Shared trunk feature map (layer3_1 output), (N, 128, ceil(H/16), ceil(W/16))."""
        x = self.layer1(self.conv1(x))
        x = self.resblock2(self.resblock1(self.layer2_1(x)))
        return self.layer3_1(self.layer2_2(x))

    def trunk_features(self, trunk_map: Tensor) -> Tensor:
        """The flattened trunk map, (N, num_features) at `input_size` (the official probe site)."""
        return trunk_map.flatten(1)

    def face_branch(self, trunk_map: Tensor) -> Tensor:
        """F_f on a trunk feature map, flattened: (N, 128, h, w) -> (N, 128*h*w)."""
        return self.layer3_2_exp(trunk_map).flatten(1)

    def pose_branch(self, trunk_map: Tensor) -> Tensor:
        """F_p on a trunk feature map, flattened: (N, 128, h, w) -> (N, 128*h*w)."""
        return self.layer3_2_pose(trunk_map).flatten(1)


__all__ = ["ChannelAttention", "PCLEncoder", "ResidualBlock", "TwoBranchEncoder", "trunk_spatial_size"]
