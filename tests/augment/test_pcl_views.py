"""Tests of PCL's batched views (pcl.md §3.3, §3.4)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from facessl.augment.pcl_views import (
    PhotometricParams,
    apply_distance_crop,
    apply_photometric,
    color_jitter,
    crop_resize,
    gaussian_blur,
    gradient_magnitude,
    pcl_face_views,
    pcl_pose_views,
    pose_view_inputs,
    sample_distance_crop,
    sample_photometric,
)


@pytest.mark.parametrize(("h", "w"), [(64, 64), (37, 45)])
def test_distance_crop_windows_lie_in_distinct_quadrants_and_never_overlap(h: int, w: int) -> None:
    n = 2000
    p = sample_distance_crop(n, h, w, torch.Generator().manual_seed(0))
    bw, bh = int(w * 0.2), int(h * 0.2)
    assert (p.quadrants[:, 0] != p.quadrants[:, 1]).all()
    x0, y0, x1, y1 = p.boxes.unbind(-1)  # each (n, 2)
    assert ((x1 - x0) == 2 * bw).all() and ((y1 - y0) == 2 * bh).all()
    right, bottom = p.quadrants % 2, p.quadrants // 2
    # Quadrant q spans x in [0, w//2) or [w//2, w) and y likewise (half-open).
    qx0, qx1 = torch.where(right == 1, w // 2, 0), torch.where(right == 1, w, w // 2)
    qy0, qy1 = torch.where(bottom == 1, h // 2, 0), torch.where(bottom == 1, h, h // 2)
    assert ((x0 >= qx0) & (x1 <= qx1) & (y0 >= qy0) & (y1 <= qy1)).all()
    apart_x = (x1[:, 0] <= x0[:, 1]) | (x1[:, 1] <= x0[:, 0])
    apart_y = (y1[:, 0] <= y0[:, 1]) | (y1[:, 1] <= y0[:, 0])
    assert (apart_x | apart_y).all()
    # Every quadrant is used, and windows reach both edges of their quadrant (uniform centres).
    assert set(p.quadrants.flatten().tolist()) == {0, 1, 2, 3}
    left = right == 0
    assert x0[left].min() == 0 and x1[left].max() == w // 2 and x1[~left].max() == w


def test_distance_crop_is_replayable_and_per_sample() -> None:
    a = sample_distance_crop(16, 64, 64, torch.Generator().manual_seed(3))
    b = sample_distance_crop(16, 64, 64, torch.Generator().manual_seed(3))
    assert torch.equal(a.boxes, b.boxes)
    assert len({tuple(box.flatten().tolist()) for box in a.boxes}) > 1


def test_crop_resize_matches_interpolating_the_cropped_window() -> None:
    g = torch.Generator().manual_seed(1)
    images = torch.rand(3, 3, 32, 32, generator=g)
    boxes = torch.tensor([[0, 0, 32, 32], [4, 6, 16, 18], [16, 16, 28, 28]])
    out = crop_resize(images, boxes, size=24)
    for i, (x0, y0, x1, y1) in enumerate(boxes.tolist()):
        ref = F.interpolate(images[i : i + 1, :, y0:y1, x0:x1], size=(24, 24), mode="bilinear", align_corners=False)
        assert torch.allclose(out[i : i + 1], ref, atol=1e-5)
    assert torch.allclose(crop_resize(images, boxes[:1].expand(3, 4), size=32), images, atol=1e-5)


def test_apply_distance_crop_returns_the_two_windows() -> None:
    images = torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8)
    p = sample_distance_crop(4, 64, 64, torch.Generator().manual_seed(2))
    v0, v1 = apply_distance_crop(images, p, size=24)  # 24 = 2b: no resampling
    for i in range(4):
        for view, k in ((v0, 0), (v1, 1)):
            x0, y0, x1, y1 = p.boxes[i, k].tolist()
            assert torch.allclose(view[i], images[i, :, y0:y1, x0:x1].float() / 255, atol=1e-5)


def test_gradient_magnitude_matches_official_definition() -> None:
    g = torch.Generator().manual_seed(4)
    x = torch.rand(2, 3, 6, 5, generator=g)
    luma = (x.numpy() * np.array([65.738, 129.057, 25.064]).reshape(1, 3, 1, 1) / 256).sum(1)
    padded = np.pad(luma, ((0, 0), (1, 1), (1, 1)))  # zero padding (official conv2d padding=1)
    ref = np.zeros_like(luma)
    for n in range(2):
        for i in range(6):
            for j in range(5):
                gx = padded[n, i + 1, j + 2] - padded[n, i + 1, j]
                gy = padded[n, i + 2, j + 1] - padded[n, i, j + 1]
                ref[n, i, j] = np.sqrt(gx * gx + gy * gy + 1e-6)
    out = gradient_magnitude(x, overflow="wrap")
    wrapped = np.mod(np.floor(ref * 255), 256) / 255
    assert np.allclose(out[:, 0].numpy(), wrapped, atol=1e-5)
    assert np.allclose(gradient_magnitude(x)[:, 1].numpy(), np.clip(ref, 0, 1), atol=1e-6)


def test_gaussian_blur_matches_per_image_kernel_and_keeps_constants() -> None:
    g = torch.Generator().manual_seed(5)
    x = torch.rand(2, 3, 12, 12, generator=g)
    sigma = torch.tensor([0.5, 2.0])
    out = gaussian_blur(x, sigma)
    for i, s in enumerate(sigma.tolist()):
        t = torch.arange(-3, 4, dtype=torch.float32)
        k = torch.exp(-(t**2) / (2 * s * s))
        k2d = torch.outer(k, k) / k.sum() ** 2
        ref = F.conv2d(F.pad(x[i : i + 1], (3, 3, 3, 3), mode="reflect"), k2d.expand(3, 1, 7, 7), groups=3)
        assert torch.allclose(out[i : i + 1], ref, atol=1e-5)
    flat = torch.full((2, 3, 8, 8), 0.3)
    assert torch.allclose(gaussian_blur(flat, sigma), flat, atol=1e-6)


def test_color_jitter_with_neutral_factors_is_identity() -> None:
    x = torch.rand(4, 3, 8, 8, generator=torch.Generator().manual_seed(6))
    p = sample_photometric(4, torch.Generator().manual_seed(7))
    ones = torch.ones(4)
    neutral = PhotometricParams(
        jitter=p.jitter, brightness=ones, contrast=ones, saturation=ones, hue=torch.zeros(4),
        order=p.order, gray=p.gray, blur=p.blur, sigma=p.sigma, sobel=p.sobel,
    )  # fmt: skip
    assert torch.allclose(color_jitter(x, neutral), x, atol=1e-4)


def test_photometric_probabilities_and_ranges() -> None:
    p = sample_photometric(20_000, torch.Generator().manual_seed(8))
    for flag, prob in ((p.jitter, 0.8), (p.gray, 0.2), (p.blur, 0.8), (p.sobel, 0.6)):  # pcl.md §3.3
        assert abs(flag.float().mean().item() - prob) < 0.02
    assert p.brightness.min() >= 0.2 and p.brightness.max() <= 1.8
    assert p.hue.abs().max() <= 0.2 and p.sigma.min() >= 0.1 and p.sigma.max() <= 2.0
    assert (p.order.sort(dim=1).values == torch.arange(4)).all()
    out = apply_photometric(torch.rand(64, 3, 16, 16), sample_photometric(64, torch.Generator().manual_seed(9)))
    assert out.min() >= 0 and out.max() <= 1


def test_face_views_shapes_and_replay() -> None:
    images = torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8)
    a0, a1 = pcl_face_views(images, torch.Generator().manual_seed(10))
    b0, b1 = pcl_face_views(images, torch.Generator().manual_seed(10))
    assert a0.shape == a1.shape == (4, 3, 64, 64)
    assert torch.equal(a0, b0) and torch.equal(a1, b1)


def test_pose_negatives_are_mirrors_in_official_row_order() -> None:
    images = torch.rand(3, 3, 32, 32)
    positives, flipped = pose_view_inputs(images, num_negatives=5, size=32)
    assert torch.equal(positives[:3], images) and torch.equal(positives[3:], images)
    for k in range(5):
        for i in range(3):
            assert torch.equal(flipped[k * 3 + i], images[i].flip(-1))
    v0, v1, neg = pcl_pose_views(images, torch.Generator().manual_seed(11), num_negatives=5, size=32)
    assert v0.shape == v1.shape == (3, 3, 32, 32) and neg.shape == (15, 3, 32, 32)
    assert not torch.allclose(neg[0], neg[3])  # copies of one mirror are augmented independently
