"""Extract MediaPipe's canonical face mesh into ``src/facessl/synth/assets/canonical_face_mesh.npz``.

The mesh (468 vertices with UVs, 898 triangles, Apache-2.0) ships inside the npm package
``@mediapipe/face_mesh`` as ``geometry_pipeline_metadata_landmarks.binarypb``, one entry of the packed
asset file ``face_mesh_solution_packed_assets.data``. The loader script beside that file lists each
entry's byte range. The entry is a serialised ``GeometryPipelineMetadata`` protobuf, which this script
decodes with a small wire-format reader so that neither mediapipe nor protobuf is needed.

Message layout, from MediaPipe's public definitions
(``mediapipe/modules/face_geometry/protos/geometry_pipeline_metadata.proto`` and ``mesh_3d.proto``)::

    message GeometryPipelineMetadata {
      optional Mesh3d canonical_mesh = 1;
      repeated WeightedLandmarkRef procrustes_landmark_basis = 2;
      optional InputSource input_source = 3;
    }
    message Mesh3d {
      optional VertexType vertex_type = 1;        // VERTEX_PT = 0: x, y, z, u, v per vertex
      optional PrimitiveType primitive_type = 2;  // TRIANGLE = 0
      repeated float vertex_buffer = 3;
      repeated uint32 index_buffer = 4;
    }

The file stores the repeated fields unpacked (one tag per value); the reader accepts packed ones too.

Usage::

    cd /tmp && npm pack @mediapipe/face_mesh@0.4.1657299874 && tar xzf mediapipe-face_mesh-*.tgz
    python scripts/extract_mediapipe_mesh.py --package /tmp/package

Without ``--package`` the script runs ``npm pack`` itself in a temporary directory.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import struct
import subprocess
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

NPM_SPEC = "@mediapipe/face_mesh@0.4.1657299874"
ASSET_FILE = "face_mesh_solution_packed_assets.data"
LOADER_FILE = "face_mesh_solution_packed_assets_loader.js"
ENTRY_NAME = "/third_party/mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb"
# SHA-256 of the entry's 19,376 bytes in version 0.4.1657299874, so a changed upload fails loudly.
ENTRY_SHA256 = "bdbcda96dfcb7da883da124aaa2c55dee49770d934f0fcc71747f8c21bdc75b4"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/facessl/synth/assets/canonical_face_mesh.npz"

# Field numbers of the two messages above.
METADATA_CANONICAL_MESH = 1
MESH_VERTEX_TYPE, MESH_PRIMITIVE_TYPE, MESH_VERTEX_BUFFER, MESH_INDEX_BUFFER = 1, 2, 3, 4
VERTEX_PT, TRIANGLE = 0, 0

# Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 = 0, 1, 2, 5


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode one base-128 varint starting at ``pos``; return ``(value, next_pos)``."""
    value, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")


def parse_fields(buf: bytes) -> dict[int, list[tuple[int, int | bytes]]]:
    """Split one serialised message into its fields.

    Returns:
        Field number -> list of ``(wire_type, value)`` in file order. Varints come back as ints,
        fixed-width and length-delimited values as their raw bytes.
    """
    fields: dict[int, list[tuple[int, int | bytes]]] = defaultdict(list)
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == WIRE_VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == WIRE_I64:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == WIRE_I32:
            value, pos = buf[pos : pos + 4], pos + 4
        elif wire == WIRE_LEN:
            length, pos = read_varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        else:  # groups (3, 4) are deprecated and absent from these messages
            raise ValueError(f"unsupported wire type {wire} for field {number}")
        if pos > len(buf):
            raise ValueError(f"field {number} runs past the end of the message")
        fields[number].append((wire, value))
    return fields


def repeated_floats(entries: list[tuple[int, int | bytes]]) -> list[float]:
    """Values of a ``repeated float`` field, whether stored packed (LEN) or one per tag (I32)."""
    out: list[float] = []
    for wire, value in entries:
        assert isinstance(value, bytes)
        if wire == WIRE_I32:
            out.append(struct.unpack("<f", value)[0])
        elif wire == WIRE_LEN:
            out.extend(struct.unpack(f"<{len(value) // 4}f", value))
        else:
            raise ValueError(f"wire type {wire} cannot hold floats")
    return out


def repeated_uints(entries: list[tuple[int, int | bytes]]) -> list[int]:
    """Values of a ``repeated uint32`` field, whether stored packed (LEN) or one per tag (VARINT)."""
    out: list[int] = []
    for wire, value in entries:
        if wire == WIRE_VARINT:
            assert isinstance(value, int)
            out.append(value)
        elif wire == WIRE_LEN:
            assert isinstance(value, bytes)
            pos = 0
            while pos < len(value):
                item, pos = read_varint(value, pos)
                out.append(item)
        else:
            raise ValueError(f"wire type {wire} cannot hold varints")
    return out


def scalar(fields: dict[int, list[tuple[int, int | bytes]]], number: int, default: int = 0) -> int:
    """Last value of an optional varint field (protobuf's last-one-wins rule), or its default."""
    if number not in fields:
        return default
    value = fields[number][-1][1]
    assert isinstance(value, int)
    return value


def entry_range(loader_js: str, name: str) -> tuple[int, int]:
    """Byte range ``[start, end)`` of ``name`` inside the packed asset file, read from the loader script."""
    match = re.search(r"loadPackage\((\{.*?\})\);", loader_js, re.S)
    if match is None:
        raise ValueError("no loadPackage({...}) call in the loader script")
    for entry in json.loads(match.group(1))["files"]:
        if entry["filename"] == name:
            return int(entry["start"]), int(entry["end"])
    raise ValueError(f"{name} is not listed in the loader script")


def decode_canonical_mesh(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode ``GeometryPipelineMetadata.canonical_mesh``.

    Returns:
        ``vertices`` (V, 3) float32 in centimetres, ``uvs`` (V, 2) float32, ``faces`` (F, 3) int32.
    """
    meta = parse_fields(blob)
    (wire, mesh_bytes), *rest = meta[METADATA_CANONICAL_MESH]
    if wire != WIRE_LEN or rest:
        raise ValueError("expected exactly one embedded canonical_mesh message")
    assert isinstance(mesh_bytes, bytes)
    mesh = parse_fields(mesh_bytes)
    if scalar(mesh, MESH_VERTEX_TYPE) != VERTEX_PT or scalar(mesh, MESH_PRIMITIVE_TYPE) != TRIANGLE:
        raise ValueError("expected VERTEX_PT vertices and TRIANGLE primitives")
    vertex_buffer = np.asarray(repeated_floats(mesh[MESH_VERTEX_BUFFER]), np.float32).reshape(-1, 5)
    faces = np.asarray(repeated_uints(mesh[MESH_INDEX_BUFFER]), np.int64).reshape(-1, 3)
    if faces.min() < 0 or faces.max() >= len(vertex_buffer):
        raise ValueError("index buffer points outside the vertex buffer")
    return vertex_buffer[:, :3].copy(), vertex_buffer[:, 3:].copy(), faces.astype(np.int32)


def npm_pack(workdir: Path) -> Path:
    """Download and unpack ``NPM_SPEC`` into ``workdir``; return the unpacked ``package`` folder."""
    subprocess.run(["npm", "pack", NPM_SPEC], cwd=workdir, check=True, capture_output=True)
    (tarball,) = workdir.glob("mediapipe-face_mesh-*.tgz")
    with tarfile.open(tarball) as tar:
        # The "data" filter refuses links and absolute paths; it exists from Python 3.11.4 on.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(workdir, filter="data")
        else:
            tar.extractall(workdir)  # noqa: S202  (pinned npm package, extracted into a temp dir)
    return workdir / "package"


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an ``.npz`` that ``np.load`` reads, byte-identical from run to run.

    ``np.savez_compressed`` stamps each member with the current time, so re-running the script
    would change the committed asset; fixed timestamps keep it stable.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def extract(package: Path, out: Path) -> None:
    """Read the mesh out of an unpacked npm package folder and write ``out`` (.npz)."""
    start, end = entry_range((package / LOADER_FILE).read_text(), ENTRY_NAME)
    blob = (package / ASSET_FILE).read_bytes()[start:end]
    digest = hashlib.sha256(blob).hexdigest()
    if digest != ENTRY_SHA256:
        raise ValueError(f"{ENTRY_NAME} has SHA-256 {digest}, expected {ENTRY_SHA256} ({NPM_SPEC})")
    vertices, uvs, faces = decode_canonical_mesh(blob)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(out, {"vertices": vertices, "uvs": uvs, "faces": faces})
    lo, hi = vertices.min(0), vertices.max(0)
    print(f"bytes {start}-{end} of {ASSET_FILE}")
    print(f"{len(vertices)} vertices, {len(faces)} triangles -> {out} ({out.stat().st_size} bytes)")
    print("  ".join(f"{axis} {a:.2f}..{b:.2f}" for axis, a, b in zip("xyz", lo, hi, strict=True)), "cm")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="unpacked npm package folder (default: npm pack into a temp dir)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .npz path")
    args = parser.parse_args()
    if args.package is not None:
        extract(args.package, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        extract(npm_pack(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
