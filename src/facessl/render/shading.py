"""Lambertian shading with an ambient and a directional light, per sample.

The model is ``colour = albedo · (ambient + diffuse · max(0, ⟨n, l⟩))``, Unsup3D's shading
(research/latentface.md §3.3 item 6) with a colour per light. Here ``n`` is the outward unit normal and ``l``
the unit direction from the surface towards the light, both in the same frame (camera coordinates when used
through :func:`facessl.render.renderer.render_mesh`). Unsup3D's normals point away from the camera and its
``ℓ = normalize(l2, l3, 1)`` has +z, so Unsup3D's light corresponds to ``direction = −ℓ`` here.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Light:
    """Per-sample ambient plus directional light.

    Intensity and colour are folded together: a white light of intensity k is ``k · (1, 1, 1)`` (or ``(k,)``
    with one channel, broadcast over colour channels).

    Attributes:
        direction: (B, 3) direction towards the light (any positive length; normalised when shading).
        diffuse: (B, C) or (B, 1) colour × intensity of the directional light.
        ambient: (B, C) or (B, 1) colour × intensity of the ambient light.
    """

    direction: Tensor
    diffuse: Tensor
    ambient: Tensor

    @classmethod
    def from_intensities(cls, direction: Tensor, ambient: Tensor, diffuse: Tensor) -> Light:
        """White lights from scalar intensities, e.g. Unsup3D's ``k_a`` and ``k_d``.

        Args:
            direction: (B, 3) direction towards the light.
            ambient: (B,) ambient intensity.
            diffuse: (B,) directional intensity.

        Returns:
            The light, with (B, 1) colours broadcast over channels.
        """
        return cls(direction=direction, diffuse=diffuse.unsqueeze(1), ambient=ambient.unsqueeze(1))


def lambertian(albedo: Tensor, normals: Tensor, light: Light) -> Tensor:
    """Shade an albedo image with per-pixel normals.

    Args:
        albedo: (B, C, H, W) albedo.
        normals: (B, 3, H, W) normals (normalised here; zero normals, e.g. background, get ambient only).
        light: The per-sample light.

    Returns:
        (B, C, H, W) shaded colour.
    """
    l_dir = torch.nn.functional.normalize(light.direction, dim=1)[:, :, None, None]  # (B, 3, 1, 1)
    # ⟨n, l⟩ / |n| written out over the three channels: F.normalize and einsum over dim 1 of an NCHW tensor are
    # strided reductions that are ~30× slower on CPU. The clamp keeps zero (background) normals at zero.
    dot = normals[:, 0:1] * l_dir[:, 0:1] + normals[:, 1:2] * l_dir[:, 1:2] + normals[:, 2:3] * l_dir[:, 2:3]
    sq_norm = normals[:, 0:1] ** 2 + normals[:, 1:2] ** 2 + normals[:, 2:3] ** 2
    cos = (dot * sq_norm.clamp(min=1e-24).rsqrt()).clamp(min=0.0)  # (B, 1, H, W)
    shading = light.ambient[:, :, None, None] + light.diffuse[:, :, None, None] * cos
    return albedo * shading
