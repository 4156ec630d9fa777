"""The MLP denoiser computes what the official diffusers UNet2DModel computes on 1×1 inputs (latentface.md §4.5).

The reference below is an independent transcription of UNet2DModel's forward (diffusers 0.14, the official
arguments: one DownBlock2D / UpBlock2D, layers_per_block 2, mid-block attention) with real 3×3 convolutions, full
multi-head softmax attention and random off-centre taps, query and key: none of those may change the output.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from facessl.models.rdm import RDMDenoiser, timestep_embedding
from facessl.weights.import_latentface import OfficialCheckpointError, convert_rdm, rdm_to_diffusers


def reference_unet(sd: dict[str, torch.Tensor], sample: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    width = sd["conv_in.weight"].shape[0]

    def conv(x, name):  # type: ignore[no-untyped-def]
        w = sd[f"{name}.weight"]
        return F.conv2d(x, w, sd[f"{name}.bias"], padding=w.shape[-1] // 2)

    def gn(x, name):  # type: ignore[no-untyped-def]
        return F.group_norm(x, 32, sd[f"{name}.weight"], sd[f"{name}.bias"], eps=1e-5)

    def lin(x, name):  # type: ignore[no-untyped-def]
        return F.linear(x, sd[f"{name}.weight"], sd[f"{name}.bias"])

    half = width // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 0))  # freq_shift 0
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.sin(args), torch.cos(args)], -1)
    emb = torch.cat([emb[:, half:], emb[:, :half]], -1)  # flip_sin_to_cos
    temb = lin(F.silu(lin(emb, "time_embedding.linear_1")), "time_embedding.linear_2")

    def resnet(x, name):  # type: ignore[no-untyped-def]
        h = conv(F.silu(gn(x, f"{name}.norm1")), f"{name}.conv1")
        h = h + lin(F.silu(temb), f"{name}.time_emb_proj")[:, :, None, None]
        h = conv(F.silu(gn(h, f"{name}.norm2")), f"{name}.conv2")
        if f"{name}.conv_shortcut.weight" in sd:
            x = conv(x, f"{name}.conv_shortcut")
        return x + h

    def attention(x, name):  # type: ignore[no-untyped-def]
        b, c, hh, ww = x.shape
        heads = c // 8
        h = gn(x, f"{name}.group_norm").view(b, c, hh * ww).transpose(1, 2)
        q, k, v = (lin(h, f"{name}.{p}").view(b, -1, heads, 8).transpose(1, 2) for p in ("query", "key", "value"))
        attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(8), dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, hh * ww, c)
        return lin(out, f"{name}.proj_attn").transpose(1, 2).view(b, c, hh, ww) + x

    h = conv(sample, "conv_in")
    skips = [h]
    for i in range(2):
        h = resnet(h, f"down_blocks.0.resnets.{i}")
        skips.append(h)
    h = resnet(attention(resnet(h, "mid_block.resnets.0"), "mid_block.attentions.0"), "mid_block.resnets.1")
    for i in range(3):
        h = resnet(torch.cat([h, skips.pop()], 1), f"up_blocks.0.resnets.{i}")
    return conv(F.silu(gn(h, "conv_norm_out")), "conv_out")


def _official_random_state(width: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """A diffusers-layout state dict with every tensor random, including off-centre taps, query and key."""
    g = torch.Generator().manual_seed(seed)
    layout = rdm_to_diffusers(RDMDenoiser(width).state_dict())
    return {k: torch.randn(v.shape, generator=g) * (0.5 if v.dim() == 1 else 1 / math.sqrt(v[0].numel())) for k, v in layout.items()}


@pytest.mark.parametrize("width", [64, 128])
def test_mlp_reproduces_the_unet_forward_on_official_layout_weights(width: int) -> None:
    sd = _official_random_state(width)
    state, got_width = convert_rdm(sd)
    assert got_width == width
    net = RDMDenoiser(width)
    net.load_state_dict(state, strict=True)
    x_t, code = torch.randn(5, 256), torch.rand(5, 256)
    t = torch.tensor([0, 1, 200, 613, 999])
    reference = reference_unet(sd, torch.cat([x_t, code], 1)[:, :, None, None], t)[:, :, 0, 0]
    assert torch.allclose(net(x_t, code, t), reference, atol=1e-4, rtol=1e-4)


def test_official_width_128_layout_has_the_digest_parameter_count() -> None:
    layout = rdm_to_diffusers(RDMDenoiser(128).state_dict())
    total = sum(v.numel() for v in layout.values())
    assert abs(total - 4.35e6) < 0.03e6  # §4.5: ≈ 4.35 M per UNet at C = 128
    effective = sum(p.numel() for p in RDMDenoiser(128).parameters())
    assert abs(effective - 1.34e6) < 0.05e6  # §4.5: ≈ 1.34 M of them ever receive gradient
    assert layout["conv_in.weight"].shape == (128, 512, 3, 3) and layout["conv_out.weight"].shape == (256, 128, 3, 3)


def test_newer_diffusers_attention_names_are_accepted() -> None:
    sd = _official_random_state(64)
    renamed = {k.replace("attentions.0.query", "attentions.0.to_q").replace("attentions.0.key", "attentions.0.to_k")
               .replace("attentions.0.value", "attentions.0.to_v").replace("attentions.0.proj_attn", "attentions.0.to_out.0"): v
               for k, v in sd.items()}  # fmt: skip
    assert convert_rdm(renamed)[0].keys() == convert_rdm(sd)[0].keys()


def test_missing_or_misshaped_unet_keys_are_named() -> None:
    sd = _official_random_state(64)
    broken = dict(sd)
    del broken["up_blocks.0.resnets.2.conv2.weight"]
    with pytest.raises(OfficialCheckpointError, match="up_blocks.0.resnets.2.conv2.weight"):
        convert_rdm(broken)
    broken = dict(sd)
    broken["conv_out.bias"] = torch.zeros(3)
    with pytest.raises(OfficialCheckpointError, match="conv_out.bias"):
        convert_rdm(broken)


def test_timestep_embedding_is_cos_first_with_freq_shift_zero() -> None:
    emb = timestep_embedding(torch.tensor([0, 10]), 8)
    assert torch.allclose(emb[0], torch.tensor([1.0] * 4 + [0.0] * 4))
    freqs = torch.exp(-math.log(1e4) * torch.arange(4) / 4)
    assert torch.allclose(emb[1], torch.cat([torch.cos(10 * freqs), torch.sin(10 * freqs)]))
