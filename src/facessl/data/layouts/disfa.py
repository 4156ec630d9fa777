"""DISFA action-unit intensities in the published layout, with the 8-AU occurrence protocol.

Layout (ecosystem.md §7; NOTES.md "Action units")::

    <root>/ActionUnit_Labels/SN001/SN001_au1.txt   one line per frame: "frame,intensity" (0..5)

DISFA ships videos, not frames; frames extracted by the user are found through ``frames_dir`` and
``frame_template``, which have no published convention.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from facessl.data.layouts.errors import LayoutError, MissingFileError
from facessl.data.layouts.labels import DISFA_ALL_AUS, DISFA_AUS, DISFA_OCCURRENCE_MIN_INTENSITY
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import (
    expect_fields,
    numbered_lines,
    parse_int,
    require_dir,
    require_listed_image,
)

LABELS_DIR = "ActionUnit_Labels"
MAX_INTENSITY = 5


def load_disfa(
    root: Path | str,
    aus: Sequence[int] = DISFA_AUS,
    frames_dir: str | None = None,
    frame_template: str = "{subject}/{frame}.jpg",
    check_images: bool = True,
) -> list[FaceSample]:
    """Read every subject's per-AU intensity files into one sample per labelled frame.

    Occurrence is intensity >= 2, the protocol of JAA-Net and its successors (NOTES.md). All
    samples get split ``all``: DISFA's protocol is subject-exclusive 3-fold cross-validation, and
    the folds are chosen by the protocol from ``subject``, not by the layout.

    Args:
        root: The DISFA folder holding ``ActionUnit_Labels``.
        aus: FACS numbers to read; the default is the 8-AU protocol (1, 2, 4, 6, 9, 12, 25, 26).
        frames_dir: Folder of extracted frames relative to ``root``; ``None`` leaves ``image`` unset.
        frame_template: Frame path inside ``frames_dir``, formatted with ``subject`` and ``frame``.
        check_images: With ``frames_dir``, check that every frame exists.

    Returns:
        Samples ordered by subject then frame, with ``subject``, ``frame``, ``au_intensity`` and
        ``au_occurrence`` over ``aus``.

    Raises:
        LayoutError: On a missing folder or AU file, a line that is not ``frame,intensity``, an
            intensity outside 0..5, a repeated frame, AU files of one subject that list different
            frames, or a missing frame image; the message names file and line.
    """
    unknown = sorted(set(aus) - set(DISFA_ALL_AUS))
    if unknown:
        raise ValueError(f"DISFA does not label AU(s) {unknown}; it labels {list(DISFA_ALL_AUS)}")
    labels_root = require_dir(Path(root) / LABELS_DIR, "DISFA label folder")
    subjects = sorted(path.name for path in labels_root.iterdir() if path.is_dir())
    if not subjects:
        raise MissingFileError(labels_root, "no subject folders (SN001, ...) found")
    samples = []
    for subject in subjects:
        per_au = {au: _read_au_file(labels_root / subject / f"{subject}_au{au}.txt") for au in aus}
        first_au = aus[0]
        frames = per_au[first_au]
        for au in aus[1:]:
            if per_au[au].keys() != frames.keys():
                raise LayoutError(
                    labels_root / subject / f"{subject}_au{au}.txt",
                    f"lists different frames than {subject}_au{first_au}.txt",
                )
        for frame, (line, _) in frames.items():
            intensity = {au: per_au[au][frame][1] for au in aus}
            image = None
            if frames_dir is not None:
                image = Path(root) / frames_dir / frame_template.format(subject=subject, frame=frame)
                if check_images:
                    require_listed_image(image, labels_root / subject / f"{subject}_au{first_au}.txt", line)
            samples.append(
                FaceSample(
                    image=image,
                    split="all",
                    subject=subject,
                    frame=frame,
                    au_intensity=intensity,
                    au_occurrence={
                        au: int(value >= DISFA_OCCURRENCE_MIN_INTENSITY) for au, value in intensity.items()
                    },
                )
            )
    return samples


def _read_au_file(path: Path) -> dict[int, tuple[int, int]]:
    """Map frame -> (line number, intensity) for one subject's one AU."""
    frames: dict[int, tuple[int, int]] = {}
    for number, line in numbered_lines(path):
        fields = [field.strip() for field in line.split(",")]
        expect_fields(fields, 2, path, number, "frame,intensity")
        frame = parse_int(fields[0], path, number, "frame")
        intensity = parse_int(fields[1], path, number, "intensity")
        if not 0 <= intensity <= MAX_INTENSITY:
            raise LayoutError(path, f"intensity {intensity} outside 0..{MAX_INTENSITY}", number)
        if frame in frames:
            raise LayoutError(
                path, f"frame {frame} is labelled twice (first on line {frames[frame][0]})", number
            )
        frames[frame] = (number, intensity)
    return frames


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("disfa")(load_disfa)
