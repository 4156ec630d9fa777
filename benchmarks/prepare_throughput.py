"""Throughput of ``facessl prepare folder`` on this CPU, written as JSON (images/s).

The input is a folder of 512 x 512 JPEG photos made from scikit-image's astronaut (each shifted so
no two are identical), prepared with the default OpenCV Haar detector (faces and eyes) and a crop
recipe, in this process (``workers=0``) and with worker processes. Each run starts from an empty
output folder, so the time includes detector loading and, with workers, starting them; it also
includes decoding, detection, the crop and the PNG write. A second measurement runs the
dataset-box path (no detector), as for AffectNet or VoxCeleb tracks. Usage::

    OMP_NUM_THREADS=1 python benchmarks/prepare_throughput.py --images 60 \\
        --out benchmarks/results/prepare_throughput.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage.data import astronaut

from facessl.prepare import Face, PrepareSettings, folder_tasks, run_prepare


def make_photos(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    photo = astronaut()
    for i in range(count):
        Image.fromarray(np.roll(photo, 3 * i, axis=1)).save(folder / f"{i:04d}.jpg", quality=92)


def measure(source: Path, out: Path, settings: PrepareSettings, workers: int, boxes: bool) -> dict[str, float]:
    tasks = folder_tasks(source)
    if boxes:  # the dataset-box path: what AffectNet CSV boxes or VoxCeleb tracks run
        tasks = [replace(t, face=Face(box=(177.0, 66.0, 95.0, 95.0)), provider="benchmark") for t in tasks]
    start, cpu = time.perf_counter(), time.process_time()
    summary = run_prepare(tasks, out, settings, source_roots=[source], workers=workers, progress=False)
    seconds = time.perf_counter() - start
    if summary.crops != len(tasks):
        raise RuntimeError(f"expected {len(tasks)} crops, got {summary.crops} ({summary.rejected} rejects)")
    return {
        "workers": workers,
        "detector": "dataset boxes" if boxes else settings.detector,
        "recipe": settings.recipe,
        "size": settings.crop_size,
        "images": len(tasks),
        "seconds": round(seconds, 2),
        "images_per_s": round(len(tasks) / seconds, 1),
        "parent_cpu_s": round(time.process_time() - cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipe", default="pcl")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/prepare_throughput.json"))
    args = parser.parse_args()
    cv2.setNumThreads(1)
    load_before = os.getloadavg()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "photos"
        make_photos(source, args.images)
        settings = PrepareSettings(recipe=args.recipe)
        for workers in args.workers:
            runs.append(measure(source, Path(tmp) / f"out_haar_{workers}", settings, workers, boxes=False))
            print(json.dumps(runs[-1]))
        runs.append(measure(source, Path(tmp) / "out_boxes", settings, 0, boxes=True))
        print(json.dumps(runs[-1]))
    report = {
        "benchmark": "prepare_throughput",
        "input": f"{args.images} JPEG photos, 512 x 512 (scikit-image astronaut, shifted)",
        "opencv_version": cv2.__version__,
        "processor": platform.machine(),
        "cpu_count": os.cpu_count(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average_1_5_15_min_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15_min_after": [round(v, 2) for v in os.getloadavg()],
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
