"""BYOL (Grill et al. 2020, arXiv 2006.07733): online network + predictor regress an EMA target."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import Tensor, nn

from facessl.augment.normalize import Normalize
from facessl.augment.views import BYOL_1, BYOL_2, ViewAugment
from facessl.losses.byol import BYOLLoss
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.diagnostics import embedding_std
from facessl.methods.registry import register_method
from facessl.models.heads import MLPHead
from facessl.models.momentum import momentum_copy


@register_method("byol")
class BYOL(Method):
    """BYOL with the paper's asymmetric views and symmetrised loss.

    Args:
        backbone: encoder returning pooled features.
        proj_hidden_dim: projector/predictor hidden width, 4096 (BYOL §3.3).
        proj_dim: projection size, 256 (§3.3).
        momentum_base: τ_base = 0.996, raised to 1 by a cosine over training (§3.3, eq. in "Optimization").
        image_size: side of the views.
    """

    def __init__(
        self,
        backbone: nn.Module,
        proj_hidden_dim: int = 4096,
        proj_dim: int = 256,
        momentum_base: float = 0.996,
        image_size: int = 64,
    ) -> None:
        super().__init__()
        width = int(backbone.num_features)
        self.encoder = backbone
        self.projector = MLPHead(width, proj_hidden_dim, proj_dim, num_layers=2, batch_norm=True)
        self.predictor = MLPHead(proj_dim, proj_hidden_dim, proj_dim, num_layers=2, batch_norm=True)
        self.target_encoder = momentum_copy(self.encoder)
        self.target_projector = momentum_copy(self.projector)
        self.momentum = (momentum_base, 1.0)
        self.normalize = Normalize()
        self.augment_1 = ViewAugment(replace(BYOL_1, size=image_size))
        self.augment_2 = ViewAugment(replace(BYOL_2, size=image_size))
        self.criterion = BYOLLoss()

    def momentum_pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        return [(self.encoder, self.target_encoder), (self.projector, self.target_projector)]

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        x = to_float01(images)
        v1, _ = self.augment_1(x, opt.generator)
        v2, _ = self.augment_2(x, opt.generator)
        z1 = self.projector(self.encoder(self.preprocess(v1)))
        z2 = self.projector(self.encoder(self.preprocess(v2)))
        with torch.no_grad():
            t1 = self.target_projector(self.target_encoder(self.preprocess(v1)))
            t2 = self.target_projector(self.target_encoder(self.preprocess(v2)))
        loss = self.criterion(self.predictor(z1), t2) + self.criterion(self.predictor(z2), t1)
        opt.step(loss)
        return {"loss": loss.detach(), "z_std": embedding_std(z1)}
