"""Export SynthFaces to disk in the published layouts of the real datasets, plus a side file.

``export(out, preset)`` writes, under ``out``::

    voxceleb/          pretraining frames, VoxCeleb's identity/video/track tree
    RAF-DB/basic/      7-class expressions (RAF-DB basic)
    lfw/               verification pairs (LFW View 2: pairs.txt and lfw/<name>/)
    DISFA/             AU intensities (DISFA ActionUnit_Labels) and frames/
    300W_LP/           head pose, train (3DDFA .mat)
    AFLW2000/          head pose, test (3DDFA .mat)
    CelebA/            identity-partitioned images (CelebA)
    ground_truth.csv   every factor of every image (:mod:`facessl.synth.export.ground_truth`)
    synthfaces.json    preset, seed and counts

Each folder is read unchanged by its loader in :mod:`facessl.data.layouts` (``rafdb``, ``lfw``,
``disfa`` with ``frames_dir="frames"``, ``300w_lp``, ``aflw2000``, ``celeba``).

Example:
    >>> from facessl.synth.export import export
    >>> export("synthfaces_tiny", "tiny")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch

from facessl.synth.corpus import SynthFacesCorpus
from facessl.synth.export.celeba import write_celeba
from facessl.synth.export.disfa import write_disfa
from facessl.synth.export.ground_truth import GroundTruthWriter
from facessl.synth.export.lfw import write_lfw
from facessl.synth.export.pose_mats import write_pose
from facessl.synth.export.rafdb import write_rafdb
from facessl.synth.export.voxceleb import write_voxceleb
from facessl.synth.export.writer import Progress
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.presets import PRESETS, Preset
from facessl.synth.tasks import au_task, celeba_task, expression_task, pose_task, verification_task

LAYOUT_FOLDERS = {
    "voxceleb": "voxceleb",
    "rafdb": "RAF-DB/basic",
    "lfw": "lfw",
    "disfa": "DISFA",
    "300w_lp": "300W_LP",
    "aflw2000": "AFLW2000",
    "celeba": "CelebA",
}


def export(
    out: Path | str,
    preset: str | Preset = "tiny",
    seed: int = 0,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Render and write every layout.

    Args:
        out: export root (created).
        preset: a name in :data:`facessl.synth.presets.PRESETS` or a preset.
        seed: dataset seed; the same seed writes the same pixels.
        progress: called with the number of images written after each batch.
        on_total: called once, before rendering, with the number of images to write.

    Returns:
        Images written per layout.
    """
    torch.set_num_threads(1)  # the renderer issues many small ops: one thread per process is fastest
    p = PRESETS[preset] if isinstance(preset, str) else preset
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    corpus = SynthFacesCorpus(p.corpus_identities, p.corpus_videos, p.corpus_tracks, p.corpus_frames,
                              seed=seed, image_size=p.image_size)  # fmt: skip
    tasks = {
        "rafdb": expression_task(seed, p, classes=7),
        "lfw": verification_task(seed, p),
        "disfa": au_task(seed, p),
        "pose": pose_task(seed, p),
        "celeba": celeba_task(seed, p),
    }
    pose_train = sum(1 for s in tasks["pose"].split if s != "test")
    counts = {
        "voxceleb": len(corpus),
        "rafdb": len(tasks["rafdb"]),
        "lfw": len(tasks["lfw"]),
        "disfa": len(tasks["disfa"]),
        "300w_lp": 2 * pose_train,
        "aflw2000": len(tasks["pose"]) - pose_train,
        "celeba": len(tasks["celeba"]),
    }
    if on_total is not None:
        on_total(sum(counts.values()))
    renderer = corpus.renderer
    gt = GroundTruthWriter()
    folder = {name: root / sub for name, sub in LAYOUT_FOLDERS.items()}
    write_voxceleb(folder["voxceleb"], corpus, gt, root, progress)
    write_rafdb(folder["rafdb"], tasks["rafdb"], renderer, gt, root, progress)
    write_lfw(folder["lfw"], tasks["lfw"], renderer, p.image_size, gt, root, progress)
    write_disfa(folder["disfa"], tasks["disfa"], renderer, p.image_size, gt, root, progress)
    write_pose(folder["300w_lp"], folder["aflw2000"], tasks["pose"], renderer, p.image_size, gt, root, progress)
    write_celeba(folder["celeba"], tasks["celeba"], renderer, p.image_size, gt, root, progress)
    gt.write(root)
    meta = {"generator": "facessl.synth", "preset": p.name, "seed": seed, "images": counts, "folders": LAYOUT_FOLDERS}
    (root / "synthfaces.json").write_text(json.dumps(meta, indent=2) + "\n")
    return counts


__all__ = ["LAYOUT_FOLDERS", "export"]
