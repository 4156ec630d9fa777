"""Import official Unsup3D and LatentFace checkpoints (research/latentface.md §3.2, §4.5, §8.2) into facessl weights.

Layouts understood:

- Unsup3D ``checkpoint030.pth``: ``{'netD': ..., 'netA': ..., 'netL', 'netV', 'netC', optimizers, 'epoch',
  'metrics_trace'}`` with EDDeconv parameters named ``network.N``.
- LatentFace: the same dict after ``convert.py`` (``network1.N`` for N < 13, ``network2.(N−13)`` above), plus
  ``netEA`` / ``netED``: diffusers ``UNet2DModel`` state dicts (width C = 128 or 1024, read from
  ``conv_in.weight``). diffusers 0.14 attention names (``query``/``key``/``value``/``proj_attn``) and the newer
  ones (``to_q``/``to_k``/``to_v``/``to_out.0``) are both accepted.

The files are read with ``torch.load(weights_only=True)``; non-tensor objects the official trainers pickle
(e.g. Unsup3D's metrics trace) are replaced by inert stubs, so nothing in the file is executed (NOTES.md).
Conversion is strict: a missing, unexpected or mis-shaped tensor raises `OfficialCheckpointError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from facessl.models.rdm import RDMDenoiser
from facessl.models.unsup3d import ENCODER_MODULES, Unsup3DNetworks

STAGE1_NETS = ("netD", "netA", "netL", "netV", "netC")
RDM_NETS = ("netEA", "netED")
_NEW_ATTENTION_NAMES = {"to_q.": "query.", "to_k.": "key.", "to_v.": "value.", "to_out.0.": "proj_attn."}
_DROPPED_ATTENTION = ("query.", "key.")  # single-token attention: softmax ≡ 1, so q and k never matter (§4.5)


class OfficialCheckpointError(KeyError):
    """The checkpoint does not have the official layout (the message names the offending keys)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Inert:
    """Stands in for any non-torch object of an official checkpoint; accepts and drops its state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """``torch.load(weights_only=True)``, with inert stubs for the non-torch globals the file names."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    names = [n for n in torch.serialization.get_unsafe_globals_in_checkpoint(str(path)) if not n.startswith("torch")]
    with torch.serialization.safe_globals([(_Inert, name) for name in names]):
        obj = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(obj, Mapping):
        raise OfficialCheckpointError(f"{path}: expected a dict of networks, got {type(obj).__name__}")
    return dict(obj)


def _expected(module: nn.Module) -> dict[str, torch.Size]:
    return {k: v.shape for k, v in module.state_dict().items()}


def _check(name: str, got: Mapping[str, Tensor], expected: Mapping[str, torch.Size]) -> None:
    missing = sorted(set(expected) - set(got))
    unexpected = sorted(set(got) - set(expected))
    wrong = [f"{k} {tuple(got[k].shape)} != {tuple(expected[k])}" for k in expected if k in got and got[k].shape != expected[k]]
    if missing or unexpected or wrong:
        lines = [f"{name} does not have the official layout (research/latentface.md §3.2, §4.5):"]
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong)):
            if keys:
                lines.append(f"  {label} ({len(keys)}): {', '.join(keys[:12])}{' ...' if len(keys) > 12 else ''}")
        raise OfficialCheckpointError("\n".join(lines))


def unsup3d_to_latentface_key(key: str) -> str:
    """EDDeconv names: Unsup3D ``network.N`` -> LatentFace ``network1.N`` (N < 13) or ``network2.(N−13)``."""
    if not key.startswith("network."):
        return key
    index, rest = key[len("network.") :].split(".", 1)
    i = int(index)
    return f"network1.{i}.{rest}" if i < ENCODER_MODULES else f"network2.{i - ENCODER_MODULES}.{rest}"


def latentface_to_unsup3d_key(key: str) -> str:
    """The inverse of `unsup3d_to_latentface_key`."""
    head, _, rest = key.partition(".")
    if head == "network1":
        return f"network.{rest}"
    if head == "network2":
        index, tail = rest.split(".", 1)
        return f"network.{int(index) + ENCODER_MODULES}.{tail}"
    return key


def convert_stage1(checkpoint: Mapping[str, Any]) -> dict[str, Tensor]:
    """The five networks of an Unsup3D or LatentFace checkpoint -> `Unsup3DNetworks` state dict (strict)."""
    with torch.device("meta"):
        expected = _expected(Unsup3DNetworks())
    out: dict[str, Tensor] = {}
    for net in STAGE1_NETS:
        if net not in checkpoint:
            raise OfficialCheckpointError(f"checkpoint has no {net!r} (keys: {sorted(checkpoint)[:10]})")
        for key, value in checkpoint[net].items():
            key = unsup3d_to_latentface_key(key) if net in ("netD", "netA") else key
            out[f"{net}.{key}"] = value
    _check("stage-1 networks", out, expected)
    return out


def convert_rdm(state: Mapping[str, Tensor], name: str = "RDM") -> tuple[dict[str, Tensor], int]:
    """A diffusers ``UNet2DModel`` state dict of the official arguments -> (`RDMDenoiser` state dict, width C).

    3×3 convolutions become their centre tap and 1×1 shortcuts their only tap (exact on 1×1 inputs, §4.5); the
    attention's query and key are checked and dropped.
    """
    if "conv_in.weight" not in state:
        raise OfficialCheckpointError(f"{name}: no conv_in.weight; not a UNet2DModel state dict")
    width = int(state["conv_in.weight"].shape[0])
    with torch.device("meta"):
        expected = _expected(RDMDenoiser(width))
    out: dict[str, Tensor] = {}
    dropped = 0
    for key, value in state.items():
        for new_name, old in _NEW_ATTENTION_NAMES.items():
            key = key.replace(f"attentions.0.{new_name}", f"attentions.0.{old}")
        if any(f"attentions.0.{d}" in key for d in _DROPPED_ATTENTION):
            dropped += 1
            continue
        if value.dim() == 4:
            if value.shape[-2:] == (3, 3):
                value = value[:, :, 1, 1]
            elif value.shape[-2:] == (1, 1):
                value = value[:, :, 0, 0]
            else:
                raise OfficialCheckpointError(f"{name}: {key} has an unexpected kernel {tuple(value.shape)}")
        out[key] = value.contiguous()
    if dropped != 4:
        raise OfficialCheckpointError(f"{name}: expected the mid-block attention's query and key (weight, bias)")
    _check(name, out, expected)
    return out, width


def rdm_to_diffusers(state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """`RDMDenoiser` state dict -> diffusers 0.14 ``UNet2DModel`` layout (zero off-centre taps, zero query/key).

    The result has the shapes a UNet2DModel with the official arguments expects and computes the same function.
    """
    out: dict[str, Tensor] = {}
    for key, value in state.items():
        leaf = key.rsplit(".", 2)[-2] if key.count(".") else key
        if value.dim() == 2 and (leaf in ("conv_in", "conv_out", "conv1", "conv2", "conv_shortcut")):
            if leaf == "conv_shortcut":
                value = value[:, :, None, None]
            else:
                kernel = value.new_zeros(*value.shape, 3, 3)
                kernel[:, :, 1, 1] = value
                value = kernel
        out[key] = value
    width = int(state["conv_in.weight"].shape[0])
    for part in _DROPPED_ATTENTION:
        out[f"mid_block.attentions.0.{part}weight"] = torch.zeros(width, width)
        out[f"mid_block.attentions.0.{part}bias"] = torch.zeros(width)
    return out


def code_encoder_state(stage1: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """`CodeEncoder` state dict (albedo.*, depth.*) from a converted stage-1 state dict."""
    out = {}
    for net, target in (("netA", "albedo"), ("netD", "depth")):
        prefix = f"{net}.network1."
        out.update({f"{target}.{k[len(prefix):]}": v for k, v in stage1.items() if k.startswith(prefix)})
    return out


def load_code_encoder(module: nn.Module, path: str | Path) -> None:
    """Load a facessl ``unsup3d`` encoder file, a ``latentface`` encoder file or a networks file into a
    `CodeEncoder`, strictly."""
    from facessl.engine.checkpoint import CheckpointError, load_module_state

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"autoencoder weights not found: {path}")
    state = load_file(str(path))
    if any(k.startswith("netA.network1.") for k in state):
        state = code_encoder_state(state)
    elif any(k.startswith("codes.") for k in state):
        state = {k[len("codes.") :]: v for k, v in state.items() if k.startswith("codes.")}
    load_module_state(module, state, str(path))


def _save_networks(state: Mapping[str, Tensor], path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(path), metadata={"facessl_kind": "latentface-networks", "source": source})
    return path


def networks_path(out: str | Path) -> Path:
    """Where the full-network file goes beside an encoder file: ``<stem>_networks.safetensors``."""
    out = Path(out)
    return out.with_name(out.stem + "_networks.safetensors")


def _card(method: str, backbone: dict[str, Any], num_features: int, source: Path, data: str):  # type: ignore[no-untyped-def]
    from facessl.methods.latentface_ae import LATENTFACE_MEAN, LATENTFACE_STD
    from facessl.weights.card import WeightCard, git_commit

    return WeightCard(
        method=method, backbone=backbone, num_features=num_features, input_size=64,
        normalization={"mean": list(LATENTFACE_MEAN), "std": list(LATENTFACE_STD)},
        crop_recipe="official: whole face crop resized to 64 px (latentface.md §3.6, §7.1)", training_data=data,
        git_commit=git_commit(), extra={"imported_from": str(source), "importer": "facessl.weights.import_latentface"},
    )


def import_unsup3d(checkpoint: str | Path, out: str | Path) -> tuple[Path, Path]:
    """Official Unsup3D (or LatentFace) stage-1 checkpoint -> (``unsup3d`` encoder file, networks file)."""
    from facessl.models.unsup3d import CodeEncoder
    from facessl.weights.encoder_file import save_encoder

    checkpoint = Path(checkpoint)
    stage1 = convert_stage1(read_checkpoint(checkpoint))
    encoder = CodeEncoder()
    encoder.load_state_dict(code_encoder_state(stage1), strict=True)
    card = _card("latentface-ae", {"name": "unsup3d"}, encoder.num_features, checkpoint, "CelebA (official Unsup3D checkpoint)")
    return save_encoder(encoder, card, out), _save_networks(stage1, networks_path(out), str(checkpoint))


def import_latentface(
    checkpoint: str | Path,
    out: str | Path,
    site: str = "expression",
    sampler: str = "legacy",
    noise: str = "seeded",
    autoencoder: str | Path | None = None,
) -> tuple[Path, Path]:
    """Official LatentFace checkpoint (netEA/netED, and the stage-1 nets here or in `autoencoder`) ->
    (``latentface`` encoder file composing the §5 features, networks file with all seven networks)."""
    from facessl.latentface.features import LatentFaceEncoder
    from facessl.weights.encoder_file import save_encoder

    checkpoint = Path(checkpoint)
    raw = read_checkpoint(checkpoint)
    stage1 = convert_stage1(read_checkpoint(autoencoder) if autoencoder else raw)
    rdm: dict[str, Tensor] = {}
    widths = set()
    for net in RDM_NETS:
        if net not in raw:
            raise OfficialCheckpointError(f"{checkpoint}: no {net!r}; is this a LatentFace checkpoint?")
        converted, width = convert_rdm(raw[net], net)
        widths.add(width)
        rdm.update({f"{net}.{k}": v for k, v in converted.items()})
    if len(widths) != 1:
        raise OfficialCheckpointError(f"{checkpoint}: netEA and netED have different widths {sorted(widths)}")
    width = widths.pop()
    encoder = LatentFaceEncoder(width=width, site=site, sampler=sampler, noise=noise)  # type: ignore[arg-type]
    state = {f"codes.{k}": v for k, v in code_encoder_state(stage1).items()}
    state.update(rdm)
    encoder.load_state_dict(state, strict=True)
    backbone = {"name": "latentface", "width": width, "site": site, "sampler": sampler, "noise": noise,
                "num_draws": encoder.num_draws, "noise_seed": encoder.noise_seed}  # fmt: skip
    card = _card("latentface-rdm", backbone, encoder.num_features, checkpoint, "CelebA (stage 1) + VoxCeleb1 tracks (RDM), official")
    return save_encoder(encoder, card, out), _save_networks({**stage1, **rdm}, networks_path(out), str(checkpoint))


__all__ = [
    "OfficialCheckpointError",
    "code_encoder_state",
    "convert_rdm",
    "convert_stage1",
    "import_latentface",
    "import_unsup3d",
    "latentface_to_unsup3d_key",
    "load_code_encoder",
    "networks_path",
    "rdm_to_diffusers",
    "read_checkpoint",
    "unsup3d_to_latentface_key",
]
