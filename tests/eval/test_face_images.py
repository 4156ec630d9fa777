"""Samples become encoder inputs: paths or arrays, square box crops with margin, resize, mirror."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from facessl.data.layouts.sample import FaceSample
from facessl.eval.face_images import Preprocessing, decode_sample, load_face, square_crop


def test_in_memory_grey_array_becomes_rgb_at_input_size() -> None:
    grey = np.arange(48 * 48, dtype=np.uint8).reshape(48, 48)  # FER2013's 48x48 pixels
    out = load_face(FaceSample(grey, "train"), Preprocessing(24, {}))
    assert out.shape == (3, 24, 24) and out.dtype == torch.uint8
    assert torch.equal(out[0], out[1]) and torch.equal(out[1], out[2])


def test_path_sample_decodes_rgb(tmp_path: Path) -> None:
    pixels = np.zeros((10, 20, 3), dtype=np.uint8)
    pixels[..., 0] = 255
    Image.fromarray(pixels).save(tmp_path / "a.png")
    image = decode_sample(FaceSample(tmp_path / "a.png", "test"))
    assert image.shape == (3, 10, 20)
    assert image[0].min() == 255 and image[1:].max() == 0


def test_square_crop_keeps_box_centre_and_pads_outside() -> None:
    image = torch.arange(100, dtype=torch.uint8).reshape(1, 10, 10)
    crop = square_crop(image, (2.0, 3.0, 4.0, 2.0), margin=0.0)  # centre (4, 4), side 4
    assert torch.equal(crop, image[:, 2:6, 2:6])
    grown = square_crop(image, (0.0, 0.0, 2.0, 2.0), margin=0.5)  # side 4 around (1, 1): 1 px outside
    assert grown.shape == (1, 4, 4)
    assert grown[:, 0].sum() == 0 and grown[:, :, 0].sum() == 0
    assert torch.equal(grown[:, 1:, 1:], image[:, :3, :3])


def test_box_crop_is_used_only_when_asked() -> None:
    pixels = np.zeros((40, 40, 3), dtype=np.uint8)
    pixels[10:20, 10:20] = 200
    sample = FaceSample(pixels, "train", box=(10.0, 10.0, 10.0, 10.0))
    assert load_face(sample, Preprocessing(10, {}, crop="box")).min() == 200
    assert load_face(sample, Preprocessing(10, {}, crop="none")).min() == 0


def test_flip_mirrors_left_and_right() -> None:
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    pixels[:, :4] = 255
    plain = load_face(FaceSample(pixels, "train"), Preprocessing(8, {}))
    mirrored = load_face(FaceSample(pixels, "train"), Preprocessing(8, {}, flip=True))
    assert torch.equal(mirrored, plain.flip(-1))
    assert mirrored[:, :, 4:].min() == 255


def test_sample_without_image_is_an_error() -> None:
    with pytest.raises(ValueError, match="no image"):
        decode_sample(FaceSample(None, "all"))


def test_preprocessing_rejects_unknown_crop() -> None:
    with pytest.raises(ValueError, match="crop"):
        Preprocessing(8, {}, crop="centre")  # type: ignore[arg-type]
