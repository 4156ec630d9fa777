"""Write the pretraining corpus as a VoxCeleb-style frame tree.

Layout (VoxCeleb's identity/video/track hierarchy; Nagrani et al., 2017)::

    id00001/<video id, 11 characters>/00001/0001.jpg     identity / video / track / frame

The tree is also a plain image folder, so ``data.source: folder`` trains on it.
"""

from __future__ import annotations

import string
from pathlib import Path

from facessl.synth.corpus import SynthFacesCorpus
from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.writer import Progress, render_to_files
from facessl.synth.seeding import derive_seed

_ALPHABET = string.ascii_letters + string.digits + "-_"  # YouTube video ids use base64url


def video_id(seed: int, identity: int, video: int) -> str:
    """A YouTube-like 11-character id for a corpus video, stable for (seed, identity, video)."""
    value = derive_seed(seed, identity, video)
    return "".join(_ALPHABET[(value >> (6 * k)) % 64] for k in range(11))


def write_voxceleb(
    root: Path, corpus: SynthFacesCorpus, gt: GroundTruthWriter, export_root: Path, progress: Progress | None
) -> None:
    """Render every frame of ``corpus`` under ``root``."""
    indices = list(range(len(corpus)))
    paths, frames = [], []
    for i in indices:
        loc = corpus.location(i)
        video = video_id(corpus.seed, loc.identity, loc.video)
        paths.append(root / f"id{loc.identity + 1:05d}" / video / f"{loc.track + 1:05d}" / f"{loc.frame + 1:04d}.jpg")
        frames.append(loc.frame + 1)
    factors = corpus.factors(indices)
    render_to_files(corpus.renderer, factors, paths, corpus.image_size, progress=progress)
    gt.add(export_root, paths, "voxceleb", ["train"] * len(paths), factors, frames=frames)
