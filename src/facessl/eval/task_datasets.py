"""Which datasets each task uses, and where their roots are under a data folder.

A data folder is either a SynthFaces export (``synthfaces.json`` names its layout folders,
`facessl.synth.export.LAYOUT_FOLDERS`) or a folder holding the real datasets under their usual
folder names. Each dataset is recognised by a file its published layout must have, so a folder
that lacks a dataset simply skips it; an explicit root for a dataset overrides the search.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# task -> datasets, in report order (ecosystem.md §7). Pose is one train -> test pair of datasets.
TASK_DATASETS: dict[str, tuple[str, ...]] = {
    "expression": ("rafdb", "affectnet7", "affectnet8", "fer2013"),
    "verification": ("lfw", "cplfw"),
    "au": ("disfa", "bp4d"),
    "pose": ("300w_lp", "aflw2000"),
}
TASKS = tuple(TASK_DATASETS)

# Folder names tried under a data folder, per dataset (first existing one wins).
FOLDER_NAMES: dict[str, tuple[str, ...]] = {
    "rafdb": ("RAF-DB/basic", "RAF-DB", "rafdb", "raf-db/basic"),
    "affectnet": ("AffectNet", "affectnet"),
    "fer2013": ("fer2013", "FER2013"),
    "lfw": ("lfw", "LFW"),
    "cplfw": ("cplfw", "CPLFW"),
    "disfa": ("DISFA", "disfa"),
    "bp4d": ("BP4D", "bp4d"),
    "300w_lp": ("300W_LP", "300w_lp"),
    "aflw2000": ("AFLW2000", "aflw2000"),
}
# A path inside each layout that must exist (from each loader's module docstring).
MARKERS: dict[str, str] = {
    "rafdb": "EmoLabel/list_patition_label.txt",
    "affectnet": "Manually_Annotated_file_lists",
    "fer2013": "fer2013.csv",
    "lfw": "pairs.txt",
    "cplfw": "pairs_CPLFW.txt",
    "disfa": "ActionUnit_Labels",
    "bp4d": "AUCoding",
    "300w_lp": "AFW",
    "aflw2000": "",  # any folder of .mat files; checked by the loader
}
# Frame folders: DISFA and BP4D ship videos; SynthFaces exports write DISFA frames to "frames".
FRAMES_DIR = "frames"


def layout_key(dataset: str) -> str:
    """The folder key of a dataset name (``affectnet7`` and ``affectnet8`` share one folder)."""
    return "affectnet" if dataset.startswith("affectnet") else dataset


@dataclass(frozen=True)
class DataRoots:
    """Resolved dataset roots.

    Attributes:
        roots: Dataset folder key -> root folder, for the datasets found.
        synthetic: Whether the data folder is a SynthFaces export.
        loader_options: Layout name -> extra keyword arguments for its loader.
    """

    roots: dict[str, Path]
    synthetic: bool = False
    loader_options: dict[str, dict[str, object]] = field(default_factory=dict)

    def root(self, dataset: str) -> Path | None:
        """Root of `dataset` (a layout name), or None when it was not found."""
        return self.roots.get(layout_key(dataset))

    def options(self, dataset: str) -> dict[str, object]:
        """Loader keyword arguments for `dataset`."""
        return dict(self.loader_options.get(dataset, {}))


def _has_marker(root: Path, key: str) -> bool:
    marker = MARKERS[key]
    if not marker:
        return root.is_dir() and any(root.glob("*.mat"))
    return (root / marker).exists()


def find_data_roots(data: Path | None, explicit: Mapping[str, Path] | None = None) -> DataRoots:
    """Find dataset roots under `data` (SynthFaces export or real datasets) plus explicit roots.

    Args:
        data: A data folder, or None to use `explicit` only.
        explicit: Dataset folder key (``rafdb``, ``affectnet``, ``lfw``, ...) -> root; wins over
            what is found under `data`.

    Raises:
        ValueError: For an explicit key that is not a known dataset, or an explicit root without
            its layout's marker file.
    """
    roots: dict[str, Path] = {}
    synthetic = False
    if data is not None:
        data = Path(data).expanduser()
        meta_file = data / "synthfaces.json"
        folders: dict[str, tuple[str, ...]] = dict(FOLDER_NAMES)
        if meta_file.is_file():
            synthetic = True
            meta = json.loads(meta_file.read_text())
            for key, folder in meta.get("folders", {}).items():
                if key in FOLDER_NAMES:
                    folders[key] = (folder,)
        for key, names in folders.items():
            for name in names:
                if _has_marker(data / name, key):
                    roots[key] = data / name
                    break
    for key, root in (explicit or {}).items():
        if key not in FOLDER_NAMES:
            raise ValueError(f"unknown dataset {key!r}; choose one of: {', '.join(FOLDER_NAMES)}")
        root = Path(root).expanduser()
        if not _has_marker(root, key):
            raise ValueError(f"{root} does not look like {key} (missing {MARKERS[key] or '*.mat'})")
        roots[key] = root
    options: dict[str, dict[str, object]] = {}
    for key in ("disfa", "bp4d"):
        if key in roots and (roots[key] / FRAMES_DIR).is_dir():
            options[key] = {"frames_dir": FRAMES_DIR}
    return DataRoots(roots, synthetic, options)
