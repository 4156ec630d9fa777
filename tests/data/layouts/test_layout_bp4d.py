"""BP4D layout: AU occurrence CSVs with a header of AU numbers; code 9 is masked, not 0."""

import re
from pathlib import Path

import numpy as np
import pytest

from facessl.data.layouts import LayoutError, MissingFileError, au_label_matrix, load_bp4d, summarize
from facessl.data.layouts.labels import BP4D_AUS

ALL_AUS = list(range(1, 40))  # the real files code many more AUs than the protocol's 12


def _row(frame: int, values: dict[int, int]) -> str:
    return ",".join([str(frame), *(str(values.get(au, 0)) for au in ALL_AUS)])


def _write_bp4d(root: Path, files: dict[str, list[str]], header_aus: list[int] = ALL_AUS) -> Path:
    folder = root / "AUCoding" / "AU_OCC"
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join(["0", *(str(au) for au in header_aus)])
    for name, rows in files.items():
        (folder / name).write_text("\n".join([header, *rows]) + "\n")
    return folder


def test_bp4d_protocol_is_the_12_aus_of_notes() -> None:
    assert BP4D_AUS == (1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24)


def test_bp4d_reads_occurrence_and_masks_code_9(tmp_path: Path) -> None:
    _write_bp4d(
        tmp_path,
        {
            "F001_T1.csv": [_row(1, {1: 1, 12: 9}), _row(2, {2: 1, 24: 1})],
            "M002_T8.csv": [_row(40, {})],
        },
    )
    samples = load_bp4d(tmp_path)
    assert summarize(samples) == {"all": 3}
    assert [(s.subject, s.frame) for s in samples] == [("F001", 1), ("F001", 2), ("M002", 40)]
    assert set(samples[0].au_occurrence) == set(BP4D_AUS)  # AU 3, 5, ... of the file are not read
    assert samples[0].au_occurrence[1] == 1 and samples[0].au_occurrence[12] is None
    labels, known = au_label_matrix(samples, [1, 12, 24])
    np.testing.assert_array_equal(labels, [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(known, [[True, False, True], [True, True, True], [True, True, True]])


def test_bp4d_frame_paths_follow_the_template(tmp_path: Path) -> None:
    _write_bp4d(tmp_path, {"F001_T1.csv": [_row(7, {})]})
    (sample,) = load_bp4d(tmp_path, frames_dir="frames", check_images=False)
    assert sample.image == tmp_path / "frames" / "F001" / "T1" / "0007.jpg"
    with pytest.raises(MissingFileError, match=re.escape("0007.jpg")) as caught:
        load_bp4d(tmp_path, frames_dir="frames")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(2, {4: 2}), "AU4 code 2 is not 0, 1 or 9"),
        ("2,0,1", "expected 40 cells"),
        (_row(2, {}).replace("2,", "x,", 1), "frame 'x' is not an integer"),
    ],
)
def test_bp4d_malformed_row_names_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    folder = _write_bp4d(tmp_path, {"F003_T2.csv": [_row(1, {}), row]})
    with pytest.raises(LayoutError, match=message) as caught:
        load_bp4d(tmp_path)
    assert str(caught.value).startswith(f"{folder / 'F003_T2.csv'}:3:")


def test_bp4d_header_without_a_protocol_au_and_bad_file_name(tmp_path: Path) -> None:
    folder = _write_bp4d(tmp_path, {"F001_T1.csv": ["1,0,0"]}, header_aus=[1, 2])
    with pytest.raises(LayoutError, match=r"header lacks AU\(s\) \[4, 6") as caught:
        load_bp4d(tmp_path)
    assert caught.value.line == 1
    (folder / "F001_T1.csv").rename(folder / "F001T1.csv")
    with pytest.raises(LayoutError, match=re.escape("<subject>_<task>.csv")):
        load_bp4d(tmp_path, aus=(1, 2))


def test_bp4d_folder_without_csv_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "AUCoding" / "AU_OCC").mkdir(parents=True)
    with pytest.raises(MissingFileError, match=re.escape("no <subject>_<task>.csv")):
        load_bp4d(tmp_path)


def test_bp4d_tolerates_a_trailing_comma_on_every_row(tmp_path: Path) -> None:
    folder = tmp_path / "AUCoding" / "AU_OCC"
    folder.mkdir(parents=True)
    header = ",".join(["0", *(str(au) for au in ALL_AUS)]) + ","
    (folder / "F001_T1.csv").write_text(f"{header}\n{_row(5, {7: 1})},\n")
    (sample,) = load_bp4d(tmp_path)
    assert sample.frame == 5 and sample.au_occurrence is not None and sample.au_occurrence[7] == 1
