"""What the two face-specific methods can show besides features: PCL's decoder and LatentFace's 3D factors.

- `pcl_swaps`: PCL's pose-disentangled decoder G (pcl.md §1.3) on the face-aware feature F_f of one face and the
  pose feature F_p of another. If the two are disentangled, G(F_f(A) + F_p(B)) shows A's face in B's pose.
- `latentface_factors`: LatentFace stage 1's canonical depth, albedo and shading and its reconstruction
  (research/latentface.md §3.3–§3.4), and the face re-rendered from stage 2's neutral codes n_a = RDM_A(a),
  n_d = RDM_D(d) (§4, §5) in the input's light and view: the same person without the expression.
"""

from __future__ import annotations

import torch
from torch import Tensor

from facessl.augment.pcl_views import resize
from facessl.latentface.image_formation import MAX_DEPTH, MIN_DEPTH, LightParams, form_images, shade
from facessl.methods.latentface_ae import LatentFaceAE
from facessl.methods.latentface_rdm import LatentFaceRDM
from facessl.methods.pcl import PCL
from facessl.models.pcl import decoder_input
from facessl.models.unsup3d import IMAGE_SIZE


@torch.no_grad()
def pcl_swaps(method: PCL, a: Tensor, b: Tensor) -> dict[str, Tensor]:
    """Decoder outputs for every pairing of face-aware and pose features of faces `a` and `b`.

    Args:
        method: a trained PCL (put in eval mode: the decoder's BatchNorm uses its running statistics).
        a, b: (K, 3, 64, 64) images in [0, 1] (PCL's PDD input range, no normalisation).

    Returns:
        Column title -> (K, 3, 64, 64) images in [0, 1]. G's tanh output is in [-1, 1] while its L1 targets are
        [0, 1] images (official, pcl.md §8.7), so values below 0 are clipped for display.
    """
    method.eval()
    _, f_a, p_a = method.encoder.forward_all(a)
    _, f_b, p_b = method.encoder.forward_all(b)

    def decode(face: Tensor, pose: Tensor) -> Tensor:
        return method.decoder(decoder_input(face, pose)).float().clamp(0, 1)

    return {
        "face A": a, "face B": b,
        "G(F_f A + F_p A)": decode(f_a, p_a), "G(F_f B + F_p B)": decode(f_b, p_b),
        "G(F_f A + F_p B)\nA's face, B's pose": decode(f_a, p_b),
        "G(F_f B + F_p A)\nB's face, A's pose": decode(f_b, p_a),
    }  # fmt: skip


@torch.no_grad()
def latentface_factors(ae: LatentFaceAE, rdm: LatentFaceRDM, images: Tensor) -> dict[str, Tensor]:
    """Stage 1's decomposition of `images` and stage 2's neutral face, each (K, 3, 64, 64) in [0, 1].

    Args:
        ae: the trained stage-1 method.
        rdm: the stage-2 method trained on `ae`'s frozen encoders.
        images: (K, 3, H, W) in [0, 1].

    Returns:
        Column title -> images: the input, the reconstruction (masked: grey where the surface is not seen), the
        canonical depth (near = bright), albedo and shading (ambient + diffuse·max(0, ⟨n, ℓ⟩)), and the neutral
        face.
    """
    ae.eval()
    rdm.eval()
    x = ae.preprocess(resize(images.float(), IMAGE_SIZE))  # [-1, 1]
    formed, _, _ = ae.form(x)
    k = x.shape[0]
    light_code, view_code = ae.netL(x), ae.netV(x)
    # Shading alone: the same light on a white albedo (1 in [-1, 1]).
    shading = shade(torch.ones_like(formed.canon_albedo[:k]), formed.normals[:k], LightParams.from_code(light_code))
    # On the fixed scale of canonical depths, [0.9, 1.1] (§3.3): a flat map shows flat, near the camera = bright.
    near = ((MAX_DEPTH - formed.canon_depth[:k]) / (MAX_DEPTH - MIN_DEPTH)).clamp(0, 1)
    parts = rdm.encoder.parts(rdm.preprocess(resize(images.float(), IMAGE_SIZE)))
    neutral = form_images(ae.netD.decode(parts["n_d"]), ae.netA.decode(parts["n_a"]), light_code, view_code)

    def to01(t: Tensor) -> Tensor:
        return ((t.float() + 1) / 2).clamp(0, 1)

    return {
        "input": images.float(),
        "reconstruction": to01(formed.recon),
        "canonical depth": near[:, None].expand(k, 3, -1, -1),
        "canonical albedo": to01(formed.canon_albedo[:k]),
        "shading": to01(shading),
        "neutral face\n(stage 2, re-rendered)": to01(neutral.recon),
    }
