"""Does PCL's pose branch come to hold more pose than its face-aware branch as training goes on?

One PCL run of ``compare_pcl_simclr.py``'s recipe (same data, batch and optimiser), with the disentanglement
diagnostics (held-out linear R² of yaw, pitch, roll; expression and identity accuracy) of the trunk, F_f and F_p at
several points, starting from the random initialisation. One JSON line per point; the numbers quoted in
``docs/pcl.md`` come from::

    OMP_NUM_THREADS=1 python scripts/pcl_pose_probe.py --out runs/pcl_pose_probe --at 0 60 120
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_pcl_simclr as comparison  # noqa: E402

from facessl.engine.train import load_trained_method, pretrain  # noqa: E402

REPORTED = ("r2_yaw", "r2_pitch", "r2_roll", "r2_pose", "accuracy_expression", "accuracy_identity")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="run directory (resumed between points)")
    parser.add_argument("--at", type=int, nargs="+", default=[0, 60, 120], help="iterations to measure at")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pose-negative-mode", default="batch_blocks")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    steps = max(*args.at, 1)  # the run config needs at least one iteration even when only step 0 is measured
    settings = comparison.parse_args(["--steps", str(steps), "--seeds", str(args.seed),
                                      "--pose-negative-mode", args.pose_negative_mode])  # fmt: skip
    cfg = comparison.run_configs(settings, args.seed)["pcl"]
    images, factors = comparison.diagnostics_set("small")
    for step in sorted(args.at):
        if step == 0:
            # The run's own initialisation: the same seed and constructor the training run starts from.
            sites = comparison.branch_sites(comparison.initial_pcl_encoder(args.seed))
        else:
            pretrain(cfg, args.out, resume=True, show_progress=False, stop_after=step)
            method, *_ = load_trained_method(args.out)
            every = method.eval().feature_sites()
            sites = {name: every[name] for name in comparison.BRANCH_SITES}
        found = comparison.diagnostics(sites, images, factors)
        print(json.dumps({"step": step, **{site: {k: round(v[k], 3) for k in REPORTED} for site, v in found.items()}}),
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
