"""The training loop shared by every method: read it top to bottom.

    facessl pretrain --config configs/simclr.yaml                         # one process
    torchrun --nproc_per_node 2 -m facessl pretrain --config ...          # data parallel

One iteration: uint8 batch from the loader → device → `method.training_step` (views, encoders,
losses, optimizer steps through `OptimizerStepper`) → EMA of momentum targets → logs and
checkpoints on the main rank.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

from facessl import distributed
from facessl.config import ConfigError, dump_yaml
from facessl.data.build import build_dataset
from facessl.data.images import collate
from facessl.data.sampler import ResumableBatchSampler
from facessl.data.tracks import frames_per_item
from facessl.engine import checkpoint as ckpt
from facessl.engine.config import RunConfig
from facessl.engine.metrics import MetricsWriter
from facessl.engine.precision import autocast, effective_precision
from facessl.engine.progress import TrainProgress
from facessl.engine.schedules import ema_momentum, learning_rate
from facessl.engine.stepper import OptimizerStepper, build_optimizer
from facessl.methods import METHODS, Method, NonFiniteLossError
from facessl.models.backbones import build_backbone
from facessl.models.momentum import update_momentum

log = logging.getLogger(__name__)


class TrainingStopped(RuntimeError):
    """Training stopped early (e.g. a non-finite loss); the last good checkpoint is kept."""


@dataclass
class RunSummary:
    out_dir: str
    steps: int
    images_seen: int
    seconds: float
    images_per_second: float
    final_logs: dict[str, float] = field(default_factory=dict)
    skipped_images: int = 0
    checkpoint: str = ""
    precision: str = "fp32"
    world_size: int = 1


def build_method(cfg: RunConfig) -> Method:
    """The method and backbone named by the config, with their resolved arguments."""
    backbone_args = {k: v for k, v in cfg.backbone.items() if k != "name"}
    method_args = {k: v for k, v in cfg.method.items() if k != "name"}
    backbone = build_backbone(cfg.backbone["name"], **backbone_args)
    try:
        return METHODS.get(cfg.method["name"])(backbone=backbone, **method_args)
    except (TypeError, ValueError) as err:  # e.g. a method that needs a particular backbone
        raise ConfigError(f"method {cfg.method['name']!r} with backbone {cfg.backbone['name']!r}: {err}") from None


def load_trained_method(run: str | Path) -> tuple[Method, RunConfig, Path, dict[str, Any]]:
    """Rebuild the method of a run folder (its `checkpoints/last.pt`) or of a checkpoint file.

    Returns the method (train mode, on the CPU) with the checkpoint's weights loaded strictly, the
    resolved config, the checkpoint path and the raw training state.
    """
    from facessl.engine.config import resolve_run_config

    run = Path(run)
    ckpt_path = run / "checkpoints" / "last.pt" if run.is_dir() else run
    state = ckpt.load_train_state(ckpt_path)
    cfg = resolve_run_config(state["config"])
    method = build_method(cfg)
    ckpt.load_module_state(method, state["method"], str(ckpt_path))
    return method, cfg, ckpt_path, state


def pretrain(
    cfg: RunConfig, out_dir: str | Path, resume: bool = False, show_progress: bool = True, stop_after: int | None = None
) -> RunSummary:
    """Train `cfg` into `out_dir`; `stop_after` ends (with a checkpoint) at that iteration, for time-limited jobs
    that will `resume` later: the schedules still follow `cfg.train.steps`."""
    out_dir = Path(out_dir)
    tc = cfg.train

    # ============ distributed set-up, device, seeds ============
    use_cuda = tc.device == "cuda" or (tc.device == "auto" and torch.cuda.is_available())
    distributed.init_from_env("cuda" if use_cuda else "cpu")
    rank, world = distributed.rank(), distributed.world_size()
    device = torch.device(f"cuda:{distributed.local_rank()}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if tc.batch_size % world:
        raise ValueError(f"train.batch_size={tc.batch_size} is not divisible by the {world} processes")
    per_rank_batch = tc.batch_size // world
    torch.manual_seed(tc.seed)
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    if tc.deterministic:
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
    precision = effective_precision(tc.precision, device)

    # ============ data ============
    dataset = build_dataset(cfg.data, seed=tc.seed)
    frames = frames_per_item(dataset)  # > 1 when items are whole tracks; the sampler deals out items
    if per_rank_batch % frames:
        raise ConfigError(f"train.batch_size={tc.batch_size} must give each of the {world} processes a multiple "
                          f"of data.frames_per_track={frames} images (whole tracks)")  # fmt: skip
    sampler = ResumableBatchSampler(len(dataset), per_rank_batch // frames, tc.seed, rank, world)

    # ============ method, optimizer, schedules ============
    method = build_method(cfg).to(device)
    if method.frames_per_track != frames:
        raise ConfigError(f"method {cfg.method['name']!r} trains on groups of {method.frames_per_track} frames but "
                          f"data.frames_per_track gives {frames}; set data.frames_per_track: "
                          f"{method.frames_per_track if method.frames_per_track > 1 else 0}")  # fmt: skip
    if tc.channels_last:
        method = method.to(memory_format=torch.channels_last)
    if tc.sync_bn and world > 1:
        method = torch.nn.SyncBatchNorm.convert_sync_batchnorm(method)
    if tc.compile:
        method.encoder.compile()  # in place: parameter names (and checkpoints) are unchanged
    peak_lr = tc.lr * (tc.batch_size / 256 if tc.lr_scaling == "linear" else 1.0)
    optimizer = build_optimizer(method.param_groups(), tc.optimizer, peak_lr, tc.weight_decay)
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None
    generator = torch.Generator(device).manual_seed(tc.seed * 1000 + rank)  # views differ per rank
    stepper = OptimizerStepper(optimizer, generator, tc.grad_clip, scaler, method.zero_grad_to_none)

    # ============ resume ============
    last_path = out_dir / "checkpoints" / "last.pt"
    step = epoch = batch_in_epoch = skipped_total = 0
    if resume and last_path.exists():
        state = ckpt.load_train_state(last_path)
        ckpt.load_module_state(method, state["method"], str(last_path))
        optimizer.load_state_dict(state["optimizer"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        step, epoch, batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        skipped_total, stepper.num_steps = state["skipped_images"], state["optimizer_steps"]
        ckpt.restore_rng(state["rng"][rank], generator)
        log.info("resumed from %s at step %d", last_path, step)
    elif resume:
        log.info("no checkpoint at %s; starting from scratch", last_path)

    main = distributed.is_main()
    if main:
        out_dir.mkdir(parents=True, exist_ok=True)
        dump_yaml(cfg, out_dir / "config.yaml")
    metrics = MetricsWriter(out_dir, resume_step=step if resume else None) if main else None

    def save_checkpoint() -> None:
        rngs = [None] * world
        local = ckpt.capture_rng(generator)
        if world > 1:
            torch.distributed.all_gather_object(rngs, local)
        else:
            rngs = [local]
        if main:
            ckpt.save_atomic(
                {
                    "format": ckpt.FORMAT, "version": ckpt.VERSION, "config": dataclasses.asdict(cfg),
                    "method": method.state_dict(), "optimizer": optimizer.state_dict(),
                    "scaler": scaler.state_dict() if scaler is not None else None,
                    "step": step, "epoch": epoch, "batch_in_epoch": batch_in_epoch,
                    "optimizer_steps": stepper.num_steps, "skipped_images": skipped_total, "rng": rngs,
                },
                last_path,
            )

    # ============ training loop ============
    method.train()
    progress = TrainProgress(tc.steps, step, enabled=show_progress and main)
    started, window_start, window_images = time.perf_counter(), time.perf_counter(), 0
    images_this_run, logs = 0, {}
    last_step = min(tc.steps, stop_after) if stop_after is not None else tc.steps
    try:
        while step < last_step:
            sampler.set_position(epoch, batch_in_epoch)
            if hasattr(dataset, "set_epoch"):  # per-epoch randomness inside items (a track's frames)
                dataset.set_epoch(epoch)
            # The loader's own generator keeps worker seeding off the global RNG (exact resume).
            loader = DataLoader(
                dataset, batch_sampler=sampler, num_workers=cfg.data.num_workers, collate_fn=collate,
                pin_memory=use_cuda, generator=torch.Generator().manual_seed(tc.seed),
            )
            for images, _, skipped in loader:
                lr = learning_rate(step, peak_lr, tc.steps, tc.warmup_steps, tc.min_lr_ratio)
                for group in optimizer.param_groups:
                    group["lr"] = lr * group.get("lr_scale", 1.0)
                images = images.to(device, non_blocking=True)
                if tc.channels_last:
                    images = images.contiguous(memory_format=torch.channels_last)
                with autocast(precision, device):
                    step_logs = method.training_step(images, stepper)
                if method.momentum is not None:
                    m = ema_momentum(step, tc.steps, *method.momentum)
                    for online, target in method.momentum_pairs():
                        update_momentum(online, target, m)
                step, batch_in_epoch = step + 1, batch_in_epoch + 1
                skipped_total += len(skipped)
                window_images += tc.batch_size
                images_this_run += tc.batch_size

                if step % tc.log_every == 0 or step == tc.steps:
                    # .item() is a sync point: only at log steps.
                    logs = {k: distributed.all_reduce_mean(v.float()).item() for k, v in step_logs.items()}
                    now = time.perf_counter()
                    logs.update(lr=lr, images_per_second=window_images / (now - window_start), epoch=epoch)
                    window_start, window_images = now, 0
                    if metrics is not None:
                        metrics.write(step, logs)
                    progress.update(step, logs)
                else:
                    progress.update(step, None)
                if step % tc.checkpoint_every == 0 or step == last_step:
                    save_checkpoint()
                if step >= last_step:
                    break
            else:
                epoch, batch_in_epoch = epoch + 1, 0
    except NonFiniteLossError as err:
        where = f"the last good checkpoint is {last_path}" if last_path.exists() else "no checkpoint was written yet"
        raise TrainingStopped(f"stopped at iteration {step + 1}: {err}; {where}") from err
    finally:
        progress.close()
        if metrics is not None:
            metrics.close()
        torch.use_deterministic_algorithms(was_deterministic)

    seconds = time.perf_counter() - started
    skipped_all = int(distributed.all_reduce_mean(torch.tensor(float(skipped_total))).item() * world)
    return RunSummary(
        out_dir=str(out_dir), steps=step, images_seen=step * tc.batch_size, seconds=seconds,
        images_per_second=images_this_run / seconds if seconds > 0 else 0.0, final_logs=logs,
        skipped_images=skipped_all, checkpoint=str(last_path), precision=precision, world_size=world,
    )
