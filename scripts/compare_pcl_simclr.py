"""PCL against SimCLR on SynthFaces: same encoder, same data, same images seen, several seeds (issue 5, Done-when).

For each seed, pretrains PCL and SimCLR (and, unless `--methods` says otherwise, MoCo v2 and BYOL, so that the
results page has every baseline on the same footing) on the streaming SynthFaces corpus (`data.source=synthfaces`,
the corpus seeded by the run's seed, so every method sees the same images in the same order of draws) with PCL's
encoder as every method's network (`backbone.name=pcl`; the baselines train and probe its shared trunk), then
measures:

* with the evaluation suite on a SynthFaces export (`facessl synth export`): expression (linear probe, RAF-DB
  layout) and head pose (ridge, 300W-LP -> AFLW2000 layouts), optionally verification (10-fold cosine, LFW
  layout); the features are the trunk, the site every official PCL probe uses (research/pcl.md §5, §8.2);
* the disentanglement diagnostics (`facessl.eval.disentanglement`) on a separately drawn labelled set (SynthFaces'
  pose task under another dataset seed: wide poses, all 8 emotions, 12 images per person): held-out linear R² of
  yaw, pitch and roll and linear accuracy of expression and identity, from the trunk, the face-aware branch F_f
  and the pose-related branch F_p.

Writes a JSON with every run's numbers and the mean ± std over seeds, and the results section of `docs/pcl.md`
(between the markers). Nothing is selected on a test split: the probes choose their L2 strength on validation
carves of their training parts, and every training setting is fixed on the command line before the runs.
A finished run is not trained again (the engine resumes from its checkpoint), so an interrupted job can be
restarted with the same command. All runs train first; they are then evaluated side by side in `--eval-workers`
processes. On a GPU (`--device cuda --eval-device cuda`), `--time-budget` picks the iteration count that fits a
lease after timing each method, and `--num-workers` renders the corpus in DataLoader workers;
`scripts/compare_pcl_simclr_gpu.sh` is such a run. Usage (the run reported in docs/pcl.md)::

    OMP_NUM_THREADS=1 nice -n 5 python scripts/compare_pcl_simclr.py --out runs/pcl_vs_simclr
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import shlex
import sys
import time
from pathlib import Path
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch.nn import Module

from facessl.engine.config import RunConfig, load_run_config
from facessl.engine.train import load_trained_method, pretrain
from facessl.eval import EvalSettings, evaluate_suite, find_data_roots, linear_factor_recovery, source_from_run
from facessl.eval.feature_source import FeatureSource, state_sha256
from facessl.weights.encoder_file import file_sha256
from facessl.methods.base import to_float01
from facessl.models.backbones import build_backbone
from facessl.synth.export import export
from facessl.synth.face_renderer import FaceRenderer
from facessl.synth.presets import PRESETS
from facessl.synth.tasks import pose_task

from doc_sections import write_doc  # scripts/doc_sections.py (this script's folder is on sys.path)

METHODS = ("pcl", "simclr", "moco", "byol")
TITLES = {"pcl": "PCL", "simclr": "SimCLR", "moco": "MoCo v2", "byol": "BYOL"}
RANDOM_INIT = "random_init"  # the reference without pretraining (`--add-random-init`)
# The site each method is probed at by the suite: PCL's official probe site is the shared trunk (pcl.md §5), and
# SimCLR's `encoder` site is the same network's forward, i.e. the same trunk features.
# The baselines' `encoder` site is their network's forward: the same trunk features.
# PCL's sites the disentanglement diagnostics compare (the baselines have the single site "encoder").
BRANCH_SITES = ("trunk", "face", "pose")
SUITE_SITE = {"pcl": "trunk", "simclr": "encoder", "moco": "encoder", "byol": "encoder"}
# Dataset seed of the diagnostics set: not the export's seed 0, so its people differ from the suite's pose set.
DIAGNOSTICS_SEED = 1
ANGLES = ("yaw", "pitch", "roll")


def yaml_float(x: float) -> str:
    """A float as YAML 1.1 reads it back as a float (``1e-06`` would be a string; ``1.0e-06`` is not)."""
    text = repr(float(x))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def run_configs(args: argparse.Namespace, seed: int) -> dict[str, RunConfig]:
    """The two runs of one seed: the same encoder, data (the corpus is seeded by the run's seed), batch, iterations and
    schedule (cosine after a short warm-up); each method keeps its own recipe's optimizer (PCL: the official Adam with
    L2, pcl.md §4; SimCLR: configs/simclr.yaml's AdamW)."""
    shared = [
        "backbone.name=pcl", "backbone.input_size=64",
        "data.source=synthfaces", "data.image_size=64", f"data.length={args.corpus_length}",
        f"data.num_identities={args.corpus_people}", f"data.num_workers={args.num_workers}",
        f"train.steps={args.steps}", f"train.batch_size={args.batch_size}", f"train.seed={seed}",
        "train.lr_scaling=none", f"train.warmup_steps={args.warmup_steps}", f"train.precision={args.precision}",
        f"train.checkpoint_every={args.steps}", f"train.log_every={args.log_every}", f"train.device={args.device}",
    ]  # fmt: skip
    pcl = [
        "method.name=pcl", f"method.pose_batch_size={args.pose_batch_size}",
        f"method.pose_negatives={args.pose_negatives}", f"method.pose_negative_mode={args.pose_negative_mode}",
        f"method.dwa_window={args.dwa_window}", f"method.optimization={args.optimization}",
        "train.optimizer=adam", f"train.lr={yaml_float(args.pcl_lr)}", f"train.weight_decay={yaml_float(args.pcl_weight_decay)}",
    ]  # fmt: skip
    simclr = ["method.name=simclr", "method.image_size=64", f"method.temperature={yaml_float(args.simclr_temperature)}",
              f"method.crop_min_scale={yaml_float(args.simclr_crop_min_scale)}", "train.optimizer=adamw",
              f"train.lr={yaml_float(args.simclr_lr)}", f"train.weight_decay={yaml_float(args.simclr_weight_decay)}"]  # fmt: skip
    # MoCo v2 and BYOL keep their recipes of configs/moco.yaml and configs/byol.yaml; MoCo's SGD lr is the config's
    # 0.03 per 256 images under its linear scaling rule, written out because these runs scale nothing.
    moco = ["method.name=moco", "method.image_size=64", "train.optimizer=sgd",
            f"train.lr={yaml_float(0.03 * args.batch_size / 256)}", "train.weight_decay=1.0e-4"]  # fmt: skip
    byol = ["method.name=byol", "method.image_size=64", "train.optimizer=adamw", "train.lr=1.0e-3",
            "train.weight_decay=1.0e-6"]  # fmt: skip
    recipes = {"pcl": pcl, "simclr": simclr, "moco": moco, "byol": byol}
    return {m: load_run_config(None, shared + recipes[m]) for m in args.methods}


def suite_metrics(source: FeatureSource, data: Path, tasks: tuple[str, ...], probe_seeds: tuple[int, ...]) -> dict[str, float]:
    """Expression accuracy, pose MAE (and verification accuracy) of one feature source, each the mean over the probe
    seeds (verification is deterministic: one run)."""
    result = evaluate_suite(source, find_data_roots(data), tasks, EvalSettings(seeds=probe_seeds))
    ran = {report.key.split("/")[0] for report in result.reports}
    if set(tasks) - ran:  # other layouts of a task (FER2013, CPLFW, ...) are absent from an export: fine
        raise RuntimeError(f"{data}: no dataset ran for task(s) {sorted(set(tasks) - ran)}: {result.skipped}")
    out: dict[str, float] = {}
    for report in result.reports:
        m = report.result["metrics"]
        if report.key.startswith("expression"):
            out["expression_accuracy"] = float(m["accuracy/mean"])
        elif report.key.startswith("pose"):
            out["pose_mae_deg"] = float(m["mae_mean/mean"])
            for angle in ANGLES:
                out[f"pose_mae_{angle}_deg"] = float(m[f"mae_{angle}/mean"])
        elif report.key.startswith("verification"):
            out["verification_accuracy"] = float(m["accuracy_mean"])
    return out


def diagnostics_set(preset: str) -> tuple[torch.Tensor, dict[str, np.ndarray]]:
    """SynthFaces' pose task (all splits) under `DIAGNOSTICS_SEED`, rendered at 64 px like the corpus."""
    task = pose_task(DIAGNOSTICS_SEED, PRESETS[preset])
    renderer = FaceRenderer()
    n = len(task)
    images = torch.cat([renderer.render(task.factors.select(torch.arange(i, min(i + 128, n))), 64).images
                        for i in range(0, n, 128)])  # fmt: skip
    pose = task.factors.pose.double().numpy()
    factors = {angle: pose[:, k] for k, angle in enumerate(ANGLES)}
    factors["expression"] = task.factors.emotion.numpy()
    factors["identity"] = task.factors.identity.numpy()
    return images, factors


@torch.no_grad()
def diagnostics(extract: dict[str, Callable[[torch.Tensor], torch.Tensor]], images: torch.Tensor,
                factors: dict[str, np.ndarray], device: str = "cpu") -> dict[str, dict[str, float]]:
    """Held-out linear recovery of every factor from each site of `extract` ([0, 1] images on `device` -> features):
    r2_<angle>, r2_pose (mean of the three angles), accuracy_expression, accuracy_identity, and the constant
    baselines."""
    out = {}
    for site in extract:
        feats = torch.cat([extract[site](to_float01(images[i : i + 128]).to(device)).float().cpu()
                           for i in range(0, len(images), 128)])  # fmt: skip
        result = linear_factor_recovery(feats.numpy(), factors, seed=0)
        m = dict(result["metrics"])
        m["r2_pose"] = float(np.mean([m[f"r2_{a}"] for a in ANGLES]))
        for name in ("expression", "identity"):
            m[f"baseline_accuracy_{name}"] = float(result["details"]["table"][name]["baseline"])
        out[site] = m
    return out


def trained_record(run: Path, method: str, args: argparse.Namespace, data: Path, images: torch.Tensor,
                   factors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The suite and diagnostics of a trained run; kept in ``<run>/comparison_record.json`` with the evaluation
    settings and the checkpoint's hash, and reused while both match (a rerun adding methods re-evaluates nothing)."""
    key = {"tasks": list(args.tasks), "probe_seeds": list(args.probe_seeds), "export": str(data),
           "diagnostics_preset": args.diagnostics_preset, "diagnostics_seed": DIAGNOSTICS_SEED,
           "checkpoint_sha256": file_sha256(run / "checkpoints" / "last.pt")}  # fmt: skip
    cache = run / "comparison_record.json"
    if cache.is_file() and (cached := json.loads(cache.read_text()))["key"] == key:
        return cached["record"]
    record = evaluate_run(run, method, args, data, images, factors)
    cache.write_text(json.dumps({"key": key, "record": record}, indent=2) + "\n")
    return record


def evaluate_run(run: Path, method: str, args: argparse.Namespace, data: Path, images: torch.Tensor,
                 factors: dict[str, np.ndarray]) -> dict[str, Any]:
    trained, _, _, _ = load_trained_method(run)
    sites = trained.to(args.eval_device).eval().feature_sites()
    keep = BRANCH_SITES if method == "pcl" else ("encoder",)
    with torch.no_grad():
        diag = diagnostics({k: sites[k] for k in keep}, images, factors, args.eval_device)
    source = source_from_run(run, SUITE_SITE[method], device=args.eval_device)
    suite = suite_metrics(source, data, tuple(args.tasks), tuple(args.probe_seeds))
    return {"suite": suite, "diagnostics": diag}


def initial_pcl_encoder(seed: int) -> Module:
    """PCL's encoder with its official initialisation under `seed` (eval mode), leaving the global RNG alone."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        encoder = build_backbone("pcl", input_size=64)
    return encoder.eval()


def branch_sites(encoder: Module) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """The BRANCH_SITES of a two-branch encoder module (what a trained PCL method's feature_sites also names)."""
    return dict(zip(BRANCH_SITES, (encoder.forward, encoder.forward_face, encoder.forward_pose), strict=True))


def random_init_record(seed: int, args: argparse.Namespace, data: Path, images: torch.Tensor,
                       factors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The reference without pretraining: PCL's encoder with its official initialisation under `seed`, fed [0, 1]
    pixels as PCL is, trunk for the suite and all three sites for the diagnostics."""
    encoder = initial_pcl_encoder(seed).to(args.eval_device)
    source = FeatureSource(name=f"random-init-pcl@seed{seed}", extract=encoder.forward, input_size=64,
                           checkpoint_sha256=state_sha256(encoder), site="trunk", modules=(encoder,),
                           device=torch.device(args.eval_device))  # fmt: skip
    with torch.no_grad():
        diag = diagnostics(branch_sites(encoder), images, factors, args.eval_device)
    return {"suite": suite_metrics(source, data, tuple(args.tasks), tuple(args.probe_seeds)), "diagnostics": diag}


def seconds_per_iteration(args: argparse.Namespace) -> dict[str, float]:
    """Wall-clock seconds per iteration of each method at the comparison's settings, from a short run of seed 0
    (in `<out>/calibration/`): the mean of its logged windows after the first (which holds start-up and, on a GPU,
    kernel selection)."""
    if args.calibration_steps < 3 * args.log_every:
        raise SystemExit(f"--calibration-steps {args.calibration_steps} must be at least 3 × --log-every ({args.log_every})")
    timing_args = argparse.Namespace(**{**vars(args), "steps": args.calibration_steps})
    out = {}
    for method, cfg in run_configs(timing_args, seed=0).items():
        run = args.out / "calibration" / method
        pretrain(cfg, run, resume=False, show_progress=False)
        rates = [json.loads(line)["images_per_second"] for line in (run / "metrics.jsonl").read_text().splitlines()]
        out[method] = args.batch_size / float(np.mean(rates[1:]))
    return out


def steps_for_budget(budget_s: float, per_iteration: dict[str, float], seeds: int) -> int:
    """The largest multiple of 10 iterations (at least 10) with which `seeds` runs of every method fit `budget_s`."""
    return max(10, int(budget_s / (seeds * sum(per_iteration.values())) // 10 * 10))


def _limit_threads(threads: int) -> None:
    torch.set_num_threads(threads)
    threadpool_limits(threads)  # BLAS of the probes: without a limit each process would take every core


def in_parallel(fn: Callable[..., Any], jobs: list[tuple[Any, ...]], workers: int) -> list[Any]:
    """`[fn(*job) for job in jobs]`, in up to `workers` spawned processes sharing the cores (the probes' solvers are
    mostly single-threaded, so evaluations side by side finish sooner than one after another)."""
    if workers <= 1 or len(jobs) <= 1:
        return [fn(*job) for job in jobs]
    workers = min(workers, len(jobs))
    context = multiprocessing.get_context("spawn")  # CUDA cannot be used in forked children
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_limit_threads,
                             initargs=(max(1, (os.cpu_count() or 1) // workers),)) as pool:  # fmt: skip
        return list(pool.map(fn, *zip(*jobs, strict=True)))


def mean_std(values: list[float]) -> dict[str, Any]:
    return {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1)) if len(values) > 1 else math.nan,
            "values": values}  # fmt: skip


def summarise(runs: dict[str, Any]) -> dict[str, Any]:
    """mean ± std over seeds of every number, keyed method -> part -> (site ->) metric."""
    seeds = list(runs)
    out: dict[str, Any] = {}
    for method in [m for m in (*METHODS, RANDOM_INIT) if m in runs[seeds[0]]]:
        first = runs[seeds[0]][method]
        out[method] = {"suite": {k: mean_std([runs[s][method]["suite"][k] for s in seeds]) for k in first["suite"]},
                       "diagnostics": {site: {k: mean_std([runs[s][method]["diagnostics"][site][k] for s in seeds])
                                              for k in metrics}
                                       for site, metrics in first["diagnostics"].items()}}  # fmt: skip
    return out


def fmt(cell: dict[str, Any], digits: int = 3) -> str:
    return f"{cell['mean']:.{digits}f} ± {cell['std']:.{digits}f}"


def table(results: dict[str, Any]) -> str:
    s, a = results["summary"], results["settings"]
    pcl_suite = s["pcl"]["suite"]
    lines = [
        f"{len(results['runs'])} seeds ({', '.join(map(str, a['seeds']))}); each run: {a['steps']} iterations × "
        f"{a['batch_size']} SynthFaces images = {a['steps'] * a['batch_size']} images seen, PCL's encoder at 64 px. "
        "Mean ± standard deviation over the seeds (each seed's probe numbers are themselves means over probe "
        f"seeds {', '.join(map(str, a['probe_seeds']))}).",
        "",
        "**Evaluation suite** (SynthFaces export, preset `" + a["export_preset"] + "`; trunk features for both):",
        "",
        "| method | expression accuracy (7 classes) ↑ | head pose MAE (°) ↓ | yaw / pitch / roll MAE (°) |"
        + (" verification accuracy ↑ |" if "verification_accuracy" in pcl_suite else ""),
        "|---|---|---|---|" + ("---|" if "verification_accuracy" in pcl_suite else ""),
    ]
    rows = [(TITLES[m], s[m]["suite"]) for m in METHODS if m in s]
    if RANDOM_INIT in s:
        rows.append(("no pretraining (PCL's encoder, random init)", s[RANDOM_INIT]["suite"]))
    for name, m in rows:
        angles = " / ".join(f"{m[f'pose_mae_{x}_deg']['mean']:.2f}" for x in ANGLES)
        row = f"| {name} | {fmt(m['expression_accuracy'])} | {fmt(m['pose_mae_deg'], 2)} | {angles} |"
        if "verification_accuracy" in m:
            row += f" {fmt(m['verification_accuracy'])} |"
        lines.append(row)
    d = s["pcl"]["diagnostics"]
    first_site = next(iter(d))
    lines += [
        "",
        f"**Disentanglement diagnostics** ({results['diagnostics_images']} images of SynthFaces' pose task under "
        f"dataset seed {DIAGNOSTICS_SEED}; held-out linear R² of pose (mean over yaw, pitch, roll) and accuracy of "
        "expression (8 classes) and identity; constant baselines: R² ≈ 0, expression "
        f"{d[first_site]['baseline_accuracy_expression']['mean']:.3f}, identity "
        f"{d[first_site]['baseline_accuracy_identity']['mean']:.3f}):",
        "",
        "| features | pose R² | yaw R² | pitch R² | roll R² | expression accuracy | identity accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    label = {("pcl", "trunk"): "PCL trunk", ("pcl", "face"): "PCL face-aware branch F_f",
             ("pcl", "pose"): "PCL pose branch F_p", ("simclr", "encoder"): "SimCLR trunk",
             ("moco", "encoder"): "MoCo v2 trunk", ("byol", "encoder"): "BYOL trunk",
             (RANDOM_INIT, "trunk"): "random init: trunk", (RANDOM_INIT, "face"): "random init: F_f",
             (RANDOM_INIT, "pose"): "random init: F_p"}  # fmt: skip
    for method in [m for m in (*METHODS, RANDOM_INIT) if m in s]:
        for site, m in s[method]["diagnostics"].items():
            lines.append(f"| {label.get((method, site), method + ' ' + site)} | {fmt(m['r2_pose'])} | {fmt(m['r2_yaw'])} | "
                         f"{fmt(m['r2_pitch'])} | {fmt(m['r2_roll'])} | {fmt(m['accuracy_expression'])} | "
                         f"{fmt(m['accuracy_identity'])} |")  # fmt: skip
    t = results["timing"]
    if "eval_wall_seconds" in t:  # runs evaluated side by side: wall-clock time is what is meaningful
        evaluation = f"evaluation {t['eval_wall_seconds']:.0f} s wall-clock"
        if "random_init_wall_seconds" in t:
            evaluation += f", the no-pretraining reference {t['random_init_wall_seconds']:.0f} s more"
    else:
        evaluation = f"evaluation {t['eval_cpu_seconds']:.0f} CPU-s"
        if "random_init_cpu_seconds" in t:
            evaluation += f", the no-pretraining reference {t['random_init_cpu_seconds']:.0f} CPU-s more"
    if "train_wall_seconds" in t:  # which machine trained, and for how long
        trained = ", ".join(f"{TITLES[m]} {v:.0f}" for m, v in t["train_wall_seconds"].items())
        trained = f"Pretraining wall-clock seconds on {t['train_device']} over all seeds: {trained}"
    else:
        trained = ", ".join(f"{TITLES[m]} {v:.0f}" for m, v in t["train_cpu_seconds"].items())
        trained = f"Pretraining CPU-seconds over all seeds: {trained}"
    lines += ["", f"{trained} (runs trained by an earlier invocation count 0); {evaluation}; load average "
              f"{t['loadavg_start'][0]:.1f} at the start, {t['loadavg_end'][0]:.1f} at the end. Produced by:", "", "```",
              results["command"], *([results["command_random_init"]] if "command_random_init" in results else []),
              "```"]  # fmt: skip
    return "\n".join(lines)


def add_random_init(args: argparse.Namespace, command: str, data: Path, images: torch.Tensor,
                    factors: dict[str, np.ndarray]) -> None:
    """Evaluate the no-pretraining reference for the seeds of an existing results file and merge it in."""
    if not args.json.is_file():
        raise SystemExit(f"{args.json}: no results to add the reference to; run the comparison first")
    results = json.loads(args.json.read_text())
    done = results["settings"]
    for key in ("seeds", "export_preset", "diagnostics_preset", "tasks", "probe_seeds"):
        if done[key] != getattr(args, key):
            raise SystemExit(f"{args.json}: settings.{key} is {done[key]!r}, this command has {getattr(args, key)!r}")
    c0, w0 = time.process_time(), time.perf_counter()
    records = in_parallel(random_init_record, [(seed, args, data, images, factors) for seed in args.seeds],
                          args.eval_workers)  # fmt: skip
    for seed, record in zip(args.seeds, records, strict=True):
        results["runs"][f"seed{seed}"][RANDOM_INIT] = record
        print(json.dumps({"seed": seed, "method": RANDOM_INIT, **record}), flush=True)
    results["timing"]["random_init_cpu_seconds"] = time.process_time() - c0
    results["timing"]["random_init_wall_seconds"] = time.perf_counter() - w0
    results["summary"] = summarise(results["runs"])
    results["command_random_init"] = command
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.no_doc:
        print(table(results))
    else:
        write_doc(args.doc, table(results), args.doc_section)


def device_name(device: str) -> str:
    """What trained the runs, for the table: the GPU's name, or the CPU and its core count."""
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({os.cpu_count()} cores)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--out", type=Path, default=Path("runs/pcl_vs_simclr"), help="run folders and the export go here")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS, help="pcl and simclr are required")
    p.add_argument("--steps", type=int, default=48, help="iterations per run (both methods)")
    p.add_argument("--batch-size", type=int, default=32, help="images per iteration (both methods)")
    p.add_argument("--warmup-steps", type=int, default=4, help="linear lr warm-up (both; official PCL: none)")
    p.add_argument("--pcl-lr", type=float, default=1e-4, help="PCL's Adam lr (official, pcl.md §4)")
    p.add_argument("--pcl-weight-decay", type=float, default=1e-3, help="PCL's Adam L2 (official, pcl.md §4)")
    p.add_argument("--simclr-lr", type=float, default=1e-3, help="SimCLR's AdamW lr (configs/simclr.yaml)")
    p.add_argument("--simclr-weight-decay", type=float, default=1e-6, help="SimCLR's AdamW decay (configs/simclr.yaml)")
    p.add_argument("--precision", default="fp32", help="train.precision of both methods")
    p.add_argument("--device", default="cpu", help="where pretraining runs (cpu or cuda)")
    p.add_argument("--eval-device", default="cpu", help="where features are extracted for the evaluation (the probes fit on the CPU)")
    p.add_argument("--num-workers", type=int, default=0, help="DataLoader workers rendering the corpus (data.num_workers)")
    p.add_argument("--eval-workers", type=int, default=1, help="runs evaluated side by side, each in its own process")
    p.add_argument("--log-every", type=int, default=5, help="train.log_every (metrics.jsonl)")
    p.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                   help="choose --steps so that all pretraining runs take about this many wall-clock seconds: each "
                        "method is first timed for --calibration-steps iterations, and every run then gets the same "
                        "step count (so the same images seen), rounded down to a multiple of 10")
    p.add_argument("--calibration-steps", type=int, default=16, help="iterations of each method's timing run")
    p.add_argument("--corpus-length", type=int, default=4096, help="SynthFaces corpus images")
    p.add_argument("--corpus-people", type=int, default=256, help="SynthFaces corpus identities")
    p.add_argument("--pose-batch-size", type=int, default=4, help="PCL pose-step images (official 10)")
    p.add_argument("--pose-negatives", type=int, default=8, help="PCL flipped copies per pose image (official 100)")
    p.add_argument("--pose-negative-mode", default="batch_blocks", choices=("batch_blocks", "own_flips"))
    p.add_argument("--optimization", default="alternating", choices=("alternating", "joint"))
    p.add_argument("--dwa-window", type=int, default=8, help="PCL DWA window in iterations (official ~87)")
    p.add_argument("--simclr-temperature", type=float, default=0.5, help="configs/simclr.yaml")
    p.add_argument("--simclr-crop-min-scale", type=float, default=0.2, help="configs/simclr.yaml")
    p.add_argument("--export-preset", default="small", choices=tuple(PRESETS))
    p.add_argument("--diagnostics-preset", default="small", choices=tuple(PRESETS))
    p.add_argument("--tasks", nargs="+", default=["expression", "pose"], help="suite tasks (add 'verification')")
    p.add_argument("--probe-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--json", type=Path, default=Path("benchmarks/results/pcl_vs_simclr.json"))
    p.add_argument("--doc", type=Path, default=Path("docs/pcl.md"), help="results go between its markers")
    p.add_argument("--doc-section", default="results",
                   help="the markers' name: the table goes between <!-- NAME:begin --> and <!-- NAME:end -->")
    p.add_argument("--no-doc", action="store_true", help="print the table instead of writing the doc")
    p.add_argument("--add-random-init", action="store_true",
                   help="evaluate PCL's encoder without pretraining (same seeds) and add it to an existing --json")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = "OMP_NUM_THREADS=1 nice -n 5 python scripts/compare_pcl_simclr.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    start, load0 = time.time(), os.getloadavg()
    data = args.out / f"synthfaces_{args.export_preset}"
    if not (data / "synthfaces.json").is_file():
        export(data, args.export_preset)
    images, factors = diagnostics_set(args.diagnostics_preset)
    if args.add_random_init:
        add_random_init(args, command, data, images, factors)
        return
    if not {"pcl", "simclr"} <= set(args.methods):
        raise SystemExit("--methods must include pcl and simclr (the comparison the table is built around)")
    calibration = None
    if args.time_budget is not None:
        calibration = seconds_per_iteration(args)
        args.steps = steps_for_budget(args.time_budget, calibration, len(args.seeds))
        print(json.dumps({"seconds_per_iteration": calibration, "steps": args.steps}), flush=True)
    cpu_train = {m: 0.0 for m in args.methods}
    wall_train = {m: 0.0 for m in args.methods}
    runs: dict[str, Any] = {}
    for seed in args.seeds:  # every run trains first, so that the evaluations can run side by side
        runs[f"seed{seed}"] = {}
        for method, cfg in run_configs(args, seed).items():
            run = args.out / f"seed{seed}" / method
            c0, w0 = time.process_time(), time.perf_counter()
            summary = pretrain(cfg, run, resume=True, show_progress=False)
            cpu_train[method] += time.process_time() - c0
            wall_train[method] += time.perf_counter() - w0
            runs[f"seed{seed}"][method] = {"run": str(run), "steps": summary.steps,
                                           "images_seen": summary.images_seen, "final_logs": summary.final_logs}
            print(json.dumps({"seed": seed, "method": method, "final_logs": summary.final_logs,
                              "train_wall_s": round(wall_train[method])}), flush=True)  # fmt: skip
    c0, w0 = time.process_time(), time.perf_counter()
    keys = [(seed, method) for seed in runs for method in runs[seed]]
    records = in_parallel(trained_record, [(Path(runs[s][m]["run"]), m, args, data, images, factors) for s, m in keys],
                          args.eval_workers)  # fmt: skip
    for (seed, method), record in zip(keys, records, strict=True):
        runs[seed][method].update(record)
        print(json.dumps({"seed": seed, "method": method, "suite": record["suite"],
                          "r2_pose": {k: v["r2_pose"] for k, v in record["diagnostics"].items()}}), flush=True)
    cpu_eval, wall_eval = time.process_time() - c0, time.perf_counter() - w0
    results = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "diagnostics_images": len(images),
        "runs": runs,
        "summary": summarise(runs),
        "timing": {"wall_seconds": time.time() - start, "train_cpu_seconds": cpu_train, "eval_cpu_seconds": cpu_eval,
                   "train_wall_seconds": wall_train, "eval_wall_seconds": wall_eval, "calibration_seconds_per_iteration": calibration,
                   "train_device": device_name(args.device),
                   "loadavg_start": list(load0), "loadavg_end": list(os.getloadavg()),
                   "threads": torch.get_num_threads()},
        "torch": torch.__version__,
        "command": command,
    }  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.no_doc:
        print(table(results))
    else:
        write_doc(args.doc, table(results), args.doc_section)


if __name__ == "__main__":
    main()
