"""Tests of the official-checkpoint importer (pcl.md §7.4).

The official layout is written out here by hand from the digest (key names and shapes), filled
with random tensors, and the imported model is compared with a functional forward pass written
directly from pcl.md §1.1-§1.3 on the official dict, so neither side reuses facessl's modules.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from facessl.models.pcl import PCLNetworks
from facessl.models.pcl_import import (
    OfficialCheckpointError,
    convert_official_pcl_state_dict,
    encoder_state_dict,
    load_official_pcl_checkpoint,
)
from facessl.models.pcl_encoder import PCLEncoder

# (official module path, weight shape) per pcl.md §1.1 (encoder), §1.2 (heads), §1.3 (decoder).
_CONVS = {
    "encoder.conv1.0": (64, 3, 7, 7),
    "encoder.conv1.2": (64, 64, 3, 3),
    "encoder.layer1.0": (64, 64, 3, 3),
    "encoder.layer1.3": (64, 64, 3, 3),
    "encoder.layer2_1.0": (128, 64, 3, 3),
    "encoder.layer2_1.3": (128, 128, 3, 3),
    "encoder.resblock1.conv1": (128, 128, 3, 3),
    "encoder.resblock1.conv2": (128, 128, 3, 3),
    "encoder.resblock2.conv1": (128, 128, 3, 3),
    "encoder.resblock2.conv2": (128, 128, 3, 3),
    "encoder.layer2_2.0": (128, 128, 3, 3),
    "encoder.layer2_2.2": (128, 128, 3, 3),
    "encoder.layer3_1.0": (256, 128, 3, 3),
    "encoder.layer3_1.2": (128, 256, 3, 3),
    "encoder.layer3_2_exp.0": (128, 128, 3, 3),
    "encoder.layer3_2_exp.2": (128, 128, 3, 3),
    "encoder.layer3_2_pose.0": (128, 128, 3, 3),
    "encoder.layer3_2_pose.2": (128, 128, 3, 3),
    **{f"encoder.layer1.2.{n}": (64, 64, 1, 1) for n in ("g", "theta", "phi")},
    **{f"encoder.layer2_1.2.{n}": (128, 128, 1, 1) for n in ("g", "theta", "phi")},
    "decoder.model.2": (256, 512, 3, 3),
    "decoder.model.6": (256, 256, 3, 3),
    "decoder.model.10": (256, 256, 3, 3),
    "decoder.model.14": (256, 256, 3, 3),
    "decoder.model.18": (128, 256, 3, 3),
    "decoder.model.22": (3, 128, 3, 3),
}
_LINEARS = {
    "exp_fc.0": (2048, 2048),
    "exp_fc.2": (512, 2048),
    "pose_fc.0": (2048, 2048),
    "pose_fc.2": (512, 2048),
    "decoder.fc": (512, 2048),
}
_BATCHNORMS = {
    "exp_fc.3": 512,
    "pose_fc.3": 512,
    "decoder.model.3": 256,
    "decoder.model.7": 256,
    "decoder.model.11": 256,
    "decoder.model.15": 256,
    "decoder.model.19": 128,
}


def _official_state_dict(seed: int = 0) -> dict[str, Tensor]:
    """A random state dict in the official DataParallel layout (`module.` prefix)."""
    g = torch.Generator().manual_seed(seed)
    sd: dict[str, Tensor] = {}
    for name, shape in {**_CONVS, **_LINEARS}.items():
        fan_in = math.prod(shape[1:])
        sd[f"module.{name}.weight"] = torch.randn(shape, generator=g) * math.sqrt(1.0 / fan_in)
        sd[f"module.{name}.bias"] = 0.1 * torch.randn(shape[0], generator=g)
    for name, c in _BATCHNORMS.items():
        sd[f"module.{name}.weight"] = 1 + 0.1 * torch.randn(c, generator=g)
        sd[f"module.{name}.bias"] = 0.1 * torch.randn(c, generator=g)
        sd[f"module.{name}.running_mean"] = 0.1 * torch.randn(c, generator=g)
        sd[f"module.{name}.running_var"] = 1 + torch.rand(c, generator=g)
        sd[f"module.{name}.num_batches_tracked"] = torch.tensor(7)
    return sd


def _conv(sd: dict[str, Tensor], name: str, x: Tensor, stride: int = 1) -> Tensor:
    w = sd[f"module.{name}.weight"]
    return F.conv2d(x, w, sd[f"module.{name}.bias"], stride=stride, padding=w.shape[-1] // 2)


def _attention(sd: dict[str, Tensor], name: str, x: Tensor) -> Tensor:
    # pcl.md §1.1 SA block, written from its prose.
    n, c, h, w = x.shape
    g = _conv(sd, f"{name}.g", x).reshape(n, c, -1).softmax(dim=1)
    theta = _conv(sd, f"{name}.theta", x).reshape(n, c, -1).softmax(dim=2)
    phi = _conv(sd, f"{name}.phi", x).reshape(n, c, -1)
    out = (phi @ theta.transpose(1, 2)) @ g
    return F.leaky_relu(x + out.reshape(n, c, h, w), 0.1)


def _reference_encoder(sd: dict[str, Tensor], x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    act = lambda t: F.leaky_relu(t, 0.1)  # noqa: E731
    x = act(_conv(sd, "encoder.conv1.2", act(_conv(sd, "encoder.conv1.0", x, 2))))
    x = act(_conv(sd, "encoder.layer1.3", _attention(sd, "encoder.layer1.2", act(_conv(sd, "encoder.layer1.0", x)))))
    x = act(_conv(sd, "encoder.layer2_1.3", _attention(sd, "encoder.layer2_1.2", act(_conv(sd, "encoder.layer2_1.0", x, 2)))))
    for block in ("resblock1", "resblock2"):
        x = act(x + _conv(sd, f"encoder.{block}.conv2", act(_conv(sd, f"encoder.{block}.conv1", x))))
    x = act(_conv(sd, "encoder.layer2_2.2", act(_conv(sd, "encoder.layer2_2.0", x, 2))))
    t = act(_conv(sd, "encoder.layer3_1.2", act(_conv(sd, "encoder.layer3_1.0", x, 2))))
    f = act(_conv(sd, "encoder.layer3_2_exp.2", act(_conv(sd, "encoder.layer3_2_exp.0", t))))
    p = act(_conv(sd, "encoder.layer3_2_pose.2", act(_conv(sd, "encoder.layer3_2_pose.0", t))))
    return t.flatten(1), f.flatten(1), p.flatten(1)


def _linear(sd: dict[str, Tensor], name: str, x: Tensor) -> Tensor:
    return F.linear(x, sd[f"module.{name}.weight"], sd[f"module.{name}.bias"])


def _bn(sd: dict[str, Tensor], name: str, x: Tensor) -> Tensor:
    p = f"module.{name}."
    return F.batch_norm(x, sd[p + "running_mean"], sd[p + "running_var"], sd[p + "weight"], sd[p + "bias"], training=False)


def _reference_decoder(sd: dict[str, Tensor], z: Tensor) -> Tensor:
    x = F.relu(_linear(sd, "decoder.fc", z)[:, :, None, None])
    for conv, bn in ((2, 3), (6, 7), (10, 11), (14, 15), (18, 19), (22, None)):
        x = _conv(sd, f"decoder.model.{conv}", F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
        x = torch.tanh(x) if bn is None else F.relu(_bn(sd, f"decoder.model.{bn}", x))
    return x


def test_import_reproduces_official_forward(tmp_path: Path) -> None:
    sd = _official_state_dict()
    path = tmp_path / "best.pth"
    torch.save({"epoch": 300, "state_dict": sd}, path)  # the official checkpoint wrapper (pcl.md §4)
    nets = load_official_pcl_checkpoint(path).eval()
    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref_t, ref_f, ref_p = _reference_encoder(sd, x)
        t, f, p = nets.encoder.forward_all(x)
        for ours, ref in ((t, ref_t), (f, ref_f), (p, ref_p)):
            assert torch.allclose(ours, ref, atol=1e-5, rtol=1e-4)
        ref_head = _bn(sd, "exp_fc.3", _linear(sd, "exp_fc.2", F.relu(_linear(sd, "exp_fc.0", ref_f))))
        assert torch.allclose(nets.exp_fc(f), ref_head, atol=1e-4, rtol=1e-4)
        z = F.normalize(ref_f + ref_p, dim=1)
        assert torch.allclose(nets.decode(f, p), _reference_decoder(sd, z), atol=1e-5)
    # Round trip: facessl's state dict, re-prefixed, converts back to itself.
    again = convert_official_pcl_state_dict({f"module.{k}": v for k, v in nets.state_dict().items()})
    assert all(torch.equal(again[k], v) for k, v in nets.state_dict().items())


def test_encoder_only_weights_load_into_bare_encoder() -> None:
    converted = convert_official_pcl_state_dict(_official_state_dict())
    enc = PCLEncoder(input_size=100)  # probes run the same weights at 100 px (pcl.md §5.1)
    enc.load_state_dict(encoder_state_dict(converted), strict=True)
    assert enc(torch.rand(1, 3, 100, 100)).shape == (1, 6272)


def test_import_names_missing_unexpected_and_misshaped_keys() -> None:
    sd = _official_state_dict()
    del sd["module.encoder.layer1.2.theta.weight"]
    sd["module.encoder.layer3_2.0.weight"] = torch.zeros(1)  # FaceCycle's unsplit layer (pcl.md §1.1)
    sd["module.exp_fc.2.weight"] = torch.zeros(256, 2048)
    with pytest.raises(OfficialCheckpointError) as info:
        convert_official_pcl_state_dict(sd)
    message = str(info.value)
    assert "missing (1): encoder.layer1.2.theta.weight" in message
    assert "unexpected (1): module.encoder.layer3_2.0.weight" in message
    assert "exp_fc.2.weight (256, 2048) != (512, 2048)" in message


def test_import_fills_absent_batchnorm_counters() -> None:
    sd = {k: v for k, v in _official_state_dict().items() if not k.endswith("num_batches_tracked")}
    PCLNetworks().load_state_dict(convert_official_pcl_state_dict(sd), strict=True)


def test_import_cli_writes_encoder_and_networks_that_reproduce_the_official_forward(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from facessl.cli import app
    from facessl.weights.encoder_file import load_encoder, read_card

    sd = _official_state_dict(seed=3)
    torch.save({"epoch": 300, "state_dict": sd}, tmp_path / "best.pth")
    out = tmp_path / "weights" / "pcl.safetensors"
    result = CliRunner().invoke(app, ["import", "pcl", str(tmp_path / "best.pth"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = read_card(out)
    assert (card.method, card.backbone, card.num_features, card.input_size) == ("pcl", {"name": "pcl", "input_size": 64}, 2048, 64)
    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    trunk, face, pose = _reference_encoder(sd, x)
    with torch.no_grad():
        encoder = load_encoder(out)
        torch.testing.assert_close(encoder(x), trunk, rtol=1e-4, atol=1e-5)
        networks = PCLNetworks()
        from safetensors.torch import load_file

        networks.load_state_dict(load_file(str(out.with_name("pcl_networks.safetensors"))), strict=True)
        _, f, p = networks.encoder.forward_all(x)
    torch.testing.assert_close(f, face, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(p, pose, rtol=1e-4, atol=1e-5)


def test_import_cli_rejects_a_foreign_checkpoint_naming_the_keys(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from facessl.cli import app

    torch.save({"state_dict": {"module.fc.weight": torch.zeros(2, 2)}}, tmp_path / "other.pth")
    result = CliRunner().invoke(app, ["import", "pcl", str(tmp_path / "other.pth"), "--out", str(tmp_path / "x.safetensors")])
    assert result.exit_code == 2
    assert "module.fc.weight" in result.output and "missing" in result.output
    assert not (tmp_path / "x.safetensors").exists()
