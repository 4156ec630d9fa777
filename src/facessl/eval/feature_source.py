"""Where features come from: an exported encoder, a training run's named feature site, or a reference.

A `FeatureSource` is a function from [0, 1] RGB images (N, 3, S, S) to features (N, ...), plus what
identifies it for the feature cache and the result stamps: the checkpoint's hash and the site name.

    source = source_from_weights("pcl.safetensors")            # the exported encoder
    source = source_from_run("runs/pcl", site="pose")           # PCL's pose branch F_p
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor, nn

from facessl.engine.checkpoint import CheckpointError
from facessl.weights.encoder_file import file_sha256, load_encoder

IDENTITY_NORMALIZATION: dict[str, list[float]] = {}  # the source feeds [0, 1] pixels unchanged


@dataclass(frozen=True, eq=False)
class FeatureSource:
    """A feature extractor with its identity.

    Attributes:
        name: For reports, e.g. ``"simclr.safetensors"`` or ``"raw-pixels@32"``.
        extract: [0, 1] float images (N, 3, S, S) on `device` -> features (N, ...); called under
            ``torch.no_grad`` with modules in eval mode.
        input_size: S, the side images are resized to (the card's ``input_size``).
        checkpoint_sha256: Hash of the weights (the file's sha256, or of the tensors for
            references built in memory); keys the cache and stamps every result.
        site: Named feature site, e.g. ``"encoder"``, PCL's ``"trunk"``/``"face"``/``"pose"``.
        normalization: What `extract` applies to [0, 1] input (``{"mean", "std"}``), for the key.
        device: Where `extract` wants its input.
        modules: The networks behind `extract` (kept so they can be put in eval mode or moved).
    """

    name: str
    extract: Callable[[Tensor], Tensor]
    input_size: int
    checkpoint_sha256: str
    site: str = "encoder"
    normalization: dict[str, list[float]] = field(default_factory=dict)
    device: torch.device = torch.device("cpu")
    modules: tuple[nn.Module, ...] = ()


def state_sha256(module: nn.Module) -> str:
    """Sha256 over a module's state dict (names, dtypes, shapes, values), for weights not in a file."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        digest.update(t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


def source_from_weights(path: str | Path, device: str | torch.device = "cpu") -> FeatureSource:
    """The encoder exported by `facessl export` (safetensors + card); its site is ``"encoder"``."""
    encoder = load_encoder(path, device)
    return FeatureSource(
        name=Path(path).name,
        extract=encoder,
        input_size=int(encoder.card.input_size),
        checkpoint_sha256=file_sha256(path),
        site="encoder",
        normalization={k: list(v) for k, v in encoder.card.normalization.items()},
        device=torch.device(device),
        modules=(encoder,),
    )


def source_from_run(run: str | Path, site: str = "encoder", device: str | torch.device = "cpu") -> FeatureSource:
    """A named feature site of a training run, rebuilt from its checkpoint (no export needed).

    The method is rebuilt as `facessl export` does (`build_method` on the checkpoint's resolved
    config, strict `load_module_state`), so e.g. PCL's ``pose`` branch can be evaluated directly.

    Args:
        run: A run folder (reads ``checkpoints/last.pt``) or a training checkpoint ``.pt``.
        site: A key of the method's ``feature_sites()``.
        device: Where the method runs.

    Raises:
        CheckpointError: If the checkpoint is not facessl's or `site` is not one of the method's.
    """
    from facessl.engine.train import load_trained_method

    method, cfg, ckpt_path, _ = load_trained_method(run)
    method = method.to(device).eval()
    sites = method.feature_sites()
    if site not in sites:
        raise CheckpointError(f"{ckpt_path}: method {cfg.method['name']!r} has no feature site {site!r}; "
                              f"choose one of: {', '.join(sorted(sites))}")  # fmt: skip
    normalize = getattr(method, "normalize", None)
    normalization = (
        {"mean": list(normalize.mean), "std": list(normalize.std)}
        if normalize is not None and hasattr(normalize, "mean")
        else dict(IDENTITY_NORMALIZATION)
    )
    return FeatureSource(
        name=f"{ckpt_path}#{site}",
        extract=sites[site],
        input_size=int(cfg.method.get("image_size", cfg.data.image_size)),
        checkpoint_sha256=file_sha256(ckpt_path),
        site=site,
        normalization=normalization,
        device=torch.device(device),
        modules=(method,),
    )
