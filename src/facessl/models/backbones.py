"""Backbone registry: encoders mapping (N, 3, H, W) images to pooled features (N, num_features).

Every backbone follows timm's contract: it exposes `num_features` and returns pooled features;
heads are separate modules. ResNets are torchvision's, rebuilt without `fc` (no unused
parameters) and keeping torchvision's parameter names so that torchvision weights load by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import torch
import torchvision
from torch import Tensor, nn

from facessl.config import ConfigError, resolve_args
from facessl.registry import Registry

BACKBONES: Registry[Callable[..., nn.Module]] = Registry("backbone")


def register_backbone(name: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    return BACKBONES.register(name)


Stem = Literal["imagenet", "face64", "cifar"]


class ResNetEncoder(nn.Module):
    """torchvision ResNet trunk + global average pooling, with a stem chosen for the input size.

    Stems (why: a 64 px face through the ImageNet stem leaves a 2×2 map after layer4):
        imagenet: 7×7 stride-2 conv + max-pool (÷4), as torchvision.
        face64: 3×3 stride-2 conv, no max-pool (÷2): layer4 sees 4×4 at 64 px. The default.
        cifar: 3×3 stride-1 conv, no max-pool (÷1), as in SimCLR's CIFAR variant (§B.9); 4× the cost of face64.
    """

    def __init__(self, depth: Literal[18, 50], stem: Stem = "face64") -> None:
        super().__init__()
        net = torchvision.models.resnet18() if depth == 18 else torchvision.models.resnet50()
        if stem == "imagenet":
            self.conv1 = net.conv1
            self.maxpool: nn.Module = net.maxpool
        else:
            stride = 2 if stem == "face64" else 1
            self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=stride, padding=1, bias=False)
            nn.init.kaiming_normal_(self.conv1.weight, mode="fan_out", nonlinearity="relu")
            self.maxpool = nn.Identity()
        self.bn1, self.relu = net.bn1, net.relu
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.num_features = net.fc.in_features
        self.depth, self.stem = depth, stem

    def forward_features(self, x: Tensor) -> Tensor:
        """(N, 3, H, W) -> layer4 map (N, num_features, H/32·s, W/32·s)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x: Tensor) -> Tensor:
        return torch.flatten(nn.functional.adaptive_avg_pool2d(self.forward_features(x), 1), 1)


@register_backbone("resnet18")
def resnet18(stem: Stem = "face64") -> ResNetEncoder:
    return ResNetEncoder(18, stem=stem)


@register_backbone("resnet50")
def resnet50(stem: Stem = "face64") -> ResNetEncoder:
    return ResNetEncoder(50, stem=stem)


@register_backbone("pcl")
def pcl(input_size: int = 64) -> nn.Module:
    """PCL's FaceCycle-style encoder (trunk + face-aware and pose-related branches; pcl.md §1.1)."""
    from facessl.models.pcl_encoder import PCLEncoder  # imported here: it is only needed when chosen

    return PCLEncoder(input_size=input_size)


@register_backbone("pcl_resnet18")
def pcl_resnet18(stem: Stem = "face64") -> nn.Module:
    """ResNet-18 split into PCL's two branches at layer4 (pcl.md §8.1), for `method.name=pcl` only."""
    from facessl.models.pcl_resnet import PCLResNetEncoder  # imported here: it is only needed when chosen

    return PCLResNetEncoder(stem=stem)


@register_backbone("unsup3d")
def unsup3d() -> nn.Module:
    """LatentFace stage 1's code encoder: the encoder halves of Unsup3D's netA and netD, [a, d] (latentface.md §4.1)."""
    from facessl.models.unsup3d import CodeEncoder

    return CodeEncoder()


@register_backbone("latentface")
def latentface(
    width: int = 128,
    site: Literal["expression", "verification", "neutral", "residual", "codes"] = "expression",
    sampler: Literal["legacy", "correct"] = "legacy",
    noise: Literal["seeded", "fixed", "zero", "random"] = "seeded",
    num_draws: int = 1,
    noise_seed: int = 0,
    code_scale: float = 1.0,
    code_norm: Literal["none", "standardize"] = "none",
) -> nn.Module:
    """LatentFace's stage-1 codes plus the two RDM denoisers, composing the features of latentface.md §5.

    ``code_scale`` 1 and ``code_norm`` none are official; see :class:`facessl.latentface.features.LatentFaceEncoder`."""
    from facessl.latentface.features import LatentFaceEncoder

    return LatentFaceEncoder(width, site, sampler, noise, num_draws, noise_seed, code_scale, code_norm)


class TimmEncoder(nn.Module):
    """A timm model created headless (`num_classes=0`); never downloads (pretrained=False)."""

    def __init__(self, model_name: str, image_size: int = 64) -> None:
        super().__init__()
        try:
            import timm
        except ImportError as err:  # pragma: no cover - depends on the extra
            raise ConfigError("backbone 'timm' needs the optional extra: pip install 'facessl[timm]'") from err
        kwargs: dict[str, Any] = {"pretrained": False, "num_classes": 0}
        if "vit" in model_name or "deit" in model_name:
            kwargs["img_size"] = image_size
        self.model = timm.create_model(model_name, **kwargs)
        self.num_features = int(self.model.num_features)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


@register_backbone("timm")
def timm_backbone(model_name: str = "resnet18", image_size: int = 64) -> TimmEncoder:
    return TimmEncoder(model_name, image_size)


def build_backbone(name: str, **args: Any) -> nn.Module:
    """Build a registered backbone by name with explicit, checked arguments."""
    fn = BACKBONES.get(name)
    return fn(**resolve_args(fn, args, "backbone"))
