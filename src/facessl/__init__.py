"""facessl: self-supervised facial representation learning (PCL, LatentFace, SimCLR, MoCo v2, BYOL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from facessl.weights.encoder_file import FaceEncoder


def load_encoder(path: str, device: str = "cpu") -> FaceEncoder:
    """Load an encoder exported by `facessl export` (safetensors + card); see `facessl.weights`."""
    from facessl.weights.encoder_file import load_encoder as _load

    return _load(path, device)


def embed(encoder: FaceEncoder, paths: list[Any], batch_size: int = 256) -> Any:
    """Features (N, D) of the readable images among `paths` (files or folders), in order."""
    from facessl.embedding import embed_files, expand_paths

    features, _, _ = embed_files(encoder, expand_paths(paths), batch_size)
    return features
