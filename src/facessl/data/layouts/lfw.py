"""LFW verification pairs in the published layout (the "View 2" 10-fold protocol).

Layout (the LFW README, section 3c; ecosystem.md §7)::

    <root>/pairs.txt                      header "10<TAB>300", then per fold 300 matched lines
                                          "name n1 n2" and 300 mismatched lines "name1 n1 name2 n2"
    <root>/lfw/<name>/<name>_0001.jpg     images; ``images_dir`` selects a variant
                                          (lfw-deepfunneled, LatentFace's lfw_crop, ...)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from facessl.data.layouts.errors import LayoutError
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FacePair, FaceSample
from facessl.data.layouts.text_files import (
    expect_fields,
    numbered_lines,
    parse_int,
    require_listed_image,
)

PAIRS_FILE = "pairs.txt"
IMAGES_DIR = "lfw"


def load_lfw(
    root: Path | str, images_dir: str = IMAGES_DIR, pairs_file: str = PAIRS_FILE, check_images: bool = True
) -> list[FacePair]:
    """Read LFW's pairs.txt into verification pairs with their official folds.

    The header gives the number of folds and of matched (= mismatched) pairs per fold; the file
    must hold exactly that many pair lines, so a truncated download is caught.

    Args:
        root: Folder holding ``pairs_file`` and ``images_dir``.
        images_dir: Image folder relative to ``root``, laid out ``<name>/<name>_<4 digits>.jpg``.
        pairs_file: The pair list's name inside ``root``.
        check_images: Check that both images of every pair exist.

    Returns:
        Pairs in file order; ``fold`` is 0-based and ``split`` is ``fold1`` .. ``fold10``.

    Raises:
        LayoutError: On a missing file, a bad header, a matched line without 3 fields or a
            mismatched line without 4, a non-integer image number, a missing image, or a file
            with fewer or more pair lines than the header promises; the message names file and line.
    """
    root = Path(root)
    listing = root / pairs_file
    lines = numbered_lines(listing)
    first = next(lines, None)
    if first is None:
        raise LayoutError(listing, "file is empty (expected a header 'folds pairs_per_fold')", 1)
    header_line, header = first
    header_fields = header.split()
    expect_fields(header_fields, 2, listing, header_line, "folds pairs_per_fold")
    num_folds = parse_int(header_fields[0], listing, header_line, "number of folds")
    per_fold = parse_int(header_fields[1], listing, header_line, "pairs per fold")
    images = root / images_dir
    pairs = []
    for fold, same, (number, line) in _expected_slots(num_folds, per_fold, lines, listing, header_line):
        fields = line.split()
        if same:
            expect_fields(fields, 3, listing, number, "name n1 n2 for a matched pair")
            names = (fields[0], fields[0])
            numbers = (fields[1], fields[2])
        else:
            expect_fields(fields, 4, listing, number, "name1 n1 name2 n2 for a mismatched pair")
            names = (fields[0], fields[2])
            numbers = (fields[1], fields[3])
        split = f"fold{fold + 1}"
        faces = []
        for name, number_text in zip(names, numbers, strict=True):
            index = parse_int(number_text, listing, number, "image number")
            image = images / name / f"{name}_{index:04d}.jpg"
            if check_images:
                require_listed_image(image, listing, number)
            faces.append(FaceSample(image=image, split=split, identity=name))
        pairs.append(FacePair(first=faces[0], second=faces[1], same=same, fold=fold, split=split))
    extra = next(lines, None)
    if extra is not None:
        raise LayoutError(
            listing, f"more pair lines than the header's {num_folds} x 2 x {per_fold}", extra[0]
        )
    return pairs


def _expected_slots(
    num_folds: int,
    per_fold: int,
    lines: Iterator[tuple[int, str]],
    listing: Path,
    header_line: int,
) -> Iterator[tuple[int, bool, tuple[int, str]]]:
    """Pair each expected (fold, matched?) slot with the next line; fail loudly if lines run out."""
    last = header_line
    for fold in range(num_folds):
        for same in (True, False):
            for _ in range(per_fold):
                item = next(lines, None)
                if item is None:
                    raise LayoutError(
                        listing,
                        f"truncated: the header promises {num_folds} folds of {per_fold} matched and "
                        f"{per_fold} mismatched pairs, the file ends in fold {fold + 1}",
                        last,
                    )
                last = item[0]
                yield fold, same, item


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("lfw")(load_lfw)
