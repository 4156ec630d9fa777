"""Reference encoders that give every table a floor: raw pixels and a randomly initialised network.

The ceiling, a supervised encoder trained on the task's labels, is in `facessl.eval.supervised`.
Both references are deterministic: raw pixels have no weights, and the random network is built
under a fixed seed, so its checkpoint hash (of the tensors) is the same on every run.
"""

from __future__ import annotations

import hashlib
from typing import Any

import torch
from torch import Tensor

from facessl.augment.normalize import IMAGENET_MEAN, IMAGENET_STD, Normalize
from facessl.eval.feature_source import FeatureSource, state_sha256
from facessl.models.backbones import build_backbone

RAW_PIXELS_VERSION = "raw-pixels/v1"
# 32 px: the demo's raw-pixel probe (a 12k-dimensional probe at 64 px was slower and no stronger).
DEFAULT_RAW_SIZE = 32
DEFAULT_RANDOM_INPUT_SIZE = 64  # the face64 stem of facessl's ResNets


def raw_pixel_source(size: int = DEFAULT_RAW_SIZE) -> FeatureSource:
    """Raw pixels: the image resized to ``size`` × ``size``, flattened, in [0, 1]; 3·size² features.

    Example:
        >>> src = raw_pixel_source(8)
        >>> src.extract(torch.rand(2, 3, 8, 8)).shape
        torch.Size([2, 192])
    """

    def extract(x: Tensor) -> Tensor:
        return x.flatten(1)

    # No weights: the "checkpoint" is the definition itself, so changing the size changes the key.
    ident = hashlib.sha256(f"{RAW_PIXELS_VERSION}|{size}".encode()).hexdigest()
    return FeatureSource(name=f"raw-pixels@{size}", extract=extract, input_size=size, checkpoint_sha256=ident,
                         site="pixels", normalization={})  # fmt: skip


def random_network_source(
    backbone: str = "resnet18",
    seed: int = 0,
    input_size: int = DEFAULT_RANDOM_INPUT_SIZE,
    device: str | torch.device = "cpu",
    **backbone_args: Any,
) -> FeatureSource:
    """A registered backbone with seeded random weights, fed ImageNet-normalised input.

    BatchNorm layers are used in eval mode with their initial running statistics (mean 0, var 1),
    as a trained encoder's would be at evaluation time.

    Args:
        backbone: Registered backbone name (the same architecture as the encoder under test).
        seed: Seeds the initialisation; the weights, and hence the hash, depend only on it.
        input_size: Side of the input images.
        device: Where the network runs.
        **backbone_args: Constructor arguments of the backbone (e.g. ``stem``).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = build_backbone(backbone, **backbone_args)
    net = net.to(device).eval()
    normalize = Normalize(IMAGENET_MEAN, IMAGENET_STD).to(device)

    def extract(x: Tensor) -> Tensor:
        return net(normalize(x))

    return FeatureSource(
        name=f"random-{backbone}@seed{seed}",
        extract=extract,
        input_size=input_size,
        checkpoint_sha256=state_sha256(net),
        site="encoder",
        normalization={"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        device=torch.device(device),
        modules=(net,),
    )
