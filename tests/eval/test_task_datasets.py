"""Finding dataset roots under a SynthFaces export, a folder of real datasets, or explicit roots."""

import json
from pathlib import Path

import pytest

from facessl.eval.task_datasets import find_data_roots


def test_real_folder_names_are_found_by_their_marker_files(eval_data: Path) -> None:
    roots = find_data_roots(eval_data)
    assert roots.root("rafdb") == eval_data / "RAF-DB" / "basic"
    assert roots.root("lfw") == eval_data / "lfw" and roots.root("aflw2000") == eval_data / "AFLW2000"
    assert roots.root("cplfw") is None and roots.root("affectnet7") is None
    assert roots.options("disfa") == {"frames_dir": "frames"}
    assert not roots.synthetic


def test_synthfaces_export_folders_come_from_its_metadata(tmp_path: Path) -> None:
    (tmp_path / "faces_rafdb" / "EmoLabel").mkdir(parents=True)
    (tmp_path / "faces_rafdb" / "EmoLabel" / "list_patition_label.txt").write_text("")
    (tmp_path / "synthfaces.json").write_text(json.dumps({"folders": {"rafdb": "faces_rafdb", "voxceleb": "vox"}}))
    roots = find_data_roots(tmp_path)
    assert roots.synthetic and roots.root("rafdb") == tmp_path / "faces_rafdb"


def test_explicit_roots_win_and_are_checked(eval_data: Path, tmp_path: Path) -> None:
    roots = find_data_roots(None, {"lfw": eval_data / "lfw"})
    assert roots.roots == {"lfw": eval_data / "lfw"}
    with pytest.raises(ValueError, match="pairs.txt"):
        find_data_roots(None, {"lfw": tmp_path})
    with pytest.raises(ValueError, match="unknown dataset"):
        find_data_roots(None, {"celebb": tmp_path})
