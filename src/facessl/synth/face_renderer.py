"""Render SynthFaces images from their factors: face model + head parts + atlas + camera + light.

One batched call of :func:`facessl.render.render_mesh` per batch: the face mask (898 triangles)
and the head parts of :mod:`facessl.synth.head` (1,240) share one textured mesh, seen by a
perspective camera with a 12° horizontal field of view from about 1.5 m, which frames the head
like a loose face crop (about 31 cm across at the face; VoxCeleb and CelebA crops show the whole
head with some background). Back faces are culled, which the closed head makes safe and which
halves the rasterizer's work.

Example:
    >>> import torch
    >>> from facessl.synth.face_renderer import FaceRenderer
    >>> from facessl.synth.sampling import sample_factors
    >>> renderer = FaceRenderer()
    >>> factors = sample_factors(seed=0, indices=[0, 1], identities=[3, 4])
    >>> renderer.render(factors, 64).images.shape
    torch.Size([2, 3, 64, 64])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from facessl.memory import retain_freed_memory
from facessl.render import Light, PerspectiveCamera, render_mesh
from facessl.synth.atlas import AtlasPainter, atlas_uv
from facessl.synth.background import render_backgrounds
from facessl.synth.face_model import FaceModel
from facessl.synth.factors import FaceFactors
from facessl.synth.head import fit_head, hair_uv, hairness, head_mesh
from facessl.synth.people import People, people
from facessl.synth.pose import CANONICAL_TO_CAMERA, HEAD_PIVOT_CM, apply_head_pose

FOV_DEG = 12.0
# Canonical point (cm) at the image centre before jitter: on the midline between the eyes and the
# nose, so that the head from crown to chin and some neck fit the frame.
LOOK_AT_CM = (0.0, 2.0, 0.0)


@dataclass(frozen=True)
class RenderedFaces:
    """Images and the geometry that produced them.

    Attributes:
        images: (B, 3, H, W) uint8.
        landmarks: (B, 468, 2) pixel ``(x, y)`` of the MediaPipe landmarks (face-mesh vertices),
            visible or not.
        mask: (B, 1, H, W) float coverage of the head (face, head parts and neck).
    """

    images: Tensor
    landmarks: Tensor
    mask: Tensor


class FaceRenderer:
    """Batched renderer of :class:`facessl.synth.factors.FaceFactors` on the CPU.

    Args:
        texture_size: side of the face texture (the atlas is twice as wide); None picks the
            image side rounded up to a power of two, in 64..256. The face spans about half the
            image, so that is about two texels per pixel: finer textures only alias (there is no
            mipmapping) and cost time (painting 128² instead of 64² texels made 64×64 renders
            about 1.5× slower).
        symmetric: render symmetric people (for tests; see :func:`facessl.synth.people.people`).

    Building a renderer also calls :func:`facessl.memory.retain_freed_memory` for its process: rendering
    allocates thousands of large temporary tensors per batch, and with glibc's default thresholds the page
    faults made one process about a third slower, see :mod:`facessl.memory`.
    """

    def __init__(self, texture_size: int | None = None, symmetric: bool = False) -> None:
        retain_freed_memory()
        self.model = FaceModel()
        self.head = head_mesh()
        self.texture_size = texture_size
        self._painters: dict[int, AtlasPainter] = {}
        self.symmetric = symmetric
        num_face = self.model.template.shape[0]
        self.faces = torch.cat([self.model.faces, self.head.faces + num_face])
        self.follow = torch.cat([torch.ones(num_face), self.head.follow])  # (V,) share of the head pose

    def painter(self, image_side: int) -> AtlasPainter:
        """The atlas painter for an image side (built once per texture size)."""
        size = self.texture_size or min(256, max(64, 1 << (image_side - 1).bit_length()))
        if size not in self._painters:
            self._painters[size] = AtlasPainter(size)
        return self._painters[size]

    def geometry(self, factors: FaceFactors, who: People | None = None) -> tuple[Tensor, Tensor]:
        """Posed vertices (B, V, 3) of face and head in the canonical frame, and the atlas UVs (B, V, 2).

        ``who`` is ``people(factors.identity)`` when the caller already has it.
        """
        if who is None:
            who = people(factors.identity, symmetric=self.symmetric)
        face = self.model(who.identity, factors.action_units)
        coverage = hairness(self.head, who.hair)
        # Hair is thinner at the front, where it must stay behind the face mask's forehead.
        front = self.head.sphere[:, 2].clamp(min=0)[None]
        head = fit_head(face, self.model.template, self.head, coverage * who.hair.thickness[:, None] * (1 - 0.6 * front))
        verts = torch.cat([face, head], 1)
        posed = apply_head_pose(verts, factors.pose, HEAD_PIVOT_CM)
        # The neck bends: its bottom keeps the torso's pose (frontal), its top the head's.
        w = self.follow[None, :, None]
        posed = w * posed + (1 - w) * verts
        uv = atlas_uv(self.model.uvs, hair_uv(coverage))
        return posed, uv

    def camera(self, factors: FaceFactors, image_size: tuple[int, int]) -> PerspectiveCamera:
        """Cameras looking at the face along −z (canonical), with the factors' jitter."""
        batch = factors.batch_size
        rot = torch.tensor(CANONICAL_TO_CAMERA).expand(batch, 3, 3)
        look = rot[0] @ torch.tensor(LOOK_AT_CM)
        t = torch.cat([factors.translation - look[:2], (factors.distance - look[2])[:, None]], 1)
        return PerspectiveCamera.from_fov(FOV_DEG, image_size, R=rot, t=t)

    @torch.no_grad()
    def render(self, factors: FaceFactors, size: int | tuple[int, int] = 64) -> RenderedFaces:
        """Render a batch.

        Args:
            factors: B rows of factors.
            size: image side, or ``(H, W)``.

        Returns:
            The images, landmarks and coverage.
        """
        image_size = (size, size) if isinstance(size, int) else size
        who = people(factors.identity, symmetric=self.symmetric)
        verts, uv = self.geometry(factors, who)
        camera = self.camera(factors, image_size)
        atlas = self.painter(max(image_size)).atlas(who.appearance, who.hair.colour)
        light = Light(direction=factors.light_direction, diffuse=factors.diffuse, ambient=factors.ambient)
        background = render_backgrounds(factors.background_kind, factors.background_seed, image_size)
        out = render_mesh(verts, self.faces, camera, image_size, texture=atlas, uv=uv, light=light,
                          background=background, cull_backfaces=True)  # fmt: skip
        num_face = self.model.template.shape[0]
        landmarks = camera.world_to_screen(verts[:, :num_face])[..., :2]
        images = out.image.clamp(0, 1).mul_(255).round_().to(torch.uint8)
        return RenderedFaces(images=images, landmarks=landmarks, mask=out.mask)
