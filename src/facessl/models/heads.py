"""Projection and prediction heads (MLPs on pooled features)."""

from __future__ import annotations

from torch import Tensor, nn


class MLPHead(nn.Module):
    """Linear → [BN] → ReLU blocks, then a final Linear (optionally followed by a BN without affine).

    Widths of each method's heads are set in the method, with the paper sentence that fixes them.

    Args:
        in_dim: input feature size.
        hidden_dim: width of the hidden layers.
        out_dim: output size.
        num_layers: number of Linear layers (≥ 1).
        batch_norm: BatchNorm after each hidden Linear.
        last_bn: BatchNorm (affine=False) after the final Linear (SimCLR v2 / MoCo v3 style).
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dim: int,
        out_dim: int,
        num_layers: int = 2,
        batch_norm: bool = True,
        last_bn: bool = False,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError("num_layers must be >= 1")
        layers: list[nn.Module] = []
        dim = in_dim
        for _ in range(num_layers - 1):
            layers.append(nn.Linear(dim, hidden_dim, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm1d(hidden_dim))
            layers.append(nn.ReLU(inplace=True))
            dim = hidden_dim
        layers.append(nn.Linear(dim, out_dim, bias=not last_bn))
        if last_bn:
            layers.append(nn.BatchNorm1d(out_dim, affine=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """(N, in_dim) -> (N, out_dim)."""
        return self.net(x)
