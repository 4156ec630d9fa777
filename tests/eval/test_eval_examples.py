"""The runnable examples in the docstrings of the extraction and reference modules."""

import doctest

import pytest

from facessl.eval import face_images, feature_cache, references, task_datasets


@pytest.mark.parametrize("module", [face_images, feature_cache, references, task_datasets])
def test_docstring_examples_run(module: object) -> None:
    failures, _ = doctest.testmod(module, verbose=False)  # type: ignore[arg-type]
    assert failures == 0
