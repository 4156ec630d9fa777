"""The images the demo shows and evaluates on, all from SynthFaces and all of people never seen in pretraining.

- `export_task_sets`: the four labelled task sets in the published layouts (RAF-DB, LFW, DISFA, 300W-LP →
  AFLW2000), written by `facessl.synth.export` exactly as ``facessl synth export`` does.
- `tsne_set`: a few people × many images with known expression, identity and head pose, for the t-SNE figure
  and the PCL / LatentFace figures.
- `training_samples`: frames of the streaming pretraining corpus, for the sample grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from facessl.synth.corpus import SynthFacesCorpus
from facessl.synth.expressions import EMOTIONS
from facessl.synth.export import export
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.presets import Preset
from facessl.synth.sampling import sample_factors
from facessl.synth.scene import SceneRanges

# People of the t-SNE set: identity integers above every task's range (tasks use task·10⁹ + seed·10⁶ + j with
# task ≤ 5, facessl.synth.tasks) and far above the pretraining corpus' 0 .. num_identities − 1.
TSNE_IDENTITY_OFFSET = 8 * 10**9
TSNE_SEED = 11
IMAGE_SIZE = 64


def export_task_sets(out: Path, preset: Preset, seed: int = 0, progress: Callable[[int], None] | None = None,
                     on_total: Callable[[int], None] | None = None) -> dict[str, int]:  # fmt: skip
    """Render the task sets of `preset` into `out`; returns the images written per layout."""
    threads = torch.get_num_threads()
    try:
        return export(out, preset, seed, progress=progress, on_total=on_total)
    finally:
        torch.set_num_threads(threads)  # export renders on one thread and leaves it set; training wants them all


@dataclass(frozen=True)
class LabelledFaces:
    """Images with the factors the figures colour by.

    Attributes:
        images: (N, 3, 64, 64) uint8.
        emotion: (N,) index into `EMOTIONS`.
        identity: (N,) person number 0 .. people − 1.
        pose: (N, 3) (yaw, pitch, roll) in degrees.
    """

    images: Tensor
    emotion: Tensor
    identity: Tensor
    pose: Tensor

    def float01(self) -> Tensor:
        return self.images.float().div(255)


def tsne_set(people: int, per_person: int, seed: int = TSNE_SEED) -> LabelledFaces:
    """`people` × `per_person` stills: emotions cycle through the 8 classes, poses and light drawn at random
    over the corpus' full ranges (so pose varies as much as expression does)."""
    n = people * per_person
    person = [i // per_person for i in range(n)]
    emotions = [(i + i // per_person) % len(EMOTIONS) for i in range(n)]
    factors = sample_factors(seed, range(n), [TSNE_IDENTITY_OFFSET + p for p in person], emotions, SceneRanges())
    renderer = FaceRenderer()
    images = torch.cat([renderer.render(factors.select(torch.arange(i, min(i + 64, n))), IMAGE_SIZE).images
                        for i in range(0, n, 64)])  # fmt: skip
    return LabelledFaces(images, factors.emotion.clone(), torch.tensor(person), factors.pose.float().clone())


def training_samples(length: int, people: int, rows: int = 4, columns: int = 8, seed: int = 0) -> Tensor:
    """(rows × columns, 3, 64, 64) uint8 frames of the pretraining corpus: row r is person r, its columns run
    through the person's videos and tracks (a fixed background per video, drifting pose and expression)."""
    corpus = SynthFacesCorpus.from_size(length, people, IMAGE_SIZE, seed=seed)
    per_person = math.prod(corpus.shape[1:])  # videos × tracks × frames, identity-major
    step = max(1, per_person // columns)
    indices = [r * per_person + c * step for r in range(min(rows, people)) for c in range(columns)]
    indices = [i for i in indices if i < len(corpus)]
    return torch.stack([s.image for s in corpus.__getitems__(indices)])
