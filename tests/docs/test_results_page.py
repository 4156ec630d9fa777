"""scripts/make_results_page.py: fixture benchmark files in, a results page out; and docs/results.md is current."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_results_page", ROOT / "scripts" / "make_results_page.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


page = _script()

# The shape scripts/compare_pcl_simclr.py writes (two seeds), trimmed to what the page reads.
PCL_VS_SIMCLR = {
    "settings": {"seeds": [0, 1], "steps": 64},
    "runs": {"seed0": {"pcl": {"suite": {"expression_accuracy": 0.30}}},
             "seed1": {"pcl": {"suite": {"expression_accuracy": 0.34}}}},
    "summary": {
        "pcl": {"suite": {"expression_accuracy": {"mean": 0.32, "std": 0.02}, "pose_mae_deg": {"mean": 7.5, "std": 0.25},
                          "pose_mae_yaw_deg": {"mean": 9.0, "std": 0.5}},
                "diagnostics": {"pose": {"r2_pose": {"mean": 0.8, "std": 0.01}}}},
        "simclr": {"suite": {"expression_accuracy": {"mean": 0.25, "std": 0.01},
                             "pose_mae_deg": {"mean": 9.25, "std": 0.5}}},
    },
    "command": "python scripts/compare_pcl_simclr.py --out runs/pcl_vs_simclr",
}  # fmt: skip
# A file the script knows nothing about, with a per-seed list and a list of records.
UNKNOWN = {"benchmark": "mystery/v1", "results": {"byol": {"expression accuracy": [0.2, 0.4]}},
           "runs": [{"workers": 0, "images_per_s": 8.25}, {"workers": 2, "images_per_s": 16.5}]}  # fmt: skip


def _write(folder: Path, files: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data))
    return folder


def test_benchmark_table_has_mean_and_std_over_seeds(tmp_path: Path) -> None:
    results = _write(tmp_path / "results", {"pcl_vs_simclr.json": PCL_VS_SIMCLR})
    text = page.render_page(page.read_results(results))
    benchmark = text.split("## Every benchmark file")[0]
    assert "| PCL (trunk) | `pcl_vs_simclr.json` | 0.3200 ± 0.0200 (n=2) | 7.5000 ± 0.2500 (n=2) | 9.0000 ± 0.5000 (n=2) |" in benchmark
    assert "| SimCLR (PCL's encoder, trunk) | `pcl_vs_simclr.json` | 0.2500 ± 0.0100 (n=2) | 9.2500 ± 0.5000 (n=2) | — |" in benchmark
    assert "| method / features | file | expression accuracy | pose MAE (deg) | yaw MAE (deg) |" in benchmark


def test_the_gpu_comparison_is_read_by_its_shape_and_named_apart(tmp_path: Path) -> None:
    results = _write(tmp_path / "results", {"pcl_vs_simclr.json": PCL_VS_SIMCLR, "pcl_vs_simclr_gpu.json": PCL_VS_SIMCLR})
    benchmark = page.render_page(page.read_results(results)).split("## Every benchmark file")[0]
    assert "| GPU run: PCL (trunk) | `pcl_vs_simclr_gpu.json` | 0.3200 ± 0.0200 (n=2) |" in benchmark
    assert "| PCL (trunk) | `pcl_vs_simclr.json` | 0.3200 ± 0.0200 (n=2) |" in benchmark


def test_absent_expected_files_are_listed_as_not_yet_run(tmp_path: Path) -> None:
    text = page.render_page(page.read_results(_write(tmp_path / "results", {})))
    assert "No SynthFaces benchmark has been run yet." in text
    for name in page.EXPECTED:
        assert f"| `{name}` |" in text and "not yet run" in text.split(f"`{name}`", 1)[1].split("\n", 1)[0]


def test_unknown_files_are_listed_generically(tmp_path: Path) -> None:
    results = _write(tmp_path / "results", {"mystery.json": UNKNOWN, "pcl_vs_simclr.json": PCL_VS_SIMCLR})
    text = page.render_page(page.read_results(results))
    section = text.split("### `mystery.json`")[1]
    assert "| benchmark | mystery/v1 |" in section
    assert "| results.byol.expression accuracy | 0.2000, 0.4000 |" in section
    assert "| workers | images_per_s |" in section and "| 2 | 16.50 |" in section
    pcl_section = text.split("### `pcl_vs_simclr.json`")[1].split("### ")[0]
    assert "| summary.pcl.diagnostics.pose.r2_pose | 0.8000 ± 0.0100 |" in pcl_section
    assert "seed0" not in pcl_section  # per-seed records are summarised, not repeated


def test_generic_row_shapes_are_read_from_any_file() -> None:
    latentface = {"suite": {"codes": {"expression_accuracy": 0.15, "expression_accuracy_std": 0.01}}}
    plain = {"results": {"simclr": {"expression accuracy": 0.5, "pose MAE (deg)": 3.0}}}
    # The shape `facessl demo` writes into its results.json (src/facessl/demo/run.py, "synthfaces").
    demo = {"format": "facessl-demo/v1", "synthfaces": {"PCL": {"AU mean F1": {"mean": 0.4, "std": 0.02},
                                                                "pose MAE (deg)": {"mean": 6.5, "std": 0.5}}},
            "evaluations": {"pcl": {"au": {"protocol": "au-detection/v1", "metrics": {"f1_mean/mean": 0.4}}}}}
    (codes,) = page.file_rows("latentface_synthfaces.json", latentface)
    assert codes.name == "LatentFace, codes" and codes.values["expression accuracy"].text() == "0.1500 ± 0.0100"
    (simclr,) = page.file_rows("other.json", plain)
    assert simclr.values["pose MAE (deg)"].text() == "3.0000" and simclr.values["expression accuracy"].std is None
    (pcl,) = page.file_rows("demo_full.json", demo)
    assert pcl.name == "PCL" and pcl.values["AU mean F1"].text() == "0.4000 ± 0.0200"


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    results = _write(tmp_path / "results", {})
    (results / "broken.json").write_text("{not json")
    with pytest.raises(SystemExit, match="broken.json"):
        page.read_results(results)


def test_check_mode_detects_a_stale_page(tmp_path: Path) -> None:
    results = _write(tmp_path / "results", {"mystery.json": UNKNOWN})
    out = tmp_path / "results.md"
    assert page.main(["--results", str(results), "--out", str(out)]) == 0
    assert page.main(["--results", str(results), "--out", str(out), "--check"]) == 0
    _write(results, {"pcl_vs_simclr.json": PCL_VS_SIMCLR})
    assert page.main(["--results", str(results), "--out", str(out), "--check"]) == 1


def test_committed_results_page_is_current() -> None:
    expected = page.render_page(page.read_results(ROOT / "benchmarks" / "results"))
    current = (ROOT / "docs" / "results.md").read_text()
    assert current == expected, "docs/results.md is stale: run `python scripts/make_results_page.py`"
