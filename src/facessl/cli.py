"""The `facessl` command line (typer + rich).

    facessl pretrain --config configs/simclr.yaml --set train.steps=200 --out runs/simclr
    facessl export runs/simclr --out simclr.safetensors
    facessl embed faces/ --weights simclr.safetensors --out features.safetensors
    facessl info simclr.safetensors
    facessl list
    facessl synth preview --out grid.png
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from facessl.config import ConfigError
from facessl.eval.cli import eval_command
from facessl.prepare.audit_cli import app as audit_app
from facessl.prepare.cli import app as prepare_app
from facessl.synth.cli import app as synth_app
from facessl.weights.import_cli import import_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Self-supervised facial representation learning.")
app.add_typer(synth_app, name="synth")  # facessl synth preview | export
app.add_typer(import_app, name="import")  # facessl import unsup3d | latentface
app.add_typer(prepare_app, name="prepare")  # facessl prepare folder | voxceleb | celeba | affectnet | 300wlp | aflw2000
app.add_typer(audit_app, name="audit")  # facessl audit identities
console = Console(stderr=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="YAML config file.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", "-s", help="Override a key: section.key=value (repeatable).")]


def _setup_logging(main: bool = True) -> None:
    logging.basicConfig(
        level=logging.INFO if main else logging.WARNING, format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)], force=True,
    )


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's expected failures into one red line and a non-zero exit, without a traceback."""
    from facessl.data.images import DataError
    from facessl.data.layouts.errors import LayoutError
    from facessl.engine.checkpoint import CheckpointError
    from facessl.engine.train import TrainingStopped

    try:
        yield
    except (ConfigError, DataError, LayoutError, CheckpointError) as err:
        console.print(f"[bold red]error:[/] {err}")
        raise typer.Exit(2) from None
    except TrainingStopped as err:
        console.print(f"[bold red]training stopped:[/] {err}")
        raise typer.Exit(1) from None


def _table(title: str, rows: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows.items():
        table.add_row(key, value if isinstance(value, str) else json.dumps(value))
    return table


@app.command()
def pretrain(
    config: ConfigOpt = None,
    set_: SetOpt = None,
    method: Annotated[str | None, typer.Option(help="Shortcut for --set method.name=NAME.")] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder (default runs/<method>).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue from <out>/checkpoints/last.pt if it exists.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    stop_after: Annotated[
        int | None, typer.Option(help="Stop (with a checkpoint) after this iteration; resume later with --resume.")
    ] = None,
) -> None:
    """Pretrain an encoder without labels; works the same under `torchrun`."""
    from facessl import distributed
    from facessl.engine.config import load_run_config
    from facessl.engine.train import pretrain as run_pretrain

    _setup_logging(main=os.environ.get("RANK", "0") == "0")  # before the process group exists
    with _user_errors():
        overrides = list(set_ or []) + ([f"method.name={method}"] if method else [])
        cfg = load_run_config(config, overrides)
        out_dir = out or Path("runs") / cfg.method["name"]
        summary = run_pretrain(cfg, out_dir, resume=resume, show_progress=progress, stop_after=stop_after)
    if distributed.is_main():
        rows = {
            "run": summary.out_dir, "method": cfg.method["name"], "backbone": cfg.backbone["name"],
            "iterations": str(summary.steps), "images seen": str(summary.images_seen),
            "time": f"{summary.seconds:.1f} s", "throughput": f"{summary.images_per_second:.1f} images/s",
            "precision": summary.precision, "processes": str(summary.world_size),
            "skipped images": str(summary.skipped_images), "checkpoint": summary.checkpoint,
        }
        rows.update({k: f"{v:.4g}" for k, v in summary.final_logs.items() if k not in ("lr", "images_per_second", "epoch")})
        Console().print(_table("pretraining finished", rows))


@app.command()
def export(
    run: Annotated[Path, typer.Argument(help="Run folder or training checkpoint (.pt).")],
    out: Annotated[Path, typer.Option(help="Output .safetensors file (a .json card is written beside it).")],
) -> None:
    """Export a run's encoder as safetensors weights plus a JSON card."""
    from facessl.weights.export import export_run

    _setup_logging()
    with _user_errors():
        path = export_run(run, out)
    Console().print(f"wrote {path} and {path.with_suffix('.json')}")


@app.command()
def embed(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders.")],
    weights: Annotated[Path, typer.Option(help="Encoder .safetensors written by `facessl export`.")],
    out: Annotated[Path, typer.Option(help="Output features .safetensors.")] = Path("features.safetensors"),
    batch_size: Annotated[int, typer.Option(help="Images per batch.")] = 256,
    workers: Annotated[int, typer.Option(help="Decoding processes.")] = 0,
) -> None:
    """Embed images with an exported encoder, in batches."""
    from facessl.embedding import embed_files, expand_paths, save_features
    from facessl.weights.encoder_file import load_encoder

    _setup_logging()
    with _user_errors():
        encoder = load_encoder(weights)
        features, kept, skipped = embed_files(encoder, expand_paths(list(paths)), batch_size, workers, progress=True)
        save_features(features, kept, weights, out)
    Console().print(f"wrote {tuple(features.shape)} features to {out}; {len(skipped)} unreadable file(s) skipped")
    for path in skipped:
        Console().print(f"  skipped: {path}")


@app.command()
def info(file: Annotated[Path, typer.Argument(help="Weights (.safetensors) or training checkpoint (.pt).")]) -> None:
    """Print the card of exported weights or the state of a training checkpoint."""
    from facessl.weights.encoder_file import describe

    with _user_errors():
        Console().print(_table(str(file), describe(file)))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/demo"),
    full: Annotated[bool, typer.Option("--full", help="The longer schedules of the results page (days on a CPU).")] = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Pretrain SimCLR, PCL and LatentFace on SynthFaces, evaluate them, write <out>/report.md (10 min on 2 cores)."""
    from facessl.demo import run_demo
    from facessl.demo.evaluate import HEADLINE, TASKS, headline

    _setup_logging()
    with _user_errors():
        document = run_demo(out, schedule="full" if full else "demo", progress=progress)
    table = Table(title=f"facessl demo ({document['schedule']} schedule): SynthFaces people unseen in pretraining")
    table.add_column("features")
    for task in TASKS:
        table.add_column(HEADLINE[task][2])
    for key, source in document["sources"].items():
        cells = [headline(document["evaluations"][key][t], t) for t in TASKS]
        table.add_row(source["title"], *(f"{m:.3f} ± {s:.3f}" for m, s in cells))
    Console().print(table)
    Console().print(f"finished in {document['total_wall_s'] / 60:.1f} min")
    Console().print(f"report: {out / 'report.md'}")


@app.command("list")
def list_names() -> None:
    """Print the registered methods, backbones and dataset layouts."""
    from facessl.data.layouts import LAYOUTS
    from facessl.methods import METHODS
    from facessl.models.backbones import BACKBONES

    for title, names in (("methods", METHODS.names()), ("backbones", BACKBONES.names()), ("dataset layouts", LAYOUTS.names())):
        Console().print(f"[bold]{title}:[/] {', '.join(names)}")


app.command("eval")(eval_command)


def main(argv: list[str] | None = None) -> Any:
    command: Callable[..., Any] = app
    return command(args=argv if argv is not None else sys.argv[1:], prog_name="facessl")
