"""The tiny export: every dataset-layout loader reads it unchanged, and the side file matches it."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from facessl.data.layouts import load_layout
from facessl.data.layouts.labels import DISFA_ALL_AUS
from facessl.synth.export import LAYOUT_FOLDERS, export
from facessl.synth.export.ground_truth import read_ground_truth
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.factors import FaceFactors


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("synthfaces_tiny")
    counts = export(root, "tiny", seed=0)
    rows = {row["path"]: row for row in read_ground_truth(root)}
    return root, counts, rows


def gt_row(root: Path, rows: dict[str, dict[str, str]], image: object) -> dict[str, str]:
    assert isinstance(image, Path)
    return rows[image.relative_to(root).as_posix()]


def test_every_written_image_has_one_ground_truth_row(tiny) -> None:  # type: ignore[no-untyped-def]
    root, counts, rows = tiny
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.jpg")}
    assert files == set(rows) and len(files) == sum(counts.values())
    for layout, count in counts.items():
        assert sum(1 for r in rows.values() if r["layout"] == layout) == count


def test_rafdb_loader_reads_the_export_with_its_expressions(tiny) -> None:  # type: ignore[no-untyped-def]
    root, counts, rows = tiny
    samples = load_layout("rafdb", root / LAYOUT_FOLDERS["rafdb"])
    assert len(samples) == counts["rafdb"]
    for s in samples:
        row = gt_row(root, rows, s.image)
        assert s.expression == int(row["emotion"]) and (s.split == "test") == (row["split"] == "test")
    with Image.open(samples[0].image) as im:
        assert im.size == (100, 100)


def test_lfw_loader_reads_ten_folds_whose_labels_match_identities(tiny) -> None:  # type: ignore[no-untyped-def]
    root, _, rows = tiny
    pairs = load_layout("lfw", root / LAYOUT_FOLDERS["lfw"])
    assert {p.fold for p in pairs} == set(range(10))
    for p in pairs:
        first, second = gt_row(root, rows, p.first.image), gt_row(root, rows, p.second.image)
        assert p.same == (first["identity"] == second["identity"]) and p.first.image != p.second.image


def test_disfa_loader_reads_intensities_equal_to_the_au_levels(tiny) -> None:  # type: ignore[no-untyped-def]
    root, counts, rows = tiny
    samples = load_layout("disfa", root / LAYOUT_FOLDERS["disfa"], aus=DISFA_ALL_AUS, frames_dir="frames")
    assert len(samples) == counts["disfa"] and len({s.subject for s in samples}) == 6
    for s in samples:
        row = gt_row(root, rows, s.image)
        assert s.frame == int(row["frame"])
        assert s.au_intensity == {au: int(row[f"au{au}_level"]) for au in DISFA_ALL_AUS}
    assert any(v for s in samples for v in s.au_occurrence.values())  # some AU present


@pytest.mark.parametrize("layout", ["300w_lp", "aflw2000"])
def test_pose_loaders_read_yaw_pitch_roll_and_landmarks(tiny, layout: str) -> None:  # type: ignore[no-untyped-def]
    root, counts, rows = tiny
    samples = load_layout(layout, root / LAYOUT_FOLDERS[layout])
    assert len(samples) == counts[layout]
    for s in samples:
        row = gt_row(root, rows, s.image)
        sign = -1.0 if row["mirrored"] == "1" else 1.0
        expected = (sign * float(row["yaw"]), float(row["pitch"]), sign * float(row["roll"]))
        np.testing.assert_allclose(s.pose, expected, atol=1e-3)
        assert s.landmarks is not None and s.landmarks.shape == ((68, 2) if layout == "300w_lp" else (21, 2))
        assert s.box is not None and 0 <= s.box[0] and s.box[0] + s.box[2] <= 64
    if layout == "300w_lp":
        assert any(row["mirrored"] == "1" for row in rows.values() if row["layout"] == "300w_lp")


def test_mirrored_landmarks_keep_their_meaning(tiny) -> None:  # type: ignore[no-untyped-def]
    root, _, _ = tiny
    for flip in (False, True):
        samples = load_layout("300w_lp", root / LAYOUT_FOLDERS["300w_lp"], subsets=["AFW_Flip" if flip else "AFW"])
        for s in samples:
            assert s.landmarks is not None
            assert s.landmarks[36, 0] < s.landmarks[45, 0]  # iBUG 37 (right eye) is left of 46 in the image


def test_celeba_loader_reads_partitions_and_identities(tiny) -> None:  # type: ignore[no-untyped-def]
    root, counts, rows = tiny
    samples = load_layout("celeba", root / LAYOUT_FOLDERS["celeba"])
    assert len(samples) == counts["celeba"] and {s.split for s in samples} == {"train", "val", "test"}
    pairs = {(s.identity, gt_row(root, rows, s.image)["identity"]) for s in samples}
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})  # a bijection of people
    assert all(gt_row(root, rows, s.image)["split"] == s.split for s in samples)


def test_side_file_factors_rerender_the_written_images(tiny) -> None:  # type: ignore[no-untyped-def]
    root, _, rows = tiny
    chosen = [r for r in rows.values() if r["layout"] == "celeba"][:6]  # independent scenes
    columns = {k: np.array([r[k] for r in chosen]) for k in chosen[0]}
    factors = FaceFactors.from_columns(columns)
    images = FaceRenderer().render(factors, 64).images.float()
    for k, row in enumerate(chosen):
        with Image.open(root / row["path"]) as im:
            written = torch.from_numpy(np.array(im.convert("RGB"))).permute(2, 0, 1).float()
        error = float((written - images[k]).abs().mean())
        other = float((written - images[(k + 1) % len(chosen)]).abs().mean())
        assert error < 2.0 and other > 4 * error  # JPEG (quality 95, 4:4:4) is the only difference
