"""CPLFW layout: two lines per pair, 1 = same / 0 = different, contiguous folds."""

import re
from pathlib import Path

import pytest
from PIL import Image

from facessl.data.layouts import LAYOUTS, LayoutError, MissingFileError, load_cplfw, summarize

LINES = [
    "Aaron_Eckhart_1.jpg 1",
    "Aaron_Eckhart_2.jpg 1",
    "Aaron_Guiel_1.jpg 0",
    "Jack_Smith_3.jpg 0",
    "George_W_Bush_10.jpg 1",
    "George_W_Bush_7.jpg 1",
    "Jack_Smith_1.jpg 0",
    "Aaron_Guiel_2.jpg 0",
]


def _write_cplfw(root: Path, lines: list[str]) -> Path:
    path = root / "pairs_CPLFW.txt"
    path.write_text("\n".join(lines) + "\n")
    (root / "images").mkdir(exist_ok=True)
    for line in lines:
        Image.new("RGB", (4, 4)).save(root / "images" / line.split()[0])
    return path


def test_cplfw_pairs_labels_folds_and_identities(tmp_path: Path) -> None:
    _write_cplfw(tmp_path, LINES)
    pairs = load_cplfw(tmp_path, num_folds=2)
    assert [p.same for p in pairs] == [True, False, True, False]
    assert summarize(pairs) == {"fold1": 2, "fold2": 2}
    assert pairs[0].first.image == tmp_path / "images" / "Aaron_Eckhart_1.jpg"
    assert pairs[1].first.identity == "Aaron_Guiel" and pairs[1].second.identity == "Jack_Smith"
    assert pairs[2].second.identity == "George_W_Bush"
    assert LAYOUTS.get("cplfw") is load_cplfw


@pytest.mark.parametrize(
    ("index", "line", "message", "line_number"),
    [
        (3, "Jack_Smith_3.jpg 1", "disagree on the label", 4),
        (2, "Aaron_Guiel_1.jpg 2", "unknown pair label 2", 3),
        (2, "Aaron_Guiel_1.jpg", "expected 2 fields", 3),
    ],
)
def test_cplfw_malformed_line_names_file_and_line(
    tmp_path: Path, index: int, line: str, message: str, line_number: int
) -> None:
    lines = list(LINES)
    lines[index] = line
    path = _write_cplfw(tmp_path, lines)
    with pytest.raises(LayoutError, match=message) as caught:
        load_cplfw(tmp_path, num_folds=2)
    assert str(caught.value).startswith(f"{path}:{line_number}:")


def test_cplfw_truncated_pair_and_uneven_folds_are_errors(tmp_path: Path) -> None:
    path = _write_cplfw(tmp_path, LINES[:-1])
    with pytest.raises(LayoutError, match="odd number of lines") as caught:
        load_cplfw(tmp_path, num_folds=2)
    assert str(caught.value).startswith(f"{path}:7:")
    with pytest.raises(LayoutError, match="do not split into 10 equal folds"):
        _write_cplfw(tmp_path, LINES)
        load_cplfw(tmp_path)


def test_cplfw_missing_image_names_the_pair_line(tmp_path: Path) -> None:
    path = _write_cplfw(tmp_path, LINES)
    (tmp_path / "images" / "Jack_Smith_1.jpg").unlink()
    with pytest.raises(MissingFileError, match=re.escape("Jack_Smith_1.jpg")) as caught:
        load_cplfw(tmp_path, num_folds=2)
    assert caught.value.path == path and caught.value.line == 7
