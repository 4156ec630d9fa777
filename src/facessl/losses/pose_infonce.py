"""PCL's pose-related InfoNCE: positives are photometric views, negatives are flipped views (pcl.md §2.2 C).

Each image i gives two photometric views of itself (the positive pair) and K augmented views of
its horizontal mirror. Anchor i (both of its views) is contrasted against a block of K flipped
vectors, Beta(1.6, 1.6)-mixed inside the block with one slot permutation shared by all blocks,
then normalised; both views of image i share the same mixed block (pcl.md §2.2 C).

Which K vectors form block i is where the official code and its intent disagree (pcl.md §2.2 C,
§7.3 item 1, §8.4). The negatives arrive with row k*B + i = view k of image i:

- `"batch_blocks"` (default, the official code's effective behaviour): block i is rows
  i*K .. i*K + K - 1, i.e. K/B flips of *every* image of the mini-batch.
- `"own_flips"` (the intended "flips of the same image are the negatives"): block i is rows
  {k*B + i : k < K}, the K flips of image i only.

No negatives come from other ranks in either mode, so this loss needs no gathering.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.losses.interpolated_infonce import MIX_ALPHA, TEMPERATURE, mixed_negative_logits, sample_negative_mixing

PoseNegatives = Literal["batch_blocks", "own_flips"]
# pcl.md §2.2 C, §7.3 item 12: 100 flipped copies per image (official, hard-coded).
NUM_FLIPPED_NEGATIVES = 100


def pose_negative_index(
    batch: int, num_negatives: int, mode: PoseNegatives, device: torch.device | str = "cpu"
) -> Tensor:
    """Rows of the flipped-negative tensor forming each image's block, (batch, num_negatives).

    Args:
        batch: B, images in the pose batch.
        num_negatives: K, flipped views per image (the negative tensor has K * B rows).
        mode: "batch_blocks" (official behaviour) or "own_flips" (intended); module docstring.
    """
    if mode == "batch_blocks":
        # Official: chunk the (K*B, D) tensor into B consecutive blocks of K rows.
        return torch.arange(batch * num_negatives, device=device).view(batch, num_negatives)
    if mode == "own_flips":
        return torch.arange(num_negatives, device=device)[None, :] * batch + torch.arange(batch, device=device)[:, None]
    raise ValueError(f"unknown pose negative mode {mode!r}; choose 'batch_blocks' or 'own_flips'")


def pose_infonce_logits(
    z0: Tensor,
    z1: Tensor,
    negatives: Tensor,
    lam: Tensor,
    perm: Tensor,
    mode: PoseNegatives = "batch_blocks",
    temperature: float = TEMPERATURE,
) -> Tensor:
    """Logits of the pose InfoNCE; column 0 is the positive. fp32 even under autocast.

    Args:
        z0: raw pose projections of view 1 of the unflipped images.
        z1: raw pose projections of view 2, same image order.
        negatives: raw pose projections of the flipped views, row k*B + i = view k of image i.
        lam: Beta weights per (image block, slot), shared by both views of the image.
        perm: slot permutation inside a block, shared by all blocks.
        mode: which flipped views form image i's block (module docstring).
        temperature: softmax temperature (pcl.md §1.6: 0.07).

    Shape:
        - z0, z1: (B, D)
        - negatives: (K * B, D)
        - lam: (B, K); perm: (K,)
        - Output: (2B, 1 + K)
    """
    b = z0.shape[0]
    if z1.shape != z0.shape or negatives.shape[0] % max(b, 1) != 0:
        shapes = f"{tuple(z0.shape)}, {tuple(z1.shape)}, {tuple(negatives.shape)}"
        raise ValueError(f"need z0, z1 of shape (B, D) and K*B negatives, got {shapes}")
    k = negatives.shape[0] // b
    if lam.shape != (b, k) or perm.shape != (k,):
        raise ValueError(f"lam must be ({b}, {k}) and perm ({k},), got {tuple(lam.shape)} and {tuple(perm.shape)}")
    with torch.autocast(device_type=z0.device.type, enabled=False):
        q = F.normalize(torch.cat([z0.float(), z1.float()]), dim=1)  # (2B, D)
        pos = (q * q.roll(b, dims=0)).sum(dim=1, keepdim=True)  # view 1 <-> view 2
        index = pose_negative_index(b, k, mode, z0.device).repeat(2, 1)  # (2B, K)
        neg = mixed_negative_logits(q, negatives.float(), index, lam.float().repeat(2, 1), perm)
        return torch.cat([pos, neg], dim=1) / temperature


class PoseInfoNCELoss(nn.Module):
    """PCL's pose-related InfoNCE with Beta-interpolated flipped negatives.

    Args:
        mode: "batch_blocks" (default, official effective behaviour) or "own_flips" (the
            intended scheme; pcl.md §8.4 recommends running it as an ablation).
        temperature: softmax temperature (pcl.md §1.6: 0.07).
        alpha: Beta(alpha, alpha) mixing parameter (pcl.md §1.6: 1.6).

    Shape:
        - z0, z1: (B, D); negatives: (K * B, D), all raw projections
        - Output: ()
    """

    def __init__(
        self, mode: PoseNegatives = "batch_blocks", temperature: float = TEMPERATURE, alpha: float = MIX_ALPHA
    ) -> None:
        super().__init__()
        pose_negative_index(1, 1, mode)  # validate the mode at construction
        self.mode: PoseNegatives = mode
        self.temperature = temperature
        self.alpha = alpha

    def logits(self, z0: Tensor, z1: Tensor, negatives: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """(2B, 1 + K) logits with freshly sampled mixing; column 0 is the positive."""
        b = z0.shape[0]
        lam, perm = sample_negative_mixing(b, negatives.shape[0] // max(b, 1), self.alpha, generator, z0.device)
        return pose_infonce_logits(z0, z1, negatives, lam, perm, self.mode, self.temperature)

    def forward(self, z0: Tensor, z1: Tensor, negatives: Tensor, generator: torch.Generator | None = None) -> Tensor:
        logits = self.logits(z0, z1, negatives, generator)
        return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long, device=logits.device))


__all__ = ["NUM_FLIPPED_NEGATIVES", "PoseInfoNCELoss", "PoseNegatives", "pose_infonce_logits", "pose_negative_index"]
