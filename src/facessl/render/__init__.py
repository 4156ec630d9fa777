"""Differentiable triangle rasterizer in pure PyTorch (CPU and GPU), used by SynthFaces and LatentFace stage 1.

Pipeline (nvdiffrast's rasterize + interpolate semantics): :class:`PerspectiveCamera` maps world vertices to
``(x_pixel, y_pixel, z_camera)``; :func:`rasterize` picks the nearest triangle per pixel without gradient and
recomputes perspective-correct barycentrics and depth differentiably; :func:`interpolate` carries per-vertex
attributes to pixels; :func:`sample_texture`, :func:`lambertian` and :func:`composite` finish the image.
:func:`render_mesh` chains them, and :func:`render_depth_map` re-renders a depth map's grid mesh (Unsup3D).
"""

from facessl.render.barycentric import pixel_barycentrics
from facessl.render.camera import (
    PerspectiveCamera,
    focal_from_fov,
    intrinsics_from_fov,
    rotation_matrix_xyz,
    translation_about_pivot,
)
from facessl.render.composite import composite, coverage_mask
from facessl.render.grid_mesh import GridRender, depth_to_points, grid_faces, render_depth_map
from facessl.render.interpolate import interpolate
from facessl.render.mesh import face_normals, face_vertices, icosphere, vertex_normals
from facessl.render.rasterize import Fragments, rasterize, rasterize_face_ids
from facessl.render.renderer import RenderOutput, render_mesh
from facessl.render.shading import Light, lambertian
from facessl.render.texture import sample_texture

__all__ = [
    "Fragments",
    "GridRender",
    "Light",
    "PerspectiveCamera",
    "RenderOutput",
    "composite",
    "coverage_mask",
    "depth_to_points",
    "face_normals",
    "face_vertices",
    "focal_from_fov",
    "grid_faces",
    "icosphere",
    "interpolate",
    "intrinsics_from_fov",
    "lambertian",
    "pixel_barycentrics",
    "rasterize",
    "rasterize_face_ids",
    "render_depth_map",
    "render_mesh",
    "rotation_matrix_xyz",
    "sample_texture",
    "translation_about_pivot",
    "vertex_normals",
]
