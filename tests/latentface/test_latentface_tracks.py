"""Stage-2 track batches (latentface.md §4.2–§4.3)."""

from __future__ import annotations

import pytest
import torch

from facessl.latentface.tracks import TrackBatches, collate_tracks, sample_frame_indices, track_mean, track_mean_cosine


class ToyTracks:
    """Track k has k + 10 frames; frame j of track k is a constant image of value k·10 + j (mod 256)."""

    def __len__(self) -> int:
        return 4

    def track_length(self, track: int) -> int:
        return track + 10

    def frame(self, track: int, index: int) -> torch.Tensor:
        return torch.full((3, 8, 8), (track * 10 + index) % 256, dtype=torch.uint8)


def test_items_are_frames_of_one_track_and_collate_is_track_major() -> None:
    data = TrackBatches(ToyTracks(), frames=16, seed=0, min_frames=12)
    assert len(data) == 2  # tracks of 10 and 11 frames are dropped
    batch = collate_tracks([data[0], data[1]])
    assert batch.shape == (32, 3, 8, 8)
    first = batch[:16, 0, 0, 0].long()
    assert ((first >= 20) & (first < 32)).all()  # track 2: frames 0..11
    assert torch.equal(data[0], data[0])  # a pure function of (seed, epoch, track)
    data.set_epoch(1)
    assert not torch.equal(data[0], TrackBatches(ToyTracks(), 16, seed=0, min_frames=12)[0])


def test_frames_are_drawn_with_replacement_by_default() -> None:
    g = torch.Generator().manual_seed(0)
    idx = sample_frame_indices(4, 16, g)
    assert idx.shape == (16,) and len(set(idx.tolist())) <= 4
    assert len(set(sample_frame_indices(20, 16, g, replace=False).tolist())) == 16
    with pytest.raises(ValueError):
        sample_frame_indices(4, 16, g, replace=False)


def test_track_mean_is_broadcast_per_track_and_cosine_metric() -> None:
    codes = torch.arange(12, dtype=torch.float32).view(6, 2)  # 2 tracks of 3 frames
    mean = track_mean(codes, 3)
    assert torch.equal(mean[0], torch.tensor([2.0, 3.0])) and torch.equal(mean[5], torch.tensor([8.0, 9.0]))
    assert track_mean_cosine(codes, mean, 3).item() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        track_mean(codes, 4)


def test_toyface_tracks_feed_a_stage2_step() -> None:
    from facessl.engine.config import load_run_config
    from facessl.engine.stepper import OptimizerStepper, build_optimizer
    from facessl.engine.train import build_method
    from facessl.latentface.tracks import ToyFaceTracks

    data = TrackBatches(ToyFaceTracks(num_tracks=3, length=20, size=64), frames=4)
    batch = collate_tracks([data[0], data[1]])  # 2 tracks x 4 frames, track-major
    assert batch.shape == (8, 3, 64, 64) and batch.dtype == torch.uint8
    within = (batch[0].float() - batch[1].float()).abs().mean()
    across = (batch[0].float() - batch[4].float()).abs().mean()
    assert within < across  # one identity and scene per track
    method = build_method(load_run_config(None, [
        "method.name=latentface-rdm", "backbone.name=latentface", "backbone.width=64", "method.frames_per_track=4"]))  # fmt: skip
    stepper = OptimizerStepper(build_optimizer(method.param_groups(), "adam", 1e-4, 5e-4), torch.Generator().manual_seed(0), 1.0)
    logs = method.training_step(batch, stepper)
    assert torch.isfinite(logs["loss"]) and stepper.num_steps == 2


def test_synthfaces_corpus_tracks_are_contiguous_runs() -> None:
    from facessl.latentface.tracks import ContiguousTracks
    from facessl.synth.corpus import SynthFacesCorpus

    corpus = SynthFacesCorpus(2, 1, 1, 6, image_size=64, seed=0)  # 2 identities x 1 video x 1 track x 6 frames
    data = TrackBatches(ContiguousTracks(corpus, corpus.shape[3]), frames=4, min_frames=4)
    assert len(data) == 2
    batch = collate_tracks([data[0], data[1]])
    assert batch.shape == (8, 3, 64, 64)
    within = (batch[0].float() - batch[1].float()).abs().mean()
    across = (batch[0].float() - batch[4].float()).abs().mean()
    assert within < across
