"""The scripts under test import their helpers from their own folder (e.g. ``doc_sections``), as when they run."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
