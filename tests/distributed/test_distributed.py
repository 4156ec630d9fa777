"""Data-parallel correctness on CPU with gloo and 2 processes (launched with torchrun)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from facessl.engine.checkpoint import load_train_state
from facessl.engine.metrics import read_metrics

HERE = Path(__file__).parent


def torchrun(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_every_loss_and_its_gradients_equal_the_single_process_result(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = torchrun([str(HERE / "loss_equality_worker.py"), str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    for name in ("ntxent", "queue_infonce", "byol"):
        assert report[name]["loss_diff"] < 1e-5, (name, report[name])
        assert report[name]["grad_diff"] < 1e-5, (name, report[name])
        assert report[name]["grad_scale"] > 1e-3  # the comparison is not between two zeros
    assert report["shuffle_roundtrip"] == 0.0


METHOD_ARGS = {
    "simclr": ["data.image_size=32", "method.image_size=32"],
    "moco": ["data.image_size=32", "method.image_size=32", "method.queue_size=32", "method.proj_hidden_dim=64"],
    # PCL trains at 64 px only; few pose negatives keep the iteration short.
    "pcl": ["backbone.name=pcl", "method.pose_batch_size=2", "method.pose_negatives=4", "method.gather_distributed=true"],
    # Whole 4-frame tracks: each of the 2 processes gets one track of the global batch of 8.
    "latentface-rdm": ["backbone.name=latentface", "data.image_size=64", "method.image_size=64",
                       "method.frames_per_track=4", "data.frames_per_track=4", "data.num_identities=16"],
}


@pytest.mark.parametrize("method", sorted(METHOD_ARGS))
def test_two_process_run_trains_checkpoints_and_resumes(tmp_path: Path, method: str) -> None:
    run = tmp_path / "run"
    sets = ["train.batch_size=8", "data.length=64", "data.num_workers=0", "train.log_every=1",
            "train.checkpoint_every=2", "train.precision=fp32", f"method.name={method}", *METHOD_ARGS[method]]
    common = ["-m", "facessl", "pretrain", "--no-progress", "--out", str(run)] + [a for s in sets for a in ("--set", s)]
    first = torchrun([*common, "--set", "train.steps=2"], tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert load_train_state(run / "checkpoints" / "last.pt")["step"] == 2
    second = torchrun([*common, "--set", "train.steps=4", "--resume"], tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    state = load_train_state(run / "checkpoints" / "last.pt")
    assert state["step"] == 4 and len(state["rng"]) == 2  # both ranks' RNG states are kept
    assert [m["step"] for m in read_metrics(run / "metrics.jsonl")] == [1, 2, 3, 4]
    assert all(torch.isfinite(torch.tensor(m["loss"])) for m in read_metrics(run / "metrics.jsonl"))


def test_two_process_rdm_pools_code_statistics_over_ranks_and_keeps_them_on_resume(tmp_path: Path) -> None:
    run = tmp_path / "run"
    sets = ["train.batch_size=8", "data.length=64", "data.num_workers=0", "train.log_every=1",
            "train.checkpoint_every=1", "train.precision=fp32", "method.name=latentface-rdm",
            *METHOD_ARGS["latentface-rdm"],
            "backbone.code_norm=standardize", "backbone.code_scale=4", "method.code_stats_steps=2"]
    common = ["-m", "facessl", "pretrain", "--no-progress", "--out", str(run)] + [a for s in sets for a in ("--set", s)]
    first = torchrun([*common, "--set", "train.steps=2"], tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    measured = load_train_state(run / "checkpoints" / "last.pt")["method"]
    assert measured["encoder.code_stats.albedo.count"] == 16  # 2 iterations x 2 ranks x one 4-frame track
    second = torchrun([*common, "--set", "train.steps=3", "--resume"], tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    state = load_train_state(run / "checkpoints" / "last.pt")["method"]
    assert torch.equal(state["encoder.code_stats.albedo.sum"], measured["encoder.code_stats.albedo.sum"])
    metrics = read_metrics(run / "metrics.jsonl")
    assert [m.get("code_stats_frames") for m in metrics[:2]] == [8, 16] and "loss" not in metrics[0]
    assert torch.isfinite(torch.tensor(metrics[2]["loss"]))
