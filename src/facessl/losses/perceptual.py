"""Unsup3D's confidence-weighted perceptual loss on VGG16 relu3_3 (research/latentface.md §3.2, §3.5).

``(F(Î) − F(I))² / (2σ² + ε) + log(σ + ε)`` on the relu3_3 features F (16×16 for a 64×64 input), averaged with
the 64×64 visibility mask average-pooled to the feature size as soft weights. σ comes from ConfNet's 16×16 head.

VGG16 weights are never downloaded (NOTES.md): `VGG16Relu3` reads a local file, either torchvision's ImageNet
checkpoint (``vgg16-397923af.pth``, keys ``features.N.weight``) or a safetensors file with the same keys.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.config import ConfigError
from facessl.losses.precision import fp32_or_wider

# torchvision's ImageNet statistics, applied after mapping [-1, 1] to [0, 1] (§3.1).
VGG_MEAN = (0.485, 0.456, 0.406)
VGG_STD = (0.229, 0.224, 0.225)
# Unsup3D's EPS (§3.5).
EPS = 1e-7
# torchvision VGG16 `features` indices 0–15 end at relu3_3 (§3.2); these hold weights.
_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14)
_CHANNELS = ((3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256))


def _relu3_3_layers() -> nn.Sequential:
    """torchvision's ``vgg16().features[:16]`` with the same indices, built without the 138 M-parameter rest."""
    layers: list[nn.Module] = []
    convs = iter(_CHANNELS)
    for index in range(16):
        if index in _CONV_INDICES:
            cin, cout = next(convs)
            layers.append(nn.Conv2d(cin, cout, kernel_size=3, padding=1))
        elif index in (4, 9):
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def load_vgg16_features(path: str | Path) -> dict[str, Tensor]:
    """The ``features.{0..14}`` tensors of a local VGG16 file (torchvision .pth or safetensors), renamed to
    ``{index}.weight`` / ``{index}.bias``; raises ConfigError when the file is missing or not VGG16."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"VGG16 weights file not found: {path}")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    out: dict[str, Tensor] = {}
    for index, (cin, cout) in zip(_CONV_INDICES, _CHANNELS):
        for name, shape in (("weight", (cout, cin, 3, 3)), ("bias", (cout,))):
            key = f"features.{index}.{name}"
            if key not in state:
                raise ConfigError(f"{path} is not a torchvision VGG16 state dict: {key} is missing")
            if tuple(state[key].shape) != shape:
                raise ConfigError(f"{path}: {key} has shape {tuple(state[key].shape)}, VGG16 has {shape}")
            out[f"{index}.{name}"] = state[key].float()
    return out


class VGG16Relu3(nn.Module):
    """Frozen VGG16 up to relu3_3, taking images in [-1, 1].

    Args:
        weights: path to a local VGG16 weights file (see the module docstring).
    """

    def __init__(self, weights: str | Path) -> None:
        super().__init__()
        self.features = _relu3_3_layers()
        self.features.load_state_dict(load_vgg16_features(weights), strict=True)
        self.features.requires_grad_(False)
        self.register_buffer("mean", torch.tensor(VGG_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(VGG_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.features((x / 2 + 0.5 - self.mean) / self.std)


def confidence_weighted_feature_loss(
    f_recon: Tensor, f_target: Tensor, mask: Tensor | None = None, sigma: Tensor | None = None
) -> Tensor:
    """``(f_recon − f_target)² / (2σ² + ε) + log(σ + ε)``, mean weighted by the mask pooled to the feature size.

    Shape:
        - f_recon, f_target: (B, C, h, w)
        - mask: (B, 1, H, W) with H, W multiples of h, w
        - sigma: (B, 1, h, w)
        - Output: scalar
    """
    loss = (f_recon - f_target) ** 2
    if sigma is not None:
        loss = loss / (2 * sigma**2 + EPS) + (sigma + EPS).log()
    if mask is None:
        return loss.mean()
    kh, kw = mask.shape[-2] // loss.shape[-2], mask.shape[-1] // loss.shape[-1]
    weights = F.avg_pool2d(mask, kernel_size=(kh, kw), stride=(kh, kw)).expand_as(loss)
    return (loss * weights).sum() / weights.sum()


class PerceptualLoss(nn.Module):
    """Unsup3D's perceptual term: one VGG pass over both images, relu3_3 only, confidence-weighted.

    Args:
        weights: path to a local VGG16 weights file.
    """

    def __init__(self, weights: str | Path) -> None:
        super().__init__()
        self.vgg = VGG16Relu3(weights)

    def forward(self, recon: Tensor, target: Tensor, mask: Tensor | None = None, sigma: Tensor | None = None) -> Tensor:
        f_recon, f_target = fp32_or_wider(self.vgg(torch.cat([recon, target]))).chunk(2)  # the difference in fp32
        return confidence_weighted_feature_loss(f_recon, f_target, mask, sigma)


__all__ = ["PerceptualLoss", "VGG16Relu3", "confidence_weighted_feature_loss", "load_vgg16_features"]
