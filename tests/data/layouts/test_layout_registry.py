"""The layout registry: every dataset is registered, and every loader fails loudly on an empty root."""

from pathlib import Path

import pytest

from facessl.data.layouts import LAYOUTS, LayoutError, MissingFileError, load_layout
from facessl.data.layouts.errors import LayoutError as ErrorsLayoutError

NAMES = [
    "300w_lp",
    "affectnet7",
    "affectnet8",
    "aflw2000",
    "bp4d",
    "celeba",
    "cplfw",
    "disfa",
    "fer2013",
    "lfw",
    "rafdb",
]


def test_every_dataset_is_registered_once() -> None:
    assert LAYOUTS.names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_loader_names_the_missing_file_in_an_empty_root(tmp_path: Path, name: str) -> None:
    with pytest.raises(MissingFileError) as caught:
        load_layout(name, tmp_path)
    assert str(caught.value).startswith(str(tmp_path))


def test_layout_error_message_starts_with_file_and_line() -> None:
    error = ErrorsLayoutError(Path("a/b.txt"), "broken", line=7)
    assert str(error) == "a/b.txt:7: broken"
    assert str(LayoutError("a/b.txt", "broken")) == "a/b.txt: broken"


def test_load_layout_accepts_a_string_root_and_reports_unknown_names(tmp_path: Path) -> None:
    (tmp_path / "EmoLabel").mkdir()
    (tmp_path / "EmoLabel" / "list_patition_label.txt").write_text("train_00001.jpg 4\n")
    (sample,) = load_layout("rafdb", str(tmp_path), check_images=False)
    assert sample.split == "train"
    with pytest.raises(KeyError, match="choose one of"):
        load_layout("raf-db", tmp_path)
