"""MoCo v2 (Chen et al. 2020b, arXiv 2003.04297): momentum key encoder, a queue, an MLP head."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import Tensor, nn

from facessl import distributed
from facessl.augment.normalize import Normalize
from facessl.augment.views import MOCO_V2, ViewAugment
from facessl.losses.queue_infonce import QueueInfoNCELoss
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.diagnostics import embedding_std
from facessl.methods.registry import register_method
from facessl.models.heads import MLPHead
from facessl.models.memory_queue import MemoryQueue
from facessl.models.momentum import momentum_copy


@register_method("moco")
class MoCoV2(Method):
    """MoCo v2 with a symmetrised loss option.

    Args:
        backbone: encoder returning pooled features.
        temperature: τ = 0.2 (MoCo v2 §2).
        queue_size: K negatives; 65536 in the paper, far more than small face sets need.
        momentum: EMA coefficient m of the key encoder, 0.999 (MoCo §3.2), kept constant.
        proj_hidden_dim: MLP head hidden width, 2048 (MoCo v2 §2); 0 means the feature width.
        proj_dim: key/query dimension, 128.
        symmetric: also score view 2 against view 1 (as MoCo v3 does); off in v2.
        image_size: side of the views.
    """

    def __init__(
        self,
        backbone: nn.Module,
        temperature: float = 0.2,
        queue_size: int = 65536,
        momentum: float = 0.999,
        proj_hidden_dim: int = 2048,
        proj_dim: int = 128,
        symmetric: bool = False,
        image_size: int = 64,
    ) -> None:
        super().__init__()
        width = int(backbone.num_features)
        self.encoder = backbone
        self.projector = MLPHead(width, proj_hidden_dim or width, proj_dim, num_layers=2, batch_norm=False)
        self.key_encoder = momentum_copy(self.encoder)
        self.key_projector = momentum_copy(self.projector)
        self.queue = MemoryQueue(queue_size, proj_dim)
        self.momentum = (momentum, momentum)
        self.symmetric = symmetric
        self.normalize = Normalize()
        self.augment = ViewAugment(replace(MOCO_V2, size=image_size))
        self.criterion = QueueInfoNCELoss(temperature)

    def momentum_pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        return [(self.encoder, self.key_encoder), (self.projector, self.key_projector)]

    @torch.no_grad()
    def _keys(self, view: Tensor, generator: torch.Generator) -> Tensor:
        shuffled, perm = distributed.shuffle_across_ranks(view, generator)
        k = self.key_projector(self.key_encoder(self.preprocess(shuffled)))
        return nn.functional.normalize(distributed.unshuffle_across_ranks(k.float(), perm), dim=1)

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        x = to_float01(images)
        v0, _ = self.augment(x, opt.generator)
        v1, _ = self.augment(x, opt.generator)
        q0 = self.projector(self.encoder(self.preprocess(v0)))
        k1 = self._keys(v1, opt.generator)
        queue = self.queue.keys.clone()  # negatives of this step: the queue before enqueuing
        loss = self.criterion(q0, k1, queue)
        keys = [k1]
        if self.symmetric:
            q1 = self.projector(self.encoder(self.preprocess(v1)))
            k0 = self._keys(v0, opt.generator)
            loss = 0.5 * (loss + self.criterion(q1, k0, queue))
            keys.append(k0)
        opt.step(loss)
        for k in keys:
            self.queue.enqueue(distributed.gather_no_grad(k))
        return {"loss": loss.detach(), "z_std": embedding_std(q0)}
