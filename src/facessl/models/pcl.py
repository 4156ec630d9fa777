"""PCL networks in one container: encoder, the two projection heads and the PDD decoder.

PCL: Liu et al., "Pose-disentangled Contrastive Learning for Self-supervised Facial
Representation", CVPR 2023 (arXiv 2211.13490). Built from `shared/research/pcl.md`. The
attribute names `encoder`, `exp_fc`, `pose_fc` and `decoder` match the official checkpoint
(pcl.md §7.4), so `PCLNetworks().load_state_dict(convert_official_pcl_state_dict(sd))` loads
released weights (see `pcl_import.py`).
"""

from __future__ import annotations

from torch import Tensor, nn

from facessl.models.pcl_decoder import PCLDecoder, decoder_input
from facessl.models.pcl_encoder import ChannelAttention, PCLEncoder, ResidualBlock, trunk_spatial_size

# pcl.md §1.2, §1.6: heads are Linear(2048->2048), ReLU, Linear(2048->512), BatchNorm1d(512).
PROJECTION_DIM = 512


class PCLProjectionHead(nn.Sequential):
    """PCL projection head (`exp_fc` / `pose_fc`): Linear, ReLU, Linear, BatchNorm1d (pcl.md §1.2).

    No normalisation follows the BN; the contrastive losses L2-normalise. Indices 0, 2, 3 match
    the official state dict. PyTorch default initialisation (the official encoder init does not
    reach the heads, pcl.md §1.1).

    Args:
        in_features: branch dimension (2048 at 64 px).
        hidden_features: hidden width (pcl.md §1.2: 2048, equal to the input).
        out_features: projection size (pcl.md §1.6: 512, hard-coded officially).

    Shape:
        - Input: (N, in_features)
        - Output: (N, out_features)
    """

    def __init__(
        self, in_features: int = 2048, hidden_features: int = 2048, out_features: int = PROJECTION_DIM
    ) -> None:
        super().__init__(
            nn.Linear(in_features, hidden_features),
            nn.ReLU(),
            nn.Linear(hidden_features, out_features),
            nn.BatchNorm1d(out_features),
        )


class PCLNetworks(nn.Module):
    """Every PCL network: encoder (trunk + F_f + F_p), `exp_fc`, `pose_fc` and the PDD decoder.

    Args:
        input_size: pre-training resolution (pcl.md §4: 64); fixes the branch dimension the heads
            and decoder read. The decoder always outputs 64x64 (pcl.md §1.3).
        projection_dim: output size of both heads (pcl.md §1.6: 512).
    """

    def __init__(self, input_size: int = 64, projection_dim: int = PROJECTION_DIM) -> None:
        super().__init__()
        self.encoder = PCLEncoder(input_size=input_size)
        d = self.encoder.num_features
        self.exp_fc = PCLProjectionHead(d, d, projection_dim)
        self.pose_fc = PCLProjectionHead(d, d, projection_dim)
        self.decoder = PCLDecoder(d)

    def project_face(self, x: Tensor) -> Tensor:
        """exp_fc(F_f(x)): (N, 3, H, W) -> (N, projection_dim), the face-aware step's input."""
        return self.exp_fc(self.encoder.forward_face(x))

    def project_pose(self, x: Tensor) -> Tensor:
        """pose_fc(F_p(x)): (N, 3, H, W) -> (N, projection_dim), the pose step's input."""
        return self.pose_fc(self.encoder.forward_pose(x))

    def decode(self, face: Tensor, pose: Tensor) -> Tensor:
        """G(normalise(F_f(a) + F_p(b))): two (N, D) branch vectors -> (N, 3, 64, 64) in [-1, 1]."""
        return self.decoder(decoder_input(face, pose))

    def forward(self, x: Tensor) -> Tensor:
        """Trunk features, so the container can stand in for its encoder."""
        return self.encoder(x)


__all__ = [
    "PROJECTION_DIM",
    "ChannelAttention",
    "PCLDecoder",
    "PCLEncoder",
    "PCLNetworks",
    "PCLProjectionHead",
    "ResidualBlock",
    "decoder_input",
    "trunk_spatial_size",
]
