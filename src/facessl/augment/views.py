"""Batched view augmentation on the training device, with per-sample parameters (kornia ops).

Three parts, as in kornia but flatter: `sample_view_params` draws every random factor for a
batch from an explicit `torch.Generator` (one row per sample, so two images of a batch never share
a crop or a jitter); `apply_view` is a pure function of the images and those parameters (so a
view can be replayed, and PCL can read which views were flipped); `ViewAugment` binds a recipe.
No Python branch depends on tensor values: each op runs on the whole batch and `torch.where`
keeps it only for the samples that drew it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch
from kornia import enhance, filters
from kornia.color import rgb_to_grayscale
from kornia.geometry.transform import crop_and_resize
from torch import Tensor


@dataclass(frozen=True)
class ViewRecipe:
    """Probabilities and ranges of one view's augmentations (torchvision semantics).

    Args:
        size: output side in pixels.
        crop_scale: range of the crop's area as a fraction of the image (RandomResizedCrop).
        crop_ratio: range of the crop's aspect ratio w/h, sampled log-uniformly.
        flip_p: probability of a horizontal flip.
        jitter_p: probability of colour jitter.
        brightness: brightness factor drawn from [1 - b, 1 + b].
        contrast: contrast factor drawn from [1 - c, 1 + c].
        saturation: saturation factor drawn from [1 - s, 1 + s].
        hue: hue shift drawn from [-h, h], in fractions of the colour circle (h ≤ 0.5).
        grayscale_p: probability of conversion to grey (kept 3-channel).
        blur_p: probability of Gaussian blur.
        blur_sigma: range of the blur's standard deviation in pixels of a 224 px image (SimCLR §A:
            0.1-2.0), scaled to `size`.
        solarize_p: probability of solarisation at threshold 0.5.
    """

    size: int = 64
    crop_scale: tuple[float, float] = (0.08, 1.0)
    crop_ratio: tuple[float, float] = (3 / 4, 4 / 3)
    flip_p: float = 0.5
    jitter_p: float = 0.8
    brightness: float = 0.4
    contrast: float = 0.4
    saturation: float = 0.4
    hue: float = 0.1
    grayscale_p: float = 0.2
    blur_p: float = 0.5
    blur_sigma: tuple[float, float] = (0.1, 2.0)
    solarize_p: float = 0.0

    @property
    def blur_kernel(self) -> int:
        # SimCLR §B.4: kernel 10% of the image side; odd, at least 3.
        return max(3, int(0.1 * self.size) // 2 * 2 + 1)


# Recipes of the baselines, as their papers give them (strengths for 224 px ImageNet crops;
# the blur sigma is scaled to the output size by `blur_kernel` and `blur_sigma` in pixels).
SIMCLR = ViewRecipe(brightness=0.8, contrast=0.8, saturation=0.8, hue=0.2)  # SimCLR §A, strength s=1
MOCO_V2 = ViewRecipe(crop_scale=(0.2, 1.0))  # MoCo v2 (Chen et al. 2020b): jitter 0.4/0.4/0.4/0.1 p=0.8, blur p=0.5
BYOL_1 = ViewRecipe(crop_scale=(0.08, 1.0), contrast=0.4, saturation=0.2, hue=0.1, blur_p=1.0)  # BYOL Table 6, view τ
BYOL_2 = ViewRecipe(crop_scale=(0.08, 1.0), contrast=0.4, saturation=0.2, hue=0.1, blur_p=0.1, solarize_p=0.2)  # view τ'


@dataclass
class ViewParams:
    """Per-sample parameters of a batch of views; every field has a leading batch dimension (N,).

    Attributes:
        boxes: crop corners in pixels of the source image, (N, 4, 2) as (x, y), clockwise from top-left.
        flip: whether the crop was mirrored left-right, (N,) bool.
        jitter: whether colour jitter applied, (N,) bool.
        factors: brightness, contrast, saturation multipliers and hue shift, (N, 4).
        gray: (N,) bool.
        blur_sigma: (N,) float; 0 where no blur was drawn.
        solarize: (N,) bool.
    """

    boxes: Tensor
    flip: Tensor
    jitter: Tensor
    factors: Tensor
    gray: Tensor
    blur_sigma: Tensor
    solarize: Tensor

    def __getitem__(self, index: Tensor | slice) -> ViewParams:
        return ViewParams(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def _uniform(n: int, low: float, high: float, g: torch.Generator, device: torch.device) -> Tensor:
    return low + (high - low) * torch.rand(n, generator=g, device=device)


def sample_view_params(
    n: int, height: int, width: int, recipe: ViewRecipe, generator: torch.Generator
) -> ViewParams:
    """Draw the parameters of `n` views of (height × width) images.

    The crop follows RandomResizedCrop, except that an out-of-range draw is clamped to the image
    instead of re-drawn up to 10 times (keeps the sampler branch-free and batched).
    """
    g, dev = generator, generator.device
    area = _uniform(n, *recipe.crop_scale, g, dev)
    log_ratio = _uniform(n, math.log(recipe.crop_ratio[0]), math.log(recipe.crop_ratio[1]), g, dev)
    ratio = torch.exp(log_ratio)
    # Fractions of the side lengths; the aspect ratio is w/h in pixels.
    w = torch.sqrt(area * ratio * height / width).clamp(max=1.0)
    h = torch.sqrt(area / ratio * width / height).clamp(max=1.0)
    x0 = torch.rand(n, generator=g, device=dev) * (1 - w)
    y0 = torch.rand(n, generator=g, device=dev) * (1 - h)
    x1, y1 = x0 + w, y0 + h
    # Pixel corners with align_corners=True: the crop spans [x0, x1] × [y0, y1] of (W-1, H-1).
    xs = torch.stack([x0, x1, x1, x0], 1) * (width - 1)
    ys = torch.stack([y0, y0, y1, y1], 1) * (height - 1)
    boxes = torch.stack([xs, ys], dim=2)

    def coin(p: float) -> Tensor:
        return torch.rand(n, generator=g, device=dev) < p

    multipliers = torch.stack(
        [
            _uniform(n, 1 - recipe.brightness, 1 + recipe.brightness, g, dev),
            _uniform(n, 1 - recipe.contrast, 1 + recipe.contrast, g, dev),
            _uniform(n, 1 - recipe.saturation, 1 + recipe.saturation, g, dev),
        ],
        dim=1,
    ).clamp(min=0.0)
    hue = _uniform(n, -recipe.hue, recipe.hue, g, dev)
    factors = torch.cat([multipliers, hue[:, None]], dim=1)
    blur = coin(recipe.blur_p)
    sigma = _uniform(n, *recipe.blur_sigma, g, dev) * recipe.size / 224
    return ViewParams(
        boxes=boxes,
        flip=coin(recipe.flip_p),
        jitter=coin(recipe.jitter_p),
        factors=factors,
        gray=coin(recipe.grayscale_p),
        blur_sigma=torch.where(blur, sigma, torch.zeros_like(sigma)),
        solarize=coin(recipe.solarize_p),
    )


def _where(mask: Tensor, a: Tensor, b: Tensor) -> Tensor:
    return torch.where(mask.view(-1, 1, 1, 1), a, b)


def apply_view(images: Tensor, params: ViewParams, size: int, blur_kernel: int) -> Tensor:
    """Render views of float images in [0, 1].

    Shape:
        images: (N, 3, H, W); output: (N, 3, size, size), in [0, 1].
    """
    x = crop_and_resize(images, params.boxes, (size, size), mode="bilinear", align_corners=True)
    x = _where(params.flip, x.flip(-1), x)
    b, c, s, h = params.factors.unbind(1)
    j = (x * b.view(-1, 1, 1, 1)).clamp(0, 1)
    j = enhance.adjust_contrast_with_mean_subtraction(j, c).clamp(0, 1)
    j = enhance.adjust_saturation(j, s).clamp(0, 1)
    j = enhance.adjust_hue(j, h * 2 * math.pi).clamp(0, 1)  # kornia takes radians
    x = _where(params.jitter, j, x)
    x = _where(params.gray, rgb_to_grayscale(x).expand_as(x), x)
    sigma = params.blur_sigma.clamp(min=1e-3)
    blurred = filters.gaussian_blur2d(x, (blur_kernel, blur_kernel), torch.stack([sigma, sigma], 1))
    x = _where(params.blur_sigma > 0, blurred, x)
    x = _where(params.solarize, enhance.solarize(x, 0.5), x)
    return x


class ViewAugment:
    """A view recipe bound to sampling and application: `views, params = aug(images, generator)`."""

    def __init__(self, recipe: ViewRecipe) -> None:
        self.recipe = recipe

    def __call__(self, images: Tensor, generator: torch.Generator) -> tuple[Tensor, ViewParams]:
        """Float (N, 3, H, W) in [0, 1] -> views (N, 3, size, size) and their parameters."""
        n, _, height, width = images.shape
        params = sample_view_params(n, height, width, self.recipe, generator)
        return apply_view(images, params, self.recipe.size, self.recipe.blur_kernel), params

    def replay(self, images: Tensor, params: ViewParams) -> Tensor:
        return apply_view(images, params, self.recipe.size, self.recipe.blur_kernel)
