"""ResNet-18 with PCL's two branches: the trunk up to layer3, then two copies of layer4 (pcl.md §8.1).

pcl.md §8.1 recommends "a ResNet-18 variant as an option, splitting into two branches at layer4, for comparison
only". The trunk is torchvision's ResNet-18 (facessl's stems, `facessl.models.backbones.ResNetEncoder`) through
layer3; the face-aware branch F_f and the pose-related branch F_p are two independently initialised layer4 stages,
each globally average-pooled to 512 values. The interface is `PCLEncoder`'s (`forward_all`, `forward_face`,
`forward_pose`, `forward` = the trunk), so `facessl.methods.pcl.PCL` trains either; its heads and decoder read
`branch_features` values.

Unlike PCL's own encoder this network has BatchNorm, so the PDD step's single pass over the noisy s and ŝ
normalises them with joint batch statistics (two passes would not); the official encoder has no BatchNorm and no
such choice exists there.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn

from facessl.models.backbones import ResNetEncoder, Stem
from facessl.models.pcl_encoder import TwoBranchEncoder


class PCLResNetEncoder(TwoBranchEncoder):
    """ResNet-18 trunk (stem, layer1-3) + two layer4 branches, average-pooled.

    Args:
        stem: ResNet stem (`facessl.models.backbones.ResNetEncoder`): face64 (default), imagenet or cifar.

    Attributes:
        num_features: pooled trunk dimension (layer3: 256), what `forward` returns (the probe site).
        branch_features: pooled branch dimension (layer4: 512), what the heads and decoder read.

    Shape:
        - Input: (N, 3, H, W), float in [0, 1] (no normalisation, as PCL)
        - forward: (N, 256); forward_face, forward_pose: (N, 512)

    Example:
        >>> enc = PCLResNetEncoder()
        >>> [tuple(t.shape) for t in enc.forward_all(torch.rand(2, 3, 64, 64))]
        [(2, 256), (2, 512), (2, 512)]
    """

    def __init__(self, stem: Stem = "face64") -> None:
        super().__init__()
        net = ResNetEncoder(18, stem=stem)
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3 = net.layer1, net.layer2, net.layer3
        self.layer4_face = net.layer4
        self.layer4_pose = copy.deepcopy(net.layer4)
        self._reinitialise(self.layer4_pose)  # two independent branches, not two copies of one init
        self.num_features = 256
        self.branch_features = 512
        self.stem = stem

    @staticmethod
    @torch.no_grad()
    def _reinitialise(module: nn.Module) -> None:
        # torchvision's ResNet initialisation (kaiming fan_out for convs, BN weight 1 and bias 0).
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: Tensor) -> Tensor:
        """Shared trunk map (layer3 output), (N, 256, H', W')."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer3(self.layer2(self.layer1(x)))

    @staticmethod
    def _pool(x: Tensor) -> Tensor:
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    def trunk_features(self, trunk_map: Tensor) -> Tensor:
        """Pooled trunk (layer3) features, (N, 256)."""
        return self._pool(trunk_map)

    def face_branch(self, trunk_map: Tensor) -> Tensor:
        """F_f: the face branch's layer4, pooled, (N, 512)."""
        return self._pool(self.layer4_face(trunk_map))

    def pose_branch(self, trunk_map: Tensor) -> Tensor:
        """F_p: the pose branch's layer4, pooled, (N, 512)."""
        return self._pool(self.layer4_pose(trunk_map))


__all__ = ["PCLResNetEncoder"]
