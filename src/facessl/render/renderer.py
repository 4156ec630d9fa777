"""One-call mesh rendering: camera → rasterize → colours or texture → Lambertian shading → background."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from facessl.render.camera import PerspectiveCamera
from facessl.render.composite import composite, coverage_mask
from facessl.render.interpolate import interpolate
from facessl.render.mesh import batch_attributes, face_normals, gather_faces, vertex_normals
from facessl.render.rasterize import Fragments, rasterize
from facessl.render.shading import Light, lambertian
from facessl.render.texture import sample_texture


@dataclass(frozen=True)
class RenderOutput:
    """What :func:`render_mesh` returns.

    Attributes:
        image: (B, C, H, W) shaded image composited over the background.
        mask: (B, 1, H, W) coverage (1 where a triangle is visible).
        depth: (B, 1, H, W) camera depth of the visible surface, zero on background.
        fragments: The rasterizer output, for interpolating further attributes.
    """

    image: Tensor
    mask: Tensor
    depth: Tensor
    fragments: Fragments


def render_mesh(
    verts: Tensor,
    faces: Tensor,
    camera: PerspectiveCamera,
    image_size: tuple[int, int],
    *,
    colors: Tensor | None = None,
    texture: Tensor | None = None,
    uv: Tensor | None = None,
    uv_faces: Tensor | None = None,
    light: Light | None = None,
    background: Tensor | float = 0.0,
    smooth_normals: bool = True,
    near: float = 1e-2,
    far: float = 1e3,
    cull_backfaces: bool = False,
) -> RenderOutput:
    """Render a batch of meshes with per-vertex colours or a UV texture, optionally lit.

    Args:
        verts: (B, V, 3) world-space vertices.
        faces: (F, 3) shared or (B, F, 3) per-batch vertex indices.
        camera: Batch of B cameras.
        image_size: ``(H, W)``.
        colors: (B, V, C) or (V, C) per-vertex albedo; used when ``texture`` is None.
        texture: (B, C, H_tex, W_tex) albedo texture (see :func:`facessl.render.texture.sample_texture`).
        uv: (B, V_uv, 2) or (V_uv, 2) texture coordinates, required with ``texture``.
        uv_faces: (F, 3) or (B, F, 3) indices into ``uv``; defaults to ``faces`` (one UV per vertex).
        light: Light in camera coordinates; None renders the unlit albedo.
        background: Scalar, (C,), (B, C) or (B, C, H, W) background.
        smooth_normals: Interpolate area-weighted vertex normals (True) or use flat face normals (False).
        near: Near plane (camera depth); triangles crossing it are dropped.
        far: Far plane (camera depth).
        cull_backfaces: Drop triangles facing away from the camera.

    Returns:
        The rendered image, coverage mask, depth and fragments.

    Example:
        >>> import torch
        >>> from facessl.render import Light, PerspectiveCamera, icosphere, render_mesh
        >>> verts, faces = icosphere(2)
        >>> verts = (verts + torch.tensor([0.0, 0.0, 4.0])).expand(2, -1, -1)  # two unit spheres 4 units away
        >>> light = Light.from_intensities(torch.tensor([[0.0, 0.0, -1.0]] * 2), torch.full((2,), 0.3),
        ...                                torch.full((2,), 0.7))
        >>> out = render_mesh(verts, faces, PerspectiveCamera.from_fov(30.0, (32, 32), batch_size=2), (32, 32),
        ...                   colors=torch.ones(verts.shape[1], 3), light=light, cull_backfaces=True)
        >>> out.image.shape, out.mask.shape, round(float(out.image.max()), 2)
        (torch.Size([2, 3, 32, 32]), torch.Size([2, 1, 32, 32]), 1.0)
    """
    verts_cam = camera.world_to_camera(verts)
    screen = camera.project(verts_cam)
    frags = rasterize(screen, faces, image_size, near=near, far=far, cull_backfaces=cull_backfaces)

    normals_img: Tensor | None = None
    if texture is not None:
        if uv is None:
            raise ValueError("render_mesh: `texture` needs `uv`")
        if uv_faces is None:  # one UV per vertex: the rasterized faces index them
            uv_img = interpolate(uv, faces, frags.face_idx, frags.bary, frags.pixels, frags.corner_rows)
        else:
            uv_img = interpolate(uv, uv_faces, frags.face_idx, frags.bary, frags.pixels)
        albedo = sample_texture(texture, uv_img)
    elif colors is not None and light is not None and smooth_normals:
        # One interpolation pass for colours and normals together.
        colors = batch_attributes(colors, verts.shape[0])
        both = torch.cat([colors, vertex_normals(verts_cam, faces)], -1)
        both_img = interpolate(both, faces, frags.face_idx, frags.bary, frags.pixels, frags.corner_rows)
        albedo, normals_img = both_img[:, :-3], both_img[:, -3:]
    elif colors is not None:
        albedo = interpolate(colors, faces, frags.face_idx, frags.bary, frags.pixels, frags.corner_rows)
    else:
        raise ValueError("render_mesh: give `colors` or `texture` (with `uv`)")

    mask = coverage_mask(frags.face_idx, albedo.dtype)
    if light is not None:
        if normals_img is None:
            normals_img = _pixel_normals(verts_cam, faces, frags, smooth_normals)
        albedo = lambertian(albedo, normals_img, light)

    image = composite(albedo, mask, background)
    return RenderOutput(image=image, mask=mask, depth=frags.depth.unsqueeze(1), fragments=frags)


def _pixel_normals(verts_cam: Tensor, faces: Tensor, frags: Fragments, smooth: bool) -> Tensor:
    """(B, 3, H, W) camera-space normals: interpolated vertex normals, or the visible face's own normal."""
    if smooth:
        return interpolate(
            vertex_normals(verts_cam, faces), faces, frags.face_idx, frags.bary, frags.pixels, frags.corner_rows
        )
    per_face = face_normals(verts_cam, faces).permute(2, 0, 1)  # (3, B, F)
    return gather_faces(per_face, frags.face_idx).transpose(0, 1)


__all__ = ["RenderOutput", "render_mesh"]
