"""RAF-DB basic layout: label mapping to the canonical order, splits, and loud failures."""

import re
from pathlib import Path

import pytest
from PIL import Image

from facessl.data.layouts import EXPRESSIONS, LAYOUTS, LayoutError, MissingFileError, load_rafdb, summarize
from facessl.data.layouts.labels import RAFDB_EXPRESSIONS


def _write_rafdb(root: Path, lines: list[str], images: list[str] | None = None) -> Path:
    (root / "EmoLabel").mkdir(parents=True)
    listing = root / "EmoLabel" / "list_patition_label.txt"
    listing.write_text("\n".join(lines) + "\n")
    aligned = root / "Image" / "aligned"
    aligned.mkdir(parents=True)
    names = images if images is not None else [line.split()[0] for line in lines]
    for name in names:
        Image.new("RGB", (4, 4)).save(aligned / f"{Path(name).stem}_aligned.jpg")
    return listing


def test_rafdb_label_table_matches_documented_order() -> None:
    # RAF-DB 1..7 = surprise, fear, disgust, happiness, sadness, anger, neutral (NOTES.md).
    named = {label: EXPRESSIONS[index] for label, index in RAFDB_EXPRESSIONS.items()}
    assert named == {
        1: "surprise",
        2: "fear",
        3: "disgust",
        4: "happiness",
        5: "sadness",
        6: "anger",
        7: "neutral",
    }


def test_rafdb_reads_aligned_paths_splits_and_canonical_labels(tmp_path: Path) -> None:
    _write_rafdb(tmp_path, ["train_00001.jpg 1", "train_00002.jpg 7", "test_0001.jpg 4"])
    samples = load_rafdb(tmp_path)
    assert [s.image for s in samples] == [
        tmp_path / "Image" / "aligned" / "train_00001_aligned.jpg",
        tmp_path / "Image" / "aligned" / "train_00002_aligned.jpg",
        tmp_path / "Image" / "aligned" / "test_0001_aligned.jpg",
    ]
    assert [EXPRESSIONS[s.expression] for s in samples] == ["surprise", "neutral", "happiness"]
    assert summarize(samples) == {"train": 2, "test": 1}
    assert LAYOUTS.get("rafdb") is load_rafdb


def test_rafdb_unknown_label_names_file_and_line(tmp_path: Path) -> None:
    listing = _write_rafdb(tmp_path, ["train_00001.jpg 1", "train_00002.jpg 8"])
    with pytest.raises(LayoutError, match="unknown RAF-DB label 8") as caught:
        load_rafdb(tmp_path)
    assert str(caught.value).startswith(f"{listing}:2:")
    assert caught.value.line == 2


def test_rafdb_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    listing = _write_rafdb(
        tmp_path, ["train_00001.jpg 1", "", "train_00002.jpg 3 extra"], images=["train_00001.jpg"]
    )
    with pytest.raises(LayoutError, match="expected 2 fields") as caught:
        load_rafdb(tmp_path)
    # The blank line is skipped but counted, so the number matches an editor's.
    assert str(caught.value).startswith(f"{listing}:3:")


def test_rafdb_missing_image_names_the_listing_line(tmp_path: Path) -> None:
    listing = _write_rafdb(tmp_path, ["train_00001.jpg 1", "test_0001.jpg 2"], images=["train_00001.jpg"])
    with pytest.raises(MissingFileError, match=re.escape("test_0001_aligned.jpg")) as caught:
        load_rafdb(tmp_path)
    assert str(caught.value).startswith(f"{listing}:2:")
    assert len(load_rafdb(tmp_path, check_images=False)) == 2


def test_rafdb_missing_label_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match=re.escape("list_patition_label.txt")):
        load_rafdb(tmp_path)


def test_rafdb_unknown_split_prefix_is_an_error(tmp_path: Path) -> None:
    listing = _write_rafdb(tmp_path, ["val_00001.jpg 1"])
    with pytest.raises(LayoutError, match="train_ nor test_") as caught:
        load_rafdb(tmp_path)
    assert caught.value.path == listing and caught.value.line == 1
