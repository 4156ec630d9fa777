from dataclasses import replace

import torch

from facessl.augment.views import SIMCLR, ViewAugment, ViewRecipe, apply_view, sample_view_params


def images(n: int = 8, size: int = 32) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 3, size, size, generator=g)


def test_parameters_are_drawn_per_sample() -> None:
    params = sample_view_params(64, 32, 32, SIMCLR, torch.Generator().manual_seed(1))
    assert params.boxes.shape == (64, 4, 2)
    assert len({tuple(b.flatten().tolist()) for b in params.boxes}) == 64  # no two crops alike
    assert 0 < params.flip.sum() < 64 and 0 < params.gray.sum() < 64
    assert params.factors[:, 0].unique().numel() == 64


def test_crops_stay_inside_the_image_and_respect_the_scale_range() -> None:
    recipe = replace(SIMCLR, crop_scale=(0.2, 0.6))
    p = sample_view_params(500, 40, 40, recipe, torch.Generator().manual_seed(2))
    xs, ys = p.boxes[..., 0], p.boxes[..., 1]
    assert xs.min() >= 0 and ys.min() >= 0 and xs.max() <= 39 + 1e-4 and ys.max() <= 39 + 1e-4
    area = (xs[:, 1] - xs[:, 0]) * (ys[:, 2] - ys[:, 1]) / 39**2
    assert area.min() >= 0.2 - 1e-3 and area.max() <= 0.6 + 1e-3


def test_same_generator_seed_replays_the_same_views() -> None:
    aug, x = ViewAugment(replace(SIMCLR, size=24)), images()
    a, pa = aug(x, torch.Generator().manual_seed(5))
    b, _ = aug(x, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    assert torch.equal(aug.replay(x, pa), a)
    c, _ = aug(x, torch.Generator().manual_seed(6))
    assert not torch.equal(a, c)


def test_flip_parameter_mirrors_the_view() -> None:
    recipe = ViewRecipe(size=32, crop_scale=(1.0, 1.0), crop_ratio=(1.0, 1.0), jitter_p=0, grayscale_p=0, blur_p=0)
    x = images(4)
    params = sample_view_params(4, 32, 32, recipe, torch.Generator().manual_seed(0))
    params.flip[:] = torch.tensor([True, False, True, False])
    out = apply_view(x, params, 32, recipe.blur_kernel)
    assert torch.allclose(out[0], x[0].flip(-1), atol=1e-5)
    assert torch.allclose(out[1], x[1], atol=1e-5)


def test_views_are_in_range_and_grayscale_has_equal_channels() -> None:
    recipe = replace(SIMCLR, size=16, grayscale_p=1.0, solarize_p=0.5)
    out, _ = ViewAugment(recipe)(images(16), torch.Generator().manual_seed(3))
    assert out.shape == (16, 3, 16, 16) and out.min() >= 0 and out.max() <= 1
    assert torch.allclose(out[:, 0], out[:, 1]) and torch.allclose(out[:, 1], out[:, 2])


def test_a_view_with_every_augmentation_off_is_the_image() -> None:
    recipe = ViewRecipe(size=32, crop_scale=(1.0, 1.0), crop_ratio=(1.0, 1.0), flip_p=0, jitter_p=0, grayscale_p=0, blur_p=0)
    x = images(3)
    out, _ = ViewAugment(recipe)(x, torch.Generator().manual_seed(0))
    assert torch.allclose(out, x, atol=1e-5)
