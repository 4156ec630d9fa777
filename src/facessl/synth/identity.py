"""Identity: face-shape variation as named modes plus a smooth random field.

A face's shape is ``template + sum_k shape[k] * mode_k + random_field``. Each named mode is a
symmetric (V, 3) displacement field in cm whose coefficient 1 is roughly one standard deviation of
adult variation (our estimate, a few percent of each dimension; not fitted to data). The random
field adds what the named modes miss: a sum of Gaussian bumps (radius 2.5 cm) centred on 32
vertices spread over the face, with normal coefficients, optionally made mirror-symmetric.

Everything is reproducible from an integer seed: :func:`sample_identity` draws on the CPU with its
own ``torch.Generator``, so a seed gives the same face on any device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from facessl.synth import regions as R
from facessl.synth.sculpt import FloatArray, Sculptor, smoothstep, vec

RANDOM_FIELD_CENTRES = 32
RANDOM_FIELD_RADIUS_CM = 2.5
RANDOM_FIELD_STD_CM = 0.12
SHAPE_CLAMP = 3.0  # coefficients are clipped to +-3 std so that no face is grotesque


def _lower_face(s: Sculptor, top: float, bottom: float) -> FloatArray:
    """Ramp from 0 at height ``top`` to 1 at ``bottom`` (cm, ``top > bottom``); (V,)."""
    return smoothstep((top - s.vertices[:, 1]) / (top - bottom))


def face_width(s: Sculptor) -> FloatArray:
    """Whole face 6 % wider (scaled about the midline)."""
    return s.vertices * vec(0.06, 0.0, 0.0)


def face_height(s: Sculptor) -> FloatArray:
    """Whole face 5 % taller (scaled about y = 0, the middle of the nose)."""
    return s.vertices * vec(0.0, 0.05, 0.0)


def face_depth(s: Sculptor) -> FloatArray:
    """Whole face 6 % deeper front to back."""
    return s.vertices * vec(0.0, 0.0, 0.06)


def jaw_width(s: Sculptor) -> FloatArray:
    """Lower face wider below the cheekbones, most at the jaw angle."""
    return (_lower_face(s, -1.0, -6.0) * 0.1)[:, None] * s.vertices * vec(1.0, 0.0, 0.0)


def chin_length(s: Sculptor) -> FloatArray:
    """Face below the mouth stretched downward; the chin tip moves 0.5 cm."""
    return _lower_face(s, -4.3, -9.4)[:, None] * vec(0.0, -0.5, 0.0)


def chin_projection(s: Sculptor) -> FloatArray:
    """Chin forward by 0.4 cm."""
    return s.handle(R.CHIN, 2.5, (0.0, 0.0, 0.4))


def chin_width(s: Sculptor) -> FloatArray:
    """Chin wider by 0.3 cm on each side."""
    return s.both_sides(s.handle((171, 208, 140), 2.0, (-0.3, 0.0, 0.0)))


def cheek_fullness(s: Sculptor) -> FloatArray:
    """Cheeks fuller: forward and slightly outward."""
    return s.both_sides(s.handle(R.RIGHT_CHEEK, 2.0, (-0.15, 0.0, 0.25)))


def cheekbones(s: Sculptor) -> FloatArray:
    """Cheekbones more prominent: outward and forward."""
    return s.both_sides(s.handle(R.RIGHT_CHEEKBONE, 2.0, (-0.25, 0.05, 0.2)))


def nose_length(s: Sculptor) -> FloatArray:
    """Nose tip and base 0.3 cm lower."""
    return s.handle(R.NOSE_TIP + R.SUBNASALE, 2.0, (0.0, -0.3, 0.0))


def nose_width(s: Sculptor) -> FloatArray:
    """Nose wings 0.25 cm further out on each side."""
    return s.both_sides(s.handle(R.RIGHT_NOSE_WING, 1.0, (-0.25, 0.0, 0.0)))


def nose_projection(s: Sculptor) -> FloatArray:
    """Nose tip 0.4 cm further forward, the bridge with it."""
    return s.handle(R.NOSE_TIP, 2.2, (0.0, 0.0, 0.4)) + s.handle(R.NOSE_BRIDGE, 1.2, (0.0, 0.0, 0.15))


def nose_bridge(s: Sculptor) -> FloatArray:
    """Upper nasal bridge higher (forward) by 0.25 cm."""
    return s.handle(R.NOSE_BRIDGE[:3], 1.2, (0.0, 0.0, 0.25))


def eye_size(s: Sculptor) -> FloatArray:
    """Eye openings 12 % larger about their centres."""
    centre = s.vertices[list(R.RIGHT_EYE_CONTOUR)].mean(0)
    weight = s.bump(R.RIGHT_EYE_CONTOUR, 1.2)[:, None]
    return s.both_sides(weight * (s.vertices - centre) * vec(0.12, 0.12, 0.0))


def eye_spacing(s: Sculptor) -> FloatArray:
    """Eyes 0.3 cm further apart on each side."""
    return s.both_sides(s.handle(R.RIGHT_EYE_CONTOUR, 2.0, (-0.3, 0.0, 0.0)))


def eye_height(s: Sculptor) -> FloatArray:
    """Eyes 0.25 cm higher."""
    return s.both_sides(s.handle(R.RIGHT_EYE_CONTOUR, 2.0, (0.0, 0.25, 0.0)))


def brow_ridge(s: Sculptor) -> FloatArray:
    """Brow ridge and glabella more prominent (forward)."""
    ridge = s.both_sides(s.handle(R.RIGHT_BROW_UPPER + R.RIGHT_BROW_LOWER, 1.5, (0.0, 0.0, 0.3)))
    return ridge + s.handle(R.GLABELLA, 1.0, (0.0, 0.0, 0.15))


def brow_height(s: Sculptor) -> FloatArray:
    """Brows 0.3 cm higher."""
    return s.both_sides(s.handle(R.RIGHT_BROW_UPPER + R.RIGHT_BROW_LOWER, 1.2, (0.0, 0.3, 0.0)))


def lip_fullness(s: Sculptor) -> FloatArray:
    """Lips fuller: outer contours further from the seam and forward."""
    upper = s.bump(R.LIPS_UPPER_OUTER[1:-1], 0.6) * (1.0 - s.jaw_weight)
    lower = s.bump(R.LIPS_LOWER_OUTER[1:-1], 0.6) * s.jaw_weight
    return upper[:, None] * vec(0.0, 0.15, 0.12) + lower[:, None] * vec(0.0, -0.18, 0.12)


def mouth_width(s: Sculptor) -> FloatArray:
    """Mouth corners 0.3 cm further out on each side."""
    return s.both_sides(s.handle(R.RIGHT_LIP_CORNER, 1.5, (-0.3, 0.0, 0.0)))


def forehead_height(s: Sculptor) -> FloatArray:
    """Forehead 0.6 cm taller at the top."""
    return _lower_face(s, 5.0, 8.3)[:, None] * vec(0.0, 0.6, 0.0)


def forehead_slope(s: Sculptor) -> FloatArray:
    """Forehead sloping back from the brows (0.5 cm at the top)."""
    return (_lower_face(s, 5.0, 8.3) ** 2)[:, None] * vec(0.0, 0.0, -0.5)


IDENTITY_MODES: dict[str, Callable[[Sculptor], FloatArray]] = {
    f.__name__: f
    for f in (
        face_width, face_height, face_depth, jaw_width, chin_length, chin_projection, chin_width,
        cheek_fullness, cheekbones, nose_length, nose_width, nose_projection, nose_bridge, eye_size,
        eye_spacing, eye_height, brow_ridge, brow_height, lip_fullness, mouth_width,
        forehead_height, forehead_slope,
    )
}  # fmt: skip


def identity_basis(sculptor: Sculptor) -> FloatArray:
    """Stack the named shape modes in the order of :data:`IDENTITY_MODES`; (K, V, 3) float64 cm."""
    return np.stack([mode(sculptor) for mode in IDENTITY_MODES.values()])


def random_field_basis(sculptor: Sculptor) -> FloatArray:
    """Gaussian bumps at ``RANDOM_FIELD_CENTRES`` vertices, chosen by farthest-point sampling.

    Returns:
        (V, M) float64 weights; a field is ``basis @ coefficients`` with coefficients (M, 3).
    """
    v = sculptor.vertices
    centres = [int(np.argmax(v[:, 2]))]  # start at the nose tip so the choice is deterministic
    nearest = np.linalg.norm(v - v[centres[0]], axis=1)
    while len(centres) < RANDOM_FIELD_CENTRES:
        centres.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, np.linalg.norm(v - v[centres[-1]], axis=1))
    d2 = ((v[:, None, :] - v[centres][None]) ** 2).sum(-1)  # (V, M)
    weights: FloatArray = np.exp(-d2 / (2.0 * RANDOM_FIELD_RADIUS_CM**2))
    return weights


@dataclass(frozen=True)
class IdentityCode:
    """Parameters of a batch of face shapes.

    Attributes:
        shape: (B, K) coefficients of the named modes, in standard deviations.
        field: (B, M, 3) coefficients of the random field's bumps, in cm.
        asymmetry: (B,) in [0, 1]; 0 keeps only the mirror-symmetric part of the random field,
            1 keeps the field as drawn.
    """

    shape: Tensor
    field: Tensor
    asymmetry: Tensor

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> IdentityCode:
        """Move every tensor to ``device`` and/or ``dtype``."""
        return IdentityCode(*(t.to(device=device, dtype=dtype) for t in (self.shape, self.field, self.asymmetry)))

    @property
    def batch_size(self) -> int:
        """Number of identities B."""
        return self.shape.shape[0]


def sample_identity(
    batch_size: int,
    seed: int | torch.Generator,
    *,
    symmetric: bool = False,
    max_asymmetry: float = 0.5,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> IdentityCode:
    """Draw ``batch_size`` random identities.

    Draws happen on the CPU so that a seed gives the same faces on every device.

    Args:
        batch_size: number of identities B.
        seed: an integer seed, or a CPU generator to draw from (and advance).
        symmetric: make every face exactly left-right symmetric.
        max_asymmetry: the asymmetry of each face is uniform in [0, max_asymmetry].
        device: where the returned tensors live.
        dtype: their floating-point type.

    Returns:
        The identities; shapes as in :class:`IdentityCode`.

    Example:
        >>> a = sample_identity(4, seed=0)
        >>> b = sample_identity(4, seed=0)
        >>> bool((a.shape == b.shape).all())
        True
    """
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    shape = torch.randn(batch_size, len(IDENTITY_MODES), generator=gen, dtype=torch.float64)
    field = torch.randn(batch_size, RANDOM_FIELD_CENTRES, 3, generator=gen, dtype=torch.float64)
    asymmetry = torch.rand(batch_size, generator=gen, dtype=torch.float64) * max_asymmetry
    if symmetric:
        asymmetry = torch.zeros_like(asymmetry)
    code = IdentityCode(shape.clamp(-SHAPE_CLAMP, SHAPE_CLAMP), field * RANDOM_FIELD_STD_CM, asymmetry)
    return code.to(device=device, dtype=dtype)


def mean_identity(
    batch_size: int = 1, device: torch.device | str | None = None, dtype: torch.dtype = torch.float32
) -> IdentityCode:
    """Codes with every coefficient zero: the neutral face itself."""
    zeros = torch.zeros
    return IdentityCode(
        zeros(batch_size, len(IDENTITY_MODES), device=device, dtype=dtype),
        zeros(batch_size, RANDOM_FIELD_CENTRES, 3, device=device, dtype=dtype),
        zeros(batch_size, device=device, dtype=dtype),
    )
