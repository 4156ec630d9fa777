"""Task runners through loaders, features and protocols: perfect features score ~100 %, noise
scores at chance, seeds reproduce, and nothing is ever selected or fitted on test data."""

from pathlib import Path

import numpy as np
import pytest

from facessl.data.layouts import load_layout
from facessl.eval import expression, head_pose
from facessl.eval.references import raw_pixel_source
from facessl.eval.runners import EvalSettings, run_au, run_expression, run_pose, run_verification

from .conftest import noise_source

RAW = raw_pixel_source(16)  # the fixtures' pixels encode every label linearly
RAW8 = raw_pixel_source(8)  # fewer dimensions where a protocol fits many probes (AU, pair classifier)
SETTINGS = EvalSettings(seeds=(0, 1, 2))


def _rafdb(root: Path) -> list:
    return load_layout("rafdb", root / "RAF-DB" / "basic")


def test_expression_perfect_features_score_100_and_noise_scores_chance(eval_data: Path) -> None:
    samples = _rafdb(eval_data)
    (perfect,) = run_expression(RAW, samples, "rafdb", SETTINGS)
    assert perfect.result["metrics"]["accuracy/mean"] == pytest.approx(1.0)
    assert perfect.result["seeds"] == [0, 1, 2] and perfect.result["protocol"] == "expression-linear/v1"
    (noise,) = run_expression(noise_source(), samples, "rafdb", SETTINGS)
    assert noise.result["metrics"]["accuracy/mean"] < 0.45  # chance is 1/7; 21 test images
    assert perfect.plot_data["confusion_matrix"].sum() == 3 * 21


def test_verification_perfect_and_noise(eval_data: Path) -> None:
    pairs = load_layout("lfw", eval_data / "lfw")
    (perfect,) = run_verification(RAW, pairs, "lfw", SETTINGS)
    assert perfect.result["metrics"]["accuracy_mean"] == pytest.approx(1.0)
    assert perfect.result["details"]["num_folds"] == 10
    (noise,) = run_verification(noise_source(), pairs, "lfw", SETTINGS)
    assert 0.2 < noise.result["metrics"]["accuracy_mean"] < 0.8


def test_verification_flip_and_pair_classifier_are_labelled_separately(eval_data: Path) -> None:
    pairs = load_layout("lfw", eval_data / "lfw")
    settings = EvalSettings(verification_flip=True, pair_classifier=True)
    cosine, pair_clf = run_verification(RAW8, pairs, "lfw", settings)
    assert cosine.result["details"]["flip"] is True
    assert cosine.key == "verification/lfw" and pair_clf.key == "verification-pairs/lfw"
    assert pair_clf.result["protocol"] == "verification-pair-classifier/v1" and pair_clf.result["seeds"] == [0, 1, 2]


def test_au_perfect_features_score_near_1(eval_data: Path) -> None:
    samples = load_layout("disfa", eval_data / "DISFA", frames_dir="frames")
    (perfect,) = run_au(RAW8, samples, "disfa", SETTINGS)
    assert perfect.result["metrics"]["f1_mean/mean"] > 0.95
    assert perfect.result["protocol"] == "au-detection/v1" and perfect.plot_data["au_ids"] == [1, 2, 4, 6, 9, 12, 25, 26]


def test_au_noise_scores_at_chance(eval_data: Path) -> None:
    samples = load_layout("disfa", eval_data / "DISFA", frames_dir="frames")
    (noise,) = run_au(noise_source(dim=4), samples, "disfa", SETTINGS)
    assert noise.result["metrics"]["f1_mean/mean"] < 0.75  # chance F1 at 50 % occurrence is about 0.5


def test_pose_perfect_and_noise(eval_data: Path) -> None:
    train = load_layout("300w_lp", eval_data / "300W_LP")
    test = load_layout("aflw2000", eval_data / "AFLW2000")
    (perfect,) = run_pose(RAW, train, test, "aflw2000", SETTINGS)
    assert perfect.result["metrics"]["mae_mean/mean"] < 2.0
    (noise,) = run_pose(noise_source(), train, test, "aflw2000", SETTINGS)
    assert noise.result["metrics"]["mae_mean/mean"] > 10.0  # angles spread over ±30..60°
    assert perfect.plot_data["errors"].shape == (16, 3)


def test_same_seeds_give_identical_results(eval_data: Path) -> None:
    samples = _rafdb(eval_data)
    a = run_expression(RAW, samples, "rafdb", SETTINGS)[0].result
    b = run_expression(RAW, samples, "rafdb", SETTINGS)[0].result
    assert a["metrics"] == b["metrics"] and a["split_sha256"] == b["split_sha256"]
    assert a["samples_sha256"] == b["samples_sha256"]


def test_expression_probe_never_fits_on_test_rows(eval_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = _rafdb(eval_data)
    test_rows = {tuple(np.round(r, 4)) for r in RAW.extract(_tensor(samples, "test")).numpy()}
    fitted: list[np.ndarray] = []
    real_fit = expression.fit

    def spy(model, x, y):  # type: ignore[no-untyped-def]
        fitted.append(x)
        return real_fit(model, x, y)

    monkeypatch.setattr(expression, "fit", spy)
    run_expression(RAW, samples, "rafdb", SETTINGS)
    assert len(fitted) == 3 * (5 + 1)  # per seed: one fit per C on the carve, one refit on train
    for x in fitted:
        assert not {tuple(np.round(r, 4)) for r in x} & test_rows


def _tensor(samples: list, split: str):  # type: ignore[no-untyped-def]
    import torch

    from facessl.eval.face_images import load_face
    from facessl.eval.feature_cache import preprocessing_for

    prep = preprocessing_for(RAW)
    return torch.stack([load_face(s, prep) for s in samples if s.split == split]).float() / 255


def test_test_labels_never_move_chosen_hyperparameters(eval_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scramble the test labels: every selection (chosen C / alpha, validation scores) must stay put."""
    samples = _rafdb(eval_data)
    a = run_expression(RAW, samples, "rafdb", SETTINGS)[0].result["details"]["runs"]
    rng = np.random.default_rng(0)
    scrambled = [s if s.split == "train" else type(s)(s.image, s.split, expression=int(rng.integers(7)))
                 for s in samples]  # fmt: skip
    b = run_expression(RAW, scrambled, "rafdb", SETTINGS)[0].result["details"]["runs"]
    for ra, rb in zip(a, b, strict=True):
        assert ra["details"]["chosen_C"] == rb["details"]["chosen_C"]
        assert ra["details"]["val_scores"] == rb["details"]["val_scores"]

    train = load_layout("300w_lp", eval_data / "300W_LP")
    test = load_layout("aflw2000", eval_data / "AFLW2000")
    moved = [type(s)(s.image, s.split, pose=(0.0, 0.0, 0.0), box=s.box) for s in test]
    pa = run_pose(RAW, train, test, "aflw2000", SETTINGS)[0].result["details"]["runs"]
    pb = run_pose(RAW, train, moved, "aflw2000", SETTINGS)[0].result["details"]["runs"]
    assert [r["details"]["val_mae"] for r in pa] == [r["details"]["val_mae"] for r in pb]
    assert head_pose.PROTOCOL == pa[0]["protocol"]
