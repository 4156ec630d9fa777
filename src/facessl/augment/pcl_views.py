"""PCL's views, batched on the device: DistanceCrop, the photometric pipeline with the official
"Sobel" gradient transform, and the pose step's flipped negatives (pcl.md §3.3, §3.4, §8.8).

Every random choice is drawn per sample from an explicit `torch.Generator` by a sampler that
returns a frozen parameter record; the `apply_*` functions are pure, so views can be replayed.
The official pipeline runs per image in PIL on CPU workers; here the same operations run on
float [0, 1] tensors, with the deviations named where they occur:

- no uint8 quantisation between steps (PIL round-trips after every op);
- the gradient magnitude is clamped to [0, 1] where the official uint8 cast wraps values above 1
  (pcl.md §7.3 item 9); `sobel_overflow="wrap"` reproduces the wrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import kornia
import torch
import torch.nn.functional as F
from torch import Tensor

# pcl.md §3.3: DistanceCrop(ratio=0.4): a window of 40% of each side inside a quadrant.
CROP_RATIO = 0.4
# pcl.md §3.2-§3.4: every view is resized to 64x64 (VoxCeleb frames are 64 px crops).
VIEW_SIZE = 64
# pcl.md §3.3 step 2: ColorJitter(0.8, 0.8, 0.8, 0.2) applied with p = 0.8.
JITTER_P, JITTER_STRENGTH, HUE_STRENGTH = 0.8, 0.8, 0.2
# pcl.md §3.3 step 3: RandomGrayscale(p=0.2), PIL "L" luma weights.
GRAY_P = 0.2
LUMA = (0.299, 0.587, 0.114)
# pcl.md §3.3 step 4: 7-tap Gaussian blur (int(0.1 * 64) = 6 -> radius 3), sigma ~ U(0.1, 2), p = 0.8.
BLUR_P, BLUR_RADIUS, BLUR_SIGMA = 0.8, 3, (0.1, 2.0)
# pcl.md §3.3 step 5: "Sobel" with p = 0.6 on BT.601 luma without offset, weights / 256 (sum 0.86).
SOBEL_P = 0.6
SOBEL_LUMA = (65.738 / 256, 129.057 / 256, 25.064 / 256)
# pcl.md §3.4, §7.3 item 12: 100 flipped copies per image in the pose step.
NUM_POSE_NEGATIVES = 100


def _rand(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> Tensor:
    # Drawn on the generator's device (a CPU generator may drive CUDA views), then moved.
    return torch.rand(shape, generator=generator, device=generator.device).to(device)


def as_float01(images: Tensor) -> Tensor:
    """uint8 (N, C, H, W) -> float32 in [0, 1]; float input is returned as float32."""
    return images.float().div(255.0) if images.dtype == torch.uint8 else images.float()


def resize(images: Tensor, size: int = VIEW_SIZE) -> Tensor:
    """Resize to size x size like PIL's bilinear Resize (antialiased when shrinking)."""
    if images.shape[-2:] == (size, size):
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False, antialias=True).clamp(0, 1)


# ----------------------------------------------------------------------------- DistanceCrop


@dataclass(frozen=True)
class DistanceCropParams:
    """Per-sample DistanceCrop draw.

    Attributes:
        quadrants: the two distinct quadrants, 0 top-left, 1 top-right, 2 bottom-left,
            3 bottom-right; (N, 2) int64.
        boxes: the two windows as half-open pixel boxes (x0, y0, x1, y1); (N, 2, 4) int64.
    """

    quadrants: Tensor
    boxes: Tensor


def sample_distance_crop(
    n: int,
    height: int,
    width: int,
    generator: torch.Generator,
    ratio: float = CROP_RATIO,
    device: torch.device | str = "cpu",
) -> DistanceCropParams:
    """Draw two non-overlapping windows per image in two distinct quadrants (pcl.md §3.3).

    With b = int(ratio / 2 * side), a centre is drawn uniformly among the integers that keep the
    2b-wide window inside the chosen quadrant (e.g. quadrant 0: x in [b, W//2 - b]), as the
    official `random.randint` does. Windows in different quadrants never overlap.
    """
    device = torch.device(device)
    bw, bh = int(width * (ratio / 2)), int(height * (ratio / 2))
    # The official assertion (b < side // 2), plus b > 0 and room for a 2b window in a quadrant.
    if not (0 < 2 * bw <= width // 2 and 0 < 2 * bh <= height // 2):
        raise ValueError(f"DistanceCrop ratio {ratio} does not fit a {height}x{width} image")
    quadrants = _rand((n, 4), generator, device).argsort(dim=1)[:, :2]  # two distinct, in random order
    right, bottom = quadrants % 2, quadrants // 2
    # Integer centre in [lo, hi] inclusive: lo + floor(u * (hi - lo + 1)).
    # The right/bottom quadrants are one pixel wider for odd sides (they start at side // 2).
    span_x = torch.where(right == 1, width - width // 2, width // 2) - 2 * bw + 1
    span_y = torch.where(bottom == 1, height - height // 2, height // 2) - 2 * bh + 1
    cx = bw + right * (width // 2) + torch.minimum((_rand((n, 2), generator, device) * span_x).long(), span_x - 1)
    cy = bh + bottom * (height // 2) + torch.minimum((_rand((n, 2), generator, device) * span_y).long(), span_y - 1)
    boxes = torch.stack([cx - bw, cy - bh, cx + bw, cy + bh], dim=-1)
    return DistanceCropParams(quadrants=quadrants, boxes=boxes)


def crop_resize(images: Tensor, boxes: Tensor, size: int = VIEW_SIZE) -> Tensor:
    """Crop a half-open pixel box per image and resize it bilinearly to size x size.

    Uses half-pixel centres with clamping at the window's edge, which is what PIL's bilinear
    resize of the cropped image computes when enlarging (PCL enlarges 24 px crops to 64 px).
    Shrinking is not antialiased (PIL would be); PCL's crops are always enlarged.

    Shape:
        - images: (N, C, H, W) float
        - boxes: (N, 4) as (x0, y0, x1, y1)
        - Output: (N, C, size, size)
    """
    n, c, h, w = images.shape
    boxes = boxes.to(images.device, images.dtype)
    u = torch.arange(size, device=images.device, dtype=images.dtype) + 0.5  # output pixel centres

    def source(lo: Tensor, hi: Tensor, side: int) -> Tensor:
        # Source pixel coordinate of each output centre, clamped to the window's edge pixels so
        # nothing outside the crop leaks in; then normalised for align_corners=False.
        pos = lo[:, None] + u[None] * ((hi - lo) / size)[:, None] - 0.5
        pos = torch.minimum(torch.maximum(pos, lo[:, None]), hi[:, None] - 1)
        return (2 * pos + 1) / side - 1  # (N, size)

    gx, gy = source(boxes[:, 0], boxes[:, 2], w), source(boxes[:, 1], boxes[:, 3], h)
    grid = torch.stack([gx[:, None, :].expand(n, size, size), gy[:, :, None].expand(n, size, size)], dim=-1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def apply_distance_crop(images: Tensor, params: DistanceCropParams, size: int = VIEW_SIZE) -> tuple[Tensor, Tensor]:
    """The two DistanceCrop windows of each image, each resized to size x size (pcl.md §3.3)."""
    images = as_float01(images)
    return crop_resize(images, params.boxes[:, 0], size), crop_resize(images, params.boxes[:, 1], size)


# ----------------------------------------------------------------------------- photometric


@dataclass(frozen=True)
class PhotometricParams:
    """Per-sample draw of PCL's photometric pipeline (pcl.md §3.3 steps 2-5); all shapes (N,) or (N, 4).

    Attributes:
        jitter: apply ColorJitter; brightness, contrast, saturation: factors in [0.2, 1.8];
            hue: shift in [-0.2, 0.2] turns; order: per-sample order of the four jitter ops
            (torchvision draws a new order per call, i.e. per image), (N, 4).
        gray: apply grayscale. blur: apply Gaussian blur; sigma: its sigma in [0.1, 2].
        sobel: apply the gradient-magnitude transform.
    """

    jitter: Tensor
    brightness: Tensor
    contrast: Tensor
    saturation: Tensor
    hue: Tensor
    order: Tensor
    gray: Tensor
    blur: Tensor
    sigma: Tensor
    sobel: Tensor


def sample_photometric(n: int, generator: torch.Generator, device: torch.device | str = "cpu") -> PhotometricParams:
    """Draw `n` independent parameter sets of the PCL photometric pipeline."""
    device = torch.device(device)
    u = _rand((n, 9), generator, device)
    factor = lambda col: 1.0 - JITTER_STRENGTH + 2 * JITTER_STRENGTH * u[:, col]  # noqa: E731
    return PhotometricParams(
        jitter=u[:, 0] < JITTER_P,
        brightness=factor(1),
        contrast=factor(2),
        saturation=factor(3),
        hue=(2 * u[:, 4] - 1) * HUE_STRENGTH,
        order=_rand((n, 4), generator, device).argsort(dim=1),
        gray=u[:, 5] < GRAY_P,
        blur=u[:, 6] < BLUR_P,
        sigma=BLUR_SIGMA[0] + (BLUR_SIGMA[1] - BLUR_SIGMA[0]) * u[:, 7],
        sobel=u[:, 8] < SOBEL_P,
    )


def _luma(x: Tensor, weights: tuple[float, float, float] = LUMA) -> Tensor:
    w = torch.tensor(weights, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * w).sum(dim=1, keepdim=True)  # (N, 1, H, W)


def _per_sample(v: Tensor) -> Tensor:
    return v.view(-1, 1, 1, 1)


def adjust_brightness(x: Tensor, factor: Tensor) -> Tensor:
    """torchvision semantics: x * f, clamped."""
    return (x * _per_sample(factor)).clamp(0, 1)


def adjust_contrast(x: Tensor, factor: Tensor) -> Tensor:
    """torchvision semantics: blend with the mean luma of each image, clamped."""
    mean = _luma(x).mean(dim=(1, 2, 3), keepdim=True)
    f = _per_sample(factor)
    return (f * x + (1 - f) * mean).clamp(0, 1)


def adjust_saturation(x: Tensor, factor: Tensor) -> Tensor:
    """torchvision semantics: blend with the grayscale image, clamped."""
    f = _per_sample(factor)
    return (f * x + (1 - f) * _luma(x)).clamp(0, 1)


def adjust_hue(x: Tensor, shift: Tensor) -> Tensor:
    """Rotate hue by `shift` turns (torchvision's hue_factor), per sample."""
    hsv = kornia.color.rgb_to_hsv(x)
    two_pi = 2 * torch.pi
    h = torch.remainder(hsv[:, :1] + _per_sample(shift) * two_pi, two_pi)
    return kornia.color.hsv_to_rgb(torch.cat([h, hsv[:, 1:]], dim=1)).clamp(0, 1)


def color_jitter(x: Tensor, p: PhotometricParams) -> Tensor:
    """ColorJitter with a per-sample op order: each of 4 slots evaluates the 4 ops and selects.

    Selecting with `torch.where` costs 16 op evaluations instead of 4 but keeps the batch
    on the device without per-sample Python branches (STYLE.md §3.10).
    """
    for slot in range(4):
        op = _per_sample(p.order[:, slot])
        x = torch.where(
            op == 0,
            adjust_brightness(x, p.brightness),
            torch.where(
                op == 1,
                adjust_contrast(x, p.contrast),
                torch.where(op == 2, adjust_saturation(x, p.saturation), adjust_hue(x, p.hue)),
            ),
        )
    return x


def gaussian_blur(x: Tensor, sigma: Tensor, radius: int = BLUR_RADIUS) -> Tensor:
    """Separable Gaussian blur with one sigma per sample and reflection padding (pcl.md §3.3 step 4).

    Shape:
        - x: (N, C, H, W), with H, W > radius
        - sigma: (N,)
        - Output: (N, C, H, W)
    """
    n, c, h, w = x.shape
    taps = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-(taps[None] ** 2) / (2 * sigma.to(x.dtype)[:, None] ** 2))
    kernel = (kernel / kernel.sum(dim=1, keepdim=True)).repeat_interleave(c, dim=0)  # (N*C, K)
    k = 2 * radius + 1
    y = F.pad(x, (radius,) * 4, mode="reflect").reshape(1, n * c, h + 2 * radius, w + 2 * radius)
    y = F.conv2d(y, kernel.view(n * c, 1, k, 1), groups=n * c)
    y = F.conv2d(y, kernel.view(n * c, 1, 1, k), groups=n * c)
    return y.view(n, c, h, w)


def gradient_magnitude(x: Tensor, overflow: Literal["clamp", "wrap"] = "clamp") -> Tensor:
    """PCL's "Sobel": central-difference gradient magnitude of 0.86-scaled luma (pcl.md §3.3 step 5).

    gx, gy are [-1, 0, 1] differences with zero padding (so borders get large values),
    magnitude sqrt(gx^2 + gy^2 + 1e-6), replicated to 3 channels. Values reach about 1.2;
    `overflow="clamp"` (facessl default) clips them, `"wrap"` reproduces the official
    uint8 cast (pcl.md §7.3 item 9), which wraps 256 -> 0.

    Shape:
        - x: (N, 3, H, W) in [0, 1]
        - Output: (N, 3, H, W)
    """
    y = F.pad(_luma(x, SOBEL_LUMA), (1, 1, 1, 1))  # zero padding, as the official conv2d(padding=1)
    gx = y[..., 1:-1, 2:] - y[..., 1:-1, :-2]
    gy = y[..., 2:, 1:-1] - y[..., :-2, 1:-1]
    mag = torch.sqrt(gx.square() + gy.square() + 1e-6).expand(-1, 3, -1, -1)
    if overflow == "wrap":
        return torch.remainder(torch.floor(mag * 255), 256) / 255
    return mag.clamp(0, 1)


def apply_photometric(x: Tensor, p: PhotometricParams, sobel_overflow: Literal["clamp", "wrap"] = "clamp") -> Tensor:
    """Jitter (p 0.8) -> grayscale (p 0.2) -> blur (p 0.8) -> Sobel (p 0.6), per pcl.md §3.3.

    Shape:
        - x: (N, 3, H, W) float in [0, 1]
        - Output: (N, 3, H, W) float in [0, 1]
    """
    x = torch.where(_per_sample(p.jitter), color_jitter(x, p), x)
    x = torch.where(_per_sample(p.gray), _luma(x).expand_as(x), x)
    x = torch.where(_per_sample(p.blur), gaussian_blur(x, p.sigma), x)
    return torch.where(_per_sample(p.sobel), gradient_magnitude(x, sobel_overflow), x)


# ----------------------------------------------------------------------------- composed views


def pcl_face_views(images: Tensor, generator: torch.Generator, size: int = VIEW_SIZE) -> tuple[Tensor, Tensor]:
    """Face-aware step views: two DistanceCrop windows per image, each photometrically augmented.

    Shape:
        - images: (B, 3, H, W), uint8 or float in [0, 1]
        - Output: two (B, 3, size, size) float tensors; row i of both comes from image i
    """
    x = as_float01(images)
    crop = sample_distance_crop(x.shape[0], x.shape[-2], x.shape[-1], generator, device=x.device)
    v0, v1 = apply_distance_crop(x, crop, size)
    views = apply_photometric(torch.cat([v0, v1]), sample_photometric(2 * x.shape[0], generator, x.device))
    return views[: x.shape[0]], views[x.shape[0] :]


def pcl_pose_views(
    images: Tensor, generator: torch.Generator, num_negatives: int = NUM_POSE_NEGATIVES, size: int = VIEW_SIZE
) -> tuple[Tensor, Tensor, Tensor]:
    """Pose step views (pcl.md §3.4): two augmented views of each whole image (positives) and
    `num_negatives` independently augmented views of its horizontal mirror.

    Returns:
        (v0, v1, negatives); negatives row k * B + i is flipped view k of image i, the order in
        which the official loader concatenates them (what `PoseInfoNCELoss` expects).

    Shape:
        - images: (B, 3, H, W), uint8 or float in [0, 1]
        - Output: (B, 3, size, size), (B, 3, size, size), (num_negatives * B, 3, size, size)
    """
    positives, flipped = pose_view_inputs(images, num_negatives, size)
    b = positives.shape[0] // 2
    positives = apply_photometric(positives, sample_photometric(2 * b, generator, positives.device))
    negatives = apply_photometric(flipped, sample_photometric(flipped.shape[0], generator, flipped.device))
    return positives[:b], positives[b:], negatives


def pose_view_inputs(
    images: Tensor, num_negatives: int = NUM_POSE_NEGATIVES, size: int = VIEW_SIZE
) -> tuple[Tensor, Tensor]:
    """Un-augmented pose-step inputs: each image twice, and its mirror `num_negatives` times.

    Returns:
        (positives, flipped): positives row v * B + i is copy v of image i, flipped row
        k * B + i is copy k of the mirror of image i.

    Shape:
        - images: (B, 3, H, W)
        - Output: (2B, 3, size, size), (num_negatives * B, 3, size, size)
    """
    x = resize(as_float01(images), size)
    return x.repeat(2, 1, 1, 1), x.flip(-1).repeat(num_negatives, 1, 1, 1)


__all__ = [
    "DistanceCropParams",
    "PhotometricParams",
    "apply_distance_crop",
    "apply_photometric",
    "as_float01",
    "color_jitter",
    "crop_resize",
    "gaussian_blur",
    "gradient_magnitude",
    "pcl_face_views",
    "pcl_pose_views",
    "pose_view_inputs",
    "resize",
    "sample_distance_crop",
    "sample_photometric",
]
