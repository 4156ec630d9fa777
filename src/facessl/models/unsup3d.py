"""The five Unsup3D networks (Wu et al., "Unsupervised Learning of Probably Symmetric Deformable 3D Objects from
Images in the Wild", CVPR 2020), which are LatentFace's stage 1 (He et al., arXiv 2309.08273).

Layouts follow research/latentface.md §3.2 so that official checkpoints load by name:

- ``Encoder`` (netL: light, netV: view): ``network.{0,2,4,6,8,10}`` convolutions, no normalisation, Tanh output.
- ``EDDeconv`` (netD: depth, netA: albedo): LatentFace's split of Unsup3D's single ``network`` Sequential into
  ``network1`` (Unsup3D modules 0–12, the encoder whose ReLU output is the 256-d code) and ``network2`` (modules
  13+, renumbered from 0), exactly the renaming of LatentFace's ``convert.py``.
- ``ConfNet`` (netC): shared ``network`` trunk to 16×16, ``out_net1`` (two σ maps at 64×64 for the photometric
  loss) and ``out_net2`` (two σ maps at 16×16 for the perceptual loss), both Softplus.

Only 64×64 inputs are supported (§3.1: LatentFace's extra layers for larger inputs are absent at 64 and buggy
above, §8.2 item 14). Every convolution has no bias; every GroupNorm has 4 channels per group (§3.1).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

# research/latentface.md §3.2: code widths and base widths of each network.
CODE_DIM = 256  # netD / netA bottleneck (zdim)
CONF_CODE_DIM = 128  # netC bottleneck
EDDECONV_WIDTH = 64  # nf of netD, netA, netC
ENCODER_WIDTH = 32  # nf of netL, netV
LIGHT_DIM = 4  # netL: ambient, diffuse, light direction x, y (§3.3 item 4)
VIEW_DIM = 6  # netV: rotations x, y, z and translations x, y, z (§3.3 item 7)
IMAGE_SIZE = 64  # §3.1
# Number of Unsup3D `network` modules that form LatentFace's `network1` (the code encoder), §3.2.
ENCODER_MODULES = 13


def _gn(channels: int) -> nn.GroupNorm:
    """GroupNorm with 4 channels per group (§3.1: GN(16) for 64 channels, 32 for 128, 64 for 256)."""
    return nn.GroupNorm(channels // 4, channels)


def _down(cin: int, cout: int) -> nn.Conv2d:
    """4×4 stride-2 convolution, halving the resolution (no bias, §3.1)."""
    return nn.Conv2d(cin, cout, kernel_size=4, stride=2, padding=1, bias=False)


def _up(cin: int, cout: int) -> nn.ConvTranspose2d:
    """4×4 stride-2 transposed convolution, doubling the resolution."""
    return nn.ConvTranspose2d(cin, cout, kernel_size=4, stride=2, padding=1, bias=False)


def _conv(cin: int, cout: int, k: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=k, stride=1, padding=k // 2, bias=False)


def code_encoder_layers(cin: int = 3, zdim: int = CODE_DIM, nf: int = EDDECONV_WIDTH) -> nn.Sequential:
    """The down path shared by EDDeconv and ConfNet: 64×64 image in [-1, 1] -> (N, zdim, 1, 1) ReLU code.

    Modules 0–12 of Unsup3D's ``network`` (conv, GN, LReLU ×3; conv, LReLU; 4×4 valid conv, ReLU).
    """
    return nn.Sequential(
        _down(cin, nf), _gn(nf), nn.LeakyReLU(0.2),  # 64 -> 32
        _down(nf, nf * 2), _gn(nf * 2), nn.LeakyReLU(0.2),  # 32 -> 16
        _down(nf * 2, nf * 4), _gn(nf * 4), nn.LeakyReLU(0.2),  # 16 -> 8
        _down(nf * 4, nf * 8), nn.LeakyReLU(0.2),  # 8 -> 4 (no GN here, §3.2)
        nn.Conv2d(nf * 8, zdim, kernel_size=4, stride=1, padding=0, bias=False), nn.ReLU(),  # 4 -> 1
    )  # fmt: skip


class Encoder(nn.Module):
    """netL / netV: 64×64 image in [-1, 1] -> (N, cout) in (-1, 1) (§3.2, nf=32, Tanh).

    Args:
        cout: output size (netL: 4, netV: 6).
        cin: input channels.
        nf: base width (§3.2: 32).
    """

    def __init__(self, cout: int, cin: int = 3, nf: int = ENCODER_WIDTH) -> None:
        super().__init__()
        self.network = nn.Sequential(
            _down(cin, nf), nn.ReLU(),
            _down(nf, nf * 2), nn.ReLU(),
            _down(nf * 2, nf * 4), nn.ReLU(),
            _down(nf * 4, nf * 8), nn.ReLU(),
            nn.Conv2d(nf * 8, nf * 8, kernel_size=4, stride=1, padding=0, bias=False), nn.ReLU(),
            nn.Conv2d(nf * 8, cout, kernel_size=1, stride=1, padding=0, bias=False), nn.Tanh(),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        return self.network(x).flatten(1)


class EDDeconv(nn.Module):
    """netD / netA: encoder (``network1``) to a 256-d ReLU code, decoder (``network2``) to a 64×64 map.

    Args:
        cout: output channels (netD: 1, netA: 3).
        activation: output activation (netD: none, netA: Tanh; §3.2).
        cin: input channels.
        zdim: code size (§3.2: 256).
        nf: base width (§3.2: 64).
        network1: an existing encoder to use (shared with a code-encoder backbone), or None to build one.
    """

    def __init__(
        self,
        cout: int,
        activation: nn.Module | None,
        cin: int = 3,
        zdim: int = CODE_DIM,
        nf: int = EDDECONV_WIDTH,
        network1: nn.Sequential | None = None,
    ) -> None:
        super().__init__()
        self.network1 = network1 if network1 is not None else code_encoder_layers(cin, zdim, nf)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(zdim, nf * 8, kernel_size=4, stride=1, padding=0, bias=False), nn.ReLU(),  # 1 -> 4
            _conv(nf * 8, nf * 8, 3), nn.ReLU(),
            _up(nf * 8, nf * 4), _gn(nf * 4), nn.ReLU(),  # 4 -> 8
            _conv(nf * 4, nf * 4, 3), _gn(nf * 4), nn.ReLU(),
            _up(nf * 4, nf * 2), _gn(nf * 2), nn.ReLU(),  # 8 -> 16
            _conv(nf * 2, nf * 2, 3), _gn(nf * 2), nn.ReLU(),
            _up(nf * 2, nf), _gn(nf), nn.ReLU(),  # 16 -> 32
            _conv(nf, nf, 3), _gn(nf), nn.ReLU(),
            nn.Upsample(scale_factor=2, mode="nearest"),  # 32 -> 64
            _conv(nf, nf, 3), _gn(nf), nn.ReLU(),
            _conv(nf, nf, 5), _gn(nf), nn.ReLU(),
            _conv(nf, cout, 5),
        ]  # fmt: skip
        if activation is not None:
            layers.append(activation)
        self.network2 = nn.Sequential(*layers)

    def encode(self, x: Tensor) -> Tensor:
        """(N, 3, 64, 64) in [-1, 1] -> the code (N, zdim), ≥ 0 (§4.1)."""
        return self.network1(x).flatten(1)

    def decode(self, code: Tensor) -> Tensor:
        """(N, zdim) -> (N, cout, 64, 64) canonical map."""
        return self.network2(code[:, :, None, None])

    def forward(self, x: Tensor) -> Tensor:
        return self.network2(self.network1(x))


class ConfNet(nn.Module):
    """netC: image -> (σ maps at 64×64 for the photometric loss, σ maps at 16×16 for the perceptual loss).

    Channel 0 of each output weighs the normal reconstruction, channel 1 the flipped one (§3.2, §3.5).

    Args:
        cin: input channels.
        zdim: bottleneck (§3.2: 128).
        nf: base width (§3.2: 64).
    """

    def __init__(self, cin: int = 3, zdim: int = CONF_CODE_DIM, nf: int = EDDECONV_WIDTH) -> None:
        super().__init__()
        down = list(code_encoder_layers(cin, zdim, nf))
        self.network = nn.Sequential(
            *down,
            nn.ConvTranspose2d(zdim, nf * 8, kernel_size=4, stride=1, padding=0, bias=False), nn.ReLU(),  # 1 -> 4
            _up(nf * 8, nf * 4), _gn(nf * 4), nn.ReLU(),  # 4 -> 8
            _up(nf * 4, nf * 2), _gn(nf * 2), nn.ReLU(),  # 8 -> 16
        )  # fmt: skip
        self.out_net1 = nn.Sequential(
            _up(nf * 2, nf), _gn(nf), nn.ReLU(),  # 16 -> 32
            _up(nf, nf), _gn(nf), nn.ReLU(),  # 32 -> 64
            _conv(nf, 2, 5), nn.Softplus(),
        )  # fmt: skip
        self.out_net2 = nn.Sequential(_conv(nf * 2, 2, 3), nn.Softplus())  # 16×16

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features = self.network(x)
        return self.out_net1(features), self.out_net2(features)


class Unsup3DNetworks(nn.Module):
    """The five stage-1 networks under their official names: netD, netA, netL, netV, netC (§3.2).

    Args:
        albedo_encoder: optional existing ``network1`` for netA (shared with a code-encoder backbone).
        depth_encoder: optional existing ``network1`` for netD.
    """

    def __init__(self, albedo_encoder: nn.Sequential | None = None, depth_encoder: nn.Sequential | None = None) -> None:
        super().__init__()
        self.netD = EDDeconv(1, None, network1=depth_encoder)
        self.netA = EDDeconv(3, nn.Tanh(), network1=albedo_encoder)
        self.netL = Encoder(LIGHT_DIM)
        self.netV = Encoder(VIEW_DIM)
        self.netC = ConfNet()


class CodeEncoder(nn.Module):
    """The stage-1 code encoder as a backbone: image in [-1, 1] -> [a, d], the albedo and depth codes (N, 512).

    ``albedo`` and ``depth`` are the ``network1`` halves of netA and netD (§4.1); their parameter names are
    Unsup3D's module indices 0–12.
    """

    def __init__(self) -> None:
        super().__init__()
        self.albedo = code_encoder_layers()
        self.depth = code_encoder_layers()
        self.num_features = 2 * CODE_DIM

    def codes(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(N, 3, 64, 64) in [-1, 1] -> (a, d), each (N, 256) and ≥ 0."""
        return self.albedo(x).flatten(1), self.depth(x).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat(self.codes(x), dim=1)


__all__ = [
    "CODE_DIM",
    "CodeEncoder",
    "ConfNet",
    "EDDeconv",
    "Encoder",
    "Unsup3DNetworks",
    "code_encoder_layers",
]
