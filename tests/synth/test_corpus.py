"""The VoxCeleb-like corpus: items are pure functions of (seed, i), tracks are smooth, the engine can load it."""

import torch
from torch.utils.data import DataLoader

from facessl.data.build import DataConfig, build_dataset
from facessl.data.images import collate
from facessl.data.sampler import ResumableBatchSampler
from facessl.synth.corpus import KEY_SPACING, FrameLocation, SynthFacesCorpus


def small_corpus(seed: int = 0) -> SynthFacesCorpus:
    return SynthFacesCorpus(num_identities=3, videos_per_identity=2, tracks_per_video=2, frames_per_track=6,
                            seed=seed, image_size=32)  # fmt: skip


def test_item_is_a_pure_function_of_seed_and_index() -> None:
    corpus = small_corpus()
    batch = corpus.__getitems__([5, 17, 40])
    single = corpus[17]
    fresh = small_corpus()[17]
    assert single.index == 17 and torch.equal(batch[1].image, single.image) and torch.equal(single.image, fresh.image)
    assert not torch.equal(small_corpus(seed=1)[17].image, single.image)


def test_tree_locations_run_frame_fastest() -> None:
    corpus = small_corpus()
    assert len(corpus) == 3 * 2 * 2 * 6
    assert corpus.location(0) == FrameLocation(0, 0, 0, 0)
    assert corpus.location(7) == FrameLocation(0, 0, 1, 1)
    assert corpus.location(len(corpus) - 1) == FrameLocation(2, 1, 1, 5)
    assert corpus.factors([0, 6, 24]).identity.tolist() == [0, 0, 1]


def test_factors_vary_smoothly_inside_a_track_and_jump_between_tracks() -> None:
    corpus = SynthFacesCorpus(num_identities=1, videos_per_identity=1, tracks_per_video=2,
                              frames_per_track=3 * KEY_SPACING, seed=0)  # fmt: skip
    f = corpus.factors(range(len(corpus)))
    frames = 3 * KEY_SPACING
    step = (f.pose[1:frames] - f.pose[: frames - 1]).abs().amax(1)
    au_step = (f.action_units[1:frames] - f.action_units[: frames - 1]).abs().amax((1, 2))
    assert float(step.max()) < 10.0 and float(au_step.max()) < 0.3
    assert len(set(f.background_seed.tolist())) == 1  # one video: one background
    across = (f.pose[frames] - f.pose[frames - 1]).abs().max()
    assert float(across) > float(step.median())


def test_data_config_source_synthfaces_streams_batches_through_the_dataloader() -> None:
    dataset = build_dataset(DataConfig(source="synthfaces", length=40, num_identities=4, image_size=32), seed=0)
    assert len(dataset) == 40
    sampler = ResumableBatchSampler(len(dataset), batch_size=8, seed=0)
    images, indices, skipped = next(iter(DataLoader(dataset, batch_sampler=sampler, collate_fn=collate)))
    assert images.shape == (8, 3, 32, 32) and images.dtype == torch.uint8 and skipped == []
    assert torch.equal(images[0], dataset[int(indices[0])].image)


def test_tracks_drawn_together_equal_tracks_drawn_alone() -> None:
    # A batch's new tracks share one pass of arithmetic over their draws; each must still equal the track
    # sampled on its own (the cache is emptied so that every call draws afresh).
    from facessl.synth import corpus as corpus_module

    corpus = SynthFacesCorpus(num_identities=4, videos_per_identity=2, tracks_per_video=3, frames_per_track=30, seed=3)
    indices = [0, 47, 95, 130, 200, 239, 61]
    corpus_module._TRACK_CACHE.clear()
    together = corpus.factors(indices)
    for row, index in enumerate(indices):
        corpus_module._TRACK_CACHE.clear()
        alone = corpus.factors([index])
        for name, value in vars(alone).items():
            assert torch.equal(value[0], getattr(together, name)[row]), (index, name)
