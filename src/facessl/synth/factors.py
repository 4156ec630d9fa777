"""The ground-truth factors of a batch of SynthFaces images: everything the renderer needs.

One row per image. Every field is a tensor with the batch on dim 0, so rows can be sampled one at
a time (each from its own generator) and concatenated for one batched render, and a table of rows
can be written next to an export (:meth:`FaceFactors.columns`) and read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import torch
from torch import Tensor

from facessl.synth.action_units import ACTION_UNITS, to_facs_scale
from facessl.synth.expressions import EMOTIONS

BACKGROUND_KINDS: tuple[str, ...] = ("flat", "gradient", "noise")
NO_EMOTION = -1  # expression label of images whose AUs were drawn independently (AU sets)


@dataclass(frozen=True)
class FaceFactors:
    """Ground truth of B images.

    Attributes:
        identity: (B,) int64 person integer (:mod:`facessl.synth.people`).
        emotion: (B,) int64 index into :data:`facessl.synth.expressions.EMOTIONS`, or ``NO_EMOTION``.
        action_units: (B, A, 2) intensities in [0, 1] per side (subject's right, left), columns
            :data:`facessl.synth.action_units.ACTION_UNITS`.
        pose: (B, 3) ``(yaw, pitch, roll)`` degrees (conventions of :mod:`facessl.synth.pose`).
        light_direction: (B, 3) unit vector towards the light, camera frame (x right, y down, z forward).
        ambient: (B, 3) RGB ambient light.
        diffuse: (B, 3) RGB directional light.
        translation: (B, 2) head shift in the image plane, cm at the face (x right, y down).
        distance: (B,) camera distance in cm (smaller is a bigger face).
        background_kind: (B,) int64 index into :data:`BACKGROUND_KINDS`.
        background_seed: (B,) int64 seed of the background's colours and noise.
    """

    identity: Tensor
    emotion: Tensor
    action_units: Tensor
    pose: Tensor
    light_direction: Tensor
    ambient: Tensor
    diffuse: Tensor
    translation: Tensor
    distance: Tensor
    background_kind: Tensor
    background_seed: Tensor

    @property
    def batch_size(self) -> int:
        """Number of images B."""
        return self.identity.shape[0]

    @staticmethod
    def cat(rows: Sequence[FaceFactors]) -> FaceFactors:
        """Concatenate batches along dim 0."""
        return FaceFactors(**{f.name: torch.cat([getattr(r, f.name) for r in rows]) for f in fields(FaceFactors)})

    def select(self, index: Tensor | Sequence[int] | slice) -> FaceFactors:
        """Rows ``index`` of every field."""
        if not isinstance(index, slice):
            index = torch.as_tensor(index, dtype=torch.int64)
        return FaceFactors(**{f.name: getattr(self, f.name)[index] for f in fields(FaceFactors)})

    def au_levels(self) -> Tensor:
        """(B, A) int64 FACS levels 0..5 of each AU: the stronger side, rounded (``to_facs_scale``)."""
        return to_facs_scale(self.action_units.amax(-1)).round().long()

    def columns(self) -> dict[str, np.ndarray]:
        """Flat, named columns for a CSV side file (one scalar per column and row)."""
        cols: dict[str, np.ndarray] = {
            "identity": self.identity.numpy(),
            "emotion": self.emotion.numpy(),
            "emotion_name": np.array([EMOTIONS[e] if e >= 0 else "none" for e in self.emotion.tolist()]),
        }
        for name, values in zip(("yaw", "pitch", "roll"), self.pose.T, strict=True):
            cols[name] = values.numpy()
        levels = self.au_levels()
        for a, au in enumerate(ACTION_UNITS):
            cols[f"au{au}_right"] = self.action_units[:, a, 0].numpy()
            cols[f"au{au}_left"] = self.action_units[:, a, 1].numpy()
            cols[f"au{au}_level"] = levels[:, a].numpy()
        for name in ("light_direction", "ambient", "diffuse"):
            for c, axis in enumerate("xyz" if name == "light_direction" else "rgb"):
                cols[f"{name}_{axis}"] = getattr(self, name)[:, c].numpy()
        cols["translation_x"], cols["translation_y"] = self.translation[:, 0].numpy(), self.translation[:, 1].numpy()
        cols["distance"] = self.distance.numpy()
        cols["background_kind"] = np.array([BACKGROUND_KINDS[k] for k in self.background_kind.tolist()])
        cols["background_seed"] = self.background_seed.numpy()
        return cols

    @staticmethod
    def from_columns(cols: dict[str, np.ndarray]) -> FaceFactors:
        """Inverse of :meth:`columns` (up to the float precision the columns were stored with)."""

        def floats(*names: str) -> Tensor:
            return torch.stack([torch.as_tensor(np.asarray(cols[n], dtype=np.float32)) for n in names], 1)

        aus = torch.stack([floats(*(f"au{au}_{side}" for side in ("right", "left"))) for au in ACTION_UNITS], 1)
        return FaceFactors(
            identity=torch.as_tensor(np.asarray(cols["identity"], dtype=np.int64)),
            emotion=torch.as_tensor(np.asarray(cols["emotion"], dtype=np.int64)),
            action_units=aus,
            pose=floats("yaw", "pitch", "roll"),
            light_direction=floats("light_direction_x", "light_direction_y", "light_direction_z"),
            ambient=floats("ambient_r", "ambient_g", "ambient_b"),
            diffuse=floats("diffuse_r", "diffuse_g", "diffuse_b"),
            translation=floats("translation_x", "translation_y"),
            distance=floats("distance")[:, 0],
            background_kind=torch.tensor([BACKGROUND_KINDS.index(str(k)) for k in cols["background_kind"]]),
            background_seed=torch.as_tensor(np.asarray(cols["background_seed"], dtype=np.int64)),
        )
