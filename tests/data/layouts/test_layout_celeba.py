"""CelebA layout: official partition 0/1/2 -> train/val/test, optional identities."""

import re
from pathlib import Path

import pytest
from PIL import Image

from facessl.data.layouts import LAYOUTS, LayoutError, MissingFileError, load_celeba, summarize


def _write_celeba(root: Path, partition: list[str], identities: list[str] | None = None) -> Path:
    images = root / "img_align_celeba"
    images.mkdir(parents=True, exist_ok=True)
    for line in partition:
        Image.new("RGB", (4, 4)).save(images / line.split()[0])
    (root / "list_eval_partition.txt").write_text("\n".join(partition) + "\n")
    if identities is not None:
        (root / "identity_CelebA.txt").write_text("\n".join(identities) + "\n")
    return root / "list_eval_partition.txt"


def test_celeba_partition_codes_map_to_splits(tmp_path: Path) -> None:
    _write_celeba(tmp_path, ["000001.jpg 0", "000002.jpg 0", "162771.jpg 1", "182638.jpg 2"])
    samples = load_celeba(tmp_path)
    assert [s.split for s in samples] == ["train", "train", "val", "test"]
    assert summarize(samples) == {"train": 2, "val": 1, "test": 1}
    assert samples[0].image == tmp_path / "img_align_celeba" / "000001.jpg"
    assert samples[0].identity is None
    assert LAYOUTS.get("celeba") is load_celeba


def test_celeba_reads_identities_when_present(tmp_path: Path) -> None:
    _write_celeba(
        tmp_path, ["000001.jpg 0", "000002.jpg 2"], identities=["000001.jpg 2880", "000002.jpg 2937"]
    )
    assert [s.identity for s in load_celeba(tmp_path)] == ["2880", "2937"]


def test_celeba_faults_name_file_and_line(tmp_path: Path) -> None:
    path = _write_celeba(tmp_path, ["000001.jpg 0", "000002.jpg 3"])
    with pytest.raises(LayoutError, match="unknown partition 3") as caught:
        load_celeba(tmp_path)
    assert str(caught.value).startswith(f"{path}:2:")

    _write_celeba(tmp_path, ["000001.jpg 0", "000002.jpg 1"], identities=["000001.jpg 2880"])
    with pytest.raises(
        LayoutError, match=re.escape("000002.jpg has no line in identity_CelebA.txt")
    ) as missing_id:
        load_celeba(tmp_path)
    assert missing_id.value.line == 2

    (tmp_path / "identity_CelebA.txt").unlink()
    (tmp_path / "img_align_celeba" / "000002.jpg").unlink()
    with pytest.raises(MissingFileError, match=re.escape("000002.jpg")) as missing_image:
        load_celeba(tmp_path)
    assert missing_image.value.path == path and missing_image.value.line == 2
