"""The demo report's PNG figures: training samples, loss curves, results table, t-SNE grid, PCL swaps, LatentFace.

matplotlib is imported inside each function with the Agg backend (as `facessl.eval.plots` does), so the figures
need no display. Every function takes arrays and a path and returns the path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from torch import Tensor

from facessl.eval.plots import PLOT_DPI, tsne_embedding
from facessl.synth.expressions import EMOTIONS

# Curves drawn per method (metrics.jsonl keys): the total, then the terms it is made of.
LOSS_KEYS: dict[str, tuple[str, ...]] = {
    "simclr": ("loss",),
    "pcl": ("pdd_loss", "face_loss", "pose_loss"),
    "latentface-ae": ("loss", "loss_l1", "loss_perc"),
    "latentface-rdm": ("loss_albedo", "loss_depth"),
}
# The SNR-weighted x0 loss of stage 2 (research/latentface.md §4.7) spans decades from one timestep draw to the next.
LOG_SCALE = frozenset({"latentface-rdm"})


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=PLOT_DPI, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def _hwc(image: Tensor) -> np.ndarray:
    """(3, H, W) uint8 or [0, 1] float -> (H, W, 3) float for imshow."""
    x = image.detach().float().cpu()
    if image.dtype.is_floating_point is False:
        x = x / 255
    return x.clamp(0, 1).permute(1, 2, 0).numpy()


def plot_samples(images: Tensor, columns: int, path: Path, title: str, row_labels: Sequence[str] = ()) -> Path:
    """A grid of images, `columns` per row. `images`: (N, 3, H, W) uint8 or [0, 1] float."""
    plt = _pyplot()
    rows = (len(images) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.3 * rows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i < len(images):
            ax.imshow(_hwc(images[i]), interpolation="nearest")
        else:
            ax.axis("off")
    for r, label in enumerate(row_labels[:rows]):
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


def plot_loss_curves(curves: Mapping[str, tuple[str, Sequence[dict[str, float]]]], path: Path) -> Path:
    """One panel per method: its logged loss terms against the iteration.

    Args:
        curves: method key -> (title, rows of its ``metrics.jsonl``).
        path: output PNG.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 3.4), squeeze=False)
    for ax, (key, (title, rows)) in zip(axes[0], curves.items(), strict=True):
        steps = [r["step"] for r in rows]
        for name in LOSS_KEYS.get(key, ("loss",)):
            values = [r.get(name, np.nan) for r in rows]
            if not np.all(np.isnan(values)):
                ax.plot(steps, values, marker="." if len(steps) < 40 else None, label=name)
        if key in LOG_SCALE:
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0, 0].set_ylabel("training loss")
    fig.tight_layout()
    return _save(fig, path)


def plot_results_table(
    rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[tuple[float, float]]],
    higher_is_better: Sequence[bool], path: Path, title: str, reference_rows: Sequence[int] = (),
) -> Path:  # fmt: skip
    """The results table as an image: mean ± std per cell, the best value of each column in bold on green.

    Args:
        rows: source names.
        columns: task headline names.
        cells: cells[row][column] = (mean, std).
        higher_is_better: per column.
        path: output PNG.
        title: figure title.
        reference_rows: rows drawn on grey (the references).
    """
    plt = _pyplot()
    values = np.array([[c[0] for c in row] for row in cells])
    fig, ax = plt.subplots(figsize=(2.3 * len(columns) + 3.2, 0.5 * len(rows) + 1.3))
    ax.axis("off")
    text = [[f"{m:.3f} ± {s:.3f}" if abs(m) < 10 else f"{m:.2f} ± {s:.2f}" for m, s in row] for row in cells]
    table = ax.table(cellText=text, rowLabels=list(rows), colLabels=[c.replace(" (", "\n(") for c in columns],
                     loc="center", cellLoc="center")  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1.0, 1.9)
    for j, better in enumerate(higher_is_better):
        best = int(np.argmax(values[:, j]) if better else np.argmin(values[:, j]))
        table[best + 1, j].set_facecolor("#c7e9c0")
        table[best + 1, j].get_text().set_fontweight("bold")
        table[0, j].set_height(table[0, j].get_height() * 1.5)
    for i in reference_rows:
        table[i + 1, -1].set_facecolor("#eeeeee")
        for j in range(len(columns)):
            if table[i + 1, j].get_facecolor()[:3] == (1.0, 1.0, 1.0):
                table[i + 1, j].set_facecolor("#f4f4f4")
    ax.set_title(title, fontsize=11)
    return _save(fig, path)


def plot_tsne_grid(features: Mapping[str, np.ndarray], emotion: np.ndarray, identity: np.ndarray, yaw: np.ndarray,
                   path: Path, seed: int = 0) -> Path:  # fmt: skip
    """One row per feature source: its t-SNE coloured by expression, by identity and by yaw.

    Args:
        features: source title -> (N, D) features of the same N faces.
        emotion: (N,) indices into `EMOTIONS`.
        identity: (N,) person numbers (at most 10 people: one tab10 colour each).
        yaw: (N,) degrees.
        path: output PNG.
        seed: t-SNE seed.
    """
    plt = _pyplot()
    tab10 = plt.get_cmap("tab10")
    fig, axes = plt.subplots(len(features), 3, figsize=(12.5, 3.6 * len(features)), squeeze=False)
    for r, (title, feats) in enumerate(features.items()):
        xy = tsne_embedding(feats, seed)
        ax_e, ax_i, ax_y = axes[r]
        for k, name in enumerate(EMOTIONS):
            inside = emotion == k
            if inside.any():
                ax_e.scatter(xy[inside, 0], xy[inside, 1], s=12, color=tab10(k), label=name)
        for p in np.unique(identity):
            inside = identity == p
            ax_i.scatter(xy[inside, 0], xy[inside, 1], s=12, color=tab10(int(p) % 10), label=f"person {int(p) + 1}")
        sc = ax_y.scatter(xy[:, 0], xy[:, 1], s=12, c=yaw, cmap="coolwarm", vmin=-60, vmax=60)
        fig.colorbar(sc, ax=ax_y, label="yaw (degrees)", fraction=0.046, pad=0.04)
        for ax, what in ((ax_e, "expression"), (ax_i, "identity"), (ax_y, "head yaw")):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{title}: by {what}", fontsize=10)
        if r == 0:
            ax_e.legend(fontsize=7, markerscale=1.3, loc="upper left", bbox_to_anchor=(-0.02, 1.0), ncol=2,
                        framealpha=0.8)  # fmt: skip
            ax_i.legend(fontsize=7, markerscale=1.3, loc="upper left", ncol=2, framealpha=0.8)
    fig.tight_layout()
    return _save(fig, path)


def plot_image_columns(columns: Mapping[str, Tensor], path: Path, title: str) -> Path:
    """Rows = faces, columns = named image sets of equal length, each (K, 3, H, W) in [0, 1]."""
    plt = _pyplot()
    names = list(columns)
    k = len(next(iter(columns.values())))
    fig, axes = plt.subplots(k, len(names), figsize=(1.75 * len(names), 1.75 * k + 0.9), squeeze=False)
    for j, name in enumerate(names):
        for i in range(k):
            ax = axes[i, j]
            ax.imshow(_hwc(columns[name][i]), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0, j].set_title(name, fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return _save(fig, path)
