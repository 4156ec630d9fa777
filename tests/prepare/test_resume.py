"""Interrupted runs resume: finished inputs are skipped, interrupted ones redone, each recorded exactly once."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import facessl.prepare.runner as runner_module
from facessl.data.images import read_manifest
from facessl.prepare.records import JOURNAL, PrepareError
from facessl.prepare.runner import run_prepare
from facessl.prepare.sources import folder_tasks
from facessl.prepare.tasks import PrepareSettings, Task, TaskResult, process_task

SETTINGS = PrepareSettings(recipe="box", size=16, no_face="whole")  # no detector: fast and deterministic


def _images(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(root / f"{i:03d}.png")


def _items(manifest: Path) -> Counter[str]:
    with manifest.open(newline="") as handle:
        return Counter(row["item"] for row in csv.DictReader(handle))


def test_a_run_interrupted_midway_resumes_without_loss_or_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = tmp_path / "src", tmp_path / "out"
    _images(source, 12)
    calls = 0

    def failing(task: Task, settings: PrepareSettings, out_dir: Path) -> TaskResult:
        nonlocal calls
        calls += 1
        if calls == 6:  # the 6th task writes its crop, then the process "dies" before recording it
            process_task(task, settings, out_dir)
            raise KeyboardInterrupt
        return process_task(task, settings, out_dir)

    monkeypatch.setattr(runner_module, "process_task", failing)
    with pytest.raises(KeyboardInterrupt):
        run_prepare(folder_tasks(source), out, SETTINGS, source_roots=[source], progress=False)
    assert sum(_items(out / "manifest.csv").values()) == 5
    # Simulate the worst moment of a kill: a row written for a task not yet in the journal, and a
    # half-written line after it.
    with (out / "manifest.csv").open("a") as handle:
        handle.write("crops/005.png,x,,0,0,1,1,,,box,16,none,none,,005.png\ncrops/00")
    monkeypatch.undo()

    summary = run_prepare(folder_tasks(source), out, SETTINGS, source_roots=[source], progress=False)
    assert (summary.skipped, summary.processed) == (5, 7)
    items = _items(out / "manifest.csv")
    assert sorted(items) == [f"{i:03d}.png" for i in range(12)] and set(items.values()) == {1}
    files, _ = read_manifest(out / "manifest.csv")
    assert all(f.is_file() for f in files)
    again = run_prepare(folder_tasks(source), out, SETTINGS, source_roots=[source], progress=False)
    assert (again.skipped, again.processed, again.crops) == (12, 0, 12)


RUN = """
import sys
from facessl.prepare import PrepareSettings, folder_tasks, run_prepare
source, out = sys.argv[1], sys.argv[2]
run_prepare(folder_tasks(source), out, PrepareSettings(recipe="pcl"), source_roots=[source], workers=1, progress=False)
"""


def test_a_killed_process_resumes(tmp_path: Path, astronaut: np.ndarray) -> None:
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    count = 30
    for i in range(count):  # the Haar detector on 512 px photos: tens of ms each, long enough to kill midway
        Image.fromarray(np.roll(astronaut, 4 * i, axis=1)).save(source / f"{i:03d}.png", compress_level=1)
    command = [sys.executable, "-c", RUN, str(source), str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    journal = out / JOURNAL
    while time.monotonic() < deadline and process.poll() is None:
        if journal.is_file() and journal.read_text().count("\n") >= 5:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the run finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)  # the run and its worker, mid-run
    process.wait()
    done_before = journal.read_text().count("\n")
    assert 5 <= done_before < count
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    items = _items(out / "manifest.csv")
    assert sorted(items) == [f"{i:03d}.png" for i in range(count)] and set(items.values()) == {1}
    assert not list(out.rglob(".*.tmp-*"))  # no half-written crops left behind
    files, _ = read_manifest(out / "manifest.csv")
    assert len(files) == count and all(f.is_file() for f in files)


def test_resuming_with_other_settings_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "src", tmp_path / "out"
    _images(source, 2)
    run_prepare(folder_tasks(source), out, SETTINGS, source_roots=[source], progress=False)
    with pytest.raises(PrepareError, match="size"):
        run_prepare(
            folder_tasks(source),
            out,
            PrepareSettings(recipe="box", size=32, no_face="whole"),
            source_roots=[source],
            progress=False,
        )


def test_output_inside_the_source_tree_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    _images(source, 1)
    with pytest.raises(PrepareError, match="inside the source"):
        run_prepare(folder_tasks(source), source / "prepared", SETTINGS, source_roots=[source], progress=False)
    assert not (source / "prepared").exists()
