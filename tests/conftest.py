"""Shared fixtures: a live inspector on a free loopback port with a temp session file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from inspector.ingest import Capture, create_app, start_server
from inspector.spec import Engine
from inspector.store import Store


@dataclass
class Live:
    url: str
    capture: Capture
    store: Store
    http: aiohttp.ClientSession
    session_path: Path


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    path = tmp_path / "session.sqlite"
    store = Store(path)
    capture = Capture(store, Engine())
    runner, url = await start_server(create_app(capture), "127.0.0.1", 0)
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        yield Live(url, capture, store, http, path)
    await runner.cleanup()
    store.close()
