"""facessl: self-supervised facial representation learning."""

__version__ = "0.1.0"

