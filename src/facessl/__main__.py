"""`python -m facessl ...` (what `torchrun -m facessl` runs)."""

from facessl.cli import main

main()
