"""`facessl demo` from top to bottom: task sets → four pretrainings → evaluation → figures → report.

Each numbered stage is timed (wall-clock and process CPU seconds) and its time goes into the report.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from facessl import __version__
from facessl.config import to_dict
from facessl.demo.decompose import latentface_factors, pcl_swaps
from facessl.demo.evaluate import (
    HEADLINE,
    PAGE_COLUMN,
    TASKS,
    embedding_features,
    evaluate_sources,
    headline,
    method_source,
    one_thread,
    reference_sources,
)
from facessl.demo.figures import (
    plot_image_columns,
    plot_loss_curves,
    plot_results_table,
    plot_samples,
    plot_tsne_grid,
)
from facessl.demo.report import write_report
from facessl.demo.schedules import METHODS, TITLES, Schedule, get_schedule
from facessl.demo.sets import LabelledFaces, export_task_sets, training_samples, tsne_set
from facessl.engine.config import RunConfig, load_run_config
from facessl.engine.metrics import read_metrics
from facessl.engine.train import RunSummary, load_trained_method, pretrain
from facessl.weights.card import git_commit
from facessl.weights.encoder_file import file_sha256
from facessl.weights.export import export_run

STAGES = 8  # numbered stages printed while the demo runs


@dataclass
class Timing:
    """Wall-clock and CPU seconds of each stage (CPU: `time.process_time`, all threads of this process)."""

    stages: list[dict[str, float | str]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.stages.append({"stage": name, "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu})


def _bar(enabled: bool, console: Console) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, disable=not enabled)  # fmt: skip


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _figure_faces(faces: LabelledFaces, k: int) -> tuple[list[int], list[int], list[int]]:
    """Rows of the t-SNE set for the figures: PCL pairs (A: the most frontal image of person i, B: the most turned
    image of person i + 1) and LatentFace inputs (an expressive, fairly frontal image of each person)."""
    people = int(faces.identity.max()) + 1
    yaw = faces.pose[:, 0].abs()
    rows = [torch.nonzero(faces.identity == p).flatten() for p in range(people)]
    a = [int(rows[i % people][yaw[rows[i % people]].argmin()]) for i in range(k)]
    b = [int(rows[(i + 1) % people][yaw[rows[(i + 1) % people]].argmax()]) for i in range(k)]
    expressive = []
    for i in range(k):
        r = rows[i % people]
        good = r[(faces.emotion[r] != 0) & (yaw[r] < 35)]
        expressive.append(int(good[0] if len(good) else r[yaw[r].argmin()]))
    return a, b, expressive


def run_demo(out: str | Path = "runs/demo", schedule: str | Schedule = "demo", progress: bool = True,
             console: Console | None = None) -> dict[str, Any]:  # fmt: skip
    """Run the whole demo into `out` and return what `results.json` holds.

    Args:
        out: output folder: ``report.md``, ``results.json``, ``figures/``, ``runs/<method>``, ``weights/``,
            ``synthfaces/`` (the task sets).
        schedule: ``demo`` (10 minutes on 2 CPU cores), ``full`` or ``smoke`` (tests), or a `Schedule`.
        progress: show progress bars.
        console: where stage headers and bars go (default: stdout).
    """
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    sched = get_schedule(schedule) if isinstance(schedule, str) else schedule
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    console = console or Console()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    timing = Timing()
    environment = {
        "device": str(device), "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "load_average_start": list(os.getloadavg()), "python": platform.python_version(),
        "torch": torch.__version__, "facessl": __version__, "git_commit": git_commit(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }  # fmt: skip

    def header(i: int, text: str) -> None:
        console.print(f"[bold cyan][{i}/{STAGES}][/] {text}")

    # ============ 1. labelled task sets (people never seen in pretraining) ============
    header(1, f"rendering the SynthFaces task sets ({sched.tasks.name} sizes) into {out / 'synthfaces'}")
    with timing.stage("render task sets"), _bar(progress, console) as bar:
        task = bar.add_task("render", total=None)
        counts = export_task_sets(out / "synthfaces", sched.tasks, progress=lambda n: bar.advance(task, n),
                                  on_total=lambda n: bar.update(task, total=n))  # fmt: skip

    # ============ 2–5. pretraining, streaming SynthFaces; each run exported to weights/ ============
    configs: dict[str, RunConfig] = {}
    summaries: dict[str, RunSummary] = {}
    weights: dict[str, Path] = {}
    for i, key in enumerate(METHODS):
        overrides = sched.overrides(key)
        if key == "latentface-rdm":  # stage 2 trains on stage 1's frozen encoders
            overrides.append(f"method.autoencoder={weights['latentface-ae']}")
        cfg = load_run_config(None, overrides)
        configs[key] = cfg
        header(2 + i, f"pretraining {TITLES[key]}: {cfg.train.steps} iterations of {cfg.train.batch_size} images")
        with timing.stage(f"pretrain {TITLES[key]}"):
            summaries[key] = pretrain(cfg, out / "runs" / key, show_progress=progress)
            weights[key] = export_run(out / "runs" / key, out / "weights" / f"{key}.safetensors")

    # ============ 6. evaluation: 6 feature sources × 4 protocols ============
    sources = [method_source(k, TITLES[k], out / "runs" / k, device) for k in METHODS]
    sources += reference_sources(str(configs["simclr"].backbone.get("stem", "face64")), device)
    header(6, f"evaluating {len(sources)} feature sources on {len(TASKS)} tasks ({len(sched.seeds)} seeds each)")
    with timing.stage("evaluate"), _bar(progress, console) as bar:
        task = bar.add_task("evaluate", total=len(sources) * len(TASKS))
        results, reports = evaluate_sources(sources, out / "synthfaces", sched.seeds, progress=False,
                                            on_done=lambda s, t: bar.advance(task))  # fmt: skip

    # ============ 7. figures ============
    header(7, f"drawing the figures into {out / 'figures'}")
    figures: dict[str, Path] = {}
    fig_dir = out / "figures"
    with timing.stage("figures"), one_thread(), _bar(progress, console) as bar:
        task = bar.add_task("figures", total=6)
        data = configs["simclr"].data
        figures["samples"] = plot_samples(training_samples(data.length, data.num_identities), 8,
                                          fig_dir / "training_samples.png",
                                          "SynthFaces pretraining frames (row: one person; its videos and tracks)",
                                          [f"person {r + 1}" for r in range(4)])  # fmt: skip
        bar.advance(task)
        curves = {k: (TITLES[k], read_metrics(out / "runs" / k / "metrics.jsonl")) for k in METHODS}
        figures["losses"] = plot_loss_curves(curves, fig_dir / "loss_curves.png")
        bar.advance(task)
        cells = [[headline(results[s.key][t], t) for t in TASKS] for s in sources]
        figures["table"] = plot_results_table(
            [s.title for s in sources], [HEADLINE[t][2] for t in TASKS], cells, [HEADLINE[t][3] for t in TASKS],
            fig_dir / "results_table.png", f"SynthFaces, people unseen in pretraining ({sched.name} schedule; "
            f"mean ± std over {len(sched.seeds)} seeds, over folds for verification)",
            reference_rows=[len(sources) - 2, len(sources) - 1])  # fmt: skip
        bar.advance(task)
        faces = tsne_set(sched.tsne_people, sched.tsne_images)
        feats = {s.title: embedding_features(s, faces.float01()) for s in sources}
        figures["tsne"] = plot_tsne_grid(feats, faces.emotion.numpy(), faces.identity.numpy(),
                                         faces.pose[:, 0].numpy(), fig_dir / "tsne.png")  # fmt: skip
        bar.advance(task)
        a, b, expressive = _figure_faces(faces, sched.figure_faces)
        pcl, _, _, _ = load_trained_method(out / "runs" / "pcl")
        x = faces.float01()
        figures["pcl"] = plot_image_columns(pcl_swaps(pcl.to(device), x[a].to(device), x[b].to(device)),
                                            fig_dir / "pcl_swaps.png",
                                            "PCL's decoder on swapped face-aware (F_f) and pose (F_p) features")
        bar.advance(task)
        ae, _, _, _ = load_trained_method(out / "runs" / "latentface-ae")
        rdm, _, _, _ = load_trained_method(out / "runs" / "latentface-rdm")
        figures["latentface"] = plot_image_columns(
            latentface_factors(ae.to(device), rdm.to(device), x[expressive].to(device)),
            fig_dir / "latentface_factors.png", "LatentFace: stage 1's 3D factors and stage 2's neutral face")
        bar.advance(task)

    # ============ 8. report ============
    header(8, f"writing {out / 'report.md'}")
    environment["load_average_end"] = list(os.getloadavg())
    document: dict[str, Any] = {
        "format": "facessl-demo/v1", "schedule": sched.name, "environment": environment,
        "timing": timing.stages, "total_wall_s": time.perf_counter() - started_wall,
        "total_cpu_s": time.process_time() - started_cpu,
        "task_images": counts,
        "pretraining": {k: {**asdict(summaries[k]), "config": to_dict(configs[k]), "weights": str(weights[k]),
                            "weights_sha256": file_sha256(weights[k])} for k in METHODS},
        "sources": {s.key: {"title": s.title, "sites": {t: s.site(t) for t in TASKS}} for s in sources},
        # The headline table as {row: {column: {mean, std}}}, the shape scripts/make_results_page.py reads.
        "synthfaces": {s.title: {PAGE_COLUMN[t]: dict(zip(("mean", "std"), headline(results[s.key][t], t)))
                                 for t in TASKS} for s in sources},
        "evaluations": results,
        "figures": {k: str(v.relative_to(out)) for k, v in figures.items()},
    }  # fmt: skip
    (out / "results.json").write_text(json.dumps(document, indent=2, default=_jsonable) + "\n")
    write_report(out / "report.md", document, sched)
    return document
