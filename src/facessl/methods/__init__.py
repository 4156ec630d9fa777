"""Pretraining methods: one interface (`Method`), one registry (`METHODS`)."""

from facessl.methods import byol, latentface_ae, latentface_rdm, moco, pcl, simclr  # noqa: F401  (register the methods)
from facessl.methods.base import Method, NonFiniteLossError, Optimization
from facessl.methods.registry import METHODS, register_method

__all__ = ["METHODS", "Method", "NonFiniteLossError", "Optimization", "register_method"]
