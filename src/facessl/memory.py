"""Keep freed heap memory in the process for reuse: fewer page faults for CPU code that allocates many tensors.

glibc's ``malloc`` serves large blocks (128 KiB at first) with ``mmap`` and returns them to the kernel when they are
freed (the threshold then grows to the freed block's size), and trims the top of the heap once more than twice the
threshold is free there. Code that allocates a few-MB tensor per operation, as the SynthFaces renderer does
(thousands of operations per batch, on (B·H·W)-sized buffers), then makes the kernel map and zero fresh pages again
and again: on this project's 2-core machine one renderer process took 10,000-18,000 minor page faults per 64-image
batch and rendered 650-790 images/s; with the two thresholds below it took under 200 and rendered 990-1,140, with
the same peak memory (880 MB). PyTorch's performance tuning guide suggests preloading jemalloc or tcmalloc on CPU
for such gains; ``mallopt`` gets the part that matters here without a preloaded library.

Only glibc is tuned; elsewhere nothing is done. The user's own choice wins: nothing is done when
``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` is set, when another allocator is preloaded, or when
``FACESSL_RETAIN_FREED_MEMORY=0``.
"""

from __future__ import annotations

import ctypes
import os
import sys

# mallopt parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap: glibc's largest allowed value on 64-bit (HEAP_MAX_SIZE / 2).
MMAP_THRESHOLD_BYTES = 32 * 2**20
# Free memory kept at the top of the heap before any is returned to the kernel.
TRIM_THRESHOLD_BYTES = 2**30
OPT_OUT_VARIABLE = "FACESSL_RETAIN_FREED_MEMORY"

_applied = False  # per process (a forked child inherits the setting and this flag)


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (only glibc has it)
    except (OSError, AttributeError):
        return None
    return libc


def retain_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse (once per process); True if the setting is in force.

    Called by :class:`facessl.synth.face_renderer.FaceRenderer`, so every process that renders SynthFaces (a
    DataLoader worker streaming the corpus, an export) gets it. Memory that the process frees stays reserved for
    it, up to the process's peak use.
    """
    global _applied
    if _applied:
        return True
    if os.environ.get(OPT_OUT_VARIABLE, "1") == "0":
        return False
    if any(name in os.environ for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return False
    if any(name in os.environ.get("LD_PRELOAD", "") for name in ("jemalloc", "tcmalloc", "mimalloc")):
        return False
    libc = _glibc()
    if libc is None:
        return False
    # mallopt returns 1 on success.
    if libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        return False
    if libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) != 1:
        return False
    _applied = True
    return True


__all__ = ["retain_freed_memory"]
