"""The supervised upper bound: the same backbone trained end to end on the task's training labels.

Recipe (facessl's choice, kept short so the ceiling is cheap to compute; not from a paper):
backbone + one linear head, AdamW (lr 1e-3, weight decay 1e-4), batch 64, at most `epochs` epochs,
ImageNet normalisation, random horizontal flips for classes and labels only (a flip negates yaw and
roll, so pose targets are left unflipped; DISFA/BP4D AU labels are bilateral, so a flip keeps them).
Cross-entropy for classes, L1 for regression (PCL's pose loss, pcl.md §5.4), binary cross-entropy for
multi-label occurrence (``"labels"``: the AU bound learns the protocol's own targets, where an L1
regression of sparse AU levels has its optimum at the median 0). The epoch kept is the one with the
best score on a validation split carved (seeded, stratified for classes, or grouped by person when the
caller passes groups: frames of one person's video are near-duplicates, and a random carve would then
select for memorising people) from the TRAINING samples; test data are never seen here.

The returned source exposes the backbone's pooled features (site ``encoder``), which are then
probed by the same protocol as every other encoder, so the ceiling is measured like the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from torch import Tensor, nn

from facessl.augment.normalize import IMAGENET_MEAN, IMAGENET_STD, Normalize
from facessl.eval.feature_source import FeatureSource, state_sha256
from facessl.models.backbones import build_backbone

TargetKind = Literal["classes", "regression", "labels"]


@dataclass(frozen=True)
class SupervisedRecipe:
    """Hyperparameters of the upper bound (all fixed in advance; only the epoch is selected).

    Attributes:
        epochs: Maximum number of passes over the fitting part of train.
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        batch_size: Images per step.
        val_fraction: Fraction of train held out to select the epoch.
    """

    epochs: int = 20
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    val_fraction: float = 0.2


LOSSES = {"classes": F.cross_entropy, "regression": F.l1_loss, "labels": F.binary_cross_entropy_with_logits}


def _val_score(head_out: Tensor, targets: Tensor, kind: TargetKind) -> float:
    """Higher is better: accuracy for classes, minus the mean absolute error for regression, minus the mean
    binary cross-entropy for labels."""
    if kind == "classes":
        return float((head_out.argmax(1) == targets).float().mean())
    return -float(LOSSES[kind](head_out, targets))


def train_supervised_source(
    images: Tensor,
    targets: Tensor | np.ndarray,
    kind: TargetKind,
    backbone: str = "resnet18",
    recipe: SupervisedRecipe = SupervisedRecipe(),
    seed: int = 0,
    device: str | torch.device = "cpu",
    groups: np.ndarray | Sequence[Any] | None = None,
    **backbone_args: Any,
) -> tuple[FeatureSource, dict[str, Any]]:
    """Train backbone + linear head on (images, targets) and return the backbone as a feature source.

    Args:
        images: uint8 (N, 3, S, S), the task's TRAINING images at the input size.
        targets: (N,) int class ids for ``"classes"``; (N, K) floats for ``"regression"``; (N, K) 0/1
            occurrences for ``"labels"``.
        kind: ``"classes"``, ``"regression"`` or ``"labels"``.
        backbone: Registered backbone name.
        recipe: The fixed hyperparameters.
        seed: Seeds initialisation, the validation carve, shuffling and flips.
        device: Where to train.
        groups: (N,) person or subject of each image; when given, no group is on both sides of the carve.
        **backbone_args: Backbone constructor arguments.

    Returns:
        The source (checkpoint hash = hash of the selected weights) and a report with the per-epoch
        validation scores and the selected epoch.
    """
    if kind not in LOSSES:
        raise ValueError(f"unknown target kind {kind!r}; expected one of {sorted(LOSSES)}")
    y = torch.as_tensor(np.asarray(targets))
    if kind == "labels" and not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("targets of kind 'labels' must be 0/1 occurrences")
    y = y.long() if kind == "classes" else y.float().reshape(len(y), -1)
    n = len(images)
    idx = np.arange(n)
    stratify = y.numpy() if kind == "classes" and np.bincount(y.numpy()).min(initial=n) >= 2 else None
    if groups is not None:
        group_ids = np.asarray(groups)
        if group_ids.shape != (n,):
            raise ValueError(f"groups must have one entry per image ({n}), got shape {group_ids.shape}")
        carve = GroupShuffleSplit(n_splits=1, test_size=recipe.val_fraction, random_state=seed)
        fit_idx, val_idx = next(carve.split(idx, groups=group_ids))
    else:
        fit_idx, val_idx = train_test_split(idx, test_size=recipe.val_fraction, random_state=seed, stratify=stratify)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = build_backbone(backbone, **backbone_args).to(device)
        out_dim = int(y.max()) + 1 if kind == "classes" else y.shape[1]
        head = nn.Linear(int(net.num_features), out_dim).to(device)
        normalize = Normalize(IMAGENET_MEAN, IMAGENET_STD).to(device)
        opt = torch.optim.AdamW([*net.parameters(), *head.parameters()], lr=recipe.lr, weight_decay=recipe.weight_decay)
        g = torch.Generator().manual_seed(seed)

        def forward(batch: Tensor) -> Tensor:
            return head(net(normalize(batch.to(device).float().div(255.0))))

        best: tuple[float, int, dict[str, Tensor]] | None = None
        val_scores: list[float] = []
        for epoch in range(recipe.epochs):
            net.train()
            head.train()
            order = torch.as_tensor(fit_idx)[torch.randperm(len(fit_idx), generator=g)]
            for start in range(0, len(order), recipe.batch_size):
                b = order[start : start + recipe.batch_size]
                if len(b) < 2:  # BatchNorm needs two samples
                    continue
                x = images[b]
                if kind != "regression":
                    flip = torch.rand(len(b), generator=g) < 0.5
                    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
                out = forward(x)
                t = y[b].to(device)
                loss = LOSSES[kind](out, t)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            net.eval()
            head.eval()
            with torch.no_grad():
                out = torch.cat([forward(images[val_idx[s : s + 256]]) for s in range(0, len(val_idx), 256)]).cpu()
            score = _val_score(out, y[val_idx], kind)
            val_scores.append(score)
            if best is None or score > best[0]:  # the first best epoch wins ties
                best = (score, epoch, copy.deepcopy(net.state_dict()))
    assert best is not None
    net.load_state_dict(best[2])
    net.eval()

    def extract(x: Tensor) -> Tensor:
        return net(normalize(x))

    source = FeatureSource(
        name=f"supervised-{backbone}", extract=extract, input_size=int(images.shape[-1]),
        checkpoint_sha256=state_sha256(net), site="encoder",
        normalization={"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        device=torch.device(device), modules=(net,),
    )  # fmt: skip
    report = {"recipe": recipe.__dict__, "val_scores": val_scores, "selected_epoch": best[1],
              "n_fit": len(fit_idx), "n_val": len(val_idx), "val_indices": sorted(int(i) for i in val_idx),
              "carve": "grouped" if groups is not None else "random", "seed": seed, "kind": kind}  # fmt: skip
    return source, report
