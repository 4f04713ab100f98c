"""Fixtures for tracking plan tests: write a plan file and load it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.plan import Plan, load_plan

from .helpers import SIMPLE


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[..., Path]:
    def write(doc: Any, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        if isinstance(doc, str):
            path.write_text(doc)
        elif name.endswith((".yaml", ".yml")):
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
        else:
            path.write_text(json.dumps(doc))
        return path

    return write


@pytest.fixture
def simple_plan(write_plan: Callable[..., Path]) -> Plan:
    return load_plan(write_plan(SIMPLE))
