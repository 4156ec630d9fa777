"""`facessl import ...`: convert official checkpoints into facessl weights (a typer sub-app).

    facessl import unsup3d checkpoint030.pth --out weights/unsup3d_celeba.safetensors
    facessl import latentface latentface.pth --out weights/latentface.safetensors --site expression
    facessl import pcl best.pth --out weights/pcl.safetensors
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import_app = typer.Typer(no_args_is_help=True, help="Convert official checkpoints into facessl weights.")

OutOpt = Annotated[Path, typer.Option(help="Output encoder .safetensors (card beside it; networks in <stem>_networks).")]


def _run(fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from facessl.weights.import_latentface import OfficialCheckpointError

    try:
        paths = fn(*args, **kwargs)
    except (OfficialCheckpointError, FileNotFoundError, ValueError) as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err}")
        raise typer.Exit(2) from None
    for path in paths:
        Console().print(f"wrote {path}")


@import_app.command("unsup3d")
def unsup3d(
    file: Annotated[Path, typer.Argument(help="Official Unsup3D checkpoint (e.g. pretrained_celeba/checkpoint030.pth).")],
    out: OutOpt,
) -> None:
    """Unsup3D / LatentFace stage 1 -> the `unsup3d` code encoder plus the five networks."""
    from facessl.weights.import_latentface import import_unsup3d

    _run(import_unsup3d, file, out)


@import_app.command("latentface")
def latentface(
    file: Annotated[Path, typer.Argument(help="Official LatentFace checkpoint with netEA / netED.")],
    out: OutOpt,
    site: Annotated[str, typer.Option(help="Feature of the encoder: expression, verification, neutral, residual, codes.")] = "expression",
    sampler: Annotated[str, typer.Option(help="DDIM mode: legacy (diffusers 0.14, official numbers) or correct.")] = "legacy",
    noise: Annotated[str, typer.Option(help="Initial noise: seeded, fixed, zero or random (official, not repeatable).")] = "seeded",
    autoencoder: Annotated[Path | None, typer.Option(help="Stage-1 checkpoint, when the file holds only netEA/netED.")] = None,
) -> None:
    """LatentFace -> the `latentface` encoder (codes + RDMs, §5 features) plus all seven networks."""
    from facessl.weights.import_latentface import import_latentface

    _run(import_latentface, file, out, site=site, sampler=sampler, noise=noise, autoencoder=autoencoder)


@import_app.command("pcl")
def pcl(
    file: Annotated[Path, typer.Argument(help="Official PCL checkpoint (best.pth, `module.encoder.*` layout).")],
    out: OutOpt,
    input_size: Annotated[int, typer.Option(help="Resolution the checkpoint was trained at (official: 64).")] = 64,
) -> None:
    """PCL -> the `pcl` encoder (trunk features, the official probe site) plus branches, heads and decoder."""
    from facessl.models.pcl_import import OfficialCheckpointError, import_pcl

    try:
        paths = import_pcl(file, out, input_size=input_size)
    except (OfficialCheckpointError, FileNotFoundError, ValueError) as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err}")
        raise typer.Exit(2) from None
    for path in paths:
        Console().print(f"wrote {path}")
