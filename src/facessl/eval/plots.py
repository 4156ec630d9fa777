"""PNG plots of an evaluation: confusion matrix, verification ROC, per-AU F1, pose error by yaw, t-SNE.

matplotlib is imported inside each function with the non-interactive Agg backend, so importing
facessl.eval never needs it and plotting works without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# |yaw| bins in degrees for the pose-error plot: frontal, half profile, profile, extreme (HopeNet-style).
YAW_BINS: tuple[float, ...] = (0.0, 30.0, 60.0, 90.0, 180.0)
TSNE_MAX_POINTS = 1000  # t-SNE is quadratic-ish; a subsample shows the structure
PLOT_DPI = 120


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=PLOT_DPI)
    _pyplot().close(fig)
    return path


def plot_confusion_matrix(cm: np.ndarray, class_names: Sequence[str], path: Path, title: str = "") -> Path:
    """Row-normalised confusion matrix (rows = true class), with counts in the cells.

    Args:
        cm: (K, K) counts, rows true, columns predicted.
        class_names: K names.
        path: Output PNG.
        title: Figure title.
    """
    plt = _pyplot()
    cm = np.asarray(cm, dtype=np.float64)
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    k = len(class_names)
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=8,
                    color="white" if rates[i, j] > 0.5 else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, label="fraction of true class")
    ax.set_title(title or "confusion matrix")
    return _save(fig, path)


def roc_curve_points(scores: np.ndarray, issame: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """False and true positive rates over all thresholds, and the area under the curve.

    Shape:
        - scores, issame: (P,)
        - Output: fpr (T,), tpr (T,), both from 0 to 1; AUC a float.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(issame.astype(int), scores)
    auc = float(roc_auc_score(issame.astype(int), scores)) if 0 < issame.sum() < len(issame) else float("nan")
    return fpr, tpr, auc


def plot_roc(scores: np.ndarray, issame: np.ndarray, path: Path, title: str = "") -> Path:
    """ROC of pair similarities (all folds pooled); for illustration, the accuracy is the 10-fold one."""
    plt = _pyplot()
    fpr, tpr, auc = roc_curve_points(np.asarray(scores), np.asarray(issame, dtype=bool))
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(fpr, tpr, lw=2, label=f"AUC = {auc:.3f}")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.legend(loc="lower right")
    ax.set_title(title or "verification ROC")
    return _save(fig, path)


def plot_au_f1(au_ids: Sequence[int], f1_mean: Sequence[float], f1_std: Sequence[float], path: Path,
               title: str = "") -> Path:  # fmt: skip
    """Bars of per-AU F1 (mean ± std over seeds), with the mean over AUs as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(au_ids) + 2), 4))
    x = np.arange(len(au_ids))
    ax.bar(x, f1_mean, yerr=f1_std, color="tab:blue", capsize=3)
    ax.axhline(float(np.mean(f1_mean)), color="tab:red", ls="--", label=f"mean F1 = {np.mean(f1_mean):.3f}")
    ax.set_xticks(x, [f"AU{a}" for a in au_ids])
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.legend()
    ax.set_title(title or "AU detection")
    return _save(fig, path)


def yaw_bin_errors(
    yaw: np.ndarray, errors: np.ndarray, bins: Sequence[float] = YAW_BINS
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Mean absolute error per angle within |yaw| bins.

    Args:
        yaw: (N,) true yaw in degrees.
        errors: (N, 3) absolute errors of (yaw, pitch, roll).
        bins: Bin edges of |yaw|.

    Returns:
        Bin labels, (B, 3) mean errors (NaN for empty bins), (B,) sample counts.
    """
    a = np.abs(yaw)
    labels, means, counts = [], [], []
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        inside = (a >= lo) & (a < hi)
        labels.append(f"{lo:.0f}-{hi:.0f}°")
        counts.append(int(inside.sum()))
        means.append(errors[inside].mean(axis=0) if inside.any() else np.full(errors.shape[1], np.nan))
    return labels, np.array(means), np.array(counts)


def plot_pose_by_yaw(yaw: np.ndarray, errors: np.ndarray, angles: Sequence[str], path: Path, title: str = "") -> Path:
    """Grouped bars: MAE of each angle per |yaw| bin, with the number of test faces per bin."""
    plt = _pyplot()
    labels, means, counts = yaw_bin_errors(np.asarray(yaw), np.asarray(errors))
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(labels))
    width = 0.8 / len(angles)
    for i, name in enumerate(angles):
        ax.bar(x + (i - (len(angles) - 1) / 2) * width, np.nan_to_num(means[:, i]), width, label=name)
    ax.set_xticks(x, [f"{lab}\n(n={n})" for lab, n in zip(labels, counts, strict=True)])
    ax.set_xlabel("|yaw| bin")
    ax.set_ylabel("MAE (degrees)")
    ax.legend()
    ax.set_title(title or "head-pose error by yaw")
    return _save(fig, path)


def tsne_embedding(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """2D t-SNE (scikit-learn) of standardised features. (N, D) -> (N, 2); N must be at least 5."""
    from sklearn.manifold import TSNE
    from sklearn.preprocessing import StandardScaler

    x = StandardScaler().fit_transform(np.asarray(features, dtype=np.float64))
    perplexity = float(min(30.0, max(2.0, (len(x) - 1) / 3.0)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)


def plot_tsne(features: np.ndarray, colour: np.ndarray, path: Path, names: Sequence[str] | None = None,
              title: str = "", seed: int = 0, colour_label: str = "") -> Path:  # fmt: skip
    """t-SNE of features coloured by a label (class names given) or a value (e.g. yaw, colour bar).

    At most `TSNE_MAX_POINTS` points, drawn with a seeded generator.
    """
    plt = _pyplot()
    features, colour = np.asarray(features), np.asarray(colour)
    if len(features) > TSNE_MAX_POINTS:
        keep = np.sort(np.random.default_rng(seed).choice(len(features), TSNE_MAX_POINTS, replace=False))
        features, colour = features[keep], colour[keep]
    xy = tsne_embedding(features, seed)
    fig, ax = plt.subplots(figsize=(6, 5))
    if names is not None:
        cmap = plt.get_cmap("tab10")
        for k, name in enumerate(names):
            inside = colour == k
            if inside.any():
                ax.scatter(xy[inside, 0], xy[inside, 1], s=10, color=cmap(k % 10), label=name)
        ax.legend(fontsize=7, markerscale=1.5, loc="best")
    else:
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=10, c=colour, cmap="viridis" if np.issubdtype(colour.dtype, np.floating)
                        else "tab20")  # fmt: skip
        fig.colorbar(sc, ax=ax, label=colour_label)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or "t-SNE of features")
    return _save(fig, path)


def plot_reports(reports: Sequence[Any], out_dir: Path) -> list[Path]:
    """Every plot the reports' ``plot_data`` allows, named after the task key (``expression_rafdb_*.png``)."""
    written: list[Path] = []
    for report in reports:
        data, stem = report.plot_data, report.key.replace("/", "_")
        if not data:
            continue
        if "confusion_matrix" in data:
            written.append(plot_confusion_matrix(data["confusion_matrix"], data["class_names"],
                                                 out_dir / f"{stem}_confusion.png",
                                                 f"{report.key}: confusion (all seeds)"))  # fmt: skip
        if "scores" in data:
            written.append(plot_roc(data["scores"], data["issame"], out_dir / f"{stem}_roc.png", f"{report.key}: ROC"))
        if "au_ids" in data:
            written.append(plot_au_f1(data["au_ids"], data["f1_mean"], data["f1_std"], out_dir / f"{stem}_f1.png",
                                      f"{report.key}: per-AU F1"))  # fmt: skip
        if "errors" in data:
            written.append(plot_pose_by_yaw(data["yaw"], data["errors"], data["angles"],
                                            out_dir / f"{stem}_yaw_bins.png", f"{report.key}: error by |yaw|"))
        if "embedding" in data and len(data["embedding"][0]) >= 5:
            feats, colour, names = data["embedding"]
            by = {"expression": "expression", "verification": "identity (index)", "pose": "yaw (degrees)"}.get(
                report.key.split("/")[0], "label")
            written.append(plot_tsne(feats, colour, out_dir / f"{stem}_tsne.png", names,
                                     f"{report.key}: t-SNE by {by.split(' ')[0]}", colour_label=by))
    return written
