from pathlib import Path

import pytest
import torch
from PIL import Image

from facessl.data.images import DataError, ImageFiles, read_manifest
from facessl.data.sampler import ResumableBatchSampler
from facessl.engine.train import pretrain


def write_images(folder: Path, n: int, size: int = 20) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"{i:03d}.png"
        Image.new("RGB", (size, size), (i * 10, i * 10, i * 10)).save(p)
        paths.append(p)
    return paths


def test_folder_dataset_resizes_and_returns_uint8(tmp_path: Path) -> None:
    write_images(tmp_path, 3)
    ds = ImageFiles.from_folder(tmp_path, 16)
    assert len(ds) == 3 and ds[1].image.shape == (3, 16, 16) and ds[1].image.dtype == torch.uint8


def test_unreadable_images_are_replaced_reported_and_strict_mode_names_them(tmp_path: Path) -> None:
    write_images(tmp_path, 2)
    (tmp_path / "001b.png").write_bytes(b"\x89PNG truncated")
    ds = ImageFiles.from_folder(tmp_path, 16)
    sample, broken = ds[1], ds[2]  # sorted: 000.png, 001.png, 001b.png
    assert broken.skipped == (str(tmp_path / "001b.png"),) and broken.image.shape == (3, 16, 16)
    assert sample.skipped == ()
    with pytest.raises(DataError, match="unreadable image .*001b.png"):
        ImageFiles.from_folder(tmp_path, 16, strict=True)[2]


def test_missing_or_empty_folders_stop_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="image folder not found: .*nowhere"):
        ImageFiles.from_folder(tmp_path / "nowhere", 16)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no images .* found under .*empty"):
        ImageFiles.from_folder(tmp_path / "empty", 16)


def test_manifest_paths_are_relative_to_the_manifest_and_bad_lines_are_named(tmp_path: Path) -> None:
    write_images(tmp_path / "img", 2)
    good = tmp_path / "m.csv"
    good.write_text("path,label\nimg/000.png,3\nimg/001.png,4\n")
    files, rows = read_manifest(good)
    assert files[0] == tmp_path / "img/000.png" and rows[1] == {"label": "4"}
    bad = tmp_path / "bad.csv"
    bad.write_text("path,label\nimg/000.png,3\nimg/001.png\n")
    with pytest.raises(DataError, match=r"bad.csv:3: expected 2 columns"):
        read_manifest(bad)
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("file\nimg/000.png\n")
    with pytest.raises(DataError, match=r"nohead.csv:1: .*'path' column"):
        read_manifest(nohead)


def test_corrupt_images_are_skipped_and_counted_in_the_run_summary(tmp_path: Path, tiny) -> None:
    write_images(tmp_path / "faces", 16, size=40)
    (tmp_path / "faces" / "zz_broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    cfg = tiny.config("simclr", "data.source=folder", f"data.path={tmp_path / 'faces'}", "train.steps=2")
    summary = pretrain(cfg, tmp_path / "run", show_progress=False)
    assert summary.skipped_images >= 1 and summary.steps == 2


def test_sampler_splits_ranks_disjointly_and_resumes_mid_epoch() -> None:
    ranks = [ResumableBatchSampler(40, 4, seed=3, rank=r, world_size=2) for r in range(2)]
    batches = [list(s) for s in ranks]
    flat = [i for b in batches for batch in b for i in batch]
    assert len(flat) == len(set(flat)) == 40
    resumed = ResumableBatchSampler(40, 4, seed=3, rank=1, world_size=2)
    resumed.set_position(0, 2)
    assert list(resumed) == batches[1][2:]
    next_epoch = ResumableBatchSampler(40, 4, seed=3)
    next_epoch.set_position(1, 0)
    assert list(next_epoch) != list(ResumableBatchSampler(40, 4, seed=3))


def test_sampler_refuses_a_dataset_smaller_than_a_global_batch() -> None:
    with pytest.raises(ValueError, match="fewer than one global batch"):
        ResumableBatchSampler(5, 4, seed=0, world_size=2)
