"""Each plot writes a PNG; the numbers behind the ROC and the yaw bins are checked directly."""

from pathlib import Path

import numpy as np
import pytest

from facessl.eval.plots import roc_curve_points, yaw_bin_errors

pytest.importorskip("matplotlib")


def test_roc_of_separable_scores_has_unit_area() -> None:
    fpr, tpr, auc = roc_curve_points(np.array([0.1, 0.2, 0.8, 0.9]), np.array([False, False, True, True]))
    assert auc == 1.0 and fpr[0] == 0 and tpr[-1] == 1


def test_yaw_bins_average_errors_within_each_bin() -> None:
    yaw = np.array([-10.0, 20.0, 45.0, -70.0])
    errors = np.array([[1.0, 0, 0], [3.0, 0, 0], [5.0, 1, 1], [7.0, 2, 2]])
    labels, means, counts = yaw_bin_errors(yaw, errors)
    assert labels[0] == "0-30°" and counts.tolist() == [2, 1, 1, 0]
    assert means[0, 0] == 2.0 and means[2, 1] == 2.0 and np.isnan(means[3]).all()


def test_every_plot_writes_a_png(tmp_path: Path) -> None:
    from facessl.eval import plots

    rng = np.random.default_rng(0)
    written = [
        plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["neutral", "happiness"], tmp_path / "cm.png"),
        plots.plot_roc(rng.random(40), np.arange(40) % 2 == 0, tmp_path / "roc.png"),
        plots.plot_au_f1([1, 2, 4], [0.5, 0.7, 0.2], [0.01, 0.02, 0.0], tmp_path / "au.png"),
        plots.plot_pose_by_yaw(rng.uniform(-90, 90, 30), rng.random((30, 3)), ["yaw", "pitch", "roll"],
                               tmp_path / "yaw.png"),  # fmt: skip
        plots.plot_tsne(rng.normal(size=(30, 5)), np.arange(30) % 3, tmp_path / "tsne_cls.png", ["a", "b", "c"]),
        plots.plot_tsne(rng.normal(size=(30, 5)), rng.uniform(-60, 60, 30), tmp_path / "tsne_yaw.png"),
    ]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
