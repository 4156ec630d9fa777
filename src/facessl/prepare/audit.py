"""Identity-overlap audit: which people of a pre-training manifest also appear in LFW or CPLFW.

VoxCeleb, CelebA and LFW are all celebrity photos, so a pre-training set can contain the very
people a verification benchmark tests on (pcl.md §3.1 suspects PCL's ``remove_id`` list does this
filtering; latentface.md §7.2 notes LatentFace does not). Names are compared after
:func:`normalise_name`; numeric ids (VoxCeleb ``id10001``) are first mapped to names with the
dataset's meta file (``vox1_meta.csv``: ``VoxCeleb1 ID<TAB>VGGFace1 ID<TAB>...``).
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from facessl.data.images import DataError, read_manifest
from facessl.data.layouts import load_cplfw, load_lfw

EVAL_SETS = ("lfw", "cplfw")


def normalise_name(name: str) -> str:
    """Lower-case ASCII words joined by ``_``: ``"José  Mourinho"``, ``"Jose_Mourinho"`` -> ``"jose_mourinho"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def read_id_names(path: Path | str) -> dict[str, str]:
    """Map ids to names from a meta file whose first two columns are ``id`` and ``name`` (tab or comma separated).

    A header line (any first row whose second cell contains no letter-digit name, or that starts
    with a column title such as ``VoxCeleb1 ID``) is skipped.
    """
    path = Path(path)
    mapping = {}
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        cells = [c.strip() for c in re.split(r"\t|,", line)]
        if len(cells) < 2 or not cells[0] or (number == 1 and " " in cells[0]):
            continue
        mapping[cells[0]] = cells[1]
    return mapping


def eval_identities(kind: str, root: Path | str) -> dict[str, set[str]]:
    """Identities of an evaluation set's pairs, as ``normalised name -> names as spelled there``.

    Args:
        kind: ``lfw`` (``pairs.txt``, View 2) or ``cplfw`` (``pairs_CPLFW.txt``).
        root: The dataset folder.

    Raises:
        LayoutError: A missing or malformed pair list.
    """
    if kind == "lfw":
        pairs = load_lfw(root, check_images=False)
    elif kind == "cplfw":
        pairs = load_cplfw(root, check_images=False)
    else:
        raise ValueError(f"unknown evaluation set {kind!r}; known: {', '.join(EVAL_SETS)}")
    names: dict[str, set[str]] = {}
    for pair in pairs:
        for face in (pair.first, pair.second):
            if face.identity:
                names.setdefault(normalise_name(face.identity), set()).add(face.identity)
    return names


@dataclass(frozen=True)
class Overlap:
    """One person found in both sets.

    Attributes:
        name: The normalised name.
        pretrain_names: How the pre-training manifest spells it (after id -> name mapping).
        eval_names: How the evaluation set spells it.
        rows: Manifest rows (crops) of that person.
    """

    name: str
    pretrain_names: tuple[str, ...]
    eval_names: tuple[str, ...]
    rows: int


def _manifest_rows(manifest: Path) -> tuple[list[str], list[dict[str, str]]]:
    read_manifest(manifest)  # validates the file the way training reads it
    with manifest.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _row_name(row: dict[str, str], id_names: dict[str, str]) -> str:
    identity = row.get("identity", "")
    return id_names.get(identity, identity)


def find_overlap(
    manifest: Path | str, eval_kind: str, eval_root: Path | str, id_names: dict[str, str] | None = None
) -> list[Overlap]:
    """People of the manifest's ``identity`` column that also appear in the evaluation pairs.

    Args:
        manifest: A manifest with an ``identity`` column (``facessl prepare`` writes one).
        eval_kind: ``lfw`` or ``cplfw``.
        eval_root: The evaluation set's folder.
        id_names: Optional id -> name map for manifests that hold ids.

    Raises:
        DataError: The manifest is unreadable or has no ``identity`` column.
    """
    manifest = Path(manifest)
    columns, rows = _manifest_rows(manifest)
    if "identity" not in columns:
        raise DataError(f"{manifest}: no 'identity' column; the audit needs one name per row")
    targets = eval_identities(eval_kind, eval_root)
    found: dict[str, tuple[set[str], int]] = {}
    for row in rows:
        name = _row_name(row, id_names or {})
        key = normalise_name(name)
        if key and key in targets:
            spellings, count = found.get(key, (set(), 0))
            spellings.add(name)
            found[key] = (spellings, count + 1)
    return [
        Overlap(key, tuple(sorted(spellings)), tuple(sorted(targets[key])), count)
        for key, (spellings, count) in sorted(found.items())
    ]


def write_filtered_manifest(
    manifest: Path | str, out: Path | str, drop: set[str], id_names: dict[str, str] | None = None
) -> tuple[int, int]:
    """Write ``manifest`` without the rows whose normalised identity is in ``drop``.

    Paths are rewritten relative to ``out``'s folder, so the new manifest reads the same crops
    from wherever it is written.

    Returns:
        ``(rows kept, rows dropped)``.
    """
    manifest, out = Path(manifest), Path(out)
    if out.resolve() == manifest.resolve():
        raise DataError(f"{out}: the filtered manifest must not overwrite its input")
    columns, rows = _manifest_rows(manifest)
    kept, dropped = [], 0
    base = out.parent.resolve()
    for row in rows:
        if normalise_name(_row_name(row, id_names or {})) in drop:
            dropped += 1
            continue
        path = Path(row["path"])
        absolute = path if path.is_absolute() else (manifest.parent / path).resolve()
        kept.append({**row, "path": Path(os.path.relpath(absolute, base)).as_posix()})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    os.replace(tmp, out)
    return len(kept), dropped


__all__ = [
    "EVAL_SETS",
    "Overlap",
    "eval_identities",
    "find_overlap",
    "normalise_name",
    "read_id_names",
    "write_filtered_manifest",
]
