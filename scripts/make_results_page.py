"""Regenerate `docs/results.md` from every benchmark's JSON in `benchmarks/results/`.

    python scripts/make_results_page.py                      # benchmarks/results/*.json -> docs/results.md
    python scripts/make_results_page.py --results DIR --out PAGE.md
    python scripts/make_results_page.py --check              # exit 1 when the page is out of date

The page has two parts:

1. **The SynthFaces benchmark**: one row per method (and feature site) and one column per task, as mean ± std
   over seeds where the file has several seeds (or folds, for verification). Rows are read from the files listed
   in `EXPECTED`; a listed file that is absent is shown as "not yet run" with the command that writes it.
   `pcl_vs_simclr*.json` (scripts/compare_pcl_simclr.py) is read by its own shape (`summary.<method>.suite`, one run
   per seed); in any other file two shapes are recognised wherever they occur:
   - a `facessl eval` results document (`"format": "facessl-eval-results/v1"`), named by its `source`;
   - a mapping `{row name: {metric: value}}` under a key `results`, `methods`, `suite` or `synthfaces`, where a
     value is a number, a list of per-seed numbers, `{"mean": m, "std": s}`, or a number beside a `<metric>_std`
     key.
   The metric names of `COLUMN_OF` fill the four task columns; any other metric gets its own column.
2. **Every benchmark file in full**, known or not: scalars as a key/value table, lists of records (`runs`) as one
   table each, `{mean, std}` pairs as one cell; nothing hidden but per-sample details (keys named `details`,
   `confusion_matrix`) and per-seed records beside their summary.

Nothing here computes a result: the page only reformats what the benchmark scripts wrote.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# The files behind the SynthFaces benchmark, what they hold, and the command that writes each one.
EXPECTED: dict[str, tuple[str, str]] = {
    "pcl_vs_simclr.json": (
        "PCL against SimCLR, MoCo v2 and BYOL on SynthFaces (same encoder, same images, several seeds)",
        "python scripts/compare_pcl_simclr.py --out runs/pcl_vs_simclr",
    ),
    "pcl_vs_simclr_gpu.json": (
        "the same comparison (PCL, SimCLR) at the official batch shapes on one GPU, as long as a 10-minute lease allows",
        "OUT=runs/gpu bash scripts/compare_pcl_simclr_gpu.sh on a GPU machine, then copy runs/gpu/pcl_vs_simclr_gpu.json here",
    ),
    "synthfaces_calibration.json": (
        "the references: raw pixels, a random ResNet-18 and supervised ResNet-18s (the upper bound)",
        "OMP_NUM_THREADS=1 python scripts/calibrate_synthfaces.py --data runs/synthfaces_small --epochs 15",
    ),
    "latentface_synthfaces.json": (
        "LatentFace stage 1 + 2 measured on SynthFaces",
        "python scripts/latentface_synthfaces.py --ae runs/lf_ae_long --rdm runs/lf_rdm_long "
        "--data runs/synthfaces_small --linear-people 1000",
    ),
    "latentface_synthfaces_code_scale32.json": (
        "the same stage 1 with an RDM trained and sampled at backbone.code_scale=32 (a deviation, docs/latentface.md)",
        "python scripts/latentface_synthfaces.py --ae runs/lf_ae_long --rdm runs/lf_rdm_long_s32 "
        "--data runs/synthfaces_small --json benchmarks/results/latentface_synthfaces_code_scale32.json --doc /tmp/lf_s32.md",
    ),
    "latentface_synthfaces_standardized.json": (
        "the same stage 1 with an RDM on per-dimension standardised codes (backbone.code_norm=standardize, "
        "code_scale=4) and the engine's cosine schedule, 8,000 iterations (deviations, docs/latentface.md)",
        "python scripts/latentface_synthfaces.py --ae runs/lf_ae_long --rdm runs/lf_rdm_std8k_fix "
        "--data runs/synthfaces_small --linear-people 1000 "
        "--json benchmarks/results/latentface_synthfaces_standardized.json --doc /tmp/lf_std.md",
    ),
    "demo_full.json": (
        "`facessl demo --full`: every method on the longer schedules, with the references",
        "facessl demo --full --out runs/demo_full, then copy runs/demo_full/results.json here",
    ),
}
# How the rows of a file are named when the file itself does not say which method they belong to.
ROW_LABELS: dict[str, str] = {
    "pcl_vs_simclr_gpu.json": "GPU run: ",
    "latentface_synthfaces.json": "LatentFace, ",
    "latentface_synthfaces_code_scale32.json": "LatentFace (RDM with backbone.code_scale=32), ",
    "latentface_synthfaces_standardized.json": "LatentFace (RDM with backbone.code_norm=standardize), ",
    "synthfaces_calibration.json": "reference: ",
}
# Keys whose mapping holds one entry per method or feature site.
ROW_KEYS = ("results", "methods", "suite", "synthfaces", "columns")
# Keys left out of the full listing: per-sample or per-class arrays, not results.
HIDDEN_KEYS = frozenset({"details", "confusion_matrix"})
EVAL_FORMAT = "facessl-eval-results/v1"
# Headline metric of each `facessl eval` protocol (as `facessl.eval.results_file.HEADLINE`).
EVAL_HEADLINE = {
    "expression-linear": "accuracy",
    "verification-cosine": "accuracy_mean",
    "verification-pair-classifier": "accuracy_mean",
    "au-detection": "f1_mean",
    "head-pose-ridge": "mae_mean",
}
TASK_COLUMNS = ("expression accuracy", "verification accuracy", "AU mean F1", "pose MAE (deg)")


@dataclass(frozen=True)
class Value:
    """A number, with its spread over `n` seeds (or folds) when known."""

    mean: float
    std: float | None = None
    n: int = 1

    def text(self) -> str:
        if self.std is None:
            return _num(self.mean)
        return f"{_num(self.mean)} ± {_num(self.std)}" + (f" (n={self.n})" if self.n > 1 else "")


@dataclass
class Row:
    source: str  # file name
    name: str
    values: dict[str, Value] = field(default_factory=dict)


def _num(x: float) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
        return f"{x:.3g}"
    # Fixed decimals keep trailing zeros, so 0.9999982 reads 1.0000 (not a rounded-away "1").
    return f"{x:.4f}" if abs(x) < 10 else f"{x:.2f}" if abs(x) < 1000 else f"{x:.0f}"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# Metric names that are one of the four task columns; any other name is a column of its own.
COLUMN_OF: dict[str, str] = {
    "expression_accuracy": TASK_COLUMNS[0], "expression accuracy": TASK_COLUMNS[0],
    "verification_accuracy": TASK_COLUMNS[1], "verification accuracy": TASK_COLUMNS[1],
    "au_f1_mean": TASK_COLUMNS[2], "AU mean F1": TASK_COLUMNS[2], "au_f1": TASK_COLUMNS[2],
    "pose_mae_deg": TASK_COLUMNS[3], "pose_mae": TASK_COLUMNS[3], "pose MAE (deg)": TASK_COLUMNS[3],
    # evaluate_suite's report keys (scripts/calibrate_synthfaces.py)
    "expression/rafdb": TASK_COLUMNS[0], "verification/lfw": TASK_COLUMNS[1], "au/disfa": TASK_COLUMNS[2],
    "pose/aflw2000": TASK_COLUMNS[3],
    # per-angle errors: columns of their own, named as people read them
    "pose_mae_yaw_deg": "yaw MAE (deg)", "pose_mae_pitch_deg": "pitch MAE (deg)", "pose_mae_roll_deg": "roll MAE (deg)",
}  # fmt: skip


def column_of(metric: str) -> str:
    """The task column a metric name belongs to, or the name itself."""
    return COLUMN_OF.get(metric, metric)


def value_of(v: Any, siblings: Mapping[str, Any] | None = None, key: str = "") -> Value | None:
    """A number, per-seed list, {mean, std} mapping, or a number with a `<key>_std` sibling -> Value."""
    if _is_number(v):
        std = (siblings or {}).get(f"{key}_std")
        return Value(float(v), float(std) if _is_number(std) else None)
    if isinstance(v, list) and v and all(_is_number(x) for x in v):
        xs = [float(x) for x in v]
        mean = sum(xs) / len(xs)
        std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs)) if len(xs) > 1 else None
        return Value(mean, std, len(xs))
    if isinstance(v, Mapping) and _is_number(v.get("mean")):
        std = v.get("std")
        n = v.get("n", len(v["values"]) if isinstance(v.get("values"), list) else 1)
        return Value(float(v["mean"]), float(std) if _is_number(std) else None, int(n) if _is_number(n) else 1)
    return None


def _eval_document_row(doc: Mapping[str, Any], source: str) -> Row:
    """One row from a `facessl eval` results document: each task's headline metric, mean ± std over seeds."""
    src = doc.get("source", {})
    row = Row(source, str(src.get("name") or src.get("spec") or "features"))
    if src.get("site") and src.get("site") not in ("encoder", "pixels"):
        row.name += f" ({src['site']})"
    for key, result in doc.get("results", {}).items():
        protocol = str(result.get("protocol", "")).split("/")[0]
        metric = EVAL_HEADLINE.get(protocol)
        metrics = result.get("metrics", {})
        if metric is None:
            continue
        task = key.split("/")[0]
        column = {"expression": TASK_COLUMNS[0], "verification": TASK_COLUMNS[1], "au": TASK_COLUMNS[2],
                  "pose": TASK_COLUMNS[3]}.get(task, key)  # fmt: skip
        column = f"{column} [{key.split('/')[-1]}]" if "/" in key else column
        n = len(result.get("seeds", [])) or 1
        if f"{metric}/mean" in metrics:
            row.values[column] = Value(metrics[f"{metric}/mean"], metrics.get(f"{metric}/std"), n)
        elif metric == "accuracy_mean" and "accuracy_std" in metrics:  # one run: spread over the 10 folds
            row.values[column] = Value(metrics["accuracy_mean"], metrics["accuracy_std"], 10)
        elif metric in metrics:
            row.values[column] = Value(metrics[metric])
    return row


def _mapping_rows(table: Mapping[str, Any], source: str, prefix: str) -> list[Row]:
    rows = []
    for name, metrics in table.items():
        if not isinstance(metrics, Mapping):
            return []  # not a {row: {metric: value}} table
        row = Row(source, f"{prefix}{name}")
        for key, v in metrics.items():
            if key.endswith("_std") and key[:-4] in metrics:
                continue
            value = value_of(v, metrics, key)
            if value is not None:
                row.values[column_of(key)] = value
        if row.values:
            rows.append(row)
    return rows


def _pcl_vs_simclr_rows(data: Mapping[str, Any], source: str, prefix: str = "") -> list[Row]:
    """`scripts/compare_pcl_simclr.py`: `summary.<method>.suite.<metric> = {mean, std}` over `runs` (one per seed)."""
    names = {"pcl": "PCL (trunk)", "simclr": "SimCLR (PCL's encoder, trunk)", "moco": "MoCo v2 (PCL's encoder, trunk)",
             "byol": "BYOL (PCL's encoder, trunk)", "random_init": "no pretraining (PCL's encoder, random init)"}
    seeds = len(data.get("runs", {})) or 1
    rows = []
    for method, summary in data["summary"].items():
        row = Row(source, prefix + names.get(method, method))
        for key, v in summary["suite"].items():
            value = value_of(v)
            if value is not None:
                row.values[column_of(key)] = Value(value.mean, value.std, seeds)
        rows.append(row)
    return rows


def file_rows(name: str, data: Any) -> list[Row]:
    """The benchmark rows of one file: a known file's own shape, else the shapes `benchmark_rows` recognises."""
    if name.startswith("pcl_vs_simclr") and isinstance(data, Mapping) and isinstance(data.get("summary"), Mapping):
        return _pcl_vs_simclr_rows(data, name, ROW_LABELS.get(name, ""))
    return benchmark_rows(data, name, ROW_LABELS.get(name, ""))


def benchmark_rows(data: Any, source: str, prefix: str = "") -> list[Row]:
    """Every method row found anywhere in one benchmark file."""
    if isinstance(data, Mapping):
        if data.get("format") == EVAL_FORMAT:
            return [_eval_document_row(data, source)]
        rows: list[Row] = []
        for key, v in data.items():
            if key in HIDDEN_KEYS:
                continue
            if key in ROW_KEYS and isinstance(v, Mapping) and not v.get("format"):
                found = _mapping_rows(v, source, prefix)
                if found:
                    rows += found
                    continue
            # A nested section names its rows ("pcl: ..."), except a bare results document, which names itself.
            nested = isinstance(v, Mapping) and key not in ROW_KEYS and v.get("format") != EVAL_FORMAT
            rows += benchmark_rows(v, source, f"{prefix}{key}: " if nested else prefix)
        return rows
    if isinstance(data, list):
        return [r for item in data for r in benchmark_rows(item, source, prefix)]
    return []


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(x: str) -> str:
        return x.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return out


def _scalars(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Dotted key -> text for every scalar outside lists of records."""
    if isinstance(data, Mapping) and _is_number(data.get("mean")):
        yield prefix[:-1], value_of(data).text()  # type: ignore[union-attr]
    elif isinstance(data, Mapping):
        for k, v in data.items():
            if k in HIDDEN_KEYS or (k == "runs" and isinstance(v, Mapping) and "summary" in data):
                continue  # per-seed records are summarised beside them
            yield from _scalars(v, f"{prefix}{k}.")
    elif isinstance(data, list) and data and all(isinstance(x, Mapping) for x in data):
        return  # a list of records: its own table
    elif isinstance(data, list):
        if all(_is_number(x) for x in data) and len(data) > 8:
            yield prefix[:-1], f"{len(data)} values, mean {_num(sum(data) / len(data))}"
        else:
            yield prefix[:-1], ", ".join(_num(x) if _is_number(x) else str(x) for x in data)
    else:
        yield prefix[:-1], _num(data) if _is_number(data) else str(data)


def _record_lists(data: Any, prefix: str = "") -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            if k not in HIDDEN_KEYS:
                yield from _record_lists(v, f"{prefix}{k}.")
    elif isinstance(data, list) and data and all(isinstance(x, Mapping) for x in data):
        yield prefix[:-1], list(data)


def file_section(name: str, data: Any) -> list[str]:
    """The full listing of one benchmark file."""
    lines = [f"### `{name}`", ""]
    if isinstance(data, Mapping) and data.get("format") == EVAL_FORMAT:
        row = _eval_document_row(data, name)
        lines += _table(["task", "value"], [[k, v.text()] for k, v in row.values.items()])
        lines += ["", f"Command: `{' '.join(map(str, data.get('command', [])))}`", ""]
        return lines
    scalars = list(_scalars(data))
    if scalars:
        lines += _table(["key", "value"], scalars) + [""]
    for key, records in _record_lists(data):
        columns: list[str] = []
        for record in records:
            columns += [c for c in record if c not in columns and c not in HIDDEN_KEYS]
        body = [[_cell(record.get(c)) for c in columns] for record in records]
        lines += [f"`{key}`:", ""] + _table(columns, body) + [""]
    return lines


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (Mapping, list)):
        return json.dumps(v, separators=(",", ":"))[:80]
    return _num(v) if _is_number(v) else str(v)


def read_results(results: Path) -> dict[str, Any]:
    """File name -> parsed JSON, sorted; a malformed file stops with its name."""
    out = {}
    for path in sorted(results.glob("*.json")):
        try:
            out[path.name] = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise SystemExit(f"{path}: not valid JSON ({err})") from None
    return out


def render_page(files: Mapping[str, Any], results_dir: str = "benchmarks/results") -> str:
    lines = [
        "# Results",
        "",
        "<!-- Generated by scripts/make_results_page.py from benchmarks/results/*.json; do not edit by hand. -->",
        "",
        f"Every number below was written by a benchmark script into `{results_dir}/` and is copied here unchanged "
        "by `python scripts/make_results_page.py`. Where a file holds several seeds (or, for verification, the "
        "10 folds of one run), a cell shows mean ± std and n; otherwise the single value. How each protocol is "
        "scored: [evaluation](evaluation.md); the SynthFaces tasks: [SynthFaces](synthfaces.md).",
        "",
        "## SynthFaces benchmark",
        "",
    ]
    rows = [r for name in EXPECTED if name in files for r in file_rows(name, files[name])]
    if rows:
        columns = [c for c in TASK_COLUMNS if any(c in r.values for r in rows)]
        columns += sorted({c for r in rows for c in r.values if c not in columns})
        body = [[f"{r.name}", f"`{r.source}`", *(r.values[c].text() if c in r.values else "—" for c in columns)]
                for r in rows]  # fmt: skip
        lines += _table(["method / features", "file", *columns], body) + [""]
        lines += ["Pose MAE is in degrees (lower is better); every other column is higher-is-better. "
                  "Chance on the 7 SynthFaces expression classes is 0.143 and on verification 0.5. The references (raw "
                  "pixels, random and supervised ResNet-18) on the `small` export are in the "
                  "[SynthFaces calibration](synthfaces_calibration.md).", ""]  # fmt: skip
    else:
        lines += ["No SynthFaces benchmark has been run yet.", ""]
    lines += _table(
        ["file", "what", "status"],
        [[f"`{name}`", what, "present" if name in files else f"not yet run (`{command}`)"]
         for name, (what, command) in EXPECTED.items()],  # fmt: skip
    )
    lines += ["", "## Every benchmark file", ""]
    if not files:
        lines += [f"`{results_dir}/` holds no JSON files yet.", ""]
    for name, data in files.items():
        lines += file_section(name, data)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "results.md")
    parser.add_argument("--check", action="store_true", help="Exit 1 if --out differs from what would be written.")
    args = parser.parse_args(argv)
    if not args.results.is_dir():
        raise SystemExit(f"{args.results}: no such folder")
    page = render_page(read_results(args.results))
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != page:
            print(f"{args.out} is out of date; run python scripts/make_results_page.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
