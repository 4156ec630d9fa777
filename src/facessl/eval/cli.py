"""``facessl eval``: evaluate features on the four facial tasks, print a table, write results.json and plots.

    facessl eval --weights simclr.safetensors --data synthfaces_small --out runs/eval/simclr
    facessl eval --weights runs/pcl --site pose --tasks pose --data ~/data
    facessl eval --weights raw --tasks expression --root rafdb=~/data/RAF-DB/basic
    facessl eval --weights random:resnet18 --data synthfaces_small

``--data`` is a SynthFaces export (``facessl synth export``) or a folder holding the real datasets
under their usual names (``RAF-DB/basic``, ``AffectNet``, ``fer2013``, ``lfw``, ``cplfw``, ``DISFA``,
``BP4D``, ``300W_LP``, ``AFLW2000``); ``--root NAME=PATH`` points at one dataset directly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from facessl.eval.task_datasets import FOLDER_NAMES, TASKS

MIN_SEEDS = 3  # facessl.eval.repeat.MIN_SEEDS, without importing the protocols at start-up


def _parse_roots(items: list[str]) -> dict[str, Path]:
    roots: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise typer.BadParameter(f"expected NAME=PATH, got {item!r}", param_hint="--root")
        roots[name.strip().lower()] = Path(path)
    return roots


def eval_command(
    weights: Annotated[str, typer.Option(help="Exported .safetensors, a run folder / .pt (see --site), raw[:SIZE], "
                                              "random:BACKBONE[:SEED] or supervised:BACKBONE.")],  # fmt: skip
    tasks: Annotated[str, typer.Option(help=f"Comma-separated tasks: {','.join(TASKS)}.")] = ",".join(TASKS),
    data: Annotated[Path | None, typer.Option(help="SynthFaces export or folder of the real datasets.")] = None,
    root: Annotated[list[str] | None, typer.Option(
        help=f"Dataset root as NAME=PATH (repeatable); NAME in {', '.join(FOLDER_NAMES)}.")] = None,  # fmt: skip
    out: Annotated[Path, typer.Option(help="Output folder for results.json and plots.")] = Path("runs/eval"),
    site: Annotated[str, typer.Option(help="Feature site of a run (e.g. PCL: trunk, face, pose, concat).")] = "encoder",
    seeds: Annotated[str, typer.Option(help="Comma-separated seeds (at least 3).")] = "0,1,2",
    crop: Annotated[str, typer.Option(help="'box': crop around dataset boxes where given; 'none'.")] = "box",
    flip: Annotated[bool, typer.Option(help="Verification on [f, f_flip] features.")] = False,
    pair_classifier: Annotated[bool, typer.Option(help="Also run LatentFace's pair-feature classifier.")] = False,
    cache: Annotated[Path | None, typer.Option(help="Feature cache folder (default <out>/feature_cache).")] = None,
    plots: Annotated[bool, typer.Option(help="Write PNG plots (needs matplotlib).")] = True,
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
    batch_size: Annotated[int, typer.Option(help="Images per forward pass.")] = 64,
    workers: Annotated[int, typer.Option(help="Image-decoding processes.")] = 0,
    supervised_epochs: Annotated[int | None, typer.Option(help="Epochs of supervised:BACKBONE (default 20).")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Evaluate features on expression, verification, AU and head-pose protocols (selection on validation only)."""
    from rich.console import Console

    from facessl.cli import _setup_logging, _user_errors
    from facessl.eval.feature_cache import FeatureCache
    from facessl.eval.feature_source import FeatureSource
    from facessl.eval.results_file import results_document, results_table, source_description, write_results
    from facessl.eval.runners import EvalSettings
    from facessl.eval.source_spec import parse_source
    from facessl.eval.suite import evaluate_suite
    from facessl.eval.task_datasets import find_data_roots

    _setup_logging()
    task_list = [t.strip() for t in tasks.split(",") if t.strip()]
    unknown = [t for t in task_list if t not in TASKS]
    if unknown:
        raise typer.BadParameter(f"unknown task(s) {', '.join(unknown)}; choose from {', '.join(TASKS)}",
                                 param_hint="--tasks")  # fmt: skip
    if crop not in ("box", "none"):
        raise typer.BadParameter("must be 'box' or 'none'", param_hint="--crop")
    try:
        seed_list = tuple(int(s) for s in seeds.split(",") if s.strip())
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated integers, got {seeds!r}", param_hint="--seeds") from None
    if len(set(seed_list)) < MIN_SEEDS:
        raise typer.BadParameter(f"need at least {MIN_SEEDS} distinct seeds, got {seeds!r}", param_hint="--seeds")
    if data is None and not root:
        raise typer.BadParameter("give --data DIR or at least one --root NAME=PATH", param_hint="--data")
    with _user_errors():
        try:
            roots = find_data_roots(data, _parse_roots(list(root or [])))
            source = parse_source(weights, site, device, supervised_epochs)
        except ValueError as err:
            raise typer.BadParameter(str(err)) from None
        settings = EvalSettings(seeds=seed_list, crop=crop, verification_flip=flip,  # type: ignore[arg-type]
                                pair_classifier=pair_classifier, cache=FeatureCache(cache or out / "feature_cache"),
                                batch_size=batch_size, num_workers=workers, progress=progress)  # fmt: skip
        suite = evaluate_suite(source, roots, task_list, settings)
    fixed = source if isinstance(source, FeatureSource) else None
    settings_doc = {"tasks": task_list, "seeds": list(seed_list), "crop": crop, "verification_flip": flip,
                    "pair_classifier": pair_classifier, "data": str(data) if data else None,
                    "roots": {k: str(v) for k, v in roots.roots.items()}, "synthetic": roots.synthetic}  # fmt: skip
    document = results_document(suite, source_description(fixed, weights), settings_doc, ["facessl", *sys.argv[1:]])
    path = write_results(document, out)
    Console().print(results_table(document))
    Console().print(f"results: {path}")
    if plots and suite.reports:
        try:
            from facessl.eval.plots import plot_reports

            written = plot_reports(suite.reports, out / "plots")
            Console().print(f"plots: {len(written)} PNG file(s) in {out / 'plots'}")
        except ImportError:
            Console(stderr=True).print("[yellow]matplotlib is not installed: no plots written[/]")
