"""The neutral face: the canonical mesh with its lips closed.

MediaPipe's canonical mesh has the lips parted by 0.55 cm at the midline (landmarks 13 and 14), so
the 18 triangles that bridge the mouth would show as an open mouth. SynthFaces' neutral face
closes them: each upper inner-lip vertex and the lower one facing it meet halfway, and the red of
the lips follows smoothly up to the outer lip contours, which stay where they are. The mouth
triangles then have zero area at rest and open only when an AU parts the lips (AU25, AU26, or
strong AU10 or AU16).
"""

from __future__ import annotations

import numpy as np

from facessl.synth import regions as R
from facessl.synth.sculpt import FloatArray, Sculptor


def lip_seal(sculptor: Sculptor) -> FloatArray:
    """Displacement that closes the canonical mesh's lips; (V, 3) float64 cm."""
    upper, lower = list(R.LIPS_UPPER_INNER), list(R.LIPS_LOWER_INNER)
    v = sculptor.vertices
    half = 0.5 * (v[lower] - v[upper])  # (11, 3); zero at the shared corners
    inner = set(upper + lower)
    far = np.flatnonzero(sculptor.geodesic(upper + lower) > 1.2)
    pinned = {int(i) for i in far} | set(R.LIPS_UPPER_OUTER + R.LIPS_LOWER_OUTER)
    field = np.zeros_like(v)
    for axis in range(3):
        fixed = {i: 0.0 for i in pinned - inner}
        fixed.update({u: float(h) for u, h in zip(upper, half[:, axis], strict=True)})
        fixed.update({lo: float(-h) for lo, h in zip(lower, half[:, axis], strict=True)})
        field[:, axis] = sculptor.harmonic(fixed)
    return field
