"""Exact resume, atomic checkpoints, the non-finite guard and unsafe checkpoints."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from facessl.engine import checkpoint as ckpt
from facessl.engine.metrics import read_metrics
from facessl.engine.train import TrainingStopped, pretrain


def weights(run: Path) -> dict[str, torch.Tensor]:
    return ckpt.load_train_state(run / "checkpoints" / "last.pt")["method"]


@pytest.mark.parametrize("method", ["simclr", "moco", "byol"])
def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(tmp_path: Path, tiny, method: str) -> None:
    # data.length=48 with batch 8 gives 6 batches per epoch: the run crosses an epoch boundary.
    common = ["train.deterministic=true", "train.checkpoint_every=3", "train.steps=8"]
    pretrain(tiny.config(method, *common), tmp_path / "straight", show_progress=False)
    pretrain(tiny.config(method, *common), tmp_path / "split", show_progress=False, stop_after=3)
    pretrain(tiny.config(method, *common), tmp_path / "split", resume=True, show_progress=False)
    a, b = weights(tmp_path / "straight"), weights(tmp_path / "split")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert [m["step"] for m in read_metrics(tmp_path / "split" / "metrics.jsonl")] == list(range(1, 9))


def test_a_run_killed_during_a_save_resumes_from_the_previous_checkpoint(tmp_path: Path, tiny, monkeypatch) -> None:
    cfg = tiny.config("simclr", "train.checkpoint_every=2", "train.steps=4")
    real_save = torch.save
    calls = {"n": 0}

    def dying_save(obj, f, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the second checkpoint (step 4): write half a file, then die
            f.write(b"PK\x03\x04 half a zip")
            raise KeyboardInterrupt
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        pretrain(cfg, tmp_path, show_progress=False)
    monkeypatch.setattr(torch, "save", real_save)
    assert ckpt.load_train_state(tmp_path / "checkpoints" / "last.pt")["step"] == 2
    summary = pretrain(cfg, tmp_path, resume=True, show_progress=False)
    assert summary.steps == 4
    assert ckpt.load_train_state(tmp_path / "checkpoints" / "last.pt")["step"] == 4


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path: Path, tiny, monkeypatch) -> None:
    from facessl.losses.ntxent import NTXentLoss

    real_forward = NTXentLoss.forward
    calls = {"n": 0}

    def poisoned(self, z0, z1):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        loss = real_forward(self, z0, z1)
        return loss * float("nan") if calls["n"] == 3 else loss

    monkeypatch.setattr(NTXentLoss, "forward", poisoned)
    with pytest.raises(TrainingStopped, match=r"iteration 3: loss is not finite.*last good checkpoint is .*last\.pt"):
        pretrain(tiny.config("simclr", "train.checkpoint_every=2", "train.steps=5"), tmp_path, show_progress=False)
    state = ckpt.load_train_state(tmp_path / "checkpoints" / "last.pt")
    assert state["step"] == 2
    assert all(torch.isfinite(v).all() for v in state["method"].values() if v.is_floating_point())


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"format": ckpt.FORMAT, "version": ckpt.VERSION, "payload": _RunsCode(marker)}, evil)
    with pytest.raises(ckpt.CheckpointError, match="refusing to load .*evil.pt"):
        ckpt.load_train_state(evil)
    assert not marker.exists()
    # the same pickle really runs code when loaded unsafely: the test is not vacuous
    with open(evil, "rb") as f:
        torch.load(f, weights_only=False)
    assert marker.exists()


def test_foreign_and_truncated_checkpoints_get_clear_errors(tmp_path: Path) -> None:
    plain = tmp_path / "state_dict.pt"
    torch.save({"encoder.weight": torch.zeros(2)}, plain)
    with pytest.raises(ckpt.CheckpointError, match="not a facessl training checkpoint"):
        ckpt.load_train_state(plain)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"garbage")
    with pytest.raises(ckpt.CheckpointError, match="broken.pt is not a readable torch checkpoint"):
        ckpt.load_train_state(broken)
    pickled = tmp_path / "pickled.pt"
    pickled.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ckpt.CheckpointError):
        ckpt.load_train_state(pickled)


def test_resume_into_a_different_method_names_the_mismatch(tmp_path: Path, tiny) -> None:
    pretrain(tiny.config("simclr", "train.steps=1"), tmp_path, show_progress=False)
    with pytest.raises(ckpt.CheckpointError, match="does not match this model.*(missing|unexpected) keys"):
        pretrain(tiny.config("byol", "train.steps=2"), tmp_path, resume=True, show_progress=False)
