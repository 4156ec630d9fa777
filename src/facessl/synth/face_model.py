"""SynthFaces' face model: canonical mesh + identity + action units + head pose.

``vertices = pose(template + identity_offsets(identity) + expression_offsets(action_units))``,
all batched (B, 468, 3) in cm, differentiable and on whatever device the module lives on. Vertex
``i`` is MediaPipe face landmark ``i``, so 2D landmarks come from projecting the vertices.

Example:
    >>> import torch
    >>> from facessl.synth.expressions import emotion_action_units
    >>> from facessl.synth.identity import sample_identity
    >>> model = FaceModel()
    >>> identity = sample_identity(2, seed=0)
    >>> aus = emotion_action_units(torch.tensor([1, 3]), seed=0)  # happiness, surprise
    >>> verts = model(identity, aus, pose=torch.tensor([[20.0, 0.0, 0.0], [0.0, -10.0, 5.0]]))
    >>> verts.shape
    torch.Size([2, 468, 3])
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor, nn

from facessl.synth import regions as R
from facessl.synth.action_units import ACTION_UNITS, action_unit_basis
from facessl.synth.identity import IDENTITY_MODES, IdentityCode, identity_basis, random_field_basis
from facessl.synth.mesh import load_canonical_mesh
from facessl.synth.neutral import lip_seal
from facessl.synth.pose import HEAD_PIVOT_CM, apply_head_pose
from facessl.synth.regions import faces_within
from facessl.synth.sculpt import FloatArray, Sculptor


@lru_cache(maxsize=1)
def _bases() -> dict[str, FloatArray]:
    """Build the neutral face and all displacement fields once per process (about a second)."""
    mesh = load_canonical_mesh()
    canonical = Sculptor(mesh)
    # Fields are sculpted on the neutral face, so that e.g. scaling the face keeps the lips closed.
    sculptor = Sculptor(mesh, vertices=canonical.vertices + lip_seal(canonical))
    return {
        "template": sculptor.vertices,
        "identity_basis": identity_basis(sculptor),
        "random_field_basis": random_field_basis(sculptor),
        "action_unit_basis": action_unit_basis(sculptor),
    }


class FaceModel(nn.Module):
    """Linear face model on the canonical MediaPipe mesh.

    Buffers (move with ``.to(device)``): ``template`` (V, 3) the neutral face (the canonical mesh
    with closed lips), ``faces`` (F, 3) int64, ``uvs`` (V, 2), ``mirror`` (V,) int64,
    ``mouth_faces`` and ``eye_faces`` (F,) bool (the triangles bridging the mouth and eye openings,
    for the renderer to shade as cavity and eyeball), ``upper_margin``/``lower_margin`` (P,) int64
    facing lip and lid vertices, ``identity_basis`` (K, V, 3), ``random_field_basis`` (V, M),
    ``action_unit_basis`` (A, 2, V, 3) with axis 1 = (subject's right, left).

    Attributes:
        identity_modes: names of the K shape modes, the columns of ``IdentityCode.shape``.
        action_units: FACS numbers of the A action units, the columns of intensity tensors.
    """

    template: Tensor
    faces: Tensor
    uvs: Tensor
    mirror: Tensor
    mouth_faces: Tensor
    eye_faces: Tensor
    upper_margin: Tensor
    lower_margin: Tensor
    identity_basis: Tensor
    random_field_basis: Tensor
    action_unit_basis: Tensor

    def __init__(self, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        mesh = load_canonical_mesh()
        self.identity_modes: tuple[str, ...] = tuple(IDENTITY_MODES)
        self.action_units: tuple[int, ...] = ACTION_UNITS
        bases = _bases()
        # Buffers are not persistent: they are rebuilt from the package's assets, never loaded from
        # checkpoints.
        self.register_buffer("faces", mesh.faces.clone(), persistent=False)
        self.register_buffer("uvs", mesh.uvs.to(dtype, copy=True), persistent=False)
        self.register_buffer("mirror", mesh.mirror.clone(), persistent=False)
        mouth = faces_within(mesh.faces, R.LIPS_UPPER_INNER + R.LIPS_LOWER_INNER)
        eyes = faces_within(mesh.faces, R.RIGHT_EYE_CONTOUR) | faces_within(mesh.faces, R.LEFT_EYE_CONTOUR)
        self.register_buffer("mouth_faces", mouth, persistent=False)
        self.register_buffer("eye_faces", eyes, persistent=False)
        # Facing pairs across the openings: (upper, lower) inner-lip and lid-margin vertices.
        upper = R.LIPS_UPPER_INNER[1:-1] + R.RIGHT_EYE_UPPER + R.LEFT_EYE_UPPER
        lower = R.LIPS_LOWER_INNER[1:-1] + R.RIGHT_EYE_LOWER + R.LEFT_EYE_LOWER
        self.register_buffer("upper_margin", torch.tensor(upper), persistent=False)
        self.register_buffer("lower_margin", torch.tensor(lower), persistent=False)
        # The template is the neutral face: the canonical mesh with its lips closed (synth.neutral).
        for name in ("template", "identity_basis", "random_field_basis", "action_unit_basis"):
            self.register_buffer(name, torch.from_numpy(bases[name]).to(dtype), persistent=False)

    def identity_offsets(self, identity: IdentityCode) -> Tensor:
        """Displacements of the face shape from the template.

        Args:
            identity: codes with batch size B.

        Returns:
            (B, V, 3) offsets in cm.
        """
        shape = identity.shape.to(self.template)
        offsets = torch.einsum("bk,kvc->bvc", shape, self.identity_basis)
        field = torch.einsum("vm,bmc->bvc", self.random_field_basis, identity.field.to(self.template))
        # Split the random field into its mirror-symmetric and antisymmetric parts.
        reflected = field[:, self.mirror] * field.new_tensor([-1.0, 1.0, 1.0])
        asym = identity.asymmetry.to(self.template)[:, None, None]
        return offsets + 0.5 * (field + reflected) + asym * 0.5 * (field - reflected)

    def expression_offsets(self, action_units: Tensor) -> Tensor:
        """Displacements caused by action units.

        Args:
            action_units: (B, A) intensities in [0, 1] applied to both sides, or (B, A, 2) per side
                (subject's right, left). Columns follow :attr:`action_units`.

        Returns:
            (B, V, 3) offsets in cm.
        """
        au = action_units.to(self.template)
        if au.dim() == 2:
            au = au[:, :, None].expand(-1, -1, 2)
        return torch.einsum("bas,asvc->bvc", au, self.action_unit_basis)

    def forward(
        self,
        identity: IdentityCode,
        action_units: Tensor | None = None,
        pose: Tensor | None = None,
        pivot: tuple[float, float, float] = HEAD_PIVOT_CM,
    ) -> Tensor:
        """Vertices of posed, expressive faces.

        Args:
            identity: face shapes, batch size B.
            action_units: (B, A) or (B, A, 2) intensities in [0, 1]; None for neutral.
            pose: (B, 3) ``(yaw, pitch, roll)`` in degrees (sign convention in
                :mod:`facessl.synth.pose`); None for frontal.
            pivot: centre of the head rotation, cm.

        Returns:
            (B, V, 3) positions in cm in the canonical frame (+x subject's left, +y up, +z toward the camera).
        """
        vertices = self.template + self.identity_offsets(identity)
        if action_units is not None:
            vertices = vertices + self.expression_offsets(action_units)
        vertices = self.resolve_contacts(vertices)
        if pose is not None:
            vertices = apply_head_pose(vertices, pose.to(vertices), pivot)
        return vertices

    def resolve_contacts(self, vertices: Tensor) -> Tensor:
        """Stop lips and lids passing through each other.

        Shape modes and AU fields add linearly, so combinations such as AU43 + AU7 (closed lid,
        raised lower lid) can push a lower margin above the upper one, and the sealed lips can
        cross by a fraction of a millimetre. Where margins cross, the two facing vertices
        meet halfway instead.

        Args:
            vertices: (B, V, 3) unposed positions (canonical frame, +y up).

        Returns:
            (B, V, 3) positions; unchanged where no margins cross.
        """
        upper, lower = vertices[:, self.upper_margin], vertices[:, self.lower_margin]  # (B, P, 3)
        crossed = (upper[..., 1] < lower[..., 1])[..., None]
        middle = 0.5 * (upper + lower)
        vertices = vertices.clone()
        vertices[:, self.upper_margin] = torch.where(crossed, middle, upper)
        vertices[:, self.lower_margin] = torch.where(crossed, middle, lower)
        return vertices

    def au_index(self, au: int) -> int:
        """Column of FACS action unit ``au`` in intensity tensors."""
        return self.action_units.index(au)
