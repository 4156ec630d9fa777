"""Small datasets in the real published layouts whose pixels encode their labels (for runner tests).

Raw pixels of these images recover every label with a linear map, so a raw-pixel source must score
~100 % through the runners, and a source of label-independent noise must score at chance.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.io import savemat

SIDE = 32


def _save(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=95)


def _block_image(active: list[int], rng: np.random.Generator, grid: int = 3) -> np.ndarray:
    """A SIDE×SIDE RGB image: dark background with faint noise, bright blocks at the active cells."""
    img = 40 + rng.integers(0, 6, size=(SIDE, SIDE, 3)).astype(np.float64)
    cell = SIDE // grid
    for k in active:
        r, c = divmod(k, grid)
        img[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell] = 220
    return img


def write_rafdb(root: Path, per_class_train: int = 6, per_class_test: int = 3, seed: int = 0) -> Path:
    """RAF-DB basic: EmoLabel/list_patition_label.txt and Image/aligned/*_aligned.jpg; RAF labels 1..7."""
    rng = np.random.default_rng(seed)
    lines = []
    for split, per_class in (("train", per_class_train), ("test", per_class_test)):
        n = 0
        for label in range(1, 8):
            for _ in range(per_class):
                n += 1
                name = f"{split}_{n:05d}"
                lines.append(f"{name}.jpg {label}")
                _save(root / "Image" / "aligned" / f"{name}_aligned.jpg", _block_image([label - 1], rng))
    (root / "EmoLabel").mkdir(parents=True, exist_ok=True)
    (root / "EmoLabel" / "list_patition_label.txt").write_text("\n".join(lines) + "\n")
    return root


def write_lfw(root: Path, folds: int = 10, per_fold: int = 3, seed: int = 0) -> Path:
    """LFW View 2: pairs.txt ('folds<TAB>per_fold', matched then mismatched lines) and lfw/<name>/."""
    rng = np.random.default_rng(seed)
    patterns: dict[str, np.ndarray] = {}

    def image(name: str, number: int) -> None:
        if name not in patterns:
            patterns[name] = np.kron(rng.integers(0, 256, size=(4, 4, 3)), np.ones((SIDE // 4, SIDE // 4, 1)))
        noise = rng.normal(scale=3.0, size=(SIDE, SIDE, 3))
        _save(root / "lfw" / name / f"{name}_{number:04d}.jpg", patterns[name] + noise)

    lines = [f"{folds}\t{per_fold}"]
    person = 0
    for _ in range(folds):
        for _ in range(per_fold):
            name = f"Person_{person}"
            person += 1
            lines.append(f"{name}\t1\t2")
            image(name, 1)
            image(name, 2)
        for _ in range(per_fold):
            a, b = f"Person_{person}", f"Person_{person + 1}"
            person += 2
            lines.append(f"{a}\t1\t{b}\t1")
            image(a, 1)
            image(b, 1)
    (root / "pairs.txt").write_text("\n".join(lines) + "\n")
    return root


DISFA_AUS = (1, 2, 4, 6, 9, 12, 25, 26)


def write_disfa(root: Path, subjects: int = 6, frames: int = 10, seed: int = 0) -> Path:
    """DISFA: ActionUnit_Labels/SNxxx/SNxxx_au<N>.txt ('frame,intensity') and frames/SNxxx/<frame>.jpg."""
    rng = np.random.default_rng(seed)
    for s in range(1, subjects + 1):
        subject = f"SN{s:03d}"
        present = rng.random((frames, len(DISFA_AUS))) < 0.5
        present[0], present[1] = True, False  # every AU both present and absent for every subject
        for a, au in enumerate(DISFA_AUS):
            lines = [f"{f + 1},{3 if present[f, a] else 0}" for f in range(frames)]
            path = root / "ActionUnit_Labels" / subject / f"{subject}_au{au}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n")
        for f in range(frames):
            _save(root / "frames" / subject / f"{f + 1}.jpg", _block_image(list(np.flatnonzero(present[f])), rng))
    return root


def _pose_image(yaw: float, pitch: float, roll: float, rng: np.random.Generator) -> np.ndarray:
    """Three vertical stripes whose grey levels are 128 + angle: linear in the angles."""
    img = np.zeros((SIDE, SIDE, 3))
    third = SIDE // 3
    for k, angle in enumerate((yaw, pitch, roll)):
        img[:, k * third : (k + 1) * third] = 128 + angle
    return img + rng.normal(scale=0.5, size=img.shape)


def _write_pose_sample(
    folder: Path, stem: str, yaw: float, pitch: float, roll: float, rng: np.random.Generator
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pose_para = np.array([[math.radians(pitch), math.radians(yaw), math.radians(roll), 0.0, 0.0, 0.0, 1.0]])
    # Landmarks spanning the central part of the image: the crop grows their box by the margin.
    pt2d = np.array([[6.0, 26.0, 6.0, 26.0], [6.0, 6.0, 26.0, 26.0]])
    savemat(folder / f"{stem}.mat", {"Pose_Para": pose_para, "pt2d": pt2d})
    _save(folder / f"{stem}.jpg", _pose_image(yaw, pitch, roll, rng))


def write_pose(root: Path, n_train: int = 48, n_test: int = 16, seed: int = 0) -> tuple[Path, Path]:
    """300W_LP (train; AFW/*.mat + .jpg, the other subset folders empty) and AFLW2000 (test)."""
    from facessl.data.layouts.w300lp import SUBSETS

    rng = np.random.default_rng(seed)
    w300 = root / "300W_LP"
    for subset in SUBSETS:
        (w300 / subset).mkdir(parents=True, exist_ok=True)
    for i in range(n_train):
        yaw, pitch, roll = rng.uniform(-60, 60), rng.uniform(-40, 40), rng.uniform(-30, 30)
        _write_pose_sample(w300 / "AFW", f"AFW_{i:04d}_0", yaw, pitch, roll, rng)
    aflw = root / "AFLW2000"
    for i in range(n_test):
        yaw, pitch, roll = rng.uniform(-60, 60), rng.uniform(-40, 40), rng.uniform(-30, 30)
        _write_pose_sample(aflw, f"image{i:05d}", yaw, pitch, roll, rng)
    return w300, aflw


def write_all(root: Path) -> Path:
    """Every fixture under one data folder, with the real datasets' usual folder names."""
    write_rafdb(root / "RAF-DB" / "basic")
    write_lfw(root / "lfw")
    write_disfa(root / "DISFA")
    write_pose(root)
    return root
