"""CPLFW (cross-pose LFW) verification pairs in the published layout.

Layout (ecosystem.md §7; latentface.md §6.2 mentions LatentFace's unused ``get_cplfw_line``)::

    <root>/pairs_CPLFW.txt    two consecutive lines per pair, each "filename label"
    <root>/images/<filename>  e.g. Aaron_Eckhart_1.jpg; ``images_dir`` selects "aligned images"

Assumptions that could not be checked against the distributed file (the digests give the line
form and the meaning of ``label``, not the ordering):

- ``label`` is 1 for a same-person pair and 0 for a different-person pair, and both lines of a
  pair carry the same label (checked: a disagreement is an error);
- the 6,000 pairs form 10 contiguous folds of 600 pairs in file order, as LFW's do;
- a file name is ``<identity>_<n>.<ext>``, so the identity is the name before its last ``_``.
"""

from __future__ import annotations

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

PAIRS_FILE = "pairs_CPLFW.txt"
IMAGES_DIR = "images"


def load_cplfw(
    root: Path | str,
    images_dir: str = IMAGES_DIR,
    pairs_file: str = PAIRS_FILE,
    num_folds: int = 10,
    check_images: bool = True,
) -> list[FacePair]:
    """Read CPLFW's two-lines-per-pair list into verification pairs with 10 folds.

    Args:
        root: Folder holding ``pairs_file`` and ``images_dir``.
        images_dir: Image folder relative to ``root``.
        pairs_file: The pair list's name inside ``root``.
        num_folds: Number of contiguous, equal folds the pairs are cut into.
        check_images: Check that both images of every pair exist.

    Returns:
        Pairs in file order; ``fold`` is 0-based and ``split`` is ``fold1`` .. ``fold<num_folds>``.

    Raises:
        LayoutError: On a missing file, a line that is not ``filename label``, a label other than
            0/1, two lines of one pair with different labels, an odd number of lines, a pair count
            not divisible by ``num_folds``, or a missing image; the message names file and line.
    """
    root = Path(root)
    listing = root / pairs_file
    images = root / images_dir
    entries: list[tuple[int, str, int]] = []
    for number, line in numbered_lines(listing):
        fields = line.split()
        expect_fields(fields, 2, listing, number, "filename label")
        label = parse_int(fields[1], listing, number, "label")
        if label not in (0, 1):
            raise LayoutError(
                listing, f"unknown pair label {label} (expected 1 = same, 0 = different)", number
            )
        if check_images:
            require_listed_image(images / fields[0], listing, number)
        entries.append((number, fields[0], label))
    if not entries:
        raise LayoutError(listing, "file holds no pairs")
    if len(entries) % 2:
        raise LayoutError(
            listing, "odd number of lines: the last pair lacks its second image", entries[-1][0]
        )
    num_pairs = len(entries) // 2
    if num_pairs % num_folds:
        raise LayoutError(
            listing, f"{num_pairs} pairs do not split into {num_folds} equal folds", entries[-1][0]
        )
    per_fold = num_pairs // num_folds
    pairs = []
    for index in range(num_pairs):
        (_, name_a, label_a), (line_b, name_b, label_b) = entries[2 * index], entries[2 * index + 1]
        if label_a != label_b:
            raise LayoutError(
                listing,
                f"the two lines of pair {index + 1} disagree on the label ({label_a} vs {label_b})",
                line_b,
            )
        fold = index // per_fold
        split = f"fold{fold + 1}"
        faces = [
            FaceSample(image=images / name, split=split, identity=_identity(name))
            for name in (name_a, name_b)
        ]
        pairs.append(FacePair(first=faces[0], second=faces[1], same=label_a == 1, fold=fold, split=split))
    return pairs


def _identity(file_name: str) -> str:
    stem = Path(file_name).stem
    return stem.rsplit("_", 1)[0] if "_" in stem else stem


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("cplfw")(load_cplfw)
