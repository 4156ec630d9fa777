"""LatentFace stage 1 (He et al., arXiv 2309.08273), i.e. Unsup3D's CelebA model (Wu et al., CVPR 2020), as a
facessl method: `latentface-ae`.

Per iteration (research/latentface.md §3.3–§3.6): uint8 batch → 64 px, random horizontal flip (p = 0.5, the
CelebA loader's) → [-1, 1] → netD, netA, netL, netV, netC → canonical depth and albedo and their mirrors, shading,
viewpoint, rendering through `facessl.render` → ``L1 + λ_flip·L1' + λ_perc·(P + λ_flip·P')`` → one optimizer
step (the official one Adam per network with equal settings is one Adam over all of them).

The perceptual term P is VGG16 relu3_3 (§3.5) and needs a local weights file. Without one, the config must name
the alternative explicitly: ``perceptual: ssim`` (a masked SSIM term, a facessl deviation) or ``perceptual:
none``; there is no silent fallback. With either alternative ConfNet's 16×16 head has no loss and is frozen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import torch
from torch import Tensor, nn

from facessl.augment.normalize import Normalize
from facessl.augment.pcl_views import resize
from facessl.latentface.image_formation import FormedImages, form_images
from facessl.losses.flip import LAMBDA_FLIP, flip_weighted
from facessl.losses.photometric import confidence_weighted_l1
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.diagnostics import embedding_std
from facessl.methods.registry import register_method
from facessl.models.unsup3d import IMAGE_SIZE, CodeEncoder, Unsup3DNetworks

# research/latentface.md §3.1: inputs x·2 − 1, i.e. mean 0.5 and std 0.5 per channel.
LATENTFACE_MEAN, LATENTFACE_STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
LAMBDA_PERC = 1.0  # §3.5, §10
FLIP_PROB = 0.5  # §3.6: the CelebA loader flips horizontally with p = 0.5

Perceptual = Literal["vgg16", "ssim", "none"]


def random_hflip(x: Tensor, p: float, generator: torch.Generator) -> Tensor:
    """Flip each image horizontally with probability p, drawn from `generator` (no host sync)."""
    flip = torch.rand(x.shape[0], generator=generator, device=generator.device).to(x.device) < p
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def load_networks_file(networks: Unsup3DNetworks, path: str | Path) -> None:
    """Load a `facessl import unsup3d` networks file (safetensors, official names netD.network1.0.weight, ...)."""
    from safetensors.torch import load_file

    from facessl.engine.checkpoint import load_module_state

    state = load_file(str(path))
    load_module_state(networks, {k: v for k, v in state.items() if k.split(".")[0] in ("netD", "netA", "netL", "netV", "netC")}, str(path))


@register_method("latentface-ae")
class LatentFaceAE(Method):
    """The 3D-aware autoencoder: five Unsup3D networks trained by reconstruction.

    Args:
        backbone: a `CodeEncoder` (backbone ``unsup3d``): the encoder halves of netA and netD, whose codes are
            the representation; the method shares them with its netA / netD.
        perceptual: ``vgg16`` (official, needs `vgg16_weights`), ``ssim`` or ``none`` (named deviations).
        vgg16_weights: local VGG16 weights file (torchvision's .pth or safetensors) for ``vgg16``.
        lam_flip: λ_flip (§3.5: 0.5).
        lam_perc: λ_perc (§3.5: 1).
        flip_prob: probability of the loader's horizontal flip (§3.6: 0.5).
        init_networks: optional networks file from ``facessl import unsup3d`` to start from (e.g. the official
            CelebA checkpoint, §9.1: verify reconstructions first).
        image_size: only 64 (§3.1).
    """

    def __init__(
        self,
        backbone: nn.Module,
        perceptual: Perceptual = "vgg16",
        vgg16_weights: str = "",
        lam_flip: float = LAMBDA_FLIP,
        lam_perc: float = LAMBDA_PERC,
        flip_prob: float = FLIP_PROB,
        init_networks: str = "",
        image_size: int = IMAGE_SIZE,
    ) -> None:
        super().__init__()
        if not isinstance(backbone, CodeEncoder):
            raise TypeError(f"latentface-ae needs the 'unsup3d' backbone (CodeEncoder), got {type(backbone).__name__}")
        if image_size != IMAGE_SIZE:
            raise ValueError(f"the Unsup3D networks work at 64x64 (latentface.md §3.1); image_size={image_size}")
        if perceptual == "vgg16" and not vgg16_weights:
            raise ValueError(
                "perceptual=vgg16 needs method.vgg16_weights (a local VGG16 file; nothing is downloaded); "
                "to train without it, set method.perceptual to 'ssim' or 'none' explicitly"
            )
        if perceptual != "vgg16" and vgg16_weights:
            raise ValueError(f"method.vgg16_weights is given but method.perceptual={perceptual!r}; pick one")
        self.encoder = backbone
        self.normalize = Normalize(LATENTFACE_MEAN, LATENTFACE_STD)
        networks = Unsup3DNetworks(albedo_encoder=backbone.albedo, depth_encoder=backbone.depth)
        if init_networks:
            load_networks_file(networks, init_networks)
        # Official attribute names (§3.2); netA.network1 / netD.network1 are the backbone's modules.
        self.netD, self.netA, self.netL = networks.netD, networks.netA, networks.netL
        self.netV, self.netC = networks.netV, networks.netC
        self.perceptual_kind, self.lam_flip, self.lam_perc, self.flip_prob = perceptual, lam_flip, lam_perc, flip_prob
        self.perceptual: nn.Module | None = None
        if perceptual == "vgg16":
            from facessl.losses.perceptual import PerceptualLoss

            self.perceptual = PerceptualLoss(vgg16_weights)
        elif perceptual == "ssim":
            from facessl.losses.ssim import SSIMLoss

            self.perceptual = SSIMLoss()
        if perceptual != "vgg16":  # no confidence-weighted perceptual term: ConfNet's 16x16 head is unused
            self.netC.out_net2.requires_grad_(False)

    def _inputs(self, images: Tensor) -> Tensor:
        return self.preprocess(resize(to_float01(images), IMAGE_SIZE))

    def form(self, x: Tensor) -> tuple[FormedImages, Tensor, Tensor]:
        """Networks and image formation on (N, 3, 64, 64) images in [-1, 1]; returns (images, σ_l1, σ_perc)."""
        depth_raw, albedo = self.netD(x), self.netA(x)
        light, view = self.netL(x), self.netV(x)
        sigma_l1, sigma_perc = self.netC(x)
        with torch.autocast(x.device.type, enabled=False):  # geometry and rasterization stay in fp32
            formed = form_images(depth_raw.float(), albedo.float(), light.float(), view.float())
        return formed, sigma_l1.float(), sigma_perc.float()

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        x = self._inputs(images)
        x = random_hflip(x, self.flip_prob, opt.generator)
        formed, sigma_l1, sigma_perc = self.form(x)
        x = x.float()
        l1, l1_direct, l1_flip = flip_weighted(
            confidence_weighted_l1, formed.recon, formed.recon_flip, x, formed.mask, sigma_l1, self.lam_flip
        )
        loss = l1
        logs = {"loss_l1": l1_direct.detach(), "loss_l1_flip": l1_flip.detach()}
        if self.perceptual is not None:
            sigma = sigma_perc if self.perceptual_kind == "vgg16" else None
            perc, p_direct, p_flip = flip_weighted(
                self.perceptual, formed.recon, formed.recon_flip, x, formed.mask, sigma, self.lam_flip
            )
            loss = loss + self.lam_perc * perc
            logs.update(loss_perc=p_direct.detach(), loss_perc_flip=p_flip.detach())
        opt.step(loss)
        with torch.no_grad():
            a = self.netA.network1(x).flatten(1)
        logs.update(loss=loss.detach(), mask_fraction=formed.mask.mean().detach(), albedo_code_std=embedding_std(a))
        return logs

    @torch.no_grad()
    def reconstruct(self, images: Tensor) -> FormedImages:
        """Reconstructions of uint8 or [0, 1] images (both halves in [-1, 1], masked), for evaluation."""
        return self.form(self._inputs(images))[0]

    def feature_sites(self) -> dict[str, Callable[[Tensor], Tensor]]:
        """codes [a, d] (512), albedo_code a and depth_code d (256 each), over [0, 1] images."""

        def codes(x: Tensor) -> tuple[Tensor, Tensor]:
            return self.encoder.codes(self._inputs(x))

        return {
            "codes": lambda x: torch.cat(codes(x), dim=1),
            "albedo_code": lambda x: codes(x)[0],
            "depth_code": lambda x: codes(x)[1],
        }


__all__ = ["LatentFaceAE", "random_hflip"]
