"""Task lists for each kind of raw input: any folder, VoxCeleb, CelebA in the wild, AffectNet, 300W-LP, AFLW2000.

Every builder only lists work; nothing is decoded here, so a broken file becomes a reject row
in the worker, not an error that stops the run. Dataset boxes and landmarks are used whenever
the dataset ships them; the detector runs only where it does not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from facessl.data.layouts import load_300w_lp, load_affectnet, load_aflw2000
from facessl.data.layouts.errors import LayoutError, MissingFileError
from facessl.data.layouts.sample import FaceSample
from facessl.prepare.alignment import ARCFACE_TEMPLATE_112
from facessl.prepare.faces import Face
from facessl.prepare.media import media_kind
from facessl.prepare.tasks import Task
from facessl.prepare.tracks import TrackError, read_track


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise MissingFileError(root, "source folder not found")
    hidden = lambda p: any(part.startswith(".") for part in p.relative_to(root).parts)  # noqa: E731
    return sorted(p for p in root.rglob("*") if p.is_file() and not hidden(p))


def _stems(relatives: list[Path]) -> list[str]:
    """Output stems: the relative path without its suffix, keeping the suffix where two files would collide."""
    plain = [r.with_suffix("").as_posix() for r in relatives]
    counts = Counter(plain)
    return [s if counts[s] == 1 else f"{s}_{r.suffix.lstrip('.')}" for s, r in zip(plain, relatives, strict=True)]


def _every_in_folder(files: list[Path], every: int) -> list[Path]:
    """Keep every ``every``-th image of each folder (sorted), all non-images."""
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for f in files:
        by_folder[f.parent].append(f)
    kept = []
    for folder_files in by_folder.values():
        images = [f for f in folder_files if media_kind(f) == "image"]
        kept += images[::every] + [f for f in folder_files if media_kind(f) != "image"]
    return sorted(kept)


def folder_tasks(root: Path | str, every: int = 1, frames_every: int = 1) -> list[Task]:
    """Every file under ``root`` (hidden ones excepted): images, videos, and the rest (to be rejected).

    The identity is the first folder below ``root`` (``root/<person>/...``), empty for files at the top.

    Args:
        root: The folder.
        every: Keep every ``every``-th image of each folder.
        frames_every: Keep every ``frames_every``-th frame of each video.
    """
    root = Path(root)
    files = _every_in_folder(_files(root), every)
    relatives = [f.relative_to(root) for f in files]
    return [
        Task(
            key=r.as_posix(),
            source=f,
            out_stem=stem,
            kind=media_kind(f),
            identity=r.parts[0] if len(r.parts) > 1 else "",
            every=frames_every,
        )
        for f, r, stem in zip(files, relatives, _stems(relatives), strict=True)
    ]


def voxceleb_tasks(
    root: Path | str, tracks: Path | str | None = None, every: int = 1, track_frames: str = "relative"
) -> list[Task]:
    """VoxCeleb as released: a frame tree, or videos plus face-track files.

    Frame tree (VoxCeleb1 ``unzippedIntervalFaces``, pcl.md §3.1): ``<person>/[1.6/]<video>/<segment>/<frame>.jpg``;
    every ``every``-th frame of each segment is kept and the detector finds the face.

    Videos and tracks (VoxCeleb1/2 ``<id>/<video>/<clip>.mp4`` + ``txt/<id>/<video>/<clip>.txt``):
    every ``every``-th row of each track is cropped with the track's box. ``track_frames``
    says how track frame numbers map to video frames: ``relative`` (a clip that starts at the
    track's first frame, as in the released VoxCeleb2 clips) or ``absolute`` (the full video).

    Args:
        root: Frame tree or video folder; the identity is its first folder level.
        tracks: Folder of track ``.txt`` files mirroring ``root``'s video paths; ``None`` for a
            frame tree (or videos without tracks, which go through the detector).
        every: Sampling step over frames (of a segment folder or a track).
        track_frames: ``relative`` or ``absolute``.

    Raises:
        LayoutError: Missing folders or an unknown ``track_frames``.
    """
    if track_frames not in ("relative", "absolute"):
        raise ValueError(f"track_frames must be 'relative' or 'absolute', got {track_frames!r}")
    root = Path(root)
    if tracks is None:
        return folder_tasks(root, every=every, frames_every=every)
    track_root = Path(tracks)
    if not track_root.is_dir():
        raise MissingFileError(track_root, "track folder not found")
    files = [f for f in _files(root) if media_kind(f) == "video"]
    if not files:
        raise MissingFileError(root, "no videos found")
    relatives = [f.relative_to(root) for f in files]
    tasks = []
    for f, r, stem in zip(files, relatives, _stems(relatives), strict=True):
        track_file = (track_root / r).with_suffix(".txt")
        problem, track, offset = "", None, 0
        if not track_file.is_file():
            problem = f"no track file {track_file}"
        else:
            try:
                track = read_track(track_file)
                offset = int(track.frames[0]) if track_frames == "relative" else 0
            except TrackError as error:
                problem = str(error)
        identity = r.parts[0] if len(r.parts) > 1 else (track.identity if track else "")
        tasks.append(
            Task(
                key=r.as_posix(),
                source=f,
                out_stem=stem,
                kind="video",
                identity=identity,
                track=track,
                track_offset=offset,
                every=every,
                provider="voxceleb-track",
                problem=problem,
            )
        )
    return tasks


def _first_existing(root: Path, candidates: Iterable[str]) -> Path | None:
    for name in candidates:
        if (root / name).exists():
            return root / name
    return None


def _celeba_table(path: Path, width: int) -> dict[str, list[float]]:
    """CelebA's annotation tables: a count line, a header line, then ``name v1 .. v<width>``."""
    table = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        fields = line.split()
        if not fields or number <= 2 and not fields[0].lower().endswith((".jpg", ".png")):
            continue  # the count and header lines
        if len(fields) != width + 1:
            raise LayoutError(path, f"expected a name and {width} numbers, got {len(fields)} fields", number)
        try:
            table[fields[0]] = [float(v) for v in fields[1:]]
        except ValueError:
            raise LayoutError(path, f"non-numeric value in {line.strip()!r}", number) from None
    return table


def box_from_five_points(points: np.ndarray) -> tuple[float, float, float, float]:
    """A face box for 5 landmarks alone: the source square that ArcFace's 112 template crop covers.

    Used when a dataset ships landmarks but no box (CelebA with only ``list_landmarks_celeba.txt``).
    """
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(points, dtype=np.float64).reshape(-1, 1, 2), ARCFACE_TEMPLATE_112.reshape(-1, 1, 2), method=cv2.LMEDS
    )
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    cx, cy = cv2.invertAffineTransform(matrix) @ np.array([56.0, 56.0, 1.0])
    side = 112.0 / scale
    return float(cx - side / 2), float(cy - side / 2), side, side


def celeba_tasks(root: Path | str, images: str | None = None) -> list[Task]:
    """CelebA in the wild with the official boxes and/or landmarks (``Anno/``), split and identity when present.

    Layout (the official release)::

        <root>/Img/img_celeba/000001.jpg          (or <root>/img_celeba/)
        <root>/Anno/list_bbox_celeba.txt          image_id x_1 y_1 width height
        <root>/Anno/list_landmarks_celeba.txt     image_id lefteye_x lefteye_y ... rightmouth_y
        <root>/Anno/identity_CelebA.txt           optional
        <root>/Eval/list_eval_partition.txt       optional; 0 train, 1 val, 2 test

    With neither annotation file, the detector runs on every image of the image folder.

    Args:
        root: The CelebA folder.
        images: Image folder relative to ``root``; found automatically when ``None``.

    Raises:
        LayoutError: No image folder, or a malformed annotation file (file and line named).
    """
    root = Path(root)
    image_dir = (
        root / images
        if images
        else _first_existing(root, ("Img/img_celeba", "img_celeba", "Img/img_align_celeba", "img_align_celeba"))
    )
    if image_dir is None or not image_dir.is_dir():
        raise MissingFileError(root / (images or "Img/img_celeba"), "CelebA image folder not found")
    boxes_file = _first_existing(root, ("Anno/list_bbox_celeba.txt", "list_bbox_celeba.txt"))
    points_file = _first_existing(root, ("Anno/list_landmarks_celeba.txt", "list_landmarks_celeba.txt"))
    identity_file = _first_existing(root, ("Anno/identity_CelebA.txt", "identity_CelebA.txt"))
    partition_file = _first_existing(root, ("Eval/list_eval_partition.txt", "list_eval_partition.txt"))
    boxes = _celeba_table(boxes_file, 4) if boxes_file else {}
    points = _celeba_table(points_file, 10) if points_file else {}
    identities = {k: str(int(v[0])) for k, v in _celeba_table(identity_file, 1).items()} if identity_file else {}
    splits = (
        {k: ("train", "val", "test")[int(v[0])] for k, v in _celeba_table(partition_file, 1).items()}
        if partition_file
        else {}
    )
    names = sorted(set(boxes) | set(points)) or sorted(p.name for p in image_dir.iterdir() if media_kind(p) == "image")
    provider = "+".join(f.name for f in (boxes_file, points_file) if f is not None)
    tasks = []
    for name in names:
        landmarks = np.asarray(points[name], dtype=np.float32).reshape(5, 2) if name in points else None
        face = None
        if name in boxes:
            face = Face(box=tuple(boxes[name]), landmarks=landmarks)  # type: ignore[arg-type]
        elif landmarks is not None:
            face = Face(box=box_from_five_points(landmarks), landmarks=landmarks)
        labels = (("split", splits.get(name, "")),)
        tasks.append(
            Task(
                key=name,
                source=image_dir / name,
                out_stem=Path(name).with_suffix("").as_posix(),
                kind="image",
                identity=identities.get(name, ""),
                labels=labels,
                face=face,
                provider=provider,
            )
        )
    return tasks


LabelFn = Callable[[FaceSample], tuple[tuple[str, str], ...]]


def _sample_tasks(samples: list[FaceSample], root: Path, provider: str, label_fn: LabelFn) -> list[Task]:
    paths, relatives = [], []
    for sample in samples:
        if not isinstance(sample.image, Path):  # the image-file layouts used here always give paths
            raise TypeError(f"expected an image path, got {type(sample.image).__name__}")
        paths.append(sample.image)
        inside = sample.image.is_relative_to(root)
        relatives.append(Path(sample.split) / (sample.image.relative_to(root) if inside else Path(sample.image.name)))
    stems = _stems(relatives)
    counts: Counter[str] = Counter()
    tasks = []
    for sample, path, relative, stem in zip(samples, paths, relatives, stems, strict=True):
        key = relative.as_posix()
        counts[key] += 1
        if counts[key] > 1:  # the same image listed twice (two faces): one task each
            key, stem = f"{key}#{counts[key]}", f"{stem}_{counts[key]}"
        face = Face(box=sample.box, landmarks=sample.landmarks) if sample.box is not None else None
        labels = label_fn(sample)
        tasks.append(
            Task(
                key=key,
                source=path,
                out_stem=stem,
                kind="image",
                identity=sample.identity or "",
                labels=labels,
                face=face,
                provider=provider,
            )
        )
    return tasks


AFFECTNET_LABELS = ("split", "expression")
POSE_LABELS = ("split", "yaw", "pitch", "roll")


def affectnet_tasks(root: Path | str, num_classes: int = 8) -> list[Task]:
    """AffectNet's manually annotated images, cropped from the CSV boxes (landmarks kept for alignment).

    Labels: ``split`` (``train``/``test``, the official validation set serving as test) and the
    canonical ``expression`` index (NOTES.md).
    """
    root = Path(root)
    samples = load_affectnet(root, num_classes=num_classes, check_images=False)
    return _sample_tasks(
        samples, root, "affectnet-csv", lambda s: (("split", s.split), ("expression", str(s.expression)))
    )


def _pose_labels(sample: FaceSample) -> tuple[tuple[str, str], ...]:
    yaw, pitch, roll = sample.pose or (float("nan"),) * 3
    return (("split", sample.split), ("yaw", f"{yaw:.4f}"), ("pitch", f"{pitch:.4f}"), ("roll", f"{roll:.4f}"))


def w300lp_tasks(root: Path | str) -> list[Task]:
    """300W-LP, cropped from the ``pt2d`` landmarks' box; labels: split and (yaw, pitch, roll) degrees."""
    root = Path(root)
    return _sample_tasks(load_300w_lp(root, check_images=False), root, "300w_lp-pt2d", _pose_labels)


def aflw2000_tasks(root: Path | str, max_abs_angle: float | None = 99.0) -> list[Task]:
    """AFLW2000-3D, cropped from the ``pt2d`` landmarks' box, with the ±99° filter by default (pcl.md §3.6)."""
    root = Path(root)
    return _sample_tasks(
        load_aflw2000(root, max_abs_angle=max_abs_angle, check_images=False), root, "aflw2000-pt2d", _pose_labels
    )
