"""The sections of a pretraining run's config: method, backbone, data, train.

`method` and `backbone` are `{name: ..., <constructor arguments>}` mappings checked against the
registered constructor's typed signature; `data` and `train` are dataclasses. `resolve_run_config`
fills every default in, so the saved `config.yaml` of a run is the whole truth about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from facessl.config import ConfigError, apply_overrides, from_dict, load_yaml, resolve_args
from facessl.data.build import DataConfig


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation, precision, checkpointing and logging.

    Args:
        steps: iterations to train (one iteration = one batch, whatever number of optimizer steps).
        batch_size: global batch; each of W processes gets batch_size / W.
        optimizer: adamw, adam or sgd (momentum 0.9, nesterov off).
        lr: peak learning rate for a batch of 256 when `lr_scaling` is linear, else as given.
        lr_scaling: linear (Goyal et al. 2017: lr × batch / 256) or none.
        weight_decay: decoupled for adamw, L2 for adam/sgd.
        warmup_steps: linear warm-up from 0 to the peak lr.
        min_lr_ratio: final lr of the cosine decay as a fraction of the peak.
        grad_clip: max global gradient norm, or null for none.
        precision: bf16 autocast (fp32 where unsupported), fp16 (CUDA only, with a GradScaler) or fp32.
        compile: torch.compile the encoder.
        channels_last: memory format of conv inputs (faster at 112 px and above on CPU).
        seed: seeds every RNG; each rank adds its rank for its view sampling.
        deterministic: torch.use_deterministic_algorithms(True); resumes are bit-exact on CPU.
        checkpoint_every: save `checkpoints/last.pt` every N iterations (and at the end).
        log_every: write metrics every N iterations.
        device: auto (cuda if available, else cpu), cpu or cuda.
        sync_bn: convert BatchNorm to SyncBatchNorm under multi-process training.
    """

    steps: int = 1000
    batch_size: int = 128
    optimizer: Literal["adamw", "adam", "sgd"] = "adamw"
    lr: float = 1e-3
    lr_scaling: Literal["linear", "none"] = "none"
    weight_decay: float = 1e-6
    warmup_steps: int = 100
    min_lr_ratio: float = 0.0
    grad_clip: float | None = None
    precision: Literal["bf16", "fp16", "fp32"] = "bf16"
    compile: bool = False
    channels_last: bool = False
    seed: int = 0
    deterministic: bool = False
    checkpoint_every: int = 500
    log_every: int = 10
    device: Literal["auto", "cpu", "cuda"] = "auto"
    sync_bn: bool = False

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise ConfigError(f"train.{name} must be at least 1")
        if self.lr <= 0:
            raise ConfigError("train.lr must be positive")


DEFAULT_METHOD, DEFAULT_BACKBONE = "simclr", "resnet18"


@dataclass(frozen=True)
class RunConfig:
    method: dict[str, Any] = field(default_factory=lambda: {"name": DEFAULT_METHOD})
    backbone: dict[str, Any] = field(default_factory=lambda: {"name": DEFAULT_BACKBONE})
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def _resolve_section(
    section: dict[str, Any], key: str, registry: Any, default: str, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    section = {"name": default, **section}
    args = {k: v for k, v in section.items() if k != "name"}
    try:
        ctor = registry.get(section["name"])
    except KeyError as err:
        raise ConfigError(f"{key}.name: {err.args[0]}") from None
    return {"name": section["name"], **resolve_args(ctor, args, key, skip=skip)}


def resolve_run_config(data: dict[str, Any]) -> RunConfig:
    """Validate a raw config mapping and fill in every default (registries included)."""
    from facessl.methods import METHODS
    from facessl.models.backbones import BACKBONES

    cfg = from_dict(RunConfig, data)
    method = _resolve_section(cfg.method, "method", METHODS, DEFAULT_METHOD, skip=("self", "backbone"))
    backbone = _resolve_section(cfg.backbone, "backbone", BACKBONES, DEFAULT_BACKBONE)
    return RunConfig(method=method, backbone=backbone, data=cfg.data, train=cfg.train)


def load_run_config(path: str | Path | None, overrides: list[str] = ()) -> RunConfig:  # type: ignore[assignment]
    """YAML file (optional) + `section.key=value` overrides -> a validated, fully resolved config."""
    raw = load_yaml(path) if path else {}
    return resolve_run_config(apply_overrides(raw, list(overrides)))
