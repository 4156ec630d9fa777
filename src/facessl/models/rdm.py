"""LatentFace's representation diffusion model (RDM) denoiser as the MLP it really is (research/latentface.md §4.5).

The official denoiser is a diffusers ``UNet2DModel`` on 1×1 "images": sample_size 1, in_channels 512 (x_t ‖ the
frame's code, §4.6), out_channels 256, one DownBlock2D and one UpBlock2D, layers_per_block 2, block_out_channels
(C,) with C = 128 (released evaluation code) or 1024 (released training code), and library defaults otherwise
(sinusoidal time embedding with flip_sin_to_cos and freq_shift 0, GroupNorm(32, eps 1e-5), SiLU, mid-block
attention with heads of 8 channels). On a 1×1 input:

- a 3×3 convolution with zero padding is its centre tap, i.e. a linear layer (1×1 shortcuts likewise);
- GroupNorm normalises each group of C/32 channels across channels (kept exactly: it shapes the function);
- attention over a single token has softmax ≡ 1, so it is GN → value → output projection, plus the residual.

Module and parameter names are the diffusers ones (``conv_in``, ``down_blocks.0.resnets.1.conv2``, ...), kept
for checkpoint compatibility although the layers are linear; `weights.import_latentface` takes the centre taps
and drops the attention's query and key, which cannot influence the output.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.models.unsup3d import CODE_DIM

# research/latentface.md §4.5 (diffusers-0.14 defaults).
NORM_GROUPS = 32
NORM_EPS = 1e-5
LAYERS_PER_BLOCK = 2
ATTENTION_HEAD_DIM = 8  # heads of 8 channels; irrelevant with one token
MAX_PERIOD = 10_000  # sinusoidal embedding: frequencies exp(−ln(1e4)·k / (C/2))
WIDTHS = (128, 1024)  # §4.5, §8.2 item 2: main (evaluation) vs pretrain (training) width


def timestep_embedding(t: Tensor, dim: int) -> Tensor:
    """diffusers' sinusoidal embedding with flip_sin_to_cos=True and freq_shift 0: [cos(t·ω_k), sin(t·ω_k)].

    Shape:
        - t: (B,)
        - Output: (B, dim)
    """
    half = dim // 2
    freqs = torch.exp(-math.log(MAX_PERIOD) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedding(nn.Module):
    """Linear C → 4C, SiLU, Linear 4C → 4C (diffusers ``TimestepEmbedding``)."""

    def __init__(self, width: int, time_dim: int) -> None:
        super().__init__()
        self.linear_1 = nn.Linear(width, time_dim)
        self.linear_2 = nn.Linear(time_dim, time_dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock(nn.Module):
    """diffusers ``ResnetBlock2D`` on 1×1 maps: GN → SiLU → conv1 → + time bias → GN → SiLU → conv2 → + shortcut."""

    def __init__(self, cin: int, cout: int, time_dim: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(NORM_GROUPS, cin, eps=NORM_EPS)
        self.conv1 = nn.Linear(cin, cout)  # centre tap of the 3×3 conv
        self.time_emb_proj = nn.Linear(time_dim, cout)
        self.norm2 = nn.GroupNorm(NORM_GROUPS, cout, eps=NORM_EPS)
        self.conv2 = nn.Linear(cout, cout)
        self.conv_shortcut = nn.Linear(cin, cout) if cin != cout else None  # the 1×1 shortcut conv

    def forward(self, x: Tensor, temb: Tensor) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x))) + self.time_emb_proj(F.silu(temb))
        h = self.conv2(F.silu(self.norm2(h)))  # dropout 0
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class SingleTokenAttention(nn.Module):
    """diffusers' mid-block ``AttentionBlock`` on one token: ``x + proj_attn(value(GN(x)))``."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.group_norm = nn.GroupNorm(NORM_GROUPS, width, eps=NORM_EPS)
        self.value = nn.Linear(width, width)
        self.proj_attn = nn.Linear(width, width)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.proj_attn(self.value(self.group_norm(x)))


class _Blocks(nn.Module):
    """A holder giving diffusers' ``resnets`` / ``attentions`` names."""

    def __init__(self, resnets: list[ResnetBlock], attentions: list[nn.Module] | None = None) -> None:
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        if attentions is not None:
            self.attentions = nn.ModuleList(attentions)


class RDMDenoiser(nn.Module):
    """x̂₀ = f([x_t ‖ code], t): the official RDM UNet as an MLP (netEA / netED, §4.5–§4.6).

    Args:
        width: C, the UNet's block_out_channels[0] (§4.5: 128 in the released evaluation code, 1024 in training).
        code_dim: size of x_t and of the conditioning code (§4.1: 256).

    Example:
        >>> net = RDMDenoiser(width=128)
        >>> net(torch.randn(2, 256), torch.rand(2, 256), torch.tensor([10, 999])).shape
        torch.Size([2, 256])
    """

    def __init__(self, width: int = 128, code_dim: int = CODE_DIM) -> None:
        super().__init__()
        if width % NORM_GROUPS:
            raise ValueError(f"width must be a multiple of {NORM_GROUPS} (GroupNorm groups), got {width}")
        time_dim = 4 * width
        self.width, self.code_dim = width, code_dim
        self.conv_in = nn.Linear(2 * code_dim, width)
        self.time_embedding = TimestepEmbedding(width, time_dim)
        self.down_blocks = nn.ModuleList([_Blocks([ResnetBlock(width, width, time_dim) for _ in range(LAYERS_PER_BLOCK)])])
        self.mid_block = _Blocks(
            [ResnetBlock(width, width, time_dim), ResnetBlock(width, width, time_dim)], [SingleTokenAttention(width)]
        )
        self.up_blocks = nn.ModuleList(
            [_Blocks([ResnetBlock(2 * width, width, time_dim) for _ in range(LAYERS_PER_BLOCK + 1)])]
        )
        self.conv_norm_out = nn.GroupNorm(NORM_GROUPS, width, eps=NORM_EPS)
        self.conv_out = nn.Linear(width, code_dim)

    def forward(self, x_t: Tensor, code: Tensor, t: Tensor) -> Tensor:
        """Predict x₀.

        Shape:
            - x_t, code: (B, code_dim)
            - t: (B,) integer timesteps in [0, 1000)
            - Output: (B, code_dim)
        """
        temb = self.time_embedding(timestep_embedding(t, self.width).to(x_t.dtype))
        h = self.conv_in(torch.cat([x_t, code], dim=1))
        skips = [h]
        for resnet in self.down_blocks[0].resnets:
            h = resnet(h, temb)
            skips.append(h)
        mid = self.mid_block
        h = mid.resnets[1](mid.attentions[0](mid.resnets[0](h, temb)), temb)
        for resnet in self.up_blocks[0].resnets:  # skips popped last-first: down 2, down 1, conv_in
            h = resnet(torch.cat([h, skips.pop()], dim=1), temb)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


__all__ = ["RDMDenoiser", "WIDTHS", "timestep_embedding"]
