"""LFW pairs.txt layout: folds, matched/mismatched blocks, image names, truncation."""

import re
from pathlib import Path

import pytest
from PIL import Image

from facessl.data.layouts import LAYOUTS, LayoutError, MissingFileError, load_lfw, summarize

# Two folds of two matched and two mismatched pairs, in the real file's shape (header "folds\tN").
PAIRS = [
    "2\t2",
    "Abel_Pacheco\t1\t4",
    "Akhmed_Zakayev\t1\t3",
    "Abdel_Madi_Shabneh\t1\tDean_Barker\t1",
    "Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1",
    "George_W_Bush\t10\t24",
    "Abel_Pacheco\t2\t3",
    "Dean_Barker\t1\tAkhmed_Zakayev\t2",
    "Giancarlo_Fisichella\t1\tGeorge_W_Bush\t10",
]


def _write_lfw(root: Path, lines: list[str], make_images: bool = True) -> Path:
    path = root / "pairs.txt"
    path.write_text("\n".join(lines) + "\n")
    if make_images:
        for line in lines[1:]:
            fields = line.split()
            people = (
                [(fields[0], fields[1]), (fields[0], fields[2])]
                if len(fields) == 3
                else [
                    (fields[0], fields[1]),
                    (fields[2], fields[3]),
                ]
            )
            for name, number in people:
                image = root / "lfw" / name / f"{name}_{int(number):04d}.jpg"
                image.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (4, 4)).save(image)
    return path


def test_lfw_reads_folds_pairs_and_four_digit_image_names(tmp_path: Path) -> None:
    _write_lfw(tmp_path, PAIRS)
    pairs = load_lfw(tmp_path)
    assert [p.same for p in pairs] == [True, True, False, False] * 2
    assert [p.fold for p in pairs] == [0] * 4 + [1] * 4
    assert summarize(pairs) == {"fold1": 4, "fold2": 4}
    first = pairs[0]
    assert first.first.image == tmp_path / "lfw" / "Abel_Pacheco" / "Abel_Pacheco_0001.jpg"
    assert first.second.image == tmp_path / "lfw" / "Abel_Pacheco" / "Abel_Pacheco_0004.jpg"
    assert pairs[4].first.image.name == "George_W_Bush_0010.jpg"
    mismatched = pairs[2]
    assert (mismatched.first.identity, mismatched.second.identity) == ("Abdel_Madi_Shabneh", "Dean_Barker")
    assert LAYOUTS.get("lfw") is load_lfw


def test_lfw_truncated_file_is_an_error_naming_its_last_line(tmp_path: Path) -> None:
    path = _write_lfw(tmp_path, PAIRS[:-2])
    with pytest.raises(LayoutError, match=r"truncated.*fold 2") as caught:
        load_lfw(tmp_path)
    assert str(caught.value).startswith(f"{path}:7:")


def test_lfw_extra_lines_are_an_error(tmp_path: Path) -> None:
    path = _write_lfw(tmp_path, [*PAIRS, "Abel_Pacheco\t1\t4"])
    with pytest.raises(LayoutError, match="more pair lines") as caught:
        load_lfw(tmp_path)
    assert str(caught.value).startswith(f"{path}:10:")


def test_lfw_mismatched_line_in_matched_block_names_file_and_line(tmp_path: Path) -> None:
    lines = list(PAIRS)
    lines[2] = "Akhmed_Zakayev\t1\tDean_Barker\t1"
    path = _write_lfw(tmp_path, lines)
    with pytest.raises(LayoutError, match="expected 3 fields") as caught:
        load_lfw(tmp_path)
    assert str(caught.value).startswith(f"{path}:3:")


def test_lfw_bad_header_and_missing_image(tmp_path: Path) -> None:
    _write_lfw(tmp_path, ["ten\t300", *PAIRS[1:]])
    with pytest.raises(LayoutError, match="number of folds") as caught:
        load_lfw(tmp_path)
    assert caught.value.line == 1

    bare = tmp_path / "bare"
    bare.mkdir()
    path = _write_lfw(bare, PAIRS, make_images=False)
    with pytest.raises(MissingFileError, match=re.escape("Abel_Pacheco_0001.jpg")) as missing:
        load_lfw(bare)
    assert missing.value.path == path and missing.value.line == 2
    assert len(load_lfw(bare, check_images=False)) == 8
