"""Reference encoders: raw pixels and a seeded random network run on fixture datasets; the
supervised upper bound learns its task and selects its epoch on validation data only."""

from pathlib import Path

import numpy as np
import pytest
import torch

from facessl.data.layouts import load_layout
from facessl.eval import supervised
from facessl.eval.feature_cache import extract_features, preprocessing_for
from facessl.eval.references import random_network_source, raw_pixel_source
from facessl.eval.runners import EvalSettings, TaskSkipped, run_expression, run_pose
from facessl.eval.source_spec import supervised_factory
from facessl.eval.supervised import SupervisedRecipe, train_supervised_source


def test_raw_pixels_are_the_resized_image_flattened() -> None:
    source = raw_pixel_source(4)
    x = torch.rand(2, 3, 4, 4)
    assert torch.equal(source.extract(x), x.flatten(1))
    assert raw_pixel_source(4).checkpoint_sha256 == source.checkpoint_sha256
    assert raw_pixel_source(8).checkpoint_sha256 != source.checkpoint_sha256


def test_raw_and_random_references_run_on_a_fixture_dataset(eval_data: Path) -> None:
    samples = load_layout("rafdb", eval_data / "RAF-DB" / "basic")
    for source in (raw_pixel_source(8), random_network_source("resnet18", seed=0, input_size=32)):
        (report,) = run_expression(source, samples, "rafdb", EvalSettings(seeds=(0, 1, 2)))
        assert report.result["checkpoint_sha256"] == source.checkpoint_sha256
        assert 0.0 <= report.result["metrics"]["accuracy/mean"] <= 1.0
    feats = extract_features(source, samples[:4], preprocessing_for(source))
    assert feats.shape == (4, 512) and torch.isfinite(feats).all()


def test_random_network_is_deterministic_and_leaves_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = random_network_source("resnet18", seed=7, input_size=16)
    assert torch.equal(torch.rand(1), before)  # built under a forked RNG
    b = random_network_source("resnet18", seed=7, input_size=16)
    x = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(a.extract(x), b.extract(x))


def test_supervised_upper_bound_learns_and_selects_on_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(2), 16)
    images = torch.zeros(32, 3, 16, 16, dtype=torch.uint8)
    images[labels == 1, :, :, :8] = 255  # class 1 is bright on the left
    images += torch.as_tensor(rng.integers(0, 20, size=images.shape), dtype=torch.uint8)
    seen: list[int] = []
    real_score = supervised._val_score

    def spy(out: torch.Tensor, targets: torch.Tensor, kind: str) -> float:
        seen.append(len(targets))
        return real_score(out, targets, kind)  # type: ignore[arg-type]

    monkeypatch.setattr(supervised, "_val_score", spy)
    recipe = SupervisedRecipe(epochs=3, batch_size=8, val_fraction=0.25)
    source, report = train_supervised_source(images, labels, "classes", "resnet18", recipe, seed=0)
    assert report["n_val"] == 8 and report["n_fit"] == 24 and seen == [8, 8, 8]
    assert report["selected_epoch"] == int(np.argmax(report["val_scores"]))
    assert max(report["val_scores"]) >= 0.75  # an easy task: it learns
    with torch.no_grad():
        feats = source.extract(images.float() / 255)
    assert feats.shape == (32, 512)


def test_supervised_multilabel_bound_learns_independent_occurrences() -> None:
    # Two independent labels that a horizontal flip keeps: the top half bright, the bottom half bright.
    rng = np.random.default_rng(0)
    labels = np.stack(np.meshgrid(np.arange(2), np.arange(2)), -1).reshape(4, 2).repeat(10, axis=0)
    images = torch.as_tensor(rng.integers(0, 30, size=(40, 3, 16, 16)), dtype=torch.uint8)
    images[labels[:, 0] == 1, :, :8] += 200
    images[labels[:, 1] == 1, :, 8:] += 200
    recipe = SupervisedRecipe(epochs=4, batch_size=8, val_fraction=0.25)
    _, report = train_supervised_source(images, labels, "labels", "resnet18", recipe, seed=0)
    assert report["kind"] == "labels"
    assert max(report["val_scores"]) > -0.45  # mean BCE below a constant predictor's ln 2 = 0.69
    with pytest.raises(ValueError, match="0/1"):
        train_supervised_source(images, labels * 3, "labels", "resnet18", recipe)
    with pytest.raises(ValueError, match="unknown target kind"):
        train_supervised_source(images, labels, "multilabel", "resnet18", recipe)  # type: ignore[arg-type]


def test_supervised_carve_keeps_each_person_on_one_side() -> None:
    images = torch.randint(0, 256, (40, 3, 16, 16), dtype=torch.uint8)
    labels = np.arange(40) % 2
    people = np.repeat(np.arange(8), 5)  # 8 people, 5 near-duplicate frames each
    recipe = SupervisedRecipe(epochs=1, batch_size=8, val_fraction=0.25)
    _, report = train_supervised_source(images, labels, "classes", "resnet18", recipe, seed=0, groups=people)
    val_people = set(people[report["val_indices"]].tolist())
    fit_people = set(people.tolist()) - val_people
    assert report["carve"] == "grouped" and val_people and fit_people
    assert report["n_val"] == 5 * len(val_people)  # whole people only
    _, report = train_supervised_source(images, labels, "classes", "resnet18", recipe, seed=0)
    assert report["carve"] == "random" and report["n_val"] == 10
    assert len(set(people[report["val_indices"]].tolist())) > 2  # a random carve splits people
    with pytest.raises(ValueError, match="one entry per image"):
        train_supervised_source(images, labels, "classes", "resnet18", recipe, groups=people[:-1])


def test_supervised_factory_trains_per_task_and_skips_tasks_without_a_train_split(eval_data: Path) -> None:
    factory = supervised_factory("resnet18", SupervisedRecipe(epochs=1, batch_size=16), input_size=32)
    train = load_layout("300w_lp", eval_data / "300W_LP")
    test = load_layout("aflw2000", eval_data / "AFLW2000")
    (report,) = run_pose(factory, train, test, "aflw2000", EvalSettings())
    assert report.result["feature_source"]["name"] == "supervised-resnet18"
    assert np.isfinite(report.result["metrics"]["mae_mean/mean"])
    with pytest.raises(TaskSkipped):
        factory("verification", [], np.zeros(0))
