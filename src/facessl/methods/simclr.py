"""SimCLR (Chen et al. 2020, arXiv 2002.05709): two augmented views, a projection MLP, NT-Xent."""

from __future__ import annotations

from dataclasses import replace

from torch import Tensor, nn

from facessl.augment.normalize import Normalize
from facessl.augment.views import SIMCLR, ViewAugment
from facessl.losses.ntxent import NTXentLoss
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.diagnostics import embedding_std
from facessl.methods.registry import register_method
from facessl.models.heads import MLPHead


@register_method("simclr")
class SimCLR(Method):
    """SimCLR with the paper's head and views, at face-crop sizes.

    Args:
        backbone: encoder returning pooled features (N, backbone.num_features).
        temperature: NT-Xent τ; 0.5 is the paper's value for small batches (§B.9, CIFAR-10).
        proj_hidden_dim: hidden width of g(·); the paper uses the feature width (§2: "MLP with one
            hidden layer"); 0 means `backbone.num_features`.
        proj_dim: output of g(·), 128 in the paper (§B.4).
        image_size: side of the views.
        crop_min_scale: smallest crop area (0.08 in the paper; faces may prefer 0.2).
        color_strength: s of the colour distortion (SimCLR §A: brightness, contrast, saturation
            0.8·s, hue 0.2·s; s = 1 in the paper). Skin tone is identity information, so faces
            often train faster with s = 0.5.
    """

    def __init__(
        self,
        backbone: nn.Module,
        temperature: float = 0.5,
        proj_hidden_dim: int = 0,
        proj_dim: int = 128,
        image_size: int = 64,
        crop_min_scale: float = 0.08,
        color_strength: float = 1.0,
    ) -> None:
        super().__init__()
        self.encoder = backbone
        width = int(backbone.num_features)
        self.projector = MLPHead(width, proj_hidden_dim or width, proj_dim, num_layers=2, batch_norm=False)
        self.normalize = Normalize()
        recipe = replace(
            SIMCLR, size=image_size, crop_scale=(crop_min_scale, 1.0), brightness=0.8 * color_strength,
            contrast=0.8 * color_strength, saturation=0.8 * color_strength, hue=0.2 * color_strength,
        )
        self.augment = ViewAugment(recipe)
        self.criterion = NTXentLoss(temperature)

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        x = to_float01(images)
        v0, _ = self.augment(x, opt.generator)
        v1, _ = self.augment(x, opt.generator)
        z0 = self.projector(self.encoder(self.preprocess(v0)))
        z1 = self.projector(self.encoder(self.preprocess(v1)))
        loss = self.criterion(z0, z1)
        opt.step(loss)
        return {"loss": loss.detach(), "z_std": embedding_std(z0)}
