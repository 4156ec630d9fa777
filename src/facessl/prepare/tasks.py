"""One unit of preparation work (an image or a video) and the function a worker runs on it.

A task is a pure function of its fields and the settings: its crops land at fixed paths under
``<out>/crops/``, so redoing an interrupted task overwrites its partial output with identical
files. Workers return manifest and reject rows; only the parent process writes the CSV files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from facessl.prepare.detectors import Detector, make_detector
from facessl.prepare.faces import Face
from facessl.prepare.media import (
    MediaError,
    read_image,
    video_frames,
    write_image_atomic,
)
from facessl.prepare.recipes import RecipeError, apply_recipe, get_recipe
from facessl.prepare.tracks import Track

CROPS_DIR = "crops"
NO_FACE_ACTIONS = ("reject", "whole")


@dataclass(frozen=True)
class PrepareSettings:
    """How every crop of a run is made; stored in ``prepare.json`` and checked on resume.

    Attributes:
        recipe: A name from :data:`facessl.prepare.recipes.RECIPES`.
        size: Output side in pixels; ``None`` takes the recipe's default.
        scale: Box margin factor for the ``box`` and ``pcl`` recipes.
        detector: ``haar`` or ``mediapipe``; used only where the dataset gives no box.
        image_format: ``png`` (lossless, default) or ``jpg``.
        no_face: ``reject`` a frame without a face, or crop the ``whole`` frame (LatentFace's
            fallback, latentface.md §7.1).
    """

    recipe: str = "box"
    size: int | None = None
    scale: float = 1.0
    detector: str = "haar"
    image_format: str = "png"
    no_face: str = "reject"

    def __post_init__(self) -> None:
        get_recipe(self.recipe)  # raises on an unknown name
        if self.size is not None and self.size < 8:
            raise ValueError(f"crop size must be at least 8 px, got {self.size}")
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}")
        if self.image_format not in ("png", "jpg"):
            raise ValueError(f"image format must be png or jpg, got {self.image_format!r}")
        if self.no_face not in NO_FACE_ACTIONS:
            raise ValueError(f"no_face must be one of {NO_FACE_ACTIONS}, got {self.no_face!r}")

    @property
    def crop_size(self) -> int:
        """The output side actually used."""
        return self.size or get_recipe(self.recipe).default_size


@dataclass(frozen=True, eq=False)
class Task:
    """One source file to prepare.

    Attributes:
        key: Unique name of the task inside its run (the journal records finished keys).
        source: The image or video file.
        out_stem: Output path under ``crops/`` without suffix; a video's frames go into a folder
            of that name as ``<frame:06d>.<ext>``.
        kind: ``image``, ``video`` or ``other`` (rejected as not an image or video).
        identity: Person name or id, written to the manifest (for the identity audit).
        labels: Extra manifest columns (split, expression, pose, ...), as ``(column, value)``.
        face: The dataset's box and landmarks for an image; ``None`` runs the detector.
        track: A video's face track; ``None`` runs the detector on sampled frames.
        track_offset: Subtracted from track frame numbers to get the video's frame index
            (the track's first frame for VoxCeleb clips, 0 for full-length videos).
        every: Keep every ``every``-th frame of a video (or of a track).
        provider: Names the annotation source (e.g. ``affectnet-csv``) when faces come with the data.
        problem: When not empty, the task is rejected with this reason without reading the
            source (e.g. a video whose track file is missing).
    """

    key: str
    source: Path
    out_stem: str
    kind: str
    identity: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    face: Face | None = None
    track: Track | None = None
    track_offset: int = 0
    every: int = 1
    provider: str = ""
    problem: str = ""


@dataclass
class TaskResult:
    """What a worker returns: manifest rows (one per crop written) and reject rows."""

    key: str
    rows: list[dict[str, str]] = field(default_factory=list)
    rejects: list[dict[str, str]] = field(default_factory=list)


_DETECTORS: dict[str, Detector] = {}


def _detector(name: str) -> Detector:
    # One detector per process: cascades take a while to load and are not shared across processes.
    if name not in _DETECTORS:
        _DETECTORS[name] = make_detector(name)
    return _DETECTORS[name]


def process_task(task: Task, settings: PrepareSettings, out_dir: Path) -> TaskResult:
    """Prepare one task: decode, find the face, crop with the recipe, write the crop(s).

    Never raises for a bad input: every failure becomes a reject row with its reason.

    Args:
        task: The work item.
        settings: The run's settings.
        out_dir: The run's output folder (crops go under ``out_dir / "crops"``).
    """
    result = TaskResult(task.key)
    if task.problem:
        _reject(result, task, None, task.problem)
    elif task.kind == "image":
        try:
            image = read_image(task.source)
        except MediaError as error:
            _reject(result, task, None, str(error))
            return result
        _crop_frame(result, task, settings, out_dir, image, None, task.face)
    elif task.kind == "video":
        _process_video(result, task, settings, out_dir)
    else:
        _reject(result, task, None, f"not an image or video (suffix {task.source.suffix or 'none'!r})")
    return result


def _process_video(result: TaskResult, task: Task, settings: PrepareSettings, out_dir: Path) -> None:
    wanted: dict[int, int] | None = None  # video frame index -> row of the track
    if task.track is not None:
        rows = range(0, len(task.track.frames), task.every)
        wanted = {int(task.track.frames[r]) - task.track_offset: r for r in rows}
    seen = 0
    try:
        for index, frame in video_frames(task.source, set(wanted) if wanted is not None else None, task.every):
            seen = index + 1
            if wanted is not None and index not in wanted:
                continue
            if wanted is None and index % task.every:
                continue
            if frame is None:
                _reject(result, task, index, "frame could not be decoded")
                continue
            face = None
            if task.track is not None and wanted is not None:
                box = task.track.pixel_boxes(frame.shape[1], frame.shape[0])[wanted[index]]
                face = Face(box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])))
            _crop_frame(result, task, settings, out_dir, frame, index, face)
    except MediaError as error:
        _reject(result, task, None, str(error))
        return
    if seen == 0:
        _reject(result, task, None, "empty video: no decodable frames")
        return
    if wanted is not None:
        for index in sorted(i for i in wanted if i >= seen or i < 0):
            _reject(result, task, index, f"track frame is outside the video ({seen} frames)")


def _crop_frame(
    result: TaskResult,
    task: Task,
    settings: PrepareSettings,
    out_dir: Path,
    image: np.ndarray,
    frame: int | None,
    face: Face | None,
) -> None:
    detector_name, detector_version = "dataset", task.provider or "dataset"
    if face is None:
        detector = _detector(settings.detector)
        detector_name, detector_version = detector.name, detector.version
        faces = detector.detect(image)
        if faces:
            face = faces[0]
        elif settings.no_face == "whole":
            face = Face(box=(0.0, 0.0, float(image.shape[1]), float(image.shape[0])))
            detector_version += " (no face: whole frame)"
        else:
            _reject(result, task, frame, f"no face detected ({detector_name})")
            return
    try:
        crop = apply_recipe(settings.recipe, image, face, settings.crop_size, settings.scale)
    except (RecipeError, ValueError, cv2.error) as error:  # e.g. a non-finite or degenerate dataset box
        _reject(result, task, frame, f"cannot crop: {error}")
        return
    suffix = "." + settings.image_format
    relative = f"{task.out_stem}{suffix}" if frame is None else f"{task.out_stem}/{frame:06d}{suffix}"
    write_image_atomic(out_dir / CROPS_DIR / relative, crop.image)
    landmarks = "" if face.landmarks is None else ";".join(f"{v:.2f}" for v in np.asarray(face.landmarks).ravel())
    row = {
        "path": f"{CROPS_DIR}/{relative}",
        "source": str(task.source),
        "frame": "" if frame is None else str(frame),
        "box_x": f"{face.box[0]:.2f}",
        "box_y": f"{face.box[1]:.2f}",
        "box_w": f"{face.box[2]:.2f}",
        "box_h": f"{face.box[3]:.2f}",
        "landmarks": landmarks,
        "crop": crop.geometry.as_text(),
        "recipe": settings.recipe,
        "size": str(settings.crop_size),
        "detector": detector_name,
        "detector_version": detector_version,
        "identity": task.identity,
        "item": task.key,
    }
    row.update(dict(task.labels))
    result.rows.append(row)


def _reject(result: TaskResult, task: Task, frame: int | None, reason: str) -> None:
    result.rejects.append(
        {"source": str(task.source), "frame": "" if frame is None else str(frame), "reason": reason, "item": task.key}
    )
