from pathlib import Path

import pytest

from facessl.config import ConfigError
from facessl.engine.config import load_run_config


def test_unknown_key_names_the_key_and_the_allowed_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'train\.lrr'.*allowed keys: steps, batch_size"):
        load_run_config(None, ["train.lrr=0.1"])


def test_unknown_method_argument_names_the_method_section() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'method\.temprature'.*temperature"):
        load_run_config(None, ["method.temprature=0.1"])


def test_wrong_type_names_the_key_and_type() -> None:
    with pytest.raises(ConfigError, match=r"train\.steps: expected int, got 'many'"):
        load_run_config(None, ["train.steps=many"])
    with pytest.raises(ConfigError, match=r"train\.precision: expected one of 'bf16' \| 'fp16' \| 'fp32'"):
        load_run_config(None, ["train.precision=fp8"])


def test_unknown_section_and_unknown_method_are_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown key 'optimiser'"):
        load_run_config(None, ["optimiser.lr=1"])
    with pytest.raises(ConfigError, match="unknown method 'simclrr'; choose one of: byol, latentface-ae, latentface-rdm, moco"):
        load_run_config(None, ["method.name=simclrr"])


def test_yaml_file_and_overrides_resolve_every_default(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("method:\n  name: moco\n  queue_size: 256\ntrain:\n  steps: 7\n")
    cfg = load_run_config(path, ["train.lr=0.5", "method.temperature=0.1"])
    assert cfg.train.steps == 7 and cfg.train.lr == 0.5
    assert cfg.method == {
        "name": "moco", "temperature": 0.1, "queue_size": 256, "momentum": 0.999,
        "proj_hidden_dim": 2048, "proj_dim": 128, "symmetric": False, "image_size": 64,
    }
    assert cfg.backbone == {"name": "resnet18", "stem": "face64"}


def test_int_is_accepted_where_a_float_is_expected_but_not_the_reverse() -> None:
    assert load_run_config(None, ["train.lr=1"]).train.lr == 1.0
    with pytest.raises(ConfigError, match="expected int"):
        load_run_config(None, ["train.steps=1.5"])


def test_invalid_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [unclosed\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_run_config(bad)
    with pytest.raises(ConfigError, match="config file not found"):
        load_run_config(tmp_path / "nope.yaml")


def test_folder_source_requires_a_path() -> None:
    with pytest.raises(ConfigError, match="data.path is required"):
        load_run_config(None, ["data.source=folder"])


def test_every_shipped_config_resolves() -> None:
    configs = sorted((Path(__file__).parents[1] / "configs").glob("*.yaml"))
    assert configs, "configs/ should ship example configs"
    for path in configs:
        load_run_config(path)
