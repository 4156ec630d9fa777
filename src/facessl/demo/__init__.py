"""`facessl demo` (what `make demo` runs): the whole story of facessl on the embedded data, in minutes.

Streams SynthFaces; pretrains SimCLR, PCL and both LatentFace stages on short schedules; evaluates them with the
four protocols (expression, verification, AU detection, head pose) against a random network and raw pixels on
SynthFaces people never seen in pretraining; writes ``report.md`` with its figures. Read it top to bottom:

- `schedules`: how big everything is (``demo``: 10 minutes on 2 CPU cores; ``full``; ``smoke`` for tests);
- `sets`: the task sets, the t-SNE faces and the training samples;
- `run`: the eight stages, timed;
- `evaluate`: six feature sources × four protocols, through `facessl.eval.evaluate_suite`;
- `decompose`: PCL's decoder on swapped features, LatentFace's depth, albedo, shading and neutral face;
- `figures` and `report`: the PNGs and ``report.md``.

Example:
    >>> from facessl.demo import run_demo
    >>> run_demo("runs/demo")  # doctest: +SKIP
"""

from facessl.demo.run import run_demo
from facessl.demo.schedules import SCHEDULES, Schedule, get_schedule

__all__ = ["SCHEDULES", "Schedule", "get_schedule", "run_demo"]
