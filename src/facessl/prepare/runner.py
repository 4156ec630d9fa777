"""Run a list of tasks over worker processes with a progress bar, resumably, into one output folder."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from multiprocessing.pool import Pool
from pathlib import Path

import cv2
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from facessl.prepare.detectors import DETECTORS, DetectorError, make_detector
from facessl.prepare.media import remove_stale_temporaries
from facessl.prepare.records import (
    MANIFEST,
    REJECTS,
    PrepareError,
    RunRecords,
    clean_key,
)
from facessl.prepare.tasks import CROPS_DIR, PrepareSettings, Task, process_task


@dataclass(frozen=True)
class PrepareSummary:
    """What a run did.

    Attributes:
        out_dir: The output folder.
        manifest: ``manifest.csv`` (usable as ``--set data.source=manifest --set data.path=...``).
        rejects: ``rejects.csv``.
        tasks: Tasks in the run, finished earlier or now.
        skipped: Tasks already finished by an earlier run.
        processed: Tasks processed now.
        crops: Crops in the manifest, all runs together.
        rejected: Reject rows, all runs together.
        seconds: Wall time of this run.
    """

    out_dir: Path
    manifest: Path
    rejects: Path
    tasks: int
    skipped: int
    processed: int
    crops: int
    rejected: int
    seconds: float

    @property
    def tasks_per_second(self) -> float:
        """Processed tasks per second of this run."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def check_out_dir(out_dir: Path, source_roots: Sequence[Path]) -> None:
    """Refuse an output folder inside a source tree (preparation never writes into its sources).

    Raises:
        PrepareError: If ``out_dir`` equals or lies inside one of ``source_roots``, or a source
            lies inside ``out_dir / crops``.
    """
    out = out_dir.resolve()
    for root in source_roots:
        source = root.resolve()
        if out == source or source in out.parents:
            raise PrepareError(f"the output folder {out_dir} is inside the source tree {root}; choose --out elsewhere")
        crops = out / CROPS_DIR
        if source == crops or crops in source.parents:
            raise PrepareError(f"the source {root} lies inside the output's crops folder {crops}")


def _init_worker() -> None:
    # Workers share the machine's cores; OpenCV's own thread pool would oversubscribe them.
    cv2.setNumThreads(1)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Keep spawned workers from re-running the parent's ``__main__`` script.

    A spawned worker re-imports the parent's main script (for ``facessl``, the console script,
    which imports the whole CLI and torch: seconds per worker). Workers here only call
    :func:`process_task`, so while they start, a main script without a module name is hidden.
    Modules run with ``-m`` (``python -m facessl``, pytest) are already skipped by multiprocessing.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or path is None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _make_pool(workers: int) -> Pool:
    """A pool of spawned workers.

    Not forked: a parent that has run OpenCV holds its thread pool, and a forked child that calls
    into OpenCV waits forever on threads that were not copied. Spawning costs a fresh interpreter
    per worker, kept small because the worker modules import neither torch nor the CLI.
    """
    with _main_script_hidden():
        return multiprocessing.get_context("spawn").Pool(workers, initializer=_init_worker)


def run_prepare(
    tasks: Sequence[Task],
    out_dir: Path | str,
    settings: PrepareSettings,
    *,
    source_roots: Sequence[Path | str] = (),
    label_columns: Sequence[str] = (),
    workers: int = 0,
    progress: bool = True,
    description: str = "preparing",
) -> PrepareSummary:
    """Prepare every task not finished yet into ``out_dir``.

    Writes ``crops/``, ``manifest.csv`` (one row per crop: path relative to the manifest, source,
    frame, box, landmarks, crop square, recipe, size, detector and version, identity, task key,
    label columns), ``rejects.csv`` (source, frame, reason, task key) and ``prepare.json``.
    A second call with the same settings skips finished tasks and redoes interrupted ones.

    Args:
        tasks: The work; keys must be unique.
        out_dir: Output folder; must not lie inside any of ``source_roots``.
        settings: Recipe, size, detector and the rest; must match an existing run in ``out_dir``.
        source_roots: The folders read from (checked, never written).
        label_columns: Manifest columns beyond the standard ones that the tasks fill.
        workers: Worker processes; 0 runs in this process.
        progress: Show a rich progress bar on stderr.
        description: The progress bar's label.

    Raises:
        PrepareError: Bad output folder, duplicate task keys, or settings that differ from the run
            being resumed.
        DetectorError: The detector is unknown or cannot be built (checked before any work).
    """
    start = time.perf_counter()
    out_dir = Path(out_dir)
    check_out_dir(out_dir, [Path(r) for r in source_roots])
    keys = [clean_key(t.key) for t in tasks]
    if len(set(keys)) != len(keys):
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise PrepareError(f"two tasks share the key {duplicate!r}")
    stored = {**asdict(settings), "size": settings.crop_size, "label_columns": list(label_columns)}
    if settings.detector not in DETECTORS:
        raise DetectorError(f"unknown detector {settings.detector!r}; known: {', '.join(DETECTORS)}")
    if any(t.face is None and t.track is None and not t.problem and t.kind != "other" for t in tasks):
        make_detector(settings.detector)  # fail here, before writing anything, rather than in every worker
    records = RunRecords(out_dir, stored, label_columns)
    remove_stale_temporaries(out_dir / CROPS_DIR)
    todo = [t for t, k in zip(tasks, keys, strict=True) if k not in records.done]
    work = partial(process_task, settings=settings, out_dir=out_dir)
    chunk = max(1, min(16, len(todo) // (max(workers, 1) * 8)))
    pool: Pool | None = None
    try:
        pool = _make_pool(workers) if workers > 0 and todo else None
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not progress,
            transient=False,
        ) as bar:
            bar_task = bar.add_task(description, total=len(tasks), completed=len(tasks) - len(todo), stats="")
            results = pool.imap_unordered(work, todo, chunksize=chunk) if pool else map(work, todo)
            for result in results:
                records.add(result.key, result.rows, result.rejects)
                bar.update(bar_task, advance=1, stats=f"{records.manifest_rows} crops, {records.reject_rows} rejects")
        if pool is not None:
            pool.close()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        records.close()
    return PrepareSummary(
        out_dir=out_dir,
        manifest=out_dir / MANIFEST,
        rejects=out_dir / REJECTS,
        tasks=len(tasks),
        skipped=len(tasks) - len(todo),
        processed=len(todo),
        crops=records.manifest_rows,
        rejected=records.reject_rows,
        seconds=time.perf_counter() - start,
    )
