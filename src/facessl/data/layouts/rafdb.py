"""RAF-DB (basic) in its published layout: 7 expressions, official train/test split.

Layout (ecosystem.md §7; pcl.md §3.6; latentface.md §6.1)::

    <root>/EmoLabel/list_patition_label.txt   lines "train_00001.jpg 5" (sic: "patition")
    <root>/Image/aligned/train_00001_aligned.jpg   official 100x100 aligned faces
"""

from __future__ import annotations

from pathlib import Path

from facessl.data.layouts.errors import LayoutError
from facessl.data.layouts.labels import RAFDB_EXPRESSIONS
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import (
    expect_fields,
    numbered_lines,
    parse_int,
    require_listed_image,
)

LABEL_FILE = Path("EmoLabel") / "list_patition_label.txt"
ALIGNED_DIR = Path("Image") / "aligned"


def load_rafdb(root: Path | str, check_images: bool = True) -> list[FaceSample]:
    """Read RAF-DB basic's label list, mapping labels 1..7 to the canonical expression order.

    The split comes from the file-name prefix (``train_`` / ``test_``); RAF-DB has no official
    validation split, so a protocol carves one out of train (ecosystem.md §7).

    Args:
        root: The ``basic`` folder of RAF-DB.
        check_images: Check that every listed aligned image exists (one ``stat`` per image).

    Returns:
        Samples with ``image``, ``expression`` and ``split`` set, in file order.

    Raises:
        LayoutError: On a missing file, a malformed line, an unknown label or split prefix, or
            (with ``check_images``) a listed image that is absent; the message names file and line.
    """
    root = Path(root)
    listing = root / LABEL_FILE
    samples = []
    for number, line in numbered_lines(listing):
        fields = line.split()
        expect_fields(fields, 2, listing, number, "image label")
        name, label_text = fields
        split = name.split("_", 1)[0]
        if split not in ("train", "test"):
            raise LayoutError(listing, f"image name {name!r} starts with neither train_ nor test_", number)
        label = parse_int(label_text, listing, number, "label")
        if label not in RAFDB_EXPRESSIONS:
            raise LayoutError(listing, f"unknown RAF-DB label {label} (expected 1..7)", number)
        stem = Path(name).stem
        image = root / ALIGNED_DIR / f"{stem}_aligned.jpg"
        if check_images:
            require_listed_image(image, listing, number)
        samples.append(FaceSample(image=image, split=split, expression=RAFDB_EXPRESSIONS[label]))
    return samples


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("rafdb")(load_rafdb)
