"""The five Unsup3D networks have the official parameter names and shapes (research/latentface.md §3.2)."""

from __future__ import annotations

import torch

from facessl.models.unsup3d import CodeEncoder, Unsup3DNetworks
from facessl.weights.import_latentface import latentface_to_unsup3d_key, unsup3d_to_latentface_key


def _official_eddeconv(cout: int) -> dict[str, tuple[int, ...]]:
    """Unsup3D networks.py EDDeconv(cin=3, zdim=256, nf=64) written out by module index (Unsup3D names)."""
    conv = {0: (64, 3, 4, 4), 3: (128, 64, 4, 4), 6: (256, 128, 4, 4), 9: (512, 256, 4, 4), 11: (256, 512, 4, 4),
            13: (256, 512, 4, 4), 15: (512, 512, 3, 3), 17: (512, 256, 4, 4), 20: (256, 256, 3, 3),
            23: (256, 128, 4, 4), 26: (128, 128, 3, 3), 29: (128, 64, 4, 4), 32: (64, 64, 3, 3),
            36: (64, 64, 3, 3), 39: (64, 64, 5, 5), 42: (cout, 64, 5, 5)}  # fmt: skip
    norm = {1: 64, 4: 128, 7: 256, 18: 256, 21: 256, 24: 128, 27: 128, 30: 64, 33: 64, 37: 64, 40: 64}
    out = {f"network.{i}.weight": s for i, s in conv.items()}
    for i, c in norm.items():
        out[f"network.{i}.weight"] = (c,)
        out[f"network.{i}.bias"] = (c,)
    return out


def _official_encoder(cout: int) -> dict[str, tuple[int, ...]]:
    """Unsup3D Encoder(cin=3, nf=32)."""
    shapes = {0: (32, 3, 4, 4), 2: (64, 32, 4, 4), 4: (128, 64, 4, 4), 6: (256, 128, 4, 4), 8: (256, 256, 4, 4), 10: (cout, 256, 1, 1)}
    return {f"network.{i}.weight": s for i, s in shapes.items()}


def _official_confnet() -> dict[str, tuple[int, ...]]:
    """Unsup3D ConfNet(cin=3, zdim=128, nf=64)."""
    out = {f"network.{i}.weight": s for i, s in {0: (64, 3, 4, 4), 3: (128, 64, 4, 4), 6: (256, 128, 4, 4),
           9: (512, 256, 4, 4), 11: (128, 512, 4, 4), 13: (128, 512, 4, 4), 15: (512, 256, 4, 4), 18: (256, 128, 4, 4)}.items()}  # fmt: skip
    for prefix, i, c in (("network", 1, 64), ("network", 4, 128), ("network", 7, 256), ("network", 16, 256),
                         ("network", 19, 128), ("out_net1", 1, 64), ("out_net1", 4, 64)):  # fmt: skip
        out[f"{prefix}.{i}.weight"] = (c,)
        out[f"{prefix}.{i}.bias"] = (c,)
    out.update({"out_net1.0.weight": (128, 64, 4, 4), "out_net1.3.weight": (64, 64, 4, 4), "out_net1.6.weight": (2, 64, 5, 5),
                "out_net2.0.weight": (2, 128, 3, 3)})  # fmt: skip
    return out


def _shapes(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_networks_match_official_unsup3d_layout_after_latentface_split() -> None:
    nets = Unsup3DNetworks()
    for name, cout in (("netD", 1), ("netA", 3)):
        official = {unsup3d_to_latentface_key(k): v for k, v in _official_eddeconv(cout).items()}
        assert _shapes(getattr(nets, name)) == official, name
    assert _shapes(nets.netL) == _official_encoder(4)
    assert _shapes(nets.netV) == _official_encoder(6)
    assert _shapes(nets.netC) == _official_confnet()


def test_latentface_split_is_convert_py_renaming() -> None:
    # LatentFace convert.py: network.11 -> network1.11, network.13 -> network2.0, network.42 -> network2.29.
    assert unsup3d_to_latentface_key("network.11.weight") == "network1.11.weight"
    assert unsup3d_to_latentface_key("network.13.weight") == "network2.0.weight"
    assert unsup3d_to_latentface_key("network.42.weight") == "network2.29.weight"
    for key in _official_eddeconv(3):
        assert latentface_to_unsup3d_key(unsup3d_to_latentface_key(key)) == key


def test_parameter_counts_match_the_digest() -> None:
    nets = Unsup3DNetworks()
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert abs(count(nets.netA.network1) - 4.85e6) < 0.01e6  # §3.2: encoder ≈ 4.85 M
    assert abs(count(nets.netA.network2) - 8.1e6) < 0.05e6  # decoder ≈ 8.1 M
    assert abs(count(nets.netL) - 1.74e6) < 0.01e6  # trunk ≈ 1.74 M


def test_output_shapes_ranges_and_shared_code_encoder() -> None:
    torch.manual_seed(0)
    enc = CodeEncoder()
    nets = Unsup3DNetworks(albedo_encoder=enc.albedo, depth_encoder=enc.depth)
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    a, d = enc.codes(x)
    assert a.shape == d.shape == (2, 256) and (a >= 0).all() and (d >= 0).all()  # ReLU codes (§4.1)
    assert torch.equal(nets.netA.encode(x), a)
    albedo, depth = nets.netA(x), nets.netD(x)
    assert albedo.shape == (2, 3, 64, 64) and albedo.abs().max() <= 1
    assert depth.shape == (2, 1, 64, 64)
    assert torch.allclose(nets.netA.decode(a), albedo)
    light, view = nets.netL(x), nets.netV(x)
    assert light.shape == (2, 4) and view.shape == (2, 6) and light.abs().max() < 1
    s1, s2 = nets.netC(x)
    assert s1.shape == (2, 2, 64, 64) and s2.shape == (2, 2, 16, 16) and (s1 > 0).all() and (s2 > 0).all()
