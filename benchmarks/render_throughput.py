"""Throughput of facessl.render at 64×64 on a ~1,000-triangle mesh, written as JSON.

SynthFaces needs ≥ 2,000 rendered 64×64 images/s on 2 CPU cores. This renders a lit, vertex-coloured
icosphere (1,280 triangles, half of them facing the camera) or a 23×23 grid mesh (968 triangles) with a random
rotation per sample, under ``torch.no_grad()`` as the generator does, and reports images per second. Like the
generator's processes, each measuring process keeps freed heap memory (:mod:`facessl.memory`;
``FACESSL_RETAIN_FREED_MEMORY=0`` turns that off).

One run per (worker processes, threads per process, back-face culling) setting, each rendering for
``--seconds``; all runs go into one JSON file. Two processes with one thread each is the robust way to use two
cores: the renderer issues a few hundred tensor ops per batch, and intra-op threading pays a synchronisation per op.

Usage::

    python benchmarks/render_throughput.py --processes 1 2 --threads 1 2 \
        --out benchmarks/results/render_throughput.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from facessl.memory import retain_freed_memory
from facessl.render import Light, PerspectiveCamera, grid_faces, icosphere, render_mesh, rotation_matrix_xyz


def build_mesh(kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(V, 3) vertices and (F, 3) faces of the benchmark mesh, centred at the origin with radius ≈ 1."""
    if kind == "sphere":
        return icosphere(3)
    side = 23  # 2·22·22 = 968 triangles
    v, u = torch.meshgrid(torch.linspace(-1, 1, side), torch.linspace(-1, 1, side), indexing="ij")
    z = -0.3 * torch.exp(-(u**2 + v**2) * 2.0)  # a bump towards the camera, like a nose
    return torch.stack([u, v, z], -1).view(-1, 3), grid_faces(side, side)


@dataclass(frozen=True)
class RunConfig:
    """One measured configuration (picklable, so that worker processes can receive it)."""

    mesh: str
    batch_size: int
    image_size: int
    threads: int
    cull_backfaces: bool
    seconds: float
    device: str


def measure(cfg: RunConfig) -> dict[str, float]:
    """Render random poses for about ``cfg.seconds`` (after a warm-up batch); return images and timings."""
    torch.set_num_threads(cfg.threads)
    retains_freed_memory = retain_freed_memory()  # as SynthFaces' FaceRenderer does in its processes
    device, batch, size = torch.device(cfg.device), cfg.batch_size, (cfg.image_size, cfg.image_size)
    verts, faces = build_mesh(cfg.mesh)
    verts, faces = verts.to(device), faces.to(device)
    gen = torch.Generator().manual_seed(0)
    colors = torch.rand(batch, verts.shape[0], 3, generator=gen).to(device)
    camera = PerspectiveCamera.from_fov(30.0, size, batch_size=batch, device=device)
    # Light roughly from the camera, per sample.
    direction = (torch.tensor([0.0, 0.0, -1.0]) + 0.3 * torch.randn(batch, 3, generator=gen)).to(device)
    ambient, diffuse = torch.full((batch,), 0.3, device=device), torch.full((batch,), 0.7, device=device)
    light = Light.from_intensities(direction, ambient, diffuse)
    offset = torch.tensor([0.0, 0.0, 4.0], device=device)

    def render_batch() -> torch.Tensor:
        angles = (torch.rand(batch, 3, generator=gen) - 0.5).to(device)  # ±0.5 rad about each axis
        world = verts @ rotation_matrix_xyz(angles).transpose(1, 2) + offset
        out = render_mesh(world, faces, camera, size, colors=colors, light=light, background=0.5,
                          cull_backfaces=cfg.cull_backfaces)  # fmt: skip
        return out.mask

    with torch.no_grad():
        render_batch()  # warm-up
        num_batches, start, cpu_start = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - start < cfg.seconds:
            mask = render_batch()
            num_batches += 1
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {"images": num_batches * batch, "seconds": elapsed, "cpu_seconds": cpu, "coverage": float(mask.mean()),
            "retains_freed_memory": retains_freed_memory}


def run(cfg: RunConfig, processes: int) -> dict[str, object]:
    """Measure ``cfg`` in ``processes`` concurrent worker processes (1: in this process) and sum the images."""
    if processes == 1:
        parts = [measure(cfg)]
    else:
        with mp.get_context("spawn").Pool(processes) as pool:
            parts = pool.map(measure, [cfg] * processes)
    images = sum(p["images"] for p in parts)
    return {
        "processes": processes,
        "threads": cfg.threads,
        "cull_backfaces": cfg.cull_backfaces,
        "images_per_s": round(sum(p["images"] / p["seconds"] for p in parts), 1),
        # CPU seconds (all threads) instead of wall time: less sensitive to other processes on a shared machine;
        # with one thread per process it estimates the throughput of that many dedicated cores.
        "images_per_cpu_s": round(images / sum(p["cpu_seconds"] for p in parts), 1),
        "images": int(images),
        "seconds": round(max(p["seconds"] for p in parts), 2),
        "coverage": round(parts[0]["coverage"], 3),
        "malloc_retains_freed_memory": all(p["retains_freed_memory"] for p in parts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch threads per process")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="concurrent worker processes")
    parser.add_argument("--mesh", choices=["sphere", "grid"], default="sphere")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--cull", choices=["off", "on", "both"], default="both", help="back-face culling runs")
    parser.add_argument("--seconds", type=float, default=4.0, help="timed duration of each run")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/render_throughput.json"))
    args = parser.parse_args()

    culls = {"off": [False], "on": [True], "both": [False, True]}[args.cull]
    # The load average matters on shared machines: with more runnable threads than cores, each parallel region
    # waits for a time slice and multi-threaded numbers collapse (seen here: 2 threads slower than 1).
    load_before = os.getloadavg()
    runs = []
    for processes in args.processes:
        for threads in args.threads:
            if processes * threads > (os.cpu_count() or 1):
                continue  # oversubscribed: measures the scheduler, not the renderer
            for cull in culls:
                cfg = RunConfig(args.mesh, args.batch_size, args.image_size, threads, cull, args.seconds, args.device)
                runs.append(run(cfg, processes))
                print(json.dumps(runs[-1]))

    verts, faces = build_mesh(args.mesh)
    result = {
        "benchmark": "render_throughput",
        "torch_version": torch.__version__,
        "device": args.device,
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15_min_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_min_after": [round(x, 2) for x in os.getloadavg()],
        "mesh": args.mesh,
        "num_triangles": int(faces.shape[0]),
        "num_vertices": int(verts.shape[0]),
        "image_size": args.image_size,
        "batch_size": args.batch_size,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
