"""LatentFace's downstream representations (research/latentface.md §5) as a backbone: codes + RDM neutral codes.

For an image with albedo code a and depth code d (the stage-1 encoders) and neutral codes n_a = RDM_A(a),
n_d = RDM_D(d) from a 5-step DDIM (§4.9):

- ``expression`` (FER feature, §5): [a − n_a, a, d − n_d, d], 1024-d
- ``verification`` (§5): [n_a, a, n_d, d] of the image and of its horizontal flip, 2048-d
- ``neutral``: [n_a, n_d]; ``residual``: [a − n_a, d − n_d]; ``codes``: [a, d] (512-d each, the ablations of §9.12)

The official features draw fresh N(0, I) noise at every call (§8.2 item 8). ``noise`` chooses:
``random`` (exactly that, not repeatable), ``seeded`` (the same per-sample i.i.d. draws, from a generator restarted
at `noise_seed` on every call, so a batch always gets the same features; the default), ``fixed`` (one noise
vector per draw shared by every image: batch-independent) or ``zero`` (x_T = 0). ``num_draws`` > 1 averages the
neutral codes over that many draws.

Numerical note: GroupNorm over C/32 channels of a 1×1 map (4 channels at C = 128) is close to a sign function
when a group's values are nearly equal, so the 5-step sampler can amplify float rounding (e.g. BLAS kernels that
differ with the batch size) into visible feature changes, at least with random weights. Features are exactly
repeatable for the same batch; across batch sizes they agree only up to this sensitivity.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl.latentface.code_norm import CodeStandardizer
from facessl.latentface.diffusion import LinearSchedule, SamplerMode, ddim_sample
from facessl.models.rdm import RDMDenoiser
from facessl.models.unsup3d import CODE_DIM, IMAGE_SIZE, CodeEncoder

Site = Literal["expression", "verification", "neutral", "residual", "codes"]
NoiseMode = Literal["seeded", "fixed", "zero", "random"]
CodeNorm = Literal["none", "standardize"]
CODES = ("albedo", "depth")  # netEA denoises the albedo code, netED the depth code (§4.1)
SITE_DIMS = {"expression": 4 * CODE_DIM, "verification": 8 * CODE_DIM, "neutral": 2 * CODE_DIM,
             "residual": 2 * CODE_DIM, "codes": 2 * CODE_DIM}  # fmt: skip


def compose(site: Site, a: Tensor, d: Tensor, n_a: Tensor, n_d: Tensor) -> Tensor:
    """The §5 feature of one view from the codes and neutral codes (all (B, 256)); verification's flip half is
    the caller's."""
    if site == "expression":
        return torch.cat([a - n_a, a, d - n_d, d], dim=1)
    if site == "verification":
        return torch.cat([n_a, a, n_d, d], dim=1)
    if site == "neutral":
        return torch.cat([n_a, n_d], dim=1)
    if site == "residual":
        return torch.cat([a - n_a, d - n_d], dim=1)
    if site == "codes":
        return torch.cat([a, d], dim=1)
    raise ValueError(f"unknown LatentFace feature site {site!r}")


class LatentFaceEncoder(nn.Module):
    """Stage-1 code encoders plus netEA / netED; images in [-1, 1] -> the features of `site`.

    Args:
        width: RDM width C (§4.5: 128 or 1024).
        site: which §5 feature `forward` returns.
        sampler: DDIM mode, ``legacy`` (diffusers 0.14, official numbers) or ``correct`` (§4.9, §9.3).
        noise: initial-noise mode (module docstring).
        num_draws: neutral codes averaged over this many draws.
        noise_seed: seed of the ``seeded`` and ``fixed`` modes.
        code_scale: the denoisers see codes divided by this and their output is multiplied by it. 1 is the official
            behaviour. Stage-1 codes are unclipped ReLU outputs (on SynthFaces they reach ~30) while the legacy
            sampler clips to [-1, 1] (§4.9), so at 1 even a perfect denoiser returns clipped codes; a scale near the
            codes' largest value keeps them inside the clip (latentface.md §9 decision 4, a documented deviation: a
            global scale). The RDM must be trained with the same scale.
        code_norm: ``none`` (official) or ``standardize``: the denoisers see (code − mean) / std per dimension
            (`latentface.code_norm`, §9 decision 4, a documented deviation), divided by `code_scale`; the mean and
            std are measured by the first iterations of a latentface-rdm run and saved with the weights. With the
            legacy sampler's clip, a `code_scale` of about 4 keeps ±4 standard deviations inside [-1, 1].
    """

    def __init__(
        self,
        width: int = 128,
        site: Site = "expression",
        sampler: SamplerMode = "legacy",
        noise: NoiseMode = "seeded",
        num_draws: int = 1,
        noise_seed: int = 0,
        code_scale: float = 1.0,
        code_norm: CodeNorm = "none",
    ) -> None:
        super().__init__()
        if not code_scale > 0:
            raise ValueError(f"code_scale must be positive, got {code_scale}")
        if site not in SITE_DIMS:
            raise ValueError(f"unknown site {site!r}; expected one of {sorted(SITE_DIMS)}")
        if num_draws < 1:
            raise ValueError(f"num_draws must be >= 1, got {num_draws}")
        if code_norm not in ("none", "standardize"):
            raise ValueError(f"unknown code_norm {code_norm!r}; expected 'none' or 'standardize'")
        self.codes = CodeEncoder()
        self.netEA = RDMDenoiser(width)  # official names (§4.1)
        self.netED = RDMDenoiser(width)
        self.schedule = LinearSchedule()
        self.site, self.sampler, self.noise = site, sampler, noise
        self.num_draws, self.noise_seed = num_draws, noise_seed
        self.code_scale = float(code_scale)
        self.code_norm = code_norm
        # Only registered when used, so the official weight layout (and `facessl import latentface`) is unchanged.
        self.code_stats = nn.ModuleDict({c: CodeStandardizer(CODE_DIM) for c in CODES}) if code_norm != "none" else None
        self.num_features = SITE_DIMS[site]

    def to_denoiser(self, code: Tensor, which: str) -> Tensor:
        """A code (B, 256) of `which` (``albedo`` or ``depth``) in the denoiser's units: standardised if configured,
        then divided by `code_scale`."""
        if self.code_stats is not None:
            code = self.code_stats[which](code)
        return code / self.code_scale

    def from_denoiser(self, x: Tensor, which: str) -> Tensor:
        """The inverse of `to_denoiser`: a sample in the denoiser's units back to code units."""
        x = x * self.code_scale
        return self.code_stats[which].inverse(x) if self.code_stats is not None else x

    def denoisers(self) -> tuple[tuple[str, RDMDenoiser], ...]:
        """(code name, its denoiser) for albedo and depth."""
        return tuple(zip(CODES, (self.netEA, self.netED)))

    def _initial_noise(self, batch: int, draws: int, generator: torch.Generator | None, device: torch.device) -> Tensor:
        """(draws, B, 256) initial samples x_T for the configured mode."""
        if self.noise == "zero":
            return torch.zeros(draws, batch, CODE_DIM, device=device)
        if self.noise == "random":
            return torch.randn(draws, batch, CODE_DIM, device=device)
        if self.noise == "fixed":
            return torch.randn(draws, 1, CODE_DIM, generator=generator).to(device).expand(draws, batch, CODE_DIM)
        return torch.randn(draws, batch, CODE_DIM, generator=generator).to(device)

    def neutral_codes(self, a: Tensor, d: Tensor) -> tuple[Tensor, Tensor]:
        """(n_a, n_d) from the codes, each (B, 256), averaged over `num_draws` DDIM runs (in code units: the
        denoisers work in `to_denoiser`'s)."""
        generator = torch.Generator().manual_seed(self.noise_seed)  # CPU: same draws on every device
        draws = 1 if self.noise == "zero" else self.num_draws
        out = []
        for (which, net), raw in zip(self.denoisers(), (a, d)):
            code = self.to_denoiser(raw, which)
            initial = self._initial_noise(code.shape[0], draws, generator, code.device).to(code.dtype)
            runs = [
                ddim_sample(lambda x_t, t, net=net, code=code: net(x_t, code, t), initial[k], self.schedule, mode=self.sampler)
                for k in range(draws)
            ]
            out.append(self.from_denoiser(torch.stack(runs).mean(0), which))
        return out[0], out[1]

    def parts(self, x: Tensor) -> dict[str, Tensor]:
        """a, d, n_a, n_d of (N, 3, H, W) images in [-1, 1] (resized to 64 px)."""
        if x.shape[-2:] != (IMAGE_SIZE, IMAGE_SIZE):
            x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False, antialias=True)
        a, d = self.codes.codes(x)
        n_a, n_d = self.neutral_codes(a, d)
        return {"a": a, "d": d, "n_a": n_a, "n_d": n_d}

    def features(self, x: Tensor, site: Site) -> Tensor:
        """The §5 feature `site` of images in [-1, 1]."""
        p = self.parts(x)
        feature = compose(site, p["a"], p["d"], p["n_a"], p["n_d"])
        if site == "verification":  # §5: the image and its horizontal flip, concatenated
            q = self.parts(x.flip(3))
            feature = torch.cat([feature, compose(site, q["a"], q["d"], q["n_a"], q["n_d"])], dim=1)
        return feature

    def forward(self, x: Tensor) -> Tensor:
        return self.features(x, self.site)


__all__ = ["CODES", "LatentFaceEncoder", "SITE_DIMS", "compose"]
