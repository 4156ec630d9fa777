"""Track batches (data.frames_per_track): whole tracks, track-major, from every source, through the engine."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from facessl.config import ConfigError
from facessl.data.build import DataConfig, build_dataset
from facessl.data.images import collate
from facessl.data.sampler import ResumableBatchSampler
from facessl.data.tracks import frames_per_item
from facessl.engine import checkpoint as ckpt
from facessl.engine.train import pretrain

RDM = ["method.name=latentface-rdm", "backbone.name=latentface", "data.image_size=64", "method.image_size=64",
       "method.frames_per_track=4", "data.frames_per_track=4"]  # fmt: skip


def write_track_tree(root: Path, tracks: int, frames: int) -> None:
    """VoxCeleb1-like frame tree: person/video/segment/*.png, every frame of track k filled with the value 10·k."""
    for k in range(tracks):
        folder = root / f"id{k % 2}" / f"video{k}" / "00001"
        folder.mkdir(parents=True)
        for j in range(frames + k % 3):  # unequal track lengths
            Image.fromarray(np.full((20, 20, 3), 10 * k, np.uint8)).save(folder / f"{j:04d}.png")


def batches(cfg: DataConfig, batch_images: int, rank: int = 0, world: int = 1) -> list[torch.Tensor]:
    dataset = build_dataset(cfg, seed=0)
    sampler = ResumableBatchSampler(len(dataset), batch_images // frames_per_item(dataset), 0, rank, world)
    return [images for images, _, _ in DataLoader(dataset, batch_sampler=sampler, collate_fn=collate)]


def track_values(batch: torch.Tensor, frames: int) -> list[int]:
    """The one value of each F-frame block; fails if a block mixes tracks."""
    values = []
    for block in batch.split(frames):
        assert block.unique().numel() == 1, "a block of F frames mixes tracks"
        values.append(int(block.flatten()[0]))
    return values


def test_folder_tracks_give_whole_tracks_track_major_and_split_whole_tracks_between_ranks(tmp_path: Path) -> None:
    write_track_tree(tmp_path, tracks=8, frames=5)
    cfg = DataConfig(source="folder", path=str(tmp_path), image_size=16, frames_per_track=4, num_workers=0)
    seen = [v for b in batches(cfg, 8) for v in track_values(b, 4)]
    assert sorted(seen) == [10 * k for k in range(8)]  # every track once per epoch
    assert all(b.shape == (8, 3, 16, 16) for b in batches(cfg, 8))
    ranks = [[v for b in batches(cfg, 4, rank, 2) for v in track_values(b, 4)] for rank in (0, 1)]
    assert not set(ranks[0]) & set(ranks[1]) and len(ranks[0]) == len(ranks[1]) == 4


def test_manifest_tracks_group_rows_of_one_video_source(tmp_path: Path) -> None:
    write_track_tree(tmp_path / "crops", tracks=4, frames=4)
    rows = [(p.relative_to(tmp_path).as_posix(), f"videos/{p.parent.parent.name}.mp4")
            for p in sorted((tmp_path / "crops").rglob("*.png"))]  # fmt: skip
    with (tmp_path / "manifest.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("path", "source"), *rows])
    cfg = DataConfig(source="manifest", path=str(tmp_path / "manifest.csv"), image_size=16, frames_per_track=4)
    seen = [v for b in batches(cfg, 4) for v in track_values(b, 4)]
    assert sorted(seen) == [0, 10, 20, 30]


def test_a_manifest_without_source_column_is_refused_by_name(tmp_path: Path) -> None:
    write_track_tree(tmp_path / "crops", tracks=1, frames=4)
    paths = sorted((tmp_path / "crops").rglob("*.png"))
    (tmp_path / "m.csv").write_text("path\n" + "".join(f"{p}\n" for p in paths))
    with pytest.raises(Exception, match=r"m\.csv:1: track batches need a 'source' column"):
        build_dataset(DataConfig(source="manifest", path=str(tmp_path / "m.csv"), frames_per_track=4), seed=0)


def test_synthfaces_tracks_hold_one_person_per_block() -> None:
    cfg = DataConfig(source="synthfaces", image_size=32, length=64, num_identities=2, frames_per_track=4)
    dataset = build_dataset(cfg, seed=0)
    assert len(dataset) == 2 * 8 and frames_per_item(dataset) == 4  # 4 videos × 2 tracks per person
    item = dataset[3]
    assert item.image.shape == (4, 3, 32, 32) and item.image.dtype == torch.uint8
    dataset.set_epoch(1)
    assert not torch.equal(dataset[3].image, item.image)  # another epoch draws other frames of the track


def test_engine_refuses_mismatched_frames_and_batches_naming_the_keys(tmp_path: Path, tiny) -> None:
    with pytest.raises(ConfigError, match="data.frames_per_track"):
        pretrain(tiny.config("latentface-rdm", *RDM[1:], "data.frames_per_track=0", "train.steps=1"), tmp_path / "a",
                 show_progress=False)  # fmt: skip
    with pytest.raises(ConfigError, match="train.batch_size=6 must give"):
        pretrain(tiny.config("latentface-rdm", *RDM[1:], "train.batch_size=6", "train.steps=1"), tmp_path / "b",
                 show_progress=False)  # fmt: skip


def test_rdm_on_track_batches_resumes_bit_identically(tmp_path: Path, tiny) -> None:
    common = [*RDM[1:], "train.deterministic=true", "train.checkpoint_every=2", "train.steps=4", "data.length=48",
              "data.num_identities=4"]  # fmt: skip
    method = "latentface-rdm"
    pretrain(tiny.config(method, *common), tmp_path / "straight", show_progress=False)
    pretrain(tiny.config(method, *common), tmp_path / "split", show_progress=False, stop_after=2)
    pretrain(tiny.config(method, *common), tmp_path / "split", resume=True, show_progress=False)
    a = ckpt.load_train_state(tmp_path / "straight" / "checkpoints" / "last.pt")["method"]
    b = ckpt.load_train_state(tmp_path / "split" / "checkpoints" / "last.pt")["method"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_the_shipped_stage_2_config_trains_on_synthfaces_tracks(tmp_path: Path) -> None:
    from facessl.engine.config import load_run_config

    cfg = load_run_config(Path(__file__).parents[2] / "configs" / "latentface_rdm.yaml",
                          ["train.steps=2", "data.length=512", "data.num_identities=2", "data.num_workers=0",
                           "train.checkpoint_every=2"])  # fmt: skip
    assert cfg.data.source == "synthfaces" and cfg.data.frames_per_track == 16
    summary = pretrain(cfg, tmp_path, show_progress=False)
    assert summary.steps == 2 and summary.images_seen == 2 * 16
