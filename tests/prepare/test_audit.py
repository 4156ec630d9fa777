"""Identity-overlap audit between a pre-training manifest and LFW / CPLFW pairs."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from facessl.cli import app
from facessl.data.images import read_manifest
from facessl.prepare.audit import find_overlap, normalise_name, write_filtered_manifest


def _lfw(root: Path) -> Path:
    root.mkdir(parents=True)
    # 1 fold of 1 matched + 1 mismatched pair
    (root / "pairs.txt").write_text("1\t1\nAaron_Tveit\t1\t2\nJosé_Mourinho\t1\tZico\t3\n")
    return root


def _cplfw(root: Path) -> Path:
    root.mkdir(parents=True)
    lines = ["Aaron_Tveit_1.jpg 1", "Aaron_Tveit_2.jpg 1"] * 5 + ["Zico_1.jpg 0", "Abel_2.jpg 0"] * 5
    (root / "pairs_CPLFW.txt").write_text("\n".join(lines) + "\n")
    return root


def _manifest(folder: Path) -> Path:
    (folder / "crops").mkdir(parents=True)
    rows = [("a.png", "Aaron Tveit"), ("b.png", "id10002"), ("c.png", "Someone_Else"), ("d.png", "aaron_tveit")]
    path = folder / "manifest.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "identity", "frame"])
        for name, identity in rows:
            (folder / "crops" / name).write_bytes(b"")
            writer.writerow([f"crops/{name}", identity, "0"])
    return path


def test_names_are_normalised_across_spellings() -> None:
    assert normalise_name("José  Mourinho") == normalise_name("Jose_Mourinho") == "jose_mourinho"


def test_overlap_with_lfw_uses_normalised_names_and_id_mapping(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "vox")
    overlap = find_overlap(manifest, "lfw", _lfw(tmp_path / "lfw"), {"id10002": "Jose Mourinho"})
    assert [(o.name, o.rows) for o in overlap] == [("aaron_tveit", 2), ("jose_mourinho", 1)]
    assert overlap[1].eval_names == ("José_Mourinho",)
    assert [o.name for o in find_overlap(manifest, "cplfw", _cplfw(tmp_path / "cplfw"))] == ["aaron_tveit"]


def test_filtered_manifest_drops_shared_identities_and_still_reads(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "vox")
    out = tmp_path / "elsewhere" / "filtered.csv"
    kept, dropped = write_filtered_manifest(manifest, out, {"aaron_tveit"})
    assert (kept, dropped) == (2, 2)
    files, rows = read_manifest(out)
    assert [f.name for f in files] == ["b.png", "c.png"] and all(f.exists() for f in files)


def test_audit_command_lists_overlap_and_writes_the_filtered_manifest(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "vox")
    meta = tmp_path / "vox1_meta.csv"
    meta.write_text("VoxCeleb1 ID\tVGGFace1 ID\tGender\tNationality\tSet\nid10002\tJose_Mourinho\tm\tPortugal\tdev\n")
    filtered = tmp_path / "vox" / "no_lfw.csv"
    result = CliRunner().invoke(
        app,
        [
            "audit",
            "identities",
            "--pretrain",
            str(manifest),
            "--eval",
            "lfw",
            str(_lfw(tmp_path / "lfw")),
            "--id-names",
            str(meta),
            "--filtered",
            str(filtered),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "aaron_tveit" in result.output and "jose_mourinho" in result.output and "2 shared identities" in result.output
    )
    assert [f.name for f in read_manifest(filtered)[0]] == ["c.png"]
