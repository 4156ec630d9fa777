"""Importing official Unsup3D / LatentFace checkpoints (latentface.md §3.2, §4.5): strict, safe, round trip."""

from __future__ import annotations

import functools
import math

import pytest
import torch
from typer.testing import CliRunner

from facessl.cli import app
from facessl.latentface.features import LatentFaceEncoder
from facessl.models.rdm import RDMDenoiser
from facessl.models.unsup3d import Unsup3DNetworks
from facessl.weights.encoder_file import load_encoder, read_card
from facessl.weights.import_latentface import (
    OfficialCheckpointError,
    convert_stage1,
    import_latentface,
    import_unsup3d,
    latentface_to_unsup3d_key,
    networks_path,
    rdm_to_diffusers,
    read_checkpoint,
)


class MetricsTrace:
    """Stands for the custom object Unsup3D pickles into its checkpoints (never executed on load)."""

    def __init__(self) -> None:
        self.data = {"loss": [1.0, 0.5]}


@functools.cache
def _official_stage1(seed: int = 0) -> tuple[Unsup3DNetworks, dict]:
    """Random networks in Unsup3D's checkpoint layout (EDDeconv names `network.N`); built once per module."""
    torch.manual_seed(seed)
    nets = Unsup3DNetworks()
    for p in nets.parameters():  # non-default values so a mis-mapped tensor shows
        p.data.normal_(0, 0.05)
    ckpt = {}
    for name in ("netD", "netA", "netL", "netV", "netC"):
        state = getattr(nets, name).state_dict()
        if name in ("netD", "netA"):
            state = {latentface_to_unsup3d_key(k): v for k, v in state.items()}
        ckpt[name] = state
        ckpt[f"optimizer{name[3:]}"] = {"state": {}, "param_groups": [{"lr": 1e-4, "params": [0]}]}
    ckpt["epoch"] = 30
    ckpt["metrics_trace"] = MetricsTrace()
    return nets, ckpt


def test_unsup3d_checkpoint_imports_to_an_encoder_with_identical_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    nets, ckpt = _official_stage1()
    path = tmp_path / "checkpoint030.pth"
    torch.save(ckpt, path)
    enc_file, net_file = import_unsup3d(path, tmp_path / "unsup3d.safetensors")
    assert net_file == networks_path(enc_file)
    encoder = load_encoder(enc_file)  # rebuilt from the card: backbone unsup3d, mean = std = 0.5
    assert read_card(enc_file).backbone == {"name": "unsup3d"}
    x = torch.rand(2, 3, 64, 64)
    expected = torch.cat([nets.netA.encode(x * 2 - 1), nets.netD.encode(x * 2 - 1)], 1)
    assert torch.allclose(encoder(x), expected, atol=1e-6)
    # The networks file loads into Unsup3DNetworks strictly and round-trips every tensor.
    from safetensors.torch import load_file

    back = Unsup3DNetworks()
    back.load_state_dict(load_file(str(net_file)), strict=True)
    for (k, a), (_, b) in zip(nets.state_dict().items(), back.state_dict().items()):
        assert torch.equal(a, b), k


def test_latentface_split_layout_is_accepted_too() -> None:
    nets, ckpt = _official_stage1()
    split = dict(ckpt, netA=nets.netA.state_dict(), netD=nets.netD.state_dict())
    assert convert_stage1(split).keys() == convert_stage1(ckpt).keys()


def test_wrong_layouts_are_refused_with_the_key_named() -> None:
    _, ckpt = _official_stage1()
    broken = dict(ckpt, netL={k: v for k, v in ckpt["netL"].items() if k != "network.10.weight"})
    with pytest.raises(OfficialCheckpointError, match=r"netL\.network\.10\.weight"):
        convert_stage1(broken)
    broken = dict(ckpt, netV=dict(ckpt["netV"], **{"network.10.weight": torch.zeros(4, 256, 1, 1)}))
    with pytest.raises(OfficialCheckpointError, match="wrong shape"):
        convert_stage1(broken)


def test_reading_never_executes_pickled_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Boom:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (exec, ("raise SystemExit('executed')",))

    path = tmp_path / "evil.pth"
    torch.save({"netA": {}, "x": Boom()}, path)
    loaded = read_checkpoint(path)  # `exec` is named by the file but replaced by an inert stub, never called
    assert type(loaded["x"]).__name__ == "_Inert"


def test_latentface_checkpoint_imports_to_a_feature_encoder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ckpt = dict(_official_stage1()[1])
    torch.manual_seed(1)
    rdms = {name: RDMDenoiser(128) for name in ("netEA", "netED")}
    for net in rdms.values():
        for p in net.parameters():
            p.data.normal_(0, 1 / math.sqrt(128))
    ckpt.update({name: rdm_to_diffusers(net.state_dict()) for name, net in rdms.items()})
    path = tmp_path / "latentface.pth"
    torch.save(ckpt, path)
    enc_file, _ = import_latentface(path, tmp_path / "lf.safetensors", site="expression", noise="fixed")
    card = read_card(enc_file)
    assert card.backbone["width"] == 128 and card.num_features == 1024 and card.backbone["sampler"] == "legacy"
    encoder = load_encoder(enc_file)
    reference = LatentFaceEncoder(width=128, noise="fixed")
    reference.netEA.load_state_dict(rdms["netEA"].state_dict())
    reference.netED.load_state_dict(rdms["netED"].state_dict())
    reference.codes.load_state_dict(encoder.backbone.codes.state_dict())
    x = torch.rand(2, 3, 64, 64)
    assert torch.allclose(encoder(x), reference(x * 2 - 1), atol=1e-5)


def test_cli_import_unsup3d(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, ckpt = _official_stage1()
    path = tmp_path / "checkpoint030.pth"
    torch.save(ckpt, path)
    out = tmp_path / "w" / "unsup3d.safetensors"
    result = CliRunner().invoke(app, ["import", "unsup3d", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and networks_path(out).exists()
    bad = CliRunner().invoke(app, ["import", "latentface", str(path), "--out", str(out)])
    assert bad.exit_code == 2 and "netEA" in bad.output
