"""The registry of pretraining methods by name (`@register_method("simclr")`)."""

from __future__ import annotations

from facessl.methods.base import Method
from facessl.registry import Registry

METHODS: Registry[type[Method]] = Registry("method")


def register_method(name: str):  # type: ignore[no-untyped-def]
    def decorator(cls: type[Method]) -> type[Method]:
        cls.name = name
        return METHODS.register(name)(cls)

    return decorator
