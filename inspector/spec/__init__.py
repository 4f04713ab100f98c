"""Segment Spec validation: a registry of pure rules and an engine that runs them."""

from inspector.spec.engine import Engine
from inspector.spec.registry import RULES

__all__ = ["Engine", "RULES"]
