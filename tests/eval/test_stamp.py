import numpy as np
import torch

from facessl.eval.stamp import UNKNOWN_CHECKPOINT, hash_arrays, stamp_result


def test_hash_depends_on_values_order_dtype_and_shape() -> None:
    a = np.arange(6, dtype=np.int64)
    assert hash_arrays(a) == hash_arrays(a.copy())
    assert hash_arrays(a) != hash_arrays(a[::-1])
    assert hash_arrays(a) != hash_arrays(a.astype(np.int32))
    assert hash_arrays(a) != hash_arrays(a.reshape(2, 3))
    assert hash_arrays(a[:2], a[2:]) != hash_arrays(a[:3], a[3:])


def test_hash_is_the_same_for_torch_and_numpy_and_for_layouts() -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert hash_arrays(a) == hash_arrays(torch.from_numpy(a))
    assert hash_arrays(a) == hash_arrays(np.asfortranarray(a))


def test_object_arrays_hash_by_content() -> None:
    names = np.array(["S01", "S02"], dtype=object)
    assert hash_arrays(names) == hash_arrays(np.array(["S01", "S02"], dtype=object))


def test_stamp_fields_and_missing_checkpoint() -> None:
    result = stamp_result(
        "x/v1",
        metrics={"acc": np.float32(0.5)},
        seeds=[np.int64(1)],
        split_sha256="s",
        checkpoint_sha256=None,
        details={"cm": np.eye(2, dtype=np.int64)},
    )
    assert result["checkpoint_sha256"] == UNKNOWN_CHECKPOINT
    assert result["metrics"] == {"acc": 0.5} and type(result["metrics"]["acc"]) is float
    assert result["details"]["cm"] == [[1, 0], [0, 1]]
    assert result["seeds"] == [1]
