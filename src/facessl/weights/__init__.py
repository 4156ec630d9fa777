"""Exported encoder weights (safetensors + JSON card) and importers of official checkpoints."""

from facessl.weights.card import WeightCard
from facessl.weights.encoder_file import FaceEncoder, load_encoder, read_card, save_encoder

__all__ = ["FaceEncoder", "WeightCard", "load_encoder", "read_card", "save_encoder"]
