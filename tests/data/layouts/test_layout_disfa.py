"""DISFA layout: per-AU intensity files, occurrence = intensity >= 2, subject frames."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facessl.data.layouts import LayoutError, MissingFileError, au_label_matrix, load_disfa, summarize
from facessl.data.layouts.labels import DISFA_AUS


def _write_disfa(root: Path, subjects: dict[str, dict[int, list[str]]]) -> Path:
    labels = root / "ActionUnit_Labels"
    for subject, per_au in subjects.items():
        (labels / subject).mkdir(parents=True)
        for au in DISFA_AUS:
            lines = per_au.get(au, ["1,0", "2,0", "3,0"])
            (labels / subject / f"{subject}_au{au}.txt").write_text("\n".join(lines) + "\n")
    return labels


def test_disfa_protocol_is_the_8_aus_of_notes() -> None:
    assert DISFA_AUS == (1, 2, 4, 6, 9, 12, 25, 26)


def test_disfa_occurrence_is_intensity_at_least_two(tmp_path: Path) -> None:
    _write_disfa(tmp_path, {"SN001": {1: ["1,1", "2,2", "3,5"], 12: ["1,3", "2,0", "3,1"]}, "SN002": {}})
    samples = load_disfa(tmp_path)
    assert summarize(samples) == {"all": 6}
    assert [(s.subject, s.frame) for s in samples[:3]] == [("SN001", 1), ("SN001", 2), ("SN001", 3)]
    assert [s.au_intensity[1] for s in samples[:3]] == [1, 2, 5]
    assert [s.au_occurrence[1] for s in samples[:3]] == [0, 1, 1]
    assert [s.au_occurrence[12] for s in samples[:3]] == [1, 0, 0]
    assert samples[0].image is None
    labels, known = au_label_matrix(samples, [1, 12])
    np.testing.assert_array_equal(labels[:3], [[0, 1], [1, 0], [1, 0]])
    assert known.all()


def test_disfa_frames_are_found_through_the_template(tmp_path: Path) -> None:
    labels = _write_disfa(tmp_path, {"SN001": {}})
    for frame in (1, 2, 3):
        image = tmp_path / "frames" / "SN001" / f"{frame}.jpg"
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 4)).save(image)
    samples = load_disfa(tmp_path, frames_dir="frames")
    assert samples[2].image == tmp_path / "frames" / "SN001" / "3.jpg"
    (tmp_path / "frames" / "SN001" / "2.jpg").unlink()
    with pytest.raises(MissingFileError, match=re.escape("2.jpg")) as caught:
        load_disfa(tmp_path, frames_dir="frames")
    assert caught.value.path == labels / "SN001" / "SN001_au1.txt" and caught.value.line == 2


@pytest.mark.parametrize(
    ("lines", "message", "line_number"),
    [
        (["1,0", "2,6", "3,0"], "intensity 6 outside 0..5", 2),
        (["1,0", "2;1", "3,0"], "expected 2 fields", 2),
        (["1,0", "2,1,4", "3,0"], "expected 2 fields", 2),
        (["1,0", "1,1", "3,0"], "frame 1 is labelled twice", 2),
        (["1,0", "2,0", "three,0"], "frame 'three' is not an integer", 3),
    ],
)
def test_disfa_malformed_line_names_file_and_line(
    tmp_path: Path, lines: list[str], message: str, line_number: int
) -> None:
    labels = _write_disfa(tmp_path, {"SN003": {6: lines}})
    with pytest.raises(LayoutError, match=message) as caught:
        load_disfa(tmp_path)
    assert str(caught.value).startswith(f"{labels / 'SN003' / 'SN003_au6.txt'}:{line_number}:")


def test_disfa_missing_au_file_and_mismatched_frames_are_errors(tmp_path: Path) -> None:
    labels = _write_disfa(tmp_path, {"SN001": {26: ["1,0", "2,0"]}})
    with pytest.raises(LayoutError, match="lists different frames") as caught:
        load_disfa(tmp_path)
    assert caught.value.path == labels / "SN001" / "SN001_au26.txt"
    (labels / "SN001" / "SN001_au9.txt").unlink()
    with pytest.raises(MissingFileError, match=re.escape("SN001_au9.txt")):
        load_disfa(tmp_path)


def test_disfa_rejects_an_au_it_does_not_label(tmp_path: Path) -> None:
    _write_disfa(tmp_path, {"SN001": {}})
    with pytest.raises(ValueError, match="does not label"):
        load_disfa(tmp_path, aus=(1, 7))
