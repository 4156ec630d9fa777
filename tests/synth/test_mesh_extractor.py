"""scripts/extract_mediapipe_mesh.py: the protobuf wire-format reader and the loader parser."""

import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "extract_mediapipe_mesh.py"


@pytest.fixture(scope="module")
def extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_mediapipe_mesh", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def length_delimited(number: int, payload: bytes) -> bytes:
    return key(number, 2) + varint(len(payload)) + payload


def encode_metadata(vertex_buffer: list[float], index_buffer: list[int], packed: bool) -> bytes:
    """GeometryPipelineMetadata{canonical_mesh: Mesh3d{...}} written by hand."""
    mesh = key(1, 0) + varint(0) + key(2, 0) + varint(0)  # VERTEX_PT, TRIANGLE
    if packed:
        mesh += length_delimited(3, struct.pack(f"<{len(vertex_buffer)}f", *vertex_buffer))
        mesh += length_delimited(4, b"".join(varint(i) for i in index_buffer))
    else:  # what the MediaPipe file does: one tag per value
        mesh += b"".join(key(3, 5) + struct.pack("<f", x) for x in vertex_buffer)
        mesh += b"".join(key(4, 0) + varint(i) for i in index_buffer)
    landmark_ref = length_delimited(2, key(1, 0) + varint(300) + key(2, 5) + struct.pack("<f", 0.5))
    return length_delimited(1, mesh) + landmark_ref + key(3, 0) + varint(1)


@pytest.mark.parametrize("packed", [False, True])
def test_decoder_reads_packed_and_unpacked_meshes(extractor: ModuleType, packed: bool) -> None:
    vertex_buffer = [0.0, 1.0, 2.0, 0.25, 0.5, -3.5, 4.0, 5.0, 0.75, 1.0, 6.0, -7.0, 8.5, 0.0, 0.125]
    blob = encode_metadata(vertex_buffer, [0, 1, 2, 2, 1, 0], packed)
    vertices, uvs, faces = extractor.decode_canonical_mesh(blob)
    expected = np.asarray(vertex_buffer, np.float32).reshape(3, 5)
    np.testing.assert_array_equal(vertices, expected[:, :3])
    np.testing.assert_array_equal(uvs, expected[:, 3:])
    np.testing.assert_array_equal(faces, [[0, 1, 2], [2, 1, 0]])
    assert faces.dtype == np.int32


def test_decoder_rejects_out_of_range_indices(extractor: ModuleType) -> None:
    with pytest.raises(ValueError, match="outside"):
        extractor.decode_canonical_mesh(encode_metadata([0.0] * 15, [0, 1, 3], packed=True))


def test_varint_round_trip(extractor: ModuleType) -> None:
    for value in (0, 1, 127, 128, 300, 2**32 - 1, 2**63):
        assert extractor.read_varint(varint(value), 0) == (value, len(varint(value)))


def test_loader_script_gives_the_entry_byte_range(extractor: ModuleType) -> None:
    loader = (
        'var x = 1; loadPackage({"files": [{"filename": "/a.tflite", "start": 0, "end": 10}, '
        f'{{"filename": "{extractor.ENTRY_NAME}", "start": 10, "end": 25}}], "remote_package_size": 25}});'
    )
    assert extractor.entry_range(loader, extractor.ENTRY_NAME) == (10, 25)
    with pytest.raises(ValueError):
        extractor.entry_range(loader, "/missing.binarypb")
