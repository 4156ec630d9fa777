"""CelebA (aligned-and-cropped images) in its published layout, with the official partition.

Layout (ecosystem.md §7; latentface.md §7.1)::

    <root>/img_align_celeba/000001.jpg
    <root>/list_eval_partition.txt   lines "000001.jpg 0"; 0 = train, 1 = val, 2 = test
    <root>/identity_CelebA.txt       optional; lines "000001.jpg 2880"
"""

from __future__ import annotations

from pathlib import Path

from facessl.data.layouts.errors import LayoutError
from facessl.data.layouts.registry import LAYOUTS
from facessl.data.layouts.sample import FaceSample
from facessl.data.layouts.text_files import (
    expect_fields,
    numbered_lines,
    parse_int,
    require_listed_image,
)

IMAGES_DIR = "img_align_celeba"
PARTITION_FILE = "list_eval_partition.txt"
IDENTITY_FILE = "identity_CelebA.txt"
PARTITIONS = {0: "train", 1: "val", 2: "test"}


def load_celeba(
    root: Path | str, images_dir: str = IMAGES_DIR, check_images: bool = True
) -> list[FaceSample]:
    """Read CelebA's partition list, and identities when ``identity_CelebA.txt`` is present.

    Args:
        root: The CelebA folder.
        images_dir: Image folder relative to ``root``.
        check_images: Check that every listed image exists (one ``stat`` per image).

    Returns:
        Samples in partition-file order with ``image``, ``split`` and, if the identity file
        exists, ``identity`` (CelebA's identity number, as a string).

    Raises:
        LayoutError: On a missing partition file, a malformed line, a partition other than 0/1/2,
            an image missing from the identity file (when it exists), or a missing image; the
            message names file and line.
    """
    root = Path(root)
    identities = _read_identities(root / IDENTITY_FILE) if (root / IDENTITY_FILE).is_file() else None
    listing = root / PARTITION_FILE
    samples = []
    for number, line in numbered_lines(listing):
        fields = line.split()
        expect_fields(fields, 2, listing, number, "image partition")
        name, partition_text = fields
        partition = parse_int(partition_text, listing, number, "partition")
        if partition not in PARTITIONS:
            raise LayoutError(listing, f"unknown partition {partition} (expected 0, 1 or 2)", number)
        identity = None
        if identities is not None:
            if name not in identities:
                raise LayoutError(listing, f"image {name} has no line in {IDENTITY_FILE}", number)
            identity = identities[name]
        image = root / images_dir / name
        if check_images:
            require_listed_image(image, listing, number)
        samples.append(FaceSample(image=image, split=PARTITIONS[partition], identity=identity))
    return samples


def _read_identities(path: Path) -> dict[str, str]:
    identities = {}
    for number, line in numbered_lines(path):
        fields = line.split()
        expect_fields(fields, 2, path, number, "image identity")
        identities[fields[0]] = str(parse_int(fields[1], path, number, "identity"))
    return identities


# Registered after the definition, not with the decorator, so that type checkers keep the
# function's own signature (the decorator would retype it as the generic LayoutLoader).
LAYOUTS.register("celeba")(load_celeba)
