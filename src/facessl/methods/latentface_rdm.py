"""LatentFace stage 2 (He et al., arXiv 2309.08273): the representation diffusion models, `latentface-rdm`.

Per iteration on a track batch (T·F uint8 frames, track-major, `latentface.tracks`; research/latentface.md §4.2–§4.8):
frames → 64 px, each flipped with p = 0.5 independently (the official loader's per-frame flips, §4.3) → frozen
stage-1 encoders → codes a, d (B, 256) → targets ā, d̄ (each track's mean code) → for each of netEA, netED:
t ~ U{0..999}, x_t = √ᾱ ā + √(1−ᾱ) ε, x̂₀ = net([x_t ‖ a], t), loss = mean SNR(t)·(x̂₀ − ā)² → its own optimizer
step. Two steps over disjoint parameters with `train.grad_clip: 1.0` are the official two Adams, each clipped at
norm 1.0 (§4.8).

Learning rate (§4.8, §9.7): ``official_restart`` (default) multiplies the engine's lr by the per-iteration
CosineAnnealingLR(T_max=100, eta_min=lr/10) factor, which oscillates with a period of 200 iterations for the whole
run; set the engine's schedule constant (``train.min_lr_ratio: 1.0``, ``warmup_steps: 0``). ``engine`` leaves the
engine's schedule (e.g. cosine over the whole run) alone: the documented fix.

Code standardisation (``backbone.code_norm: standardize``, §9 decision 4, a documented deviation): the first
``code_stats_steps`` iterations only measure the codes' per-dimension mean and std (no optimizer step; logged as
``code_stats_frames``); the denoisers train on standardised codes from then on, with those statistics fixed.

Deviation: the official loop also computes the frozen autoencoder's reconstruction loss every iteration, only to log
it (§8.2 item 16); facessl skips it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Literal

import torch
from torch import Tensor, nn

from facessl.augment.normalize import Normalize
from facessl.augment.pcl_views import resize
from facessl.latentface.features import SITE_DIMS, LatentFaceEncoder, compose
from facessl.latentface.tracks import FRAMES_PER_TRACK, track_mean, track_mean_cosine
from facessl.losses.snr_x0 import snr_weighted_x0_loss
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.latentface_ae import LATENTFACE_MEAN, LATENTFACE_STD, random_hflip
from facessl.methods.registry import register_method
from facessl.models.unsup3d import IMAGE_SIZE

log = logging.getLogger(__name__)

# §4.8: CosineAnnealingLR(T_max=100, eta_min=1e-5) on lr 1e-4, stepped every iteration.
RESTART_PERIOD = 100
RESTART_MIN_RATIO = 0.1
FRAME_FLIP_PROB = 0.5  # §4.3


def restart_factor(iteration: int, period: int = RESTART_PERIOD, min_ratio: float = RESTART_MIN_RATIO) -> float:
    """CosineAnnealingLR's closed form as a fraction of the base lr; never stops at T_max (§4.8)."""
    return min_ratio + (1 - min_ratio) * (1 + math.cos(math.pi * iteration / period)) / 2


@register_method("latentface-rdm")
class LatentFaceRDM(Method):
    """Two conditional diffusion models mapping a frame's code to its track's time-invariant code.

    Args:
        backbone: a `LatentFaceEncoder` (backbone ``latentface``): frozen code encoders + netEA, netED.
        autoencoder: stage-1 weights: a ``unsup3d`` encoder file (``facessl import unsup3d`` or an exported
            latentface-ae run) or a networks file. Empty: random frozen encoders (smoke tests only; logged).
        frames_per_track: F (§4.3: 16); the batch size must be a multiple.
        frame_flip_prob: per-frame horizontal flip probability (§4.3: 0.5; 0 for the cleaner target of §9.5).
        lr_schedule: ``official_restart`` or ``engine`` (module docstring).
        restart_period: T_max of the official schedule (§4.8: 100).
        restart_min_ratio: eta_min / lr (§4.8: 1e-5 / 1e-4).
        image_size: only 64 (§3.1).
        code_stats_steps: with ``backbone.code_norm: standardize``, iterations that measure the code statistics
            before the denoisers train (module docstring); ignored otherwise.
    """

    def __init__(
        self,
        backbone: nn.Module,
        autoencoder: str = "",
        frames_per_track: int = FRAMES_PER_TRACK,
        frame_flip_prob: float = FRAME_FLIP_PROB,
        lr_schedule: Literal["official_restart", "engine"] = "official_restart",
        restart_period: int = RESTART_PERIOD,
        restart_min_ratio: float = RESTART_MIN_RATIO,
        image_size: int = IMAGE_SIZE,
        code_stats_steps: int = 100,
    ) -> None:
        super().__init__()
        if not isinstance(backbone, LatentFaceEncoder):
            raise TypeError(f"latentface-rdm needs the 'latentface' backbone, got {type(backbone).__name__}")
        if image_size != IMAGE_SIZE:
            raise ValueError(f"the Unsup3D encoders work at 64x64 (latentface.md §3.1); image_size={image_size}")
        if frames_per_track < 1:
            raise ValueError(f"frames_per_track must be >= 1, got {frames_per_track}")
        if code_stats_steps < 0:
            raise ValueError(f"code_stats_steps must be >= 0, got {code_stats_steps}")
        self.encoder = backbone
        self.normalize = Normalize(LATENTFACE_MEAN, LATENTFACE_STD)
        if autoencoder:
            from facessl.weights.import_latentface import load_code_encoder

            load_code_encoder(backbone.codes, autoencoder)
        else:
            log.warning("latentface-rdm: no method.autoencoder given; the frozen stage-1 encoders are random")
        backbone.codes.requires_grad_(False)  # stage 1 is frozen in stage 2 (§2)
        self.frames, self.frame_flip_prob = frames_per_track, frame_flip_prob
        self.frames_per_track = frames_per_track  # the engine checks data.frames_per_track against it
        self.lr_schedule, self.restart_period, self.restart_min_ratio = lr_schedule, restart_period, restart_min_ratio
        self.code_stats_steps = code_stats_steps
        self.register_buffer("iteration", torch.zeros((), dtype=torch.long))

    def _apply_lr(self, opt: Optimization) -> float:
        """Scale this iteration's lr by the official restart factor (one host read of the iteration counter)."""
        if self.lr_schedule != "official_restart":
            return 1.0
        factor = restart_factor(int(self.iteration), self.restart_period, self.restart_min_ratio)
        for group in opt.optimizer.param_groups:
            # The engine resets group["lr"] every iteration; outside it, start again from the last base lr.
            base = group["lr"] if group.get("_restart_set") != group["lr"] else group["_restart_base"]
            group["_restart_base"], group["lr"] = base, base * factor
            group["_restart_set"] = group["lr"]
        return factor

    def codes(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Frozen stage-1 codes (a, d) of uint8 or [0, 1] images, (N, 256) each."""
        with torch.no_grad():
            a, d = self.encoder.codes.codes(self.preprocess(resize(to_float01(images), IMAGE_SIZE)))
        return a.float(), d.float()

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        g = opt.generator
        n = images.shape[0]
        if n % self.frames:
            raise ValueError(f"a track batch of {n} frames is not a multiple of frames_per_track={self.frames}")
        frames = random_hflip(resize(to_float01(images), IMAGE_SIZE), self.frame_flip_prob, g)
        a, d = self.codes(frames)
        stats = self.encoder.code_stats
        if stats is not None and int(self.iteration) < self.code_stats_steps:
            stats["albedo"].observe(a)
            stats["depth"].observe(d)
            self.iteration += 1
            return {"code_stats_frames": stats["albedo"].count.float()}
        factor = self._apply_lr(opt)
        schedule = self.encoder.schedule
        logs: dict[str, Tensor] = {}
        total = torch.zeros((), device=a.device)
        for (name, net), raw in zip(self.encoder.denoisers(), (a, d)):
            code = self.encoder.to_denoiser(raw, name)  # official: the raw code (code_scale 1, no code_norm)
            target = track_mean(code, self.frames)  # §4.2: mean of the track's frame codes
            t = torch.randint(0, schedule.num_timesteps, (n,), generator=g, device=g.device).to(code.device)
            noise = torch.randn(code.shape, generator=g, device=g.device).to(code.device)
            pred = net(schedule.add_noise(target, noise, t), code, t)
            loss = snr_weighted_x0_loss(pred.float(), target, schedule.snr(t))
            opt.step(loss, f"rdm_{name}")
            logs[f"loss_{name}"] = loss.detach()
            logs[f"{name}_frame_to_mean_cosine"] = track_mean_cosine(raw, raw, self.frames)
            total = total + loss.detach()
        self.iteration += 1
        logs.update(loss=total, lr_factor=torch.tensor(factor))
        return logs

    def feature_sites(self) -> dict[str, Callable[[Tensor], Tensor]]:
        """The §5 features and their parts over [0, 1] images (sampler and noise as the backbone's)."""
        enc = self.encoder

        def site(name: str) -> Callable[[Tensor], Tensor]:
            return lambda x: enc.features(self.preprocess(x), name)  # type: ignore[arg-type]

        def part(key: str) -> Callable[[Tensor], Tensor]:
            return lambda x: enc.parts(self.preprocess(x))[key]

        sites = {name: site(name) for name in SITE_DIMS}
        sites.update(albedo_code=part("a"), depth_code=part("d"), neutral_albedo=part("n_a"), neutral_depth=part("n_d"))
        sites["residual_albedo"] = lambda x: (lambda p: p["a"] - p["n_a"])(enc.parts(self.preprocess(x)))
        sites["residual_depth"] = lambda x: (lambda p: p["d"] - p["n_d"])(enc.parts(self.preprocess(x)))
        return sites


__all__ = ["LatentFaceRDM", "compose", "restart_factor"]
