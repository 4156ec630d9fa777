"""The feature cache: keyed by checkpoint, site, samples and preprocessing; nothing else."""

from pathlib import Path

import numpy as np
import torch

from facessl.data.layouts.sample import FaceSample
from facessl.eval.feature_cache import (
    FeatureCache,
    cache_key,
    extract_features,
    preprocessing_for,
    samples_sha256,
)
from facessl.eval.references import random_network_source, raw_pixel_source


def _samples(n: int = 6, seed: int = 0) -> list[FaceSample]:
    rng = np.random.default_rng(seed)
    return [FaceSample(rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8), "train") for _ in range(n)]


def test_second_extraction_is_a_hit_with_identical_features(tmp_path: Path) -> None:
    cache, source, samples = FeatureCache(tmp_path), raw_pixel_source(8), _samples()
    prep = preprocessing_for(source)
    first = extract_features(source, samples, prep, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    second = extract_features(source, samples, prep, cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert torch.equal(first, second)
    assert len(list(tmp_path.glob("*.safetensors"))) == 1


def test_batch_size_is_not_part_of_the_key(tmp_path: Path) -> None:
    cache, source, samples = FeatureCache(tmp_path), raw_pixel_source(8), _samples()
    extract_features(source, samples, preprocessing_for(source), cache, batch_size=2)
    extract_features(source, samples, preprocessing_for(source), cache, batch_size=5)
    assert (cache.hits, cache.misses) == (1, 1)


def test_changing_the_checkpoint_invalidates(tmp_path: Path) -> None:
    cache, samples = FeatureCache(tmp_path), _samples(4)
    a = random_network_source("resnet18", seed=0, input_size=16)
    b = random_network_source("resnet18", seed=1, input_size=16)
    assert a.checkpoint_sha256 != b.checkpoint_sha256
    fa = extract_features(a, samples, preprocessing_for(a), cache)
    fb = extract_features(b, samples, preprocessing_for(b), cache)
    assert cache.misses == 2 and not torch.equal(fa, fb)


def test_same_seed_gives_same_random_network_and_a_hit(tmp_path: Path) -> None:
    cache, samples = FeatureCache(tmp_path), _samples(4)
    a = random_network_source("resnet18", seed=3, input_size=16)
    b = random_network_source("resnet18", seed=3, input_size=16)
    assert a.checkpoint_sha256 == b.checkpoint_sha256
    extract_features(a, samples, preprocessing_for(a), cache)
    extract_features(b, samples, preprocessing_for(b), cache)
    assert (cache.hits, cache.misses) == (1, 1)


def test_each_preprocessing_field_invalidates(tmp_path: Path) -> None:
    cache, samples = FeatureCache(tmp_path), _samples()
    source = raw_pixel_source(8)
    base = preprocessing_for(source)
    variants = [
        base,
        preprocessing_for(source, flip=True),
        preprocessing_for(source, crop="none"),
        preprocessing_for(source, box_margin=0.2),
        preprocessing_for(raw_pixel_source(4)),  # image size (and checkpoint id)
    ]
    keys = {cache_key(source, samples_sha256(samples), p)[0] for p in variants}
    assert len(keys) == len(variants)
    renormalised = type(base)(base.image_size, {"mean": [0.5] * 3, "std": [0.5] * 3})
    assert cache_key(source, samples_sha256(samples), renormalised)[0] not in keys
    for prep in variants[:4]:
        extract_features(source, samples, prep, cache)
    assert (cache.hits, cache.misses) == (0, 4)


def test_changing_the_samples_invalidates(tmp_path: Path) -> None:
    cache, source = FeatureCache(tmp_path), raw_pixel_source(8)
    samples = _samples()
    extract_features(source, samples, preprocessing_for(source), cache)
    extract_features(source, samples[:-1], preprocessing_for(source), cache)
    extract_features(source, _samples(seed=1), preprocessing_for(source), cache)
    boxed = [FaceSample(s.image, s.split, box=(0.0, 0.0, 8.0, 8.0)) for s in samples]
    extract_features(source, boxed, preprocessing_for(source), cache)
    assert (cache.hits, cache.misses) == (0, 4)


def test_split_hash_ignores_labels_but_sees_paths(tmp_path: Path) -> None:
    a = [FaceSample(tmp_path / "x.jpg", "train", expression=1)]
    assert samples_sha256(a) == samples_sha256([FaceSample(tmp_path / "x.jpg", "train", expression=2)])
    assert samples_sha256(a) != samples_sha256([FaceSample(tmp_path / "y.jpg", "train", expression=1)])


def test_flip_features_are_features_of_mirrored_images() -> None:
    source, samples = raw_pixel_source(16), _samples(3)
    plain = extract_features(source, samples, preprocessing_for(source))
    flipped = extract_features(source, samples, preprocessing_for(source, flip=True))
    mirrored = plain.reshape(3, 3, 16, 16).flip(-1).reshape(3, -1)
    torch.testing.assert_close(flipped, mirrored)
    assert not torch.equal(plain, flipped)


def test_cached_file_records_its_key(tmp_path: Path) -> None:
    import json

    from safetensors import safe_open

    cache, source, samples = FeatureCache(tmp_path), raw_pixel_source(8), _samples()
    extract_features(source, samples, preprocessing_for(source, flip=True), cache)
    (path,) = tmp_path.glob("*.safetensors")
    with safe_open(str(path), framework="pt") as f:
        meta = json.loads(f.metadata()["key"])
    assert meta["checkpoint_sha256"] == source.checkpoint_sha256
    assert meta["preprocessing"]["flip"] is True and meta["split_sha256"] == samples_sha256(samples)
