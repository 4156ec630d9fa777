"""FER2013 layout: label mapping, in-memory 48x48 pixels, usage splits, and loud failures."""

from pathlib import Path

import numpy as np
import pytest

from facessl.data.layouts import EXPRESSIONS, LayoutError, load_fer2013, summarize
from facessl.data.layouts.labels import FER2013_EXPRESSIONS

PIXELS = " ".join(str(i % 256) for i in range(48 * 48))


def _write_fer(root: Path, rows: list[str], header: str = "emotion,pixels,Usage") -> Path:
    path = root / "fer2013.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_fer2013_label_table_matches_documented_order() -> None:
    # FER2013 0..6 = anger, disgust, fear, happiness, sadness, surprise, neutral (NOTES.md).
    named = {code: EXPRESSIONS[index] for code, index in FER2013_EXPRESSIONS.items()}
    assert named == {
        0: "anger",
        1: "disgust",
        2: "fear",
        3: "happiness",
        4: "sadness",
        5: "surprise",
        6: "neutral",
    }


def test_fer2013_reads_pixels_and_maps_usage_to_splits(tmp_path: Path) -> None:
    _write_fer(
        tmp_path,
        [f"0,{PIXELS},Training", f"3,{PIXELS},PublicTest", f"6,{PIXELS},PrivateTest", f"5,{PIXELS},Training"],
    )
    samples = load_fer2013(tmp_path)
    assert [EXPRESSIONS[s.expression] for s in samples] == ["anger", "happiness", "neutral", "surprise"]
    assert summarize(samples) == {"train": 2, "val": 1, "test": 1}
    image = samples[0].image
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (48, 48)
    assert image[0, 1] == 1 and image[1, 0] == 48  # row-major, as the CSV lists pixels


def test_fer2013_icml_header_with_spaces_reads_the_same(tmp_path: Path) -> None:
    _write_fer(tmp_path, [f"2, Training, {PIXELS}"], header="emotion, Usage, pixels")
    (sample,) = load_fer2013(tmp_path)
    assert EXPRESSIONS[sample.expression] == "fear" and sample.split == "train"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"7,{PIXELS},Training", "unknown FER2013 emotion code 7"),
        (f"1,{PIXELS},Train", "unknown Usage"),
        ("1,1 2 3,Training", "expected 2304 pixel values"),
        (f"1,{PIXELS}", "expected 3 cells"),
        (f"x,{PIXELS},Training", "emotion 'x' is not an integer"),
    ],
)
def test_fer2013_malformed_row_names_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = _write_fer(tmp_path, [f"0,{PIXELS},Training", row])
    with pytest.raises(LayoutError, match=message) as caught:
        load_fer2013(tmp_path)
    assert str(caught.value).startswith(f"{path}:3:")
