"""retain_freed_memory: large blocks come from the heap and stay there once freed (glibc only)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from facessl.memory import OPT_OUT_VARIABLE, _glibc

# In a fresh process: allocate and free a 16 MiB tensor, and report how much of it glibc mapped separately
# (mallinfo2's hblkhd) and how much free memory the heap kept afterwards (fordblks).
_PROBE = """
import ctypes, torch
from facessl.memory import retain_freed_memory
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
applied = retain_freed_memory()
before = libc.mallinfo2().hblkhd
block = torch.ones(16 * 2**20, dtype=torch.uint8)
mapped = libc.mallinfo2().hblkhd - before
del block
print(int(applied), mapped, libc.mallinfo2().fordblks)
"""


def _probe(**env: str) -> tuple[bool, int, int]:
    """Run the probe with this environment, less any allocator settings of the caller's, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "LD_PRELOAD"}
    out = subprocess.run([sys.executable, "-c", _PROBE], env={**base, **env}, capture_output=True, text=True,
                         check=True)  # fmt: skip
    applied, mapped, kept = (int(v) for v in out.stdout.split())
    return bool(applied), mapped, kept


_NEEDS_MALLINFO2 = pytest.mark.skipif(_glibc() is None or not hasattr(_glibc(), "mallinfo2"),
                                      reason="needs glibc >= 2.33")


@_NEEDS_MALLINFO2
def test_large_blocks_come_from_the_heap_and_stay_after_free() -> None:
    applied, mapped, kept = _probe(**{OPT_OUT_VARIABLE: "1"})
    assert applied
    assert mapped < 2**20, "the 16 MiB block was mapped on its own: the threshold is not in force"
    assert kept >= 16 * 2**20, "the freed block was returned to the kernel"
    # glibc's default, for contrast: the block is mapped on its own (and unmapped when freed).
    applied, mapped, _ = _probe(**{OPT_OUT_VARIABLE: "0"})
    assert not applied and mapped >= 16 * 2**20


@_NEEDS_MALLINFO2
def test_user_settings_win() -> None:
    assert not _probe(MALLOC_TRIM_THRESHOLD_="1000000")[0]
    # Another allocator named in LD_PRELOAD (a missing file: the loader only warns) also disables the setting.
    assert not _probe(LD_PRELOAD="/nonexistent/libjemalloc.so.2")[0]
