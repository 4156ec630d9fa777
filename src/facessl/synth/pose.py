"""Head pose: rotation of face vertices by (yaw, pitch, roll) in degrees.

Sign convention (all three are right-handed rotations about the canonical axes of
:mod:`facessl.synth.mesh`: +x to the subject's left, +y up, +z toward the camera):

* **yaw** about +y. Positive yaw turns the face to **its own left**, so the nose tip moves to +x,
  the **viewer's right** in an unmirrored image.
* **pitch** about +x. Positive pitch tilts the face **down** (chin toward the chest); the nose tip
  moves down in the image.
* **roll** about +z. Positive roll tilts the head toward **its own right shoulder**: the top of the
  head moves to -x, the image rotates counter-clockwise as the viewer sees it.

Composition: ``R = Rz(roll) @ Ry(yaw) @ Rx(pitch)`` acting on column vectors (pitch first, then yaw,
then roll), the order used by the 300W-LP / 3DDFA tools (face3d's ``angle2matrix``), so converting
their labels only needs sign flips per angle. Tuples and tensors store the angles as ``(yaw, pitch,
roll)``, the project's order.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

# The head turns about the neck, behind the face: we put the pivot on the midline at ear depth
# (the face oval's ear points lie at z = -2.4 cm) and at the height of the middle of the nose.
# An estimate, not a measurement.
HEAD_PIVOT_CM = (0.0, 0.0, -3.0)

# Rotation from the canonical frame (+y up, +z toward the camera) to the camera frame of OpenCV,
# Unsup3D and facessl.render (+x right, +y down, looking along +z): a half turn about x. With
# ``R = CANONICAL_TO_CAMERA`` and ``t = (0, 0, distance)`` a frontal face is seen unmirrored, the
# subject's left (+x) on the image's right.
CANONICAL_TO_CAMERA = ((1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, -1.0))


def rotation_matrix(pose: Tensor) -> Tensor:
    """Rotation matrices for head poses.

    Args:
        pose: (..., 3) angles in degrees, ``(yaw, pitch, roll)``.

    Returns:
        (..., 3, 3) matrices ``Rz(roll) @ Ry(yaw) @ Rx(pitch)``; rotate column vectors as ``R @ v``.
    """
    yaw, pitch, roll = torch.deg2rad(pose).unbind(-1)
    one, zero = torch.ones_like(yaw), torch.zeros_like(yaw)

    def mat(rows: list[list[Tensor]]) -> Tensor:
        return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)

    cy, sy, cp, sp, cr, sr = yaw.cos(), yaw.sin(), pitch.cos(), pitch.sin(), roll.cos(), roll.sin()
    rx = mat([[one, zero, zero], [zero, cp, -sp], [zero, sp, cp]])
    ry = mat([[cy, zero, sy], [zero, one, zero], [-sy, zero, cy]])
    rz = mat([[cr, -sr, zero], [sr, cr, zero], [zero, zero, one]])
    return rz @ ry @ rx


def apply_head_pose(vertices: Tensor, pose: Tensor, pivot: Sequence[float] | Tensor = HEAD_PIVOT_CM) -> Tensor:
    """Rotate faces about ``pivot`` by their head poses.

    Args:
        vertices: (B, V, 3) positions in the canonical frame (cm).
        pose: (B, 3) ``(yaw, pitch, roll)`` in degrees.
        pivot: (3,) centre of rotation in cm.

    Returns:
        (B, V, 3) rotated positions; differentiable in both inputs.

    Example:
        >>> v = torch.tensor([[[0.0, 0.0, 7.0]]])  # a nose tip 10 cm in front of the pivot
        >>> apply_head_pose(v, torch.tensor([[30.0, 0.0, 0.0]]))[0, 0, 0] > 0  # turned left: +x
        tensor(True)
    """
    centre = torch.as_tensor(pivot, dtype=vertices.dtype, device=vertices.device)
    rot = rotation_matrix(pose.to(vertices.dtype))  # (B, 3, 3)
    # (B, V, 3) @ (B, 3, 3)^T == R @ v for every row vector v.
    return (vertices - centre) @ rot.transpose(-1, -2).contiguous() + centre  # contiguous: faster bmm on CPU
