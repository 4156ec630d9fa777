"""scripts/latentface_synthfaces.py: a command that reproduces the run; how codes vary within and between tracks."""

from __future__ import annotations

from pathlib import Path

import torch

import latentface_synthfaces as script  # scripts/ is on sys.path (conftest.py)


def _command(*argv: str) -> str:
    parser = script.make_parser()
    return script.command(parser.parse_args(list(argv)), parser)


def test_command_at_defaults_names_only_the_runs_and_data() -> None:
    assert _command("--ae", "runs/a", "--rdm", "runs/r") == (
        "OMP_NUM_THREADS=2 python scripts/latentface_synthfaces.py"
        " --ae runs/a --rdm runs/r --data runs/synthfaces_small"
    )


def test_command_keeps_every_option_away_from_its_default() -> None:
    cmd = _command("--ae", "runs/a", "--people", "8", "--no-suite", "--json", "out/x.json", "--doc", "/tmp/x.md")
    assert "--rdm" not in cmd
    assert cmd.endswith("--data runs/synthfaces_small --people 8 --no-suite --json out/x.json --doc /tmp/x.md")
    reparsed = script.make_parser().parse_args(cmd.split()[3:])
    assert (reparsed.people, reparsed.no_suite) == (8, True)
    assert (reparsed.json, reparsed.doc) == (Path("out/x.json"), Path("/tmp/x.md"))


def test_code_spread_splits_a_code_into_common_between_and_within_parts() -> None:
    codes = torch.tensor([[1.0, -1.0], [3.0, -3.0], [5.0, -5.0], [7.0, -7.0]])  # 2 tracks of 2 frames
    spread = script.code_spread(codes, frames=2)
    assert spread["rms_common"] == 4.0  # mean code (4, -4)
    assert spread["rms_between_tracks"] == 2.0  # track means (2, -2) and (6, -6)
    assert spread["rms_within_track"] == 1.0  # each frame 1 from its track mean
    assert abs(spread["within_track_variance_share"] - 0.2) < 1e-7  # 4 of the 20 squared deviations from the mean


def _tracks(n: int, frames: int, generator: torch.Generator) -> torch.Tensor:
    """Codes with a common mean, a per-track identity part (dims 0-3) and a per-frame part (dims 4-5)."""
    identity = torch.randn(n, 1, 4, generator=generator).expand(n, frames, 4)
    frame = torch.randn(n, frames, 2, generator=generator)
    return (torch.cat([identity, frame], dim=2) + torch.tensor([5.0, 5, 5, 5, 0, 0])).reshape(n * frames, 6)


def test_linear_reference_removes_what_varies_frame_to_frame_better_than_the_raw_code() -> None:
    g = torch.Generator().manual_seed(0)
    train, test = _tracks(200, 4, g), _tracks(50, 4, g)
    ref = script.linear_reference(train, test, frames=4)
    raw = float(script.track_mean_cosine(test, test, 4))
    assert ref["lambda"] in script.RIDGE_LAMBDAS
    assert 1 - ref["cosine"] < 0.5 * (1 - raw), (ref, raw)  # more than half of the distance to the mean removed
