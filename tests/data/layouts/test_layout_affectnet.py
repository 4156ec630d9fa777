"""AffectNet layout: 8- and 7-class variants, dropped codes, boxes, and loud failures."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facessl.data.layouts import (
    EXPRESSIONS,
    LAYOUTS,
    LayoutError,
    MissingFileError,
    load_affectnet,
    summarize,
)
from facessl.data.layouts.labels import AFFECTNET_DROPPED, AFFECTNET_EXPRESSIONS

HEADER = (
    "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal"
)


def _row(name: str, code: int, landmarks: str = "1.0;2.0;3.0;4.0") -> str:
    return f"{name},10,20,30,40,{landmarks},{code},0.5,-0.25"


def _write_affectnet(
    root: Path, train: list[str], val: list[str], header: str = HEADER, val_header: bool = False
) -> Path:
    """Write the lists as released: training.csv with a header row, validation.csv without one."""
    lists = root / "Manually_Annotated_file_lists"
    lists.mkdir(parents=True)
    for file_name, rows, with_header in (("training.csv", train, True), ("validation.csv", val, val_header)):
        (lists / file_name).write_text("\n".join([header, *rows] if with_header else rows) + "\n")
        for row in rows:
            image = root / "Manually_Annotated_Images" / row.split(",")[0]
            image.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (4, 4)).save(image)
    return lists


def test_affectnet_codes_are_already_canonical_and_8_to_10_are_dropped() -> None:
    named = {code: EXPRESSIONS[index] for code, index in AFFECTNET_EXPRESSIONS.items()}
    assert named == {
        0: "neutral",
        1: "happiness",
        2: "sadness",
        3: "surprise",
        4: "fear",
        5: "disgust",
        6: "anger",
        7: "contempt",
    }
    assert {8, 9, 10} == AFFECTNET_DROPPED


def test_affectnet_8_class_keeps_contempt_and_reads_box_and_landmarks(tmp_path: Path) -> None:
    _write_affectnet(
        tmp_path,
        train=[_row("1/a.jpg", 0), _row("1/b.jpg", 7), _row("1/c.jpg", 8), _row("2/d.jpg", 10)],
        val=[_row("3/e.jpg", 3), _row("3/f.jpg", 9)],
    )
    samples = load_affectnet(tmp_path, num_classes=8)
    assert [s.expression for s in samples] == [0, 7, 3]
    assert summarize(samples) == {"train": 2, "test": 1}
    first = samples[0]
    assert first.image == tmp_path / "Manually_Annotated_Images" / "1" / "a.jpg"
    assert first.box == (10.0, 20.0, 30.0, 40.0)
    np.testing.assert_array_equal(first.landmarks, [[1.0, 2.0], [3.0, 4.0]])


def test_affectnet_7_class_drops_contempt(tmp_path: Path) -> None:
    _write_affectnet(tmp_path, train=[_row("1/a.jpg", 6), _row("1/b.jpg", 7)], val=[_row("3/e.jpg", 7)])
    samples = LAYOUTS.get("affectnet7")(tmp_path)
    assert [s.expression for s in samples] == [6]
    assert len(LAYOUTS.get("affectnet8")(tmp_path)) == 3


def test_affectnet_unknown_code_names_file_and_line(tmp_path: Path) -> None:
    lists = _write_affectnet(tmp_path, train=[_row("1/a.jpg", 1), _row("1/b.jpg", 11)], val=[])
    with pytest.raises(LayoutError, match="unknown AffectNet expression code 11") as caught:
        load_affectnet(tmp_path)
    assert str(caught.value).startswith(f"{lists / 'training.csv'}:3:")


def test_affectnet_wrong_cell_count_names_file_and_line(tmp_path: Path) -> None:
    lists = _write_affectnet(tmp_path, train=[_row("1/a.jpg", 1)], val=["3/e.jpg,10,20,30,40,1;2,3"])
    with pytest.raises(LayoutError, match="expected 9 cells") as caught:
        load_affectnet(tmp_path)
    assert str(caught.value).startswith(f"{lists / 'validation.csv'}:1:")


def test_affectnet_validation_list_reads_with_or_without_header(tmp_path: Path) -> None:
    _write_affectnet(tmp_path, train=[], val=[_row("3/e.jpg", 4), _row("3/f.jpg", 5)])
    without = load_affectnet(tmp_path)
    assert [(s.split, EXPRESSIONS[s.expression]) for s in without] == [("test", "fear"), ("test", "disgust")]
    with_header = tmp_path / "with_header"
    _write_affectnet(with_header, train=[], val=[_row("3/e.jpg", 4), _row("3/f.jpg", 5)], val_header=True)
    assert [s.expression for s in load_affectnet(with_header)] == [s.expression for s in without]


def test_affectnet_missing_column_and_missing_image(tmp_path: Path) -> None:
    lists = _write_affectnet(
        tmp_path, train=[_row("1/a.jpg", 1)], val=[], header=HEADER.replace("face_x", "x")
    )
    with pytest.raises(LayoutError, match="lacks column") as caught:
        load_affectnet(tmp_path)
    assert caught.value.line == 1

    (lists / "training.csv").write_text(HEADER + "\n" + _row("9/missing.jpg", 2) + "\n")
    with pytest.raises(MissingFileError, match=re.escape("missing.jpg")) as missing:
        load_affectnet(tmp_path)
    assert missing.value.line == 2
