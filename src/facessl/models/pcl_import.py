"""Import the official PCL checkpoint (`best.pth`, pcl.md §7.4) into `facessl.models.pcl.PCLNetworks`.

The official training script saves `{'epoch': int, 'state_dict': ...}` with DataParallel
`module.` prefixes (pcl.md §4, §7.3 item 15). facessl keeps the official module names
(`encoder.*`, `exp_fc.{0,2,3}`, `pose_fc.{0,2,3}`, `decoder.fc`, `decoder.model.<i>`), so the
mapping is a prefix strip; `_RENAMES` is where any future renaming goes. Loading is strict:
a missing, unexpected or mis-shaped key raises `OfficialCheckpointError` naming the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import Tensor

from facessl.models.pcl import PCLNetworks

# DataParallel wrapper prefix of the official checkpoint (pcl.md §7.4).
_WRAPPER_PREFIX = "module."
# Official prefix -> facessl prefix. Empty because facessl reuses the official names; kept so a
# rename stays a one-line change instead of ad-hoc string surgery.
_RENAMES: dict[str, str] = {}
# torch 1.7 saves these BN counters; a checkpoint saved without them is still complete.
_OPTIONAL_SUFFIX = "num_batches_tracked"


class OfficialCheckpointError(KeyError):
    """The state dict does not have the official PCL layout (message names the offending keys)."""

    def __str__(self) -> str:  # KeyError would repr() the message and escape its newlines
        return str(self.args[0]) if self.args else ""


def _expected_shapes(input_size: int) -> dict[str, torch.Size]:
    # Built on the meta device: no memory and no init cost, only names and shapes.
    with torch.device("meta"):
        model = PCLNetworks(input_size=input_size)
    return {k: v.shape for k, v in model.state_dict().items()}


def _rename(key: str) -> str:
    if key.startswith(_WRAPPER_PREFIX):
        key = key[len(_WRAPPER_PREFIX) :]
    for old, new in _RENAMES.items():
        if key.startswith(old):
            return new + key[len(old) :]
    return key


def _format(keys: list[str], limit: int = 20) -> str:
    shown = ", ".join(sorted(keys)[:limit])
    return shown + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")


def convert_official_pcl_state_dict(
    sd: Mapping[str, object], *, input_size: int = 64
) -> dict[str, Tensor]:
    """Official PCL state dict -> state dict of `PCLNetworks(input_size)`.

    Args:
        sd: the official state dict (`module.encoder.conv1.0.weight`, ...), or the whole
            checkpoint dict holding it under `state_dict`. Keys with or without the
            `module.` prefix are accepted.
        input_size: the resolution the checkpoint was trained at (pcl.md §4: 64); fixes the
            head and decoder input size (2048 at 64 px).

    Returns:
        A new dict for `PCLNetworks(input_size).load_state_dict(..., strict=True)`. BatchNorm
        `num_batches_tracked` counters absent from `sd` are filled with 0.

    Raises:
        OfficialCheckpointError: keys are missing or unexpected, or a tensor has the wrong shape.
    """
    if "state_dict" in sd and isinstance(sd["state_dict"], Mapping):
        sd = sd["state_dict"]  # the {'epoch', 'state_dict'} wrapper of main.py
    expected = _expected_shapes(input_size)
    out: dict[str, Tensor] = {}
    source: dict[str, str] = {}  # facessl key -> official key, to name keys as the user sees them
    for key, value in sd.items():
        if not isinstance(value, Tensor):
            raise OfficialCheckpointError(f"official PCL checkpoint: {key!r} is not a tensor ({type(value).__name__})")
        new = _rename(key)
        if new in out:
            raise OfficialCheckpointError(f"official PCL checkpoint: two keys map to {new!r}")
        out[new] = value
        source[new] = key
    for key in expected:
        if key not in out and key.endswith(_OPTIONAL_SUFFIX):
            out[key] = torch.zeros((), dtype=torch.long)
    missing = [k for k in expected if k not in out]
    unexpected = [source[k] for k in out if k not in expected]
    wrong_shape = [
        f"{k} {tuple(out[k].shape)} != {tuple(expected[k])}"
        for k in expected
        if k in out and out[k].shape != expected[k]
    ]
    if missing or unexpected or wrong_shape:
        lines = [f"state dict does not have the official PCL layout (pcl.md §7.4, input_size={input_size}):"]
        if missing:
            lines.append(f"  missing ({len(missing)}): {_format(missing)}")
        if unexpected:
            lines.append(f"  unexpected ({len(unexpected)}): {_format(unexpected)}")
        if wrong_shape:
            lines.append(f"  wrong shape ({len(wrong_shape)}): {_format(wrong_shape)}")
        raise OfficialCheckpointError("\n".join(lines))
    return out


def encoder_state_dict(converted: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """Keys of `PCLEncoder` from a converted `PCLNetworks` state dict (what the probes load)."""
    prefix = "encoder."
    return {k[len(prefix) :]: v for k, v in converted.items() if k.startswith(prefix)}


def load_official_pcl_checkpoint(path: str | Path, *, input_size: int = 64) -> PCLNetworks:
    """Read an official `best.pth` (tensors and an int only, so `weights_only=True` suffices)."""
    raw = torch.load(Path(path), map_location="cpu", weights_only=True)
    model = PCLNetworks(input_size=input_size)
    model.load_state_dict(convert_official_pcl_state_dict(raw, input_size=input_size), strict=True)
    return model


def networks_path(out: str | Path) -> Path:
    """Where the full-network file goes beside an encoder file: ``<stem>_networks.safetensors``."""
    out = Path(out)
    return out.with_name(out.stem + "_networks.safetensors")


def import_pcl(checkpoint: str | Path, out: str | Path, *, input_size: int = 64) -> tuple[Path, Path]:
    """Official `best.pth` -> (``pcl`` encoder file, networks file); what `facessl import pcl` runs.

    The encoder file holds `PCLEncoder` (its forward is the flattened trunk, the official probe site,
    pcl.md §5) with a card (no normalisation: PCL feeds [0, 1] pixels, pcl.md §3.2), so
    `facessl eval`/`load_encoder` use it like any export. Every network (branches, `exp_fc`,
    `pose_fc`, decoder) goes to ``<stem>_networks.safetensors`` under the facessl names.

    Raises:
        FileNotFoundError: no file at `checkpoint`.
        OfficialCheckpointError: the state dict is not in the official layout (names the keys).
    """
    from safetensors.torch import save_file

    from facessl.weights.card import WeightCard, git_commit
    from facessl.weights.encoder_file import save_encoder

    checkpoint = Path(checkpoint)
    if not checkpoint.is_file():
        raise FileNotFoundError(f"checkpoint not found: {checkpoint}")
    model = load_official_pcl_checkpoint(checkpoint, input_size=input_size)
    card = WeightCard(
        method="pcl", backbone={"name": "pcl", "input_size": input_size},
        num_features=int(model.encoder.num_features), input_size=input_size,
        normalization={"mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]},
        crop_recipe=f"official: aligned face crop resized to {input_size} px (pcl.md §3.1, §8.9)",
        training_data="VoxCeleb1 (official PCL checkpoint)", git_commit=git_commit(),
        extra={"imported_from": str(checkpoint), "importer": "facessl.models.pcl_import"},
    )  # fmt: skip
    encoder_file = save_encoder(model.encoder, card, out)
    networks = networks_path(out)
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(networks), metadata={"facessl_kind": "pcl-networks", "source": str(checkpoint)})
    return encoder_file, networks


__all__ = [
    "OfficialCheckpointError",
    "convert_official_pcl_state_dict",
    "encoder_state_dict",
    "import_pcl",
    "load_official_pcl_checkpoint",
    "networks_path",
]
