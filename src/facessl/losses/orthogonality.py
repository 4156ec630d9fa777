"""PCL's orthogonalizing regulation ("DiffLoss"), exact official form (pcl.md §1.4, §8.6).

Decorrelates the face-aware features F_f from the pose-related features F_p of the same images.
The form follows Domain Separation Networks' difference loss (Bousmalis et al., NeurIPS 2016),
with PCL's batch centring, detached row norm and mean instead of sum.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

# pcl.md §1.4: the row norm gets + 1e-6 before dividing.
NORM_EPS = 1e-6


def _centre_and_scale(x: Tensor, eps: float) -> Tensor:
    x = x - x.mean(dim=0, keepdim=True)
    # pcl.md §1.4/§8.6: the norm is detached, so no gradient flows through the normaliser;
    # this changes the gradient (it is not the gradient of a cosine) and is kept on purpose.
    return x / (x.norm(dim=1, keepdim=True).detach() + eps)


def orthogonality_loss(face: Tensor, pose: Tensor, eps: float = NORM_EPS) -> Tensor:
    """Mean squared cross-correlation between face-feature and pose-feature dimensions.

    L = mean_{j,k} ((Ê^T P̂)_{jk})^2, where Ê and P̂ are the batch-centred inputs whose rows are
    divided by their (detached) L2 norm + `eps` (pcl.md §1.4). Computed in fp32 even under
    autocast: the squared correlations are tiny and precision-sensitive (pcl.md §8.15).

    Args:
        face: face-aware branch features F_f of a batch.
        pose: pose-related branch features F_p of the same images, same order.
        eps: added to each row norm.

    Returns:
        Scalar loss.

    Shape:
        - face: (N, D_f)
        - pose: (N, D_p)
        - Output: ()
    """
    if face.shape[0] != pose.shape[0]:
        raise ValueError(f"face and pose need the same batch size, got {face.shape[0]} and {pose.shape[0]}")
    with torch.autocast(device_type=face.device.type, enabled=False):
        e = _centre_and_scale(face.float(), eps)
        p = _centre_and_scale(pose.float(), eps)
        return (e.t() @ p).pow(2).mean()  # (D_f, D_p) cross-correlation


class OrthogonalityLoss(nn.Module):
    """Module wrapper of `orthogonality_loss` (see there).

    Args:
        eps: added to each row norm (pcl.md §1.4: 1e-6).

    Shape:
        - face: (N, D_f)
        - pose: (N, D_p)
        - Output: ()
    """

    def __init__(self, eps: float = NORM_EPS) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, face: Tensor, pose: Tensor) -> Tensor:
        return orthogonality_loss(face, pose, self.eps)


__all__ = ["NORM_EPS", "OrthogonalityLoss", "orthogonality_loss"]
