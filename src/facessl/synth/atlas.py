"""Texture atlas of a SynthFaces head: the face's albedo beside the hair and skin of the head parts.

The renderer takes one texture per mesh, so the face mask and the head parts of
:mod:`facessl.synth.head` share a (3, S, 2S) atlas: the left half is exactly the albedo of
:func:`facessl.synth.appearance.albedo_texture` (face UVs are squeezed to u/2), the right half is
hair colour above v = 0.5 and skin colour below, which :func:`facessl.synth.head.hair_uv` indexes.

``albedo_texture`` paints its regions one over another; each paint is linear in its colour, so
the painted texture is a fixed weighted sum of the per-face colours. :class:`AtlasPainter` stores
those weights once (and the bicubic upsampling of the skin variation as a matrix), which turns a
batch of textures into one small matrix product: about 100× faster than repainting.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from facessl.synth.appearance import MOUTH_CAVITY, PUPIL, SCLERA, Appearance, region_masks

# (name of the colour, mask, alpha scale) in albedo_texture's painting order, after the skin.
_LAYERS = (("blush", "cheeks", 0.5), ("lips", "lips", 1.0), ("cavity", "mouth", 1.0), ("brows", "brows", 0.85),
           ("sclera", "eyes", 1.0), ("iris", "iris", 1.0), ("pupil", "pupil", 1.0))  # fmt: skip
# albedo_texture's blush is the skin times this colour.
_BLUSH = (1.0, 0.85, 0.85)


class AtlasPainter:
    """Paint batches of head atlases for one texture size.

    Args:
        size: side S of the face texture; the atlas is (3, S, 2S).
    """

    def __init__(self, size: int = 128) -> None:
        self.size = size
        masks = {k: m.double() for k, m in region_masks(size).items()}
        alphas = [masks[mask] * scale for _, mask, scale in _LAYERS]
        weights = {}
        remaining = torch.ones(size, size, dtype=torch.float64)  # share not yet painted over, from the top
        for (name, _, _), alpha in reversed(list(zip(_LAYERS, alphas, strict=True))):
            weights[name] = alpha * remaining
            remaining = remaining * (1 - alpha)
        weights["skin"] = remaining
        self.weights = {k: w.float().reshape(-1) for k, w in weights.items()}  # each (S·S,)
        # The fixed-colour layers, (1, 3, S·S) each, in painting order.
        self._fixed_layers = [
            torch.tensor(rgb)[None, :, None] * self.weights[name]
            for name, rgb in (("cavity", MOUTH_CAVITY), ("sclera", SCLERA), ("pupil", PUPIL))
        ]
        # Bicubic upsampling of the (8, 8) skin variation, as the image of each of its 64 basis vectors.
        basis = torch.eye(64, dtype=torch.float32).view(64, 1, 8, 8)
        self.upsample = F.interpolate(basis, size=(size, size), mode="bicubic", align_corners=False).view(64, -1)

    def face(self, appearance: Appearance) -> Tensor:
        """Face albedo, equal to ``albedo_texture(appearance, size)``; (B, 3, S, S)."""
        skin = appearance.skin.float()
        w = self.weights
        shade = 1.0 + appearance.variation.float().reshape(-1, 64) @ self.upsample  # (B, S·S)
        out = skin[:, :, None] * (w["skin"] * shade)[:, None, :]
        # In-place sums in the painting order (the same values as out = out + ...; fewer (B, 3, S²) buffers).
        out.add_((skin * torch.tensor(_BLUSH))[:, :, None] * w["blush"])
        for name in ("lips", "brows", "iris"):
            out.add_(getattr(appearance, name).float()[:, :, None] * w[name])
        for layer in self._fixed_layers:
            out.add_(layer)
        return out.view(-1, 3, self.size, self.size).clamp_(0, 1)

    def atlas(self, appearance: Appearance, hair: Tensor) -> Tensor:
        """Face albedo beside the head's hair/skin ramp.

        Args:
            appearance: colours of B faces.
            hair: (B, 3) hair colours.

        Returns:
            (B, 3, S, 2S) atlas in [0, 1].
        """
        face = self.face(appearance)
        half = self.size // 2
        head = torch.cat([
            hair.float()[:, :, None, None].expand(-1, -1, half, self.size),
            appearance.skin.float()[:, :, None, None].expand(-1, -1, self.size - half, self.size),
        ], 2)  # fmt: skip
        return torch.cat([face, head], 3)


def atlas_uv(face_uv: Tensor, head_v: Tensor) -> Tensor:
    """Atlas coordinates of the face mask's UVs followed by the head parts'.

    Args:
        face_uv: (V, 2) the canonical mesh's UVs in [0, 1].
        head_v: (B, N) v coordinates of the head parts (:func:`facessl.synth.head.hair_uv`).

    Returns:
        (B, V + N, 2) UVs into the (S, 2S) atlas.
    """
    batch = head_v.shape[0]
    face = (face_uv * face_uv.new_tensor([0.5, 1.0]))[None].expand(batch, -1, -1)
    head = torch.stack([torch.full_like(head_v, 0.75), head_v], -1)
    return torch.cat([face, head], 1)
