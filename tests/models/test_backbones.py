import pytest
import torch

from facessl.config import ConfigError
from facessl.models.backbones import BACKBONES, build_backbone


@pytest.mark.parametrize("name", [n for n in BACKBONES.names() if n != "timm"])
def test_backbone_returns_pooled_features_of_its_declared_size(name: str) -> None:
    net = build_backbone(name)
    out = net(torch.rand(2, 3, 64, 64))
    assert out.shape == (2, net.num_features)


@pytest.mark.parametrize("stem", ["imagenet", "face64", "cifar"])
def test_resnet_stems_accept_small_faces(stem: str) -> None:
    net = build_backbone("resnet18", stem=stem)
    assert net(torch.rand(2, 3, 32, 32)).shape == (2, 512)


def test_resnet_parameter_names_match_torchvision_without_fc() -> None:
    import torchvision

    ours = set(build_backbone("resnet18", stem="imagenet").state_dict())
    theirs = {k for k in torchvision.models.resnet18().state_dict() if not k.startswith("fc.")}
    assert ours == theirs


def test_bad_backbone_arguments_name_the_key() -> None:
    with pytest.raises(ConfigError, match="backbone.stem"):
        build_backbone("resnet18", stem="huge")
    with pytest.raises(ConfigError, match="unknown key 'backbone.depth'"):
        build_backbone("resnet18", depth=34)


def test_registering_a_name_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        BACKBONES.register("resnet18")(lambda: None)


def test_timm_backbone_when_installed() -> None:
    pytest.importorskip("timm")
    net = build_backbone("timm", model_name="resnet18")
    assert net(torch.rand(2, 3, 64, 64)).shape == (2, net.num_features)
