"""PCL's pose-disentangled decoder (PDD generator), pcl.md §1.3.

Maps an L2-normalised sum of a face-aware and a pose-related branch vector to a 64x64 image.
Attribute names (`fc`, `model.<index>`) follow the official checkpoint (pcl.md §7.4).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

# pcl.md §1.3: Linear(2048 -> 512), then six (upsample x2, conv3x3) stages 1 -> 64 px.
DECODER_WIDTH = 512
DECODER_CHANNELS = (512, 256, 256, 256, 256, 128, 3)


class PCLDecoder(nn.Module):
    """Generator G of the pose-disentangled decoder.

    Layout (pcl.md §1.3, §7.4): `fc` Linear(in_features -> 512) reshaped to 512x1x1, then
    `model` = ReLU, then six times [bilinear x2 upsample, conv3x3] with BatchNorm2d + ReLU after
    every conv but the last, and tanh at the end. Conv indices 2, 6, ..., 22 and BN indices
    3, 7, ..., 19 match the official state dict. Upsampling is bilinear with
    align_corners=False, PyTorch's default that the official `nn.Upsample` used. The decoder keeps
    PyTorch's default initialisation (pcl.md §1.1: only the encoder is re-initialised).

    Note: the output is tanh in [-1, 1] while PCL's L1 targets are [0, 1] images; this
    mismatch is the official behaviour (pcl.md §8.7) and is kept.

    Args:
        in_features: size of the branch vectors (2048 at 64 px, pcl.md §1.6).

    Shape:
        - Input: (N, in_features)
        - Output: (N, 3, 64, 64)
    """

    def __init__(self, in_features: int = 2048) -> None:
        super().__init__()
        self.in_features = in_features
        self.fc = nn.Linear(in_features, DECODER_WIDTH)
        layers: list[nn.Module] = [nn.ReLU()]
        pairs = list(zip(DECODER_CHANNELS[:-1], DECODER_CHANNELS[1:], strict=True))
        for i, (c_in, c_out) in enumerate(pairs):
            up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            layers += [up, nn.Conv2d(c_in, c_out, 3, 1, 1)]
            if i < len(pairs) - 1:
                layers += [nn.BatchNorm2d(c_out), nn.ReLU()]
        layers.append(nn.Tanh())
        self.model = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.model(self.fc(z)[:, :, None, None])


def decoder_input(face: Tensor, pose: Tensor) -> Tensor:
    """PDD decoder input: L2-normalise(F_f(a) + F_p(b)) per sample (pcl.md §1.3).

    Shape:
        - face, pose: (N, D)
        - Output: (N, D)
    """
    return F.normalize(face + pose, dim=1)


__all__ = ["PCLDecoder", "decoder_input"]
