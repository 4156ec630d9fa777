"""``facessl prepare``: turn raw face images, videos and dataset releases into crops plus a manifest.

    facessl prepare folder photos/ --out prepared/photos --recipe pcl --workers 2
    facessl prepare voxceleb vox1/unzippedIntervalFaces/data --out prepared/vox --recipe pcl --every 4
    facessl prepare voxceleb vox2/dev/mp4 --tracks vox2/dev/txt --out prepared/vox2 --recipe latentface --every 5
    facessl prepare celeba CelebA/ --out prepared/celeba --recipe latentface
    facessl prepare affectnet AffectNet/ --out prepared/affectnet --recipe box --size 64
    facessl prepare 300wlp 300W_LP/ --out prepared/300wlp --recipe box --scale 1.2 --size 64
    facessl prepare aflw2000 AFLW2000/ --out prepared/aflw2000 --recipe box --scale 1.2 --size 64

Every command writes ``<out>/crops/``, ``<out>/manifest.csv`` (usable as
``facessl pretrain --set data.source=manifest --set data.path=<out>/manifest.csv``),
``<out>/rejects.csv`` and ``<out>/prepare.json``; running it again resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from facessl.prepare.runner import PrepareSummary
    from facessl.prepare.tasks import PrepareSettings, Task

# The commands import OpenCV-backed modules only when they run, so `facessl --help` stays fast.

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Prepare raw images, videos and datasets into face crops."
)
console = Console(stderr=True)

Out = Annotated[Path, typer.Option("--out", "-o", help="Output folder (must not be inside the source).")]
RecipeOpt = Annotated[
    str,
    typer.Option(
        help="Crop recipe: box (plain square box), pcl (eyes levelled, 64 px), "
        "latentface (Unsup3D box, 128 px), arcface (5-point similarity, 112 px)."
    ),
]
SizeOpt = Annotated[
    int | None,
    typer.Option(help="Crop side in pixels (default: the recipe's: box 128, pcl 64, latentface 128, arcface 112)."),
]
ScaleOpt = Annotated[float, typer.Option(help="Box margin factor for the box and pcl recipes.")]
DetectorOpt = Annotated[
    str, typer.Option(help="Detector where the data has no boxes: haar (built in) or mediapipe (optional extra).")
]
WorkersOpt = Annotated[int, typer.Option(help="Worker processes (0: in this process).")]
FormatOpt = Annotated[str, typer.Option("--format", help="Crop file format: png or jpg.")]
NoFaceOpt = Annotated[str, typer.Option(help="A frame without a face: 'reject' it, or crop the 'whole' frame.")]
ProgressOpt = Annotated[bool, typer.Option(help="Show a progress bar.")]


@contextmanager
def _user_errors() -> Iterator[None]:
    from facessl.data.layouts.errors import LayoutError
    from facessl.prepare.detectors import DetectorError
    from facessl.prepare.records import PrepareError

    try:
        yield
    except (PrepareError, LayoutError, DetectorError, ValueError, KeyError) as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(2) from None


def _run(
    tasks: Callable[[], list[Task]],
    sources: Sequence[Path],
    out: Path,
    settings: Callable[[], PrepareSettings],
    workers: int,
    progress: bool,
    label_columns: Sequence[str] = (),
) -> None:
    from facessl.prepare.runner import run_prepare

    with _user_errors():
        summary = run_prepare(
            tasks(),
            out,
            settings(),
            source_roots=sources,
            label_columns=label_columns,
            workers=workers,
            progress=progress,
        )
    _print_summary(summary)


def _print_summary(summary: PrepareSummary) -> None:
    table = Table(title="preparation finished", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in {
        "manifest": str(summary.manifest),
        "rejects": str(summary.rejects),
        "inputs": f"{summary.tasks} ({summary.skipped} done earlier, {summary.processed} now)",
        "crops": str(summary.crops),
        "rejected": str(summary.rejected),
        "time": f"{summary.seconds:.1f} s ({summary.tasks_per_second:.1f} inputs/s)",
    }.items():
        table.add_row(key, value)
    Console().print(table)


@app.command()
def folder(
    source: Annotated[Path, typer.Argument(help="Folder of images and/or videos (searched recursively).")],
    out: Out,
    recipe: RecipeOpt = "box",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    detector: DetectorOpt = "haar",
    every: Annotated[
        int, typer.Option(help="Keep every N-th image of each folder and every N-th frame of each video.")
    ] = 1,
    no_face: NoFaceOpt = "reject",
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Detect, align and crop the faces of any folder of images or videos (largest face per image or frame)."""
    from facessl.prepare.sources import folder_tasks
    from facessl.prepare.tasks import PrepareSettings

    _run(
        lambda: folder_tasks(source, every=every, frames_every=every),
        [source],
        out,
        lambda: PrepareSettings(recipe, size, scale, detector, image_format, no_face),
        workers,
        progress,
    )


@app.command()
def voxceleb(
    source: Annotated[
        Path, typer.Argument(help="Released frame tree (<person>/<video>/<segment>/*.jpg) or video folder.")
    ],
    out: Out,
    tracks: Annotated[
        Path | None, typer.Option(help="Track .txt folder mirroring the video folder (VoxCeleb txt/).")
    ] = None,
    every: Annotated[
        int,
        typer.Option(help="Sampling: keep every N-th frame of each segment or track (PCL's predecessor kept 6 of 25)."),
    ] = 1,
    track_frames: Annotated[
        str,
        typer.Option(
            help="Track frame numbers count from the clip's first frame ('relative') or the full video ('absolute')."
        ),
    ] = "relative",
    recipe: RecipeOpt = "pcl",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    detector: DetectorOpt = "haar",
    no_face: NoFaceOpt = "reject",
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Crop VoxCeleb frames: the released face-track frames, or videos with their track box files."""
    from facessl.prepare.sources import voxceleb_tasks
    from facessl.prepare.tasks import PrepareSettings

    roots = [source] + ([tracks] if tracks else [])
    _run(
        lambda: voxceleb_tasks(source, tracks, every, track_frames),
        roots,
        out,
        lambda: PrepareSettings(recipe, size, scale, detector, image_format, no_face),
        workers,
        progress,
    )


@app.command()
def celeba(
    source: Annotated[Path, typer.Argument(help="CelebA folder (Img/img_celeba, Anno/, Eval/).")],
    out: Out,
    images: Annotated[str | None, typer.Option(help="Image folder relative to SOURCE (found automatically).")] = None,
    recipe: RecipeOpt = "latentface",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    detector: DetectorOpt = "haar",
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Crop CelebA's in-the-wild images from the official boxes and/or landmarks."""
    from facessl.prepare.sources import celeba_tasks
    from facessl.prepare.tasks import PrepareSettings

    _run(
        lambda: celeba_tasks(source, images),
        [source],
        out,
        lambda: PrepareSettings(recipe, size, scale, detector, image_format),
        workers,
        progress,
        ("split",),
    )


@app.command()
def affectnet(
    source: Annotated[
        Path, typer.Argument(help="AffectNet folder (Manually_Annotated_file_lists/, Manually_Annotated_Images/).")
    ],
    out: Out,
    classes: Annotated[int, typer.Option(help="8 expression classes, or 7 (without contempt).")] = 8,
    recipe: RecipeOpt = "box",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Crop AffectNet's images from the CSV face boxes (68 landmarks kept for the pcl/arcface recipes)."""
    from facessl.prepare.sources import AFFECTNET_LABELS, affectnet_tasks
    from facessl.prepare.tasks import PrepareSettings

    _run(
        lambda: affectnet_tasks(source, classes),
        [source],
        out,
        lambda: PrepareSettings(recipe, size, scale, "haar", image_format),
        workers,
        progress,
        AFFECTNET_LABELS,
    )


@app.command("300wlp")
def w300lp(
    source: Annotated[Path, typer.Argument(help="300W_LP folder (AFW/, AFW_Flip/, HELEN/, ...).")],
    out: Out,
    recipe: RecipeOpt = "box",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Crop 300W-LP from the pt2d landmarks' box; the manifest carries (yaw, pitch, roll) in degrees."""
    from facessl.prepare.sources import POSE_LABELS, w300lp_tasks
    from facessl.prepare.tasks import PrepareSettings

    _run(
        lambda: w300lp_tasks(source),
        [source],
        out,
        lambda: PrepareSettings(recipe, size, scale, "haar", image_format),
        workers,
        progress,
        POSE_LABELS,
    )


@app.command("aflw2000")
def aflw2000(
    source: Annotated[Path, typer.Argument(help="AFLW2000 folder (image*.jpg + image*.mat).")],
    out: Out,
    max_abs_angle: Annotated[
        float, typer.Option(help="Drop samples with any angle beyond this (the ±99° protocol filter).")
    ] = 99.0,
    recipe: RecipeOpt = "box",
    size: SizeOpt = None,
    scale: ScaleOpt = 1.0,
    image_format: FormatOpt = "png",
    workers: WorkersOpt = 0,
    progress: ProgressOpt = True,
) -> None:
    """Crop AFLW2000-3D from the pt2d landmarks' box; the manifest carries (yaw, pitch, roll) in degrees."""
    from facessl.prepare.sources import POSE_LABELS, aflw2000_tasks
    from facessl.prepare.tasks import PrepareSettings

    _run(
        lambda: aflw2000_tasks(source, max_abs_angle),
        [source],
        out,
        lambda: PrepareSettings(recipe, size, scale, "haar", image_format),
        workers,
        progress,
        POSE_LABELS,
    )
