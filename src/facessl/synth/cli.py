"""``facessl synth``: preview and export SynthFaces (added to the main CLI with ``add_typer``).

    facessl synth preview --out grid.png
    facessl synth export --out synthfaces --preset tiny
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="SynthFaces: the embedded 3D face generator.")
PRESET_NAMES = ("tiny", "small", "standard")


@app.command()
def preview(
    out: Annotated[Path, typer.Option("--out", "-o", help="Image file to write (PNG).")] = Path("synthfaces.png"),
    identities: Annotated[int, typer.Option(help="Rows (people).")] = 6,
    size: Annotated[int, typer.Option(help="Tile side in pixels.")] = 96,
    seed: Annotated[int, typer.Option(help="Seed choosing the people.")] = 0,
) -> None:
    """Write a grid: rows are identities; columns run through the expressions, then head poses."""
    import torch

    from facessl.synth.preview import write_preview

    torch.set_num_threads(1)
    path = write_preview(out, identities, size, seed)
    Console().print(f"preview: {path}")


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Export root folder.")],
    preset: Annotated[str, typer.Option(help="Size: tiny | small | standard.")] = "tiny",
    seed: Annotated[int, typer.Option(help="Dataset seed (same seed, same pixels).")] = 0,
) -> None:
    """Render the task sets and the video corpus into the published dataset layouts."""
    if preset not in PRESET_NAMES:
        Console(stderr=True).print(f"[bold red]error:[/] unknown preset {preset!r}; choose {', '.join(PRESET_NAMES)}")
        raise typer.Exit(2)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from facessl.synth.export import export

    with Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("export", total=None)
        counts = export(
            out,
            preset,
            seed,
            progress=lambda n: bar.advance(task, n),
            on_total=lambda total: bar.update(task, total=total),
        )
    Console().print(f"wrote {sum(counts.values())} images to {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
