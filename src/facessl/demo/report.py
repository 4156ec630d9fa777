"""`report.md` of the demo: what ran, the results table with a plain verdict, the figures, and where time went."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facessl.demo.evaluate import CHANCE, HEADLINE, REFERENCES, TASKS, beats, best_by_task, headline
from facessl.demo.schedules import DEMO_DEVIATIONS, FULL_CPU_HOURS, METHODS, TITLES, Schedule

TASK_NAMES = {"expression": "expression", "verification": "verification", "au": "AU detection", "pose": "head pose"}
FINAL_LOSS = {"simclr": "loss", "pcl": "loss", "latentface-ae": "loss", "latentface-rdm": "loss"}


def _cell(result: dict[str, Any], task: str, best: bool) -> str:
    mean, std = headline(result, task)
    text = f"{mean:.3f} ± {std:.3f}" if abs(mean) < 10 else f"{mean:.2f} ± {std:.2f}"
    return f"**{text}**" if best else text


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def verdict(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One plain sentence per trained method: on which tasks it beats both references by more than the ± spread
    (:func:`facessl.demo.evaluate.beats`), and on which it does not."""
    lines = []
    for key in METHODS:
        wins = [TASK_NAMES[t] for t in TASKS if beats(results, key, t, REFERENCES)]
        losses = [TASK_NAMES[t] for t in TASKS if TASK_NAMES[t] not in wins]
        if not losses:
            lines.append(f"- {TITLES[key]} beats both references on every task.")
        elif not wins:
            lines.append(f"- {TITLES[key]} beats both references on no task.")
        else:
            lines.append(f"- {TITLES[key]} beats both references on {_join(wins)}, but not on {_join(losses)}.")
    return lines


def write_report(path: Path, doc: dict[str, Any], sched: Schedule) -> Path:
    """Write the markdown report of a demo run (`doc` is what `results.json` holds)."""
    results, env, fig = doc["evaluations"], doc["environment"], doc["figures"]
    best = best_by_task(results)
    minutes = doc["total_wall_s"] / 60
    lines = [
        "# facessl demo",
        "",
        f"Schedule `{sched.name}`, {minutes:.1f} minutes on {env['device']} ({env['torch_threads']} torch threads, "
        f"{env['cpu_count']} CPUs; load average {env['load_average_start'][0]:.1f} at the start). SynthFaces was "
        "streamed to pretrain SimCLR, PCL and both LatentFace stages; their features, a random network and raw "
        f"pixels were then evaluated with the four protocols on SynthFaces people never seen in pretraining "
        f"({sum(doc['task_images'].values())} task images).",
        "",
    ]
    if sched.name != "full":
        seconds = [doc["pretraining"][k]["seconds"] for k in METHODS]
        images = [doc["pretraining"][k]["images_seen"] for k in METHODS]
        lines += [
            "> **Read these numbers as a check that the pipeline runs, not as a benchmark.** Each method trained "
            f"for {min(seconds):.0f}–{max(seconds):.0f} s on {min(images)}–{max(images)} images; at this scale a "
            "trained encoder often does not beat a random network or raw pixels, the test sets are small, and "
            "differences within the ± spread are noise. `facessl demo --full` runs the longer schedules.",
            "",
        ]
    lines += ["## Results", "", "| features | site | " + " | ".join(HEADLINE[t][2] for t in TASKS) + " |",
              "|---|---|" + "---|" * len(TASKS)]  # fmt: skip
    for key, title in ((k, v["title"]) for k, v in doc["sources"].items()):
        sites = sorted(set(doc["sources"][key]["sites"].values()))
        cells = [_cell(results[key][t], t, best[t] == key) for t in TASKS]
        lines.append(f"| {title} | {', '.join(sites)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Mean ± std over seeds {', '.join(map(str, sched.seeds))} (verification: over its 10 folds); best per "
        f"column in bold; higher is better except for the pose error. Chance: expression {CHANCE['expression']}, "
        f"verification {CHANCE['verification']}. Hyperparameters of every probe are chosen on a validation carve "
        "of the training split, never on test data. Every result is stamped in `results.json` (protocol "
        "version, split hashes, seeds, checkpoint hash).",
        "",
        "Where a method leads both references by more than the ± spread (a lead within it is not evidence):",
        "",
        *verdict(results),
        "",
        f"![results table]({fig['table']})",
        "",
        "## Training data",
        "",
        "SynthFaces renders a VoxCeleb-like corpus on the fly (person → video → track → frame); "
        "each pretraining streams its own batches from it.",
        "",
        f"![training samples]({fig['samples']})",
        "",
        "## Pretraining",
        "",
        "| method | iterations × batch | images seen | wall time (s) | images/s | final loss |",
        "|---|---|---|---|---|---|",
    ]
    for key in METHODS:
        p = doc["pretraining"][key]
        loss = p["final_logs"].get(FINAL_LOSS[key], float("nan"))
        lines.append(f"| {TITLES[key]} | {p['steps']} × {p['config']['train']['batch_size']} | {p['images_seen']} | "
                     f"{p['seconds']:.0f} | {p['images_per_second']:.1f} | {loss:.4f} |")  # fmt: skip
    lines += [
        "",
        f"![loss curves]({fig['losses']})",
        "",
        "## Features",
        "",
        "t-SNE of each source's features of the same faces (people unseen in pretraining), coloured by the "
        "expression, the person and the head yaw that SynthFaces rendered. A representation for expression should "
        "group the first column's colours; one that ignores pose should mix the third column's.",
        "",
        f"![t-SNE]({fig['tsne']})",
        "",
        "## PCL: swapping face-aware and pose features",
        "",
        "PCL's decoder G rebuilds a face from the sum of its face-aware feature F_f and its pose feature F_p "
        "(pcl.md §1.3). Decoding A's F_f with B's F_p should show A's face in B's pose once the two are "
        "disentangled; after a short schedule the decodes are blurry.",
        "",
        f"![PCL swaps]({fig['pcl']})",
        "",
        "## LatentFace: depth, albedo, shading and the neutral face",
        "",
        "Stage 1 explains each face as a canonical depth map and albedo, lit by a Lambertian light and seen from a "
        "viewpoint; stage 2 maps a frame's codes to its track's time-invariant (neutral) codes, which are decoded "
        "and re-rendered here in the input's light and view.",
        "",
        f"![LatentFace factors]({fig['latentface']})",
        "",
        "## Time",
        "",
        "| stage | wall (s) | CPU (s) |",
        "|---|---|---|",
        *(f"| {s['stage']} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} |" for s in doc["timing"]),
        f"| **total** (from the start of `run_demo`) | **{doc['total_wall_s']:.1f}** | **{doc['total_cpu_s']:.1f}** |",
        "",
        f"CPU seconds are this process' (all threads). Load average at the start "
        f"{', '.join(f'{v:.2f}' for v in env['load_average_start'])}, at the end "
        f"{', '.join(f'{v:.2f}' for v in env['load_average_end'])}: other work on the machine slows the wall time "
        "(on a busy machine, `OMP_WAIT_POLICY=PASSIVE` keeps torch's threads from spinning"
        + (", and was set for this run)." if env.get("omp_wait_policy", "").upper() == "PASSIVE" else ")."),
        "",
    ]
    if sched.name == "demo":
        lines += ["## What the demo schedule changes", "", *(f"- {d}" for d in DEMO_DEVIATIONS), ""]
    lines += [
        "## Reproduce",
        "",
        "```bash",
        "facessl demo --out runs/demo          # this report",
        f"facessl demo --full --out runs/full   # the longer schedules: {FULL_CPU_HOURS} on 2 CPU cores",
        "```",
        "",
        "Files next to this report: `results.json` (every stamped result, timings, configs), `runs/<method>/` "
        "(config, metrics, checkpoint), `weights/<method>.safetensors` (exported encoders with their cards, for "
        "`facessl eval --weights` and `facessl.load_encoder`), `synthfaces/` (the task sets, readable by "
        "`facessl eval --data`), `figures/`.",
        "",
    ]
    path.write_text("\n".join(lines))
    return path
