"""Every command and Python snippet in README.md and docs/*.md is run on tiny data or checked against the code.

Each line of a fenced ``bash`` block is one command (``\\`` continues it; ``#`` starts a comment). A ``facessl``
command (also under ``torchrun -m facessl`` or ``python -m facessl``) is always parsed through the real typer app
with every option converted and checked, then checked further by the validator of its sub-command (config keys
through `facessl.config`, crop recipes, eval tasks and seeds, ...). The commands in `RUN` are also run, in order,
in one scratch folder, with the explicit tiny-size substitutions of `tiny_args`. Other shell lines must be of a
kind listed in `check_other_command` (make targets, pip extras, scripts' options); anything else fails. Every
``python`` block runs in a scratch folder holding the pages' inputs and the README's `simclr.safetensors`, with
`images` (a small uint8 batch) given.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tomllib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
import torch
import typer.main
from PIL import Image
from typer.testing import CliRunner

from facessl.cli import app

try:  # recent typer vendors its own click; older typer uses click itself
    from typer._click import ClickException as _TyperClickException
except ImportError:  # pragma: no cover - depends on the typer version
    _TyperClickException = click.ClickException
CLICK_ERRORS = (click.ClickException, _TyperClickException)

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGS = {"bash", "sh", "shell", "console"}


# ---------------------------------------------------------------- extraction


@dataclass(frozen=True)
class Snippet:
    file: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def fenced_blocks(path: Path) -> list[tuple[str, int, list[str]]]:
    """(language, line of the first body line, body lines) of every ``` fenced block."""
    blocks, lang, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if lang is None and stripped.startswith("```"):
            lang, start, body = stripped[3:].strip().lower(), number + 1, []
        elif lang is not None and stripped.startswith("```"):
            blocks.append((lang, start, body))
            lang = None
        elif lang is not None:
            body.append(line)
    return blocks


def doc_commands() -> list[Snippet]:
    commands = []
    for path in DOC_FILES:
        for lang, start, body in fenced_blocks(path):
            if lang not in SHELL_LANGS:
                continue
            pending, first = "", 0
            for offset, line in enumerate(body):
                if not pending:
                    first = start + offset
                pending += line.rstrip().removesuffix("\\") + " " if line.rstrip().endswith("\\") else line
                if line.rstrip().endswith("\\"):
                    continue
                text = " ".join(shlex.split(pending.strip().removeprefix("$ "), comments=True))
                pending = ""
                if text:
                    commands.append(Snippet(path.name, first, text))
    return commands


def doc_python_blocks() -> list[Snippet]:
    return [Snippet(path.name, start, "\n".join(body)) for path in DOC_FILES
            for lang, start, body in fenced_blocks(path) if lang == "python"]  # fmt: skip


COMMANDS = doc_commands()
PYTHON_BLOCKS = doc_python_blocks()


# ---------------------------------------------------------------- parsing facessl commands


def facessl_argv(argv: list[str]) -> list[str] | None:
    """The arguments after `facessl` of a facessl invocation (plain, `python -m`, `torchrun -m`), else None."""
    while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", argv[0]):  # VAR=value prefixes
        argv = argv[1:]
    if not argv:
        return None
    if argv[0] == "facessl":
        return argv[1:]
    if argv[0] in ("python", "python3") and argv[1:3] == ["-m", "facessl"]:
        return argv[3:]
    if argv[0] == "torchrun":
        from torch.distributed.run import get_args_parser

        try:
            parsed = get_args_parser().parse_args(argv[1:])
        except SystemExit:
            raise AssertionError(f"torchrun rejects its options in {' '.join(argv)!r}") from None
        assert parsed.module and parsed.training_script == "facessl", "torchrun must run `-m facessl`"
        return list(parsed.training_script_args)
    return None


def _is_group(command: Any) -> bool:
    return hasattr(command, "commands") and hasattr(command, "resolve_command")


def parse_facessl(args: list[str]) -> tuple[str, dict[str, Any]]:
    """Parse through the real click command tree without invoking it; (sub-command path, parsed parameters)."""
    command: Any = typer.main.get_command(app)
    ctx = command.make_context("facessl", list(args))
    path: list[str] = []
    while _is_group(command):
        # The sub-command's name waits in the protected args (`_protected_args` in click >= 8.2 and typer's copy).
        protected = getattr(ctx, "_protected_args", None)
        protected = protected if protected is not None else getattr(ctx, "protected_args", [])
        rest = [*protected, *ctx.args]
        assert rest, f"`facessl {' '.join(path)}` needs a sub-command"
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None, f"unknown command {name!r}"
        path.append(str(name))
        command, ctx = sub, sub.make_context(str(name), rest, parent=ctx)
    return " ".join(path), dict(ctx.params)


def _config_path(path: Path | None) -> Path | None:
    if path is None:
        return None
    resolved = path if path.is_absolute() else ROOT / path
    assert resolved.is_file(), f"config file {path} does not exist"
    return resolved


def check_pretrain(p: dict[str, Any]) -> None:
    from facessl.engine.config import load_run_config

    overrides = list(p["set_"] or []) + ([f"method.name={p['method']}"] if p["method"] else [])
    load_run_config(_config_path(p["config"]), overrides)  # every key and type, registries included


def check_eval(p: dict[str, Any]) -> None:
    from facessl.eval.task_datasets import FOLDER_NAMES, TASKS
    from facessl.models.backbones import BACKBONES

    assert set(p["tasks"].split(",")) <= set(TASKS), f"--tasks {p['tasks']}: choose from {TASKS}"
    assert len({int(s) for s in p["seeds"].split(",")}) >= 3, "--seeds needs at least 3 distinct seeds"
    assert p["crop"] in ("box", "none") and p["device"] in ("cpu", "cuda")
    assert p["data"] is not None or p["root"], "give --data or --root"
    for item in p["root"] or []:
        name, _, path = item.partition("=")
        assert name in FOLDER_NAMES and path, f"--root {item}: NAME=PATH with NAME in {list(FOLDER_NAMES)}"
    kind, _, rest = p["weights"].partition(":")
    if kind == "raw":
        assert not rest or rest.isdigit(), f"--weights {p['weights']}"
    elif kind in ("random", "supervised"):
        assert rest.split(":")[0] in BACKBONES, f"--weights {p['weights']}: unknown backbone"
    elif p["weights"].endswith(".safetensors"):
        assert p["site"] == "encoder", "exported weights have only the 'encoder' site"


def check_prepare(p: dict[str, Any]) -> None:
    from facessl.prepare.detectors import DETECTORS
    from facessl.prepare.tasks import PrepareSettings

    PrepareSettings(p["recipe"], p["size"], p["scale"], p.get("detector", "haar"), p["image_format"],
                    p.get("no_face", "reject"))  # fmt: skip
    assert p.get("detector", "haar") in DETECTORS
    assert p.get("track_frames", "relative") in ("relative", "absolute")
    assert p.get("classes", 8) in (7, 8)


def check_import_latentface(p: dict[str, Any]) -> None:
    from facessl.config import resolve_args
    from facessl.models.backbones import BACKBONES

    resolve_args(BACKBONES.get("latentface"), {k: p[k] for k in ("site", "sampler", "noise")}, "import latentface")


def check_synth_export(p: dict[str, Any]) -> None:
    from facessl.synth.cli import PRESET_NAMES

    assert p["preset"] in PRESET_NAMES, f"--preset {p['preset']}: choose from {PRESET_NAMES}"


def check_audit(p: dict[str, Any]) -> None:
    from facessl.prepare.audit import EVAL_SETS

    assert p["eval_set"][0] in EVAL_SETS, f"--eval {p['eval_set'][0]}: choose from {EVAL_SETS}"


def parsed_only(p: dict[str, Any]) -> None:
    """Commands whose options the click parse already checks in full (paths, integers, flags)."""


# Every leaf command of the CLI must be here (a test checks it), so a new command gets a validator.
VALIDATORS: dict[str, Callable[[dict[str, Any]], None]] = {
    "pretrain": check_pretrain, "export": parsed_only, "embed": parsed_only, "info": parsed_only,
    "demo": parsed_only, "list": parsed_only, "eval": check_eval,
    "synth preview": parsed_only, "synth export": check_synth_export,
    "import unsup3d": parsed_only, "import latentface": check_import_latentface, "import pcl": parsed_only,
    **{f"prepare {name}": check_prepare for name in ("folder", "voxceleb", "celeba", "affectnet", "300wlp", "aflw2000")},
    "audit identities": check_audit,
}  # fmt: skip


def check_facessl(args: list[str]) -> str:
    try:
        path, params = parse_facessl(args)
    except CLICK_ERRORS as err:
        raise AssertionError(f"the CLI rejects `facessl {' '.join(args)}`: {err.format_message()}") from None
    assert path in VALIDATORS, f"`facessl {path}` has no validator in VALIDATORS"
    VALIDATORS[path](params)
    return path


def check_other_command(argv: list[str]) -> None:
    """Shell lines that are not facessl: each kind is checked against the file it refers to."""
    head = argv[0]
    if head == "make":
        targets = re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.M)
        assert all(t in targets for t in argv[1:]), f"make targets {argv[1:]} not all in the Makefile ({targets})"
    elif head.endswith("pip") or argv[:3] in (["python", "-m", "pip"], ["python3", "-m", "pip"]):
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
        for spec in argv:
            for group in re.findall(r"^(?:\.|facessl)\[([\w,-]+)\]$", spec):
                unknown = set(group.split(",")) - set(extras)
                assert not unknown, f"pip extras {unknown} are not in pyproject.toml ({sorted(extras)})"
    elif head in ("python", "python3") and argv[1:3] == ["-m", "venv"]:
        pass
    elif head in ("python", "python3") and argv[1].startswith(("scripts/", "benchmarks/")):
        script = ROOT / argv[1]
        assert script.is_file(), f"{argv[1]} does not exist"
        source = script.read_text()
        for option in (a.split("=")[0] for a in argv[2:] if a.startswith("--")):
            assert f'"{option}"' in source, f"{argv[1]} has no option {option}"
    else:
        raise AssertionError(f"no test runs or checks `{' '.join(argv)}`: add its kind to check_other_command")


def check_command(text: str) -> str:
    argv = shlex.split(text)
    args = facessl_argv(argv)
    if args is None:
        check_other_command(argv)
        return argv[0]
    return check_facessl(args)


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_doc_command_parses_with_valid_options_and_config(command: Snippet) -> None:
    try:
        check_command(command.text)
    except Exception as err:  # the failure names the page and line
        raise AssertionError(f"{command.id}: `{command.text}`: {err}") from err


def test_every_cli_command_has_a_validator() -> None:
    def leaves(cmd: Any, prefix: str) -> list[str]:
        if _is_group(cmd):
            return [leaf for name, sub in cmd.commands.items() for leaf in leaves(sub, f"{prefix} {name}".strip())]
        return [prefix]

    assert sorted(leaves(typer.main.get_command(app), "")) == sorted(VALIDATORS)


@pytest.mark.parametrize("text, message", [
    ("facessl pretrain --config configs/simclr.yaml --set train.stepz=3", "train.stepz"),
    ("facessl pretrain --config configs/nope.yaml", "does not exist"),
    ("facessl eval --weights raw --tasks emotion --data d", "--tasks"),
    ("facessl prepare folder a --out b --recipe square", "recipe"),
    ("facessl prepare folder a --out b --recipes pcl", "--recipes"),
    ("facessl frobnicate", "frobnicate"),
    ("pip install -e '.[gpu]'", "gpu"),
    ("make deploy", "deploy"),
    ("cp a b", "no test runs or checks"),
])  # fmt: skip
def test_checker_rejects_drifted_commands(text: str, message: str) -> None:
    with pytest.raises(Exception, match=re.escape(message)):
        check_command(text)


def test_relative_links_point_at_files() -> None:
    broken = []
    for path in DOC_FILES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
            if "://" not in target and not (path.parent / target).exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []


def test_the_docs_hold_commands_and_snippets() -> None:
    pages = {c.file for c in COMMANDS}
    assert {"README.md", "quickstart.md", "data.md", "pretraining.md", "distributed.md"} <= pages
    assert any(s.file == "architecture.md" for s in PYTHON_BLOCKS)


# ---------------------------------------------------------------- running on tiny data

# Sizes every run command is shrunk to (appended last, so they win over the page's own values).
TINY_PRETRAIN = ["--set", "data.image_size=32", "--set", "method.image_size=32", "--set", "data.length=16",
                 "--set", "data.num_identities=4", "--set", "data.num_workers=0", "--set", "train.batch_size=8",
                 "--set", "train.precision=fp32", "--set", "train.warmup_steps=1", "--set", "train.log_every=1",
                 "--no-progress"]  # fmt: skip
TINY_EVAL = ["--no-plots", "--no-progress", "--batch-size", "32"]
TINY_BY_COMMAND = {"pretrain": TINY_PRETRAIN, "eval": TINY_EVAL, "synth preview": ["--identities", "1", "--size", "32"],
                   "prepare folder": ["--no-progress"], "embed": ["--batch-size", "8"]}  # fmt: skip


def tiny_args(text: str) -> list[str]:
    """The command's arguments with the tiny substitutions: `train.steps=N` -> N // 100 (2 when the page gives
    none), and the sizes above."""
    args = facessl_argv(shlex.split(text))
    assert args is not None
    args = [re.sub(r"^train\.steps=(\d+)$", lambda m: f"train.steps={max(1, int(m[1]) // 100)}", a) for a in args]
    path, _ = parse_facessl(args)
    if path == "pretrain" and not any(a.startswith("train.steps=") for a in args):
        args += ["--set", "train.steps=2"]  # not the config's thousands
    return args + TINY_BY_COMMAND.get(path, [])


# The commands that run, in this order (later ones use earlier outputs). Every entry must appear in a page.
PRETRAIN_SIMCLR = "facessl pretrain --config configs/simclr.yaml --set train.steps=200 --out runs/simclr"
EXPORT_SIMCLR = "facessl export runs/simclr --out simclr.safetensors"
RUN = [
    "facessl list",
    PRETRAIN_SIMCLR,
    "facessl pretrain --config configs/simclr.yaml --set train.steps=400 --out runs/simclr --resume",
    EXPORT_SIMCLR,
    "facessl info simclr.safetensors",
    "facessl info runs/simclr/checkpoints/last.pt",
    "facessl embed path/to/faces/ --weights simclr.safetensors --out features.safetensors",
    "facessl synth preview --out grid.png",
    "facessl synth export --out data/synth --preset tiny",
    "facessl eval --weights simclr.safetensors --data data/synth",
    "facessl eval --weights raw --data data/synth --out runs/eval/raw",
    "facessl prepare folder my_photos/ --out data/crops --recipe pcl",
    "facessl pretrain --config configs/simclr.yaml --set data.source=manifest --set data.path=data/crops/manifest.csv "
    "--out runs/simclr_photos",
    "facessl pretrain --config configs/simclr.yaml --set data.source=synthfaces --set data.length=20000 "
    "--set data.num_identities=200 --out runs/simclr_synth",
]


def _make_inputs(root: Path) -> None:
    """The inputs the pages assume: the configs, a folder of faces, a folder of photos."""
    (root / "configs").symlink_to(ROOT / "configs")
    from skimage.data import astronaut  # a public-domain photo with one frontal face (dev extra)

    photo = Image.fromarray(astronaut()).resize((256, 256))
    faces, photos = root / "path" / "to" / "faces", root / "my_photos"
    faces.mkdir(parents=True)
    photos.mkdir()
    for i in range(8):  # shifted copies: the manifest gets enough crops for one batch of 8
        shifted = Image.new("RGB", (256 + 8 * i, 256), (20 * i, 40, 60))
        shifted.paste(photo, (8 * i, 0))
        shifted.save(photos / f"photo_{i}.jpg")
        photo.crop((40 + i, 20, 200 + i, 180)).resize((48, 48)).save(faces / f"face_{i}.png")


def run_commands(root: Path, commands: list[str]) -> None:
    """Run `commands` (page text) in `root` with the tiny substitutions; the first failure stops, naming it."""
    runner, cwd = CliRunner(), Path.cwd()
    os.chdir(root)
    try:
        for text in commands:
            args = tiny_args(text)
            result = runner.invoke(app, args)
            if result.exit_code != 0:
                trace = "".join(traceback.format_exception(result.exception)) if result.exception else ""
                pytest.fail(f"`{text}` (run as `facessl {' '.join(args)}`) exited {result.exit_code}:\n"
                            f"{result.output[-3000:]}{trace}")  # fmt: skip
    finally:
        os.chdir(cwd)


def test_run_table_commands_are_in_the_docs() -> None:
    shown = {c.text for c in COMMANDS}
    assert [text for text in RUN if text not in shown] == []


def test_doc_commands_run_on_tiny_data(tmp_path: Path) -> None:
    # One test, not one per command: the commands build on each other, and pytest-xdist then runs them once.
    _make_inputs(tmp_path)
    run_commands(tmp_path, RUN)
    for name in ("runs/simclr/config.yaml", "simclr.json", "features.safetensors", "grid.png",
                 "data/synth/synthfaces.json", "runs/eval/results.json", "runs/eval/raw/results.json",
                 "data/crops/manifest.csv", "runs/simclr_photos/checkpoints/last.pt",
                 "runs/simclr_synth/checkpoints/last.pt"):  # fmt: skip
        assert (tmp_path / name).is_file(), name


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Python snippets take as given: the inputs and the README's exported `simclr.safetensors`."""
    root = tmp_path_factory.mktemp("snippets")
    _make_inputs(root)
    run_commands(root, [PRETRAIN_SIMCLR, EXPORT_SIMCLR])
    return root


# ---------------------------------------------------------------- Python snippets


@pytest.mark.parametrize("snippet", PYTHON_BLOCKS, ids=[s.id for s in PYTHON_BLOCKS])
def test_doc_python_snippet_runs(workspace: Path, snippet: Snippet) -> None:
    from facessl.eval import PROTOCOLS
    from facessl.methods import METHODS
    from facessl.models.backbones import BACKBONES

    root = workspace
    # What the snippets take as given: `images`, a small uint8 batch.
    namespace: dict[str, Any] = {"images": torch.from_numpy(np.random.default_rng(0).integers(0, 256, (2, 3, 64, 64),
                                                                                               dtype=np.uint8))}
    registries = [(r, dict(r._entries)) for r in (METHODS, BACKBONES, PROTOCOLS)]
    cwd = Path.cwd()
    os.chdir(root)
    try:
        exec(compile(snippet.text, snippet.id, "exec"), namespace)  # noqa: S102 - the docs' own code
    finally:
        os.chdir(cwd)
        for registry, entries in registries:  # snippets register examples; leave the registries as found
            registry._entries.clear()
            registry._entries.update(entries)
        shutil.rmtree(root / "runs" / "simsiam_example", ignore_errors=True)
